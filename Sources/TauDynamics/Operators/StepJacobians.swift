// The exact per-step Jacobians J_t = dh_t/dh_{t-1} of any cell on a batch (paper.md §3), from the
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
  /// The first gate's value at each step, [B × T × G] (G = 1 for a scalar gate), or nil when
  /// the cell has no gate.
  public let gates: Tensor<Double>?
  /// The states h_1 … h_T (concatenated), [B × T × N].
  public let states: Tensor<Double>

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
      readoutBias: readoutBias.map(convert), stateSizes: stateSizes, inputSize: inputSize)
  }
}

extension RecurrentModel where Scalar == Double {
  /// Runs the model over `inputs` [B × T × m] from zero states and returns every step's exact
  /// Jacobian (and A_t when `dominant` is true), by forward mode through compiled plans.
  public func stepJacobians(_ inputs: Tensor<Double>, dominant wantsDominant: Bool = false) throws
    -> StepJacobians
  {
    guard inputs.rank == 3, inputs.shape[2] == inputSize, inputs.shape[0] >= 1,
      inputs.shape[1] >= 1
    else {
      throw TensorError.shapeMismatch(
        operation: "jacobian", lhs: inputs.shape, rhs: [-1, -1, inputSize])
    }
    let (batch, length, m) = (inputs.shape[0], inputs.shape[1], inputSize)
    let joined = try step.concatenatingStates()
    guard let seed = joined.inputs(where: { $0 == .state(0) }).first,
      let output = joined.outputs.first
    else {
      throw GraphError(message: "the cell does not read its state", origin: nil)
    }
    let n = joined[seed].shape[0]
    let tangents =
      try [joined.jacobian(wrt: seed)]
      + (wantsDominant ? [joined.jacobian(wrt: seed, freezingGates: true)] : [])
    let gate = joined.nodes.indices.first { joined.nodes[$0].isGate }.map(NodeID.init)
    var read = Set(
      tangents.flatMap { tangent in
        tangent.graph.nodes.compactMap { node -> NodeID? in
          if case .input(.primal(let id)) = node.op { return id } else { return nil }
        }
      })
    if let gate { read.insert(gate) }
    let forward = try Plan<Double>.compile(joined, batch: batch, preserving: read)
    let tangentPlans = try tangents.map { try Plan<Double>.compile($0.graph, batch: batch) }

    // Parameters live in one buffer for the whole pass; two arenas alternate so that step t can
    // read step t-1's state.
    let parameterValues = joined.parameters.map { parameters[$0.name]?.contiguous().scalars ?? [] }
    let flatParameters = parameterValues.flatMap { $0 }
    let gateWidth = gate.map { joined[$0].shape.reduce(1, *) } ?? 0
    var gates = [Double](repeating: 0, count: batch * length * gateWidth)
    var states = [Double](repeating: 0, count: batch * length * n)
    let x = inputs.contiguous().scalars
    /// The pass, writing J_t (and A_t) straight into the result tensors' storage.
    func run(_ destinations: [UnsafeMutablePointer<Double>]) throws {
      try flatParameters.withUnsafeBufferPointer { parameterBuffer in
        var offsets: [String: Int] = [:]
        var total = 0
        for (name, value) in zip(joined.parameters.map(\.name), parameterValues) {
          offsets[name] = total
          total += value.count
        }
        func bindParameters(_ plan: Plan<Double>) {
          for (slot, kind) in plan.inputKinds.enumerated() {
            if case .parameter(let name) = kind, let base = parameterBuffer.baseAddress {
              plan.bind(slot, to: base + (offsets[name] ?? 0))
            }
          }
        }
        bindParameters(forward)
        for plan in tangentPlans { bindParameters(plan) }
        let arenas = (0..<2).map { _ in
          UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(1, forward.arenaSize))
        }
        let tangentArena = UnsafeMutablePointer<Double>.allocate(
          capacity: Swift.max(1, tangentPlans.map(\.arenaSize).max() ?? 1))
        let zeros = [Double](repeating: 0, count: batch * n)
        var row = [Double](repeating: 0, count: batch * m)
        defer {
          for arena in arenas { arena.deallocate() }
          tangentArena.deallocate()
        }
        let inputSlot = forward.slot(of: .input)
        let stateSlot = forward.slot(of: .state(0))
        try zeros.withUnsafeBufferPointer { zeros in
          for t in 0..<length {
            try checkCancellation()
            let arena = arenas[t % 2]
            for b in 0..<batch {
              for c in 0..<m { row[b * m + c] = x[(b * length + t) * m + c] }
            }
            try row.withUnsafeBufferPointer { row in
              if let inputSlot, let base = row.baseAddress { forward.bind(inputSlot, to: base) }
              if let stateSlot, let zero = zeros.baseAddress {
                forward.bind(
                  stateSlot,
                  to: t == 0
                    ? zero : UnsafePointer(forward.pointer(output, in: arenas[(t + 1) % 2])))
              }
              try forward.run(arena: arena)
              for (index, plan) in tangentPlans.enumerated() {
                for (slot, kind) in plan.inputKinds.enumerated() {
                  if case .primal(let id) = kind {
                    plan.bind(slot, to: UnsafePointer(forward.pointer(id, in: arena)))
                  }
                }
                try plan.run(arena: tangentArena)
                let source = plan.pointer(tangents[index].jacobians[0], in: tangentArena)
                let batched = tangents[index].graph[tangents[index].jacobians[0]].isBatched
                for b in 0..<batch {
                  (destinations[index] + (b * length + t) * n * n).update(
                    from: source + (batched ? b * n * n : 0), count: n * n)
                }
              }
              let state = forward.pointer(output, in: arena)
              for b in 0..<batch {
                for i in 0..<n { states[(b * length + t) * n + i] = state[b * n + i] }
              }
              if let gate {
                let value = forward.pointer(gate, in: arena)
                let batched = joined[gate].isBatched
                for b in 0..<batch {
                  for i in 0..<gateWidth {
                    gates[(b * length + t) * gateWidth + i] =
                      value[(batched ? b * gateWidth : 0) + i]
                  }
                }
              }
            }
          }
        }
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
    return StepJacobians(
      batch: batch, length: length, size: n, full: full, dominant: frozen,
      gates: gate == nil
        ? nil : try Tensor(shape: [batch, length, Swift.max(1, gateWidth)], scalars: gates),
      states: try Tensor(shape: [batch, length, n], scalars: states))
  }
}
