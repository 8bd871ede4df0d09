// The exact per-step Jacobians J_t = dh_t/dh_{t-1} of any cell on a batch (the paper's §3), from the
// forward-mode transform of the cell's step graph: nothing here knows which cell it runs. Cells
// with several states get one Jacobian over the concatenated state [h; c].
import TauGraph
import TauTensor

/// Which Jacobian of the state update: the full one, the frozen-gate part A_t, or B_t = J_t - A_t.
public enum JacobianPart: String, CaseIterable, Sendable {
  case full, dominant, correction
}

/// What one pass over a batch gives the operators: per-step Jacobians, gate values and states,
/// in float64.
public struct StepJacobians: Sendable {
  /// B, T and N (the concatenated state size).
  public let batch: Int
  public let length: Int
  public let size: Int
  /// J_t for t = 1 … T: [B × T × N × N], J[b, t-1] = dh_t/dh_{t-1}.
  public let full: Tensor<Double>
  /// A_t (gates held constant), when asked for; equal to `full` for a cell without gates.
  public let dominant: Tensor<Double>?
  /// The recorded gates' values at each step, [B × T × G], their units side by side in the
  /// order of `gateNodes` (a scalar gate is one unit), or nil when the cell has no gate.
  public let gates: Tensor<Double>?
  /// The states h_1 … h_T (concatenated), [B × T × N].
  public let states: Tensor<Double>
  /// The nodes of the model's step whose values `gates` holds.
  public internal(set) var gateNodes: [NodeID] = []
  /// How each of the G units of `gates` keeps the state (its gate's `GateRetention`).
  public internal(set) var gateRetentions: [GateRetention] = []
  /// What forward mode found for J_t: `.diagonal` lets the operators work on diagonals.
  public internal(set) var structure: JacobianStructure = .dense

  /// The requested part: B_t is computed as J_t - A_t.
  public func part(_ part: JacobianPart) throws -> Tensor<Double> {
    switch part {
    case .full: return full
    case .dominant: return dominant ?? full
    case .correction: return try full - (dominant ?? full)
    }
  }
}

extension RecurrentModel {
  /// The model in float64, for diagnostics (a no-op copy when it already is).
  public func inDouble() throws -> RecurrentModel<Double> {
    func convert(_ t: Tensor<Scalar>) throws -> Tensor<Double> {
      try Tensor<Double>(shape: t.shape, scalars: t.scalars.map { Double($0) })
    }
    return try RecurrentModel<Double>(
      step: step, parameters: parameters.mapValues(convert), readout: convert(readout),
      readoutBias: readoutBias.map(convert), stateSizes: stateSizes, readoutState: readoutState,
      inputSize: inputSize)
  }
}

