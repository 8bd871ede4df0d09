// Which gates keep the previous state, read from the step graph: the gates efflr's predictor
// multiplies by default, and what each keeps (1 − g for g ⊙ φ + (1 − g) ⊙ h, g itself for an
// LSTM's f ⊙ c). Only the graph's structure is read, so any cell is covered and no name is known.
import TauGraph

/// How a gate enters the next state.
public enum GateRetention: String, Sendable {
  /// 1 − g multiplies a state: g ⊙ φ + (1 − g) ⊙ h, Tau's convention (the leaky cell's gate, the
  /// GRU's update).
  case complement
  /// g itself multiplies a state: f ⊙ c (an LSTM's forget gate), a ⊙ h (a diagonal recurrence).
  case direct
  /// g multiplies no state (an LSTM's input and output gates): taken as Tau's convention, 1 − g.
  case none

  /// The factor the retention predictor multiplies for gate value `g`.
  public func retained(_ g: Double) -> Double { self == .direct ? g : 1 - g }
}

extension Graph {
  /// The gate nodes, in the order the body applied them.
  public var gateNodes: [NodeID] {
    nodes.indices.filter { nodes[$0].isGate }.map(NodeID.init)
  }

  /// How gate `gate` keeps a state: whether some next state is a sum with a term g ⊙ s or
  /// (1 − g) ⊙ s, s that same state's previous value (h for the next h, c for the next c).
  /// Products elsewhere (a reset gate's r ⊙ h inside the candidate) do not count.
  public func retention(ofGate gate: NodeID) -> GateRetention {
    func isComplement(_ id: NodeID) -> Bool {
      guard case .binary(.subtract) = self[id].op, self[id].inputs.count == 2 else { return false }
      return self[id].inputs[1] == gate && self[self[id].inputs[0]].op == .constant(1)
    }
    var found = GateRetention.none
    for (state, output) in outputs.enumerated() {
      for term in summands(of: output) {
        let factors = self[term].inputs
        guard case .binary(.multiply) = self[term].op, factors.count == 2,
          factors.contains(where: { self[$0].op == .input(.state(state)) })
        else { continue }
        if factors.contains(gate) { return .direct }
        if factors.contains(where: isComplement) { found = .complement }
      }
    }
    return found
  }

  /// The terms of a sum `a + b + …` (the node itself when it is no sum).
  private func summands(of root: NodeID) -> [NodeID] {
    var pending = [root]
    var terms: [NodeID] = []
    while let id = pending.popLast() {
      if case .binary(.add) = self[id].op, self[id].inputs.count == 2 {
        pending += self[id].inputs.reversed()
      } else {
        terms.append(id)
      }
    }
    return terms
  }

  /// The gates efflr's predictor multiplies unless told which: every gate that keeps a state
  /// (`retention(ofGate:)` is not `.none`), else the first gate; none for a cell without gates.
  public var retainingGates: [NodeID] {
    let gates = gateNodes
    let retaining = gates.filter { retention(ofGate: $0) != .none }
    return retaining.isEmpty ? Array(gates.prefix(1)) : retaining
  }
}