extension RecurrentModel where Scalar == Double {
  /// Runs the model over `inputs` [B × T × m] from zero states and returns every step's exact
  /// Jacobian (and A_t when `dominant` is true), by forward mode through compiled plans. The
  /// batch is split over both cores; each half writes its own block of the results.
  ///
  /// `gateTerm: .post` gives the reference code's J_t instead, its gate term taken at h_t
  /// (`GateTerm.post`); it needs a cell whose step is g ⊙ φ + (1 - g) ⊙ h with one state and one
  /// gate, and then also returns A_t.
  ///
  /// `gates` are the gate nodes of `step` whose values the result records, in that order (all
  /// applications of one gate name, say); nil records `step.retainingGates`.
  public func stepJacobians(
    _ inputs: Tensor<Double>, dominant requested: Bool = false, gateTerm: GateTerm = .pre,
    gates selected: [NodeID]? = nil
  ) throws -> StepJacobians {
    guard inputs.rank == 3, inputs.shape[2] == inputSize, inputs.shape[0] >= 1,
      inputs.shape[1] >= 1
    else {
      throw TensorError.modelInputs(inputs.shape, inputSize: inputSize, operation: "jacobian")
    }
    let wantsDominant = requested || gateTerm == .post
    let recorded = selected ?? step.retainingGates
    for id in recorded where !(step.nodes.indices.contains(id.index) && step[id].isGate) {
      throw TensorError.invalidArgument(
        operation: "jacobian", message: "node \(id) of the step is not a gate")
    }
    let pass = try JacobianPass(model: self, dominant: wantsDominant, recording: recorded)
    if gateTerm == .post, stateSizes.count != 1 || !pass.isConvexGateUpdate {
      throw TensorError.invalidArgument(
        operation: "jacobian",
        message:
          "the post-update gate term is defined only for a cell with one state and one gate whose step is g * φ + (1 - g) * h"
      )
    }
    let (batch, length, n) = (inputs.shape[0], inputs.shape[1], pass.size)
    let x = inputs.contiguous().scalars
    let gateWidth = pass.gateWidth
    let states = UnsafeMutablePointer<Double>.allocate(capacity: batch * length * n)
    let gates = UnsafeMutablePointer<Double>.allocate(
      capacity: Swift.max(1, batch * length * gateWidth))
    defer {
      states.deallocate()
      gates.deallocate()
    }
    let lanes = Swift.min(2, batch)
    let bounds = (0...lanes).map { $0 * batch / lanes }
    func run(_ matrices: [UnsafeMutablePointer<Double>]) throws {
      let outputs = LaneOutputs(matrices: matrices, states: states, gates: gates)
      _ = try concurrentMap(lanes) { lane in
        try pass.run(x, length: length, batch: bounds[lane]..<bounds[lane + 1], into: outputs)
      }
    }
    let shape = [batch, length, n, n]
    var frozen: Tensor<Double>?
    let full = try Tensor<Double>(shape: shape) { full in
      if wantsDominant {
        frozen = try Tensor<Double>(shape: shape) { dominant in try run([full, dominant]) }
      } else {
        try run([full])
      }
    }
    var result = StepJacobians(
      batch: batch, length: length, size: n, full: full, dominant: frozen,
      gates: pass.gates.isEmpty
        ? nil
        : try Tensor(shape: [batch, length, Swift.max(1, gateWidth)]) {
          $0.update(from: gates, count: batch * length * gateWidth)
        },
      states: try Tensor(shape: [batch, length, n]) {
        $0.update(from: states, count: batch * length * n)
      },
      gateNodes: recorded,
      gateRetentions: zip(recorded, pass.gates).flatMap { stepGate, joinedGate in
        Array(
          repeating: step.retention(ofGate: stepGate),
          count: Swift.max(1, pass.joined[joinedGate].shape.reduce(1, *)))
      })
    result.structure = pass.tangents[0].structures.first ?? .dense
    return gateTerm == .post ? try result.withPostUpdateGateTerm() : result
  }
}

extension StepJacobians {
  /// J_t = A_t + diag(1 - g_t) B_t: the gate term with h_t in place of h_{t-1}. For h_t = g ⊙ φ +
  /// (1 - g) ⊙ h_{t-1}, B_t = diag(φ - h_{t-1}) ∂g/∂h_{t-1}, and φ - h_t = (1 - g) ⊙ (φ - h_{t-1}).
  func withPostUpdateGateTerm() throws -> StepJacobians {
    guard let dominant, let gates else { return self }
    let (n, width) = (size, gates.shape[2])
    let (j, a, g) = (full.scalars, dominant.scalars, gates.scalars)
    var result = j
    for step in 0..<(batch * length) {
      for row in 0..<n {
        let retention = 1 - g[step * width + (width == 1 ? 0 : row)]
        for column in 0..<n {
          let e = (step * n + row) * n + column
          result[e] = a[e] + retention * (j[e] - a[e])
        }
      }
    }
    // A + diag(1 - g) B keeps the structure A and B share.
    return StepJacobians(
      batch: batch, length: length, size: size,
      full: try Tensor(shape: full.shape, scalars: result),
      dominant: dominant, gates: gates, states: states, gateNodes: gateNodes,
      gateRetentions: gateRetentions, structure: structure)
  }
}

/// Where the lanes of a Jacobian pass write: [B × T × …] buffers, each lane its own sequences.
struct LaneOutputs: @unchecked Sendable {
  // @unchecked: the lanes write disjoint blocks (their own sequences) and the caller reads them
  // only after every lane has finished.
  let matrices: [UnsafeMutablePointer<Double>]
  let states: UnsafeMutablePointer<Double>
  let gates: UnsafeMutablePointer<Double>
}

/// The graphs of one Jacobian pass: the step over the concatenated state and its tangent graphs
/// (full, and with gates frozen), compiled per lane for that lane's share of the batch.
struct JacobianPass: Sendable {
  let joined: Graph
  let tangents: [TangentGraph]
  /// The gate nodes of `joined` whose values the pass records, in order.
  let gates: [NodeID]
  let read: Set<NodeID>
  let output: NodeID
  let size: Int
  let inputSize: Int
  /// Parameters in the order of `joined.parameters`, flattened, and each one's offset.
  let parameters: [Double]
  let offsets: [String: Int]

  /// Units of each recorded gate (1 for a scalar), and their sum.
  var gateWidths: [Int] { gates.map { joined[$0].shape.reduce(1, *) } }
  var gateWidth: Int { gateWidths.reduce(0, +) }

  /// Whether the step's output is g ⊙ φ + (1 - g) ⊙ h (operands of each + and ⊙ in either
  /// order), g the cell's only gate and h its state: the form the post-update gate term needs.
  var isConvexGateUpdate: Bool {
    let joined = joined
    let all = joined.gateNodes
    guard all.count == 1, let g = all.first,
      let h = joined.inputs(where: { $0 == .state(0) }).first
    else { return false }
    func operands(_ id: NodeID, _ operation: BinaryOperation) -> [NodeID]? {
      guard case .binary(let op) = joined[id].op, op == operation, joined[id].inputs.count == 2
      else { return nil }
      return joined[id].inputs
    }
    func isRetention(_ id: NodeID) -> Bool {
      guard let parts = operands(id, .subtract) else { return false }
      return parts[1] == g && joined[parts[0]].op == .constant(1)
    }
    guard let terms = operands(output, .add) else { return false }
    for (candidate, kept) in [(terms[0], terms[1]), (terms[1], terms[0])] {
      if let gated = operands(candidate, .multiply), gated.contains(g),
        let retained = operands(kept, .multiply), retained.contains(h),
        retained.contains(where: isRetention)
      {
        return true
      }
    }
    return false
  }

  /// `recording` are gate nodes of `model.step`; joining the states copies every other node in
  /// order and keeps its mark, so the k-th gate of the step is the k-th gate of `joined`.
  init(model: RecurrentModel<Double>, dominant: Bool, recording: [NodeID]) throws {
    joined = try model.step.concatenatingStates()
    guard let seed = joined.inputs(where: { $0 == .state(0) }).first,
      let output = joined.outputs.first
    else {
      throw GraphError(message: "the cell does not read its state", origin: nil)
    }
    self.output = output
    size = joined[seed].shape[0]
    inputSize = model.inputSize
    tangents =
      try [joined.jacobian(wrt: seed)]
      + (dominant ? [joined.jacobian(wrt: seed, freezingGates: true)] : [])
    let joined = joined
    let (stepGates, joinedGates) = (model.step.gateNodes, joined.gateNodes)
    guard stepGates.count == joinedGates.count else {
      throw GraphError(message: "joining the states lost a gate", origin: nil)
    }
    gates = recording.compactMap { id in stepGates.firstIndex(of: id).map { joinedGates[$0] } }
    var read = Set(
      tangents.flatMap { tangent in
        tangent.graph.nodes.compactMap { node -> NodeID? in
          if case .input(.primal(let id)) = node.op { return id } else { return nil }
        }
      })
    read.formUnion(gates)
    self.read = read
    var values: [Double] = []
    var offsets: [String: Int] = [:]
    for (name, _) in joined.parameters {
      offsets[name] = values.count
      values += model.parameters[name]?.contiguous().scalars ?? []
    }
    parameters = values
    self.offsets = offsets
  }

  /// Runs sequences `range` of `x` [B × T × m] and writes their J_t (and A_t), states and gate
  /// values into `outputs`.
  func run(_ x: [Double], length: Int, batch range: Range<Int>, into outputs: LaneOutputs) throws {
    let (batch, n, m, gateWidth, widths) = (range.count, size, inputSize, gateWidth, gateWidths)
    guard batch > 0 else { return }
    let forward = try Plan<Double>.compile(joined, batch: batch, preserving: read)
    let plans = try tangents.map { try Plan<Double>.compile($0.graph, batch: batch) }
    let arenas = (0..<2).map { _ in
      UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(1, forward.arenaSize))
    }
    let tangentArena = UnsafeMutablePointer<Double>.allocate(
      capacity: Swift.max(1, plans.map(\.arenaSize).max() ?? 1))
    let zeros = UnsafeMutablePointer<Double>.allocate(capacity: batch * n)
    zeros.initialize(repeating: 0, count: batch * n)
    let row = UnsafeMutablePointer<Double>.allocate(capacity: batch * m)
    defer {
      for arena in arenas { arena.deallocate() }
      for buffer in [tangentArena, zeros, row] { buffer.deallocate() }
    }
    try parameters.withUnsafeBufferPointer { values in
      guard let base = values.baseAddress else { return }
      for plan in [forward] + plans {
        for (slot, kind) in plan.inputKinds.enumerated() {
          if case .parameter(let name) = kind { plan.bind(slot, to: base + (offsets[name] ?? 0)) }
        }
      }
      let inputSlot = forward.slot(of: .input)
      let stateSlot = forward.slot(of: .state(0))
      // Two arenas alternate so that step t reads step t-1's state.
      for t in 0..<length {
        try checkCancellation()
        let arena = arenas[t % 2]
        for b in 0..<batch {
          for c in 0..<m { row[b * m + c] = x[((range.lowerBound + b) * length + t) * m + c] }
        }
        if let inputSlot { forward.bind(inputSlot, to: row) }
        if let stateSlot {
          forward.bind(
            stateSlot,
            to: UnsafePointer(t == 0 ? zeros : forward.pointer(output, in: arenas[(t + 1) % 2])))
        }
        try forward.run(arena: arena)
        for (index, plan) in plans.enumerated() {
          for (slot, kind) in plan.inputKinds.enumerated() {
            if case .primal(let id) = kind {
              plan.bind(slot, to: UnsafePointer(forward.pointer(id, in: arena)))
            }
          }
          try plan.run(arena: tangentArena)
          let jacobian = tangents[index].jacobians[0]
          let source = plan.pointer(jacobian, in: tangentArena)
          let batched = tangents[index].graph[jacobian].isBatched
          for b in 0..<batch {
            (outputs.matrices[index] + ((range.lowerBound + b) * length + t) * n * n).update(
              from: source + (batched ? b * n * n : 0), count: n * n)
          }
        }
        let state = forward.pointer(output, in: arena)
        for b in 0..<batch {
          (outputs.states + ((range.lowerBound + b) * length + t) * n).update(
            from: state + b * n, count: n)
        }
        var offset = 0
        for (gate, width) in zip(gates, widths) {
          let value = forward.pointer(gate, in: arena)
          let batched = joined[gate].isBatched
          for b in 0..<batch {
            (outputs.gates + ((range.lowerBound + b) * length + t) * gateWidth + offset).update(
              from: value + (batched ? b * width : 0), count: width)
          }
          offset += width
        }
      }
    }
  }
}
