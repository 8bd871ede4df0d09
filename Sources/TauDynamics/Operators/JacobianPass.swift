// One forward pass that yields every step's exact Jacobian: the step over the concatenated state
// and its tangent graphs, compiled per lane for that lane's share of the batch. Each lane hands
// J_t (and A_t) to a consumer as the step is taken, so an operator that only needs products of
// them never stores a T × N × N stack.
import TauGraph
import TauTensor

/// Where the lanes of a Jacobian pass write: [B × T × …] buffers, each lane its own sequences.
struct LaneOutputs: @unchecked Sendable {
  // @unchecked: the lanes write disjoint blocks (their own sequences) and the caller reads them
  // only after every lane has finished.
  let states: UnsafeMutablePointer<Double>
  let gates: UnsafeMutablePointer<Double>
}

/// What takes a lane's step Jacobians as the pass makes them, for the lane's `sequences`.
protocol StepConsumer: SendableMetatype {
  associatedtype Result: Sendable
  /// Step t = 1 … T: J_t (and A_t when the pass has it) of every sequence of the lane.
  mutating func consume(step t: Int, _ jacobians: [StepMatrices]) throws
  /// What the lane found, once every step is consumed.
  func finish() throws -> Result
}

/// What every pass records besides the Jacobians: states [B × T × N] and the recorded gates'
/// values [B × T × G] (nil when there is no gate).
struct PassRecord: Sendable {
  let states: Tensor<Double>
  let gates: Tensor<Double>?
}

/// One step's N×N Jacobians of a lane's sequences, as its tangent plan left them: one matrix per
/// sequence, or one shared by all when it does not depend on the batch.
struct StepMatrices {
  let base: UnsafePointer<Double>
  let size: Int
  let isBatched: Bool

  /// The matrix of the lane's `b`-th sequence.
  func matrix(_ b: Int) -> UnsafePointer<Double> { base + (isBatched ? b * size * size : 0) }
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

  /// What forward mode found for J_t.
  var structure: JacobianStructure { tangents[0].structures.first ?? .dense }

  /// Runs the pass over `inputs` [B × T × m] on up to two lanes, each feeding the consumer that
  /// `consumer` makes for its sequences, and returns the states and gate values with each lane's
  /// result, in lane order.
  func run<Consumer: StepConsumer>(
    _ inputs: Tensor<Double>, consumer: @Sendable (Range<Int>) throws -> Consumer
  ) throws -> (record: PassRecord, results: [Consumer.Result]) {
    let (batch, length, n) = (inputs.shape[0], inputs.shape[1], size)
    let x = inputs.contiguous().scalars
    let gateWidth = gateWidth
    let states = UnsafeMutablePointer<Double>.allocate(capacity: batch * length * n)
    let gates = UnsafeMutablePointer<Double>.allocate(
      capacity: Swift.max(1, batch * length * gateWidth))
    defer {
      states.deallocate()
      gates.deallocate()
    }
    let outputs = LaneOutputs(states: states, gates: gates)
    let lanes = Swift.min(2, batch)
    let bounds = (0...lanes).map { $0 * batch / lanes }
    let results = try concurrentMap(lanes) { lane in
      var taker = try consumer(bounds[lane]..<bounds[lane + 1])
      try runLane(x, length: length, batch: bounds[lane]..<bounds[lane + 1], into: outputs) {
        try taker.consume(step: $0, $1)
      }
      return try taker.finish()
    }
    let record = PassRecord(
      states: try Tensor(shape: [batch, length, n]) {
        $0.update(from: states, count: batch * length * n)
      },
      gates: self.gates.isEmpty
        ? nil
        : try Tensor(shape: [batch, length, Swift.max(1, gateWidth)]) {
          $0.update(from: gates, count: batch * length * gateWidth)
        })
    return (record, results)
  }

  /// Runs sequences `range` of `x` [B × T × m], writes their states and gate values into
  /// `outputs` and hands each step t = 1 … T's J_t (and A_t) of the lane's sequences to `body`.
  private func runLane(
    _ x: [Double], length: Int, batch range: Range<Int>, into outputs: LaneOutputs,
    each body: (_ t: Int, _ jacobians: [StepMatrices]) throws -> Void
  ) throws {
    let (batch, n, m, gateWidth, widths) = (range.count, size, inputSize, gateWidth, gateWidths)
    guard batch > 0 else { return }
    let forward = try Plan<Double>.compile(joined, batch: batch, preserving: read)
    let plans = try tangents.map { try Plan<Double>.compile($0.graph, batch: batch) }
    let arenas = (0..<2).map { _ in
      UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(1, forward.arenaSize))
    }
    // One arena per tangent plan, so that every J_t (and A_t) of the step is readable at once.
    let tangentArena = plans.map {
      UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(1, $0.arenaSize))
    }
    let zeros = UnsafeMutablePointer<Double>.allocate(capacity: batch * n)
    zeros.initialize(repeating: 0, count: batch * n)
    let row = UnsafeMutablePointer<Double>.allocate(capacity: batch * m)
    defer {
      for arena in arenas { arena.deallocate() }
      for buffer in tangentArena + [zeros, row] { buffer.deallocate() }
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
          try plan.run(arena: tangentArena[index])
        }
        try body(
          t + 1,
          zip(plans, tangents).enumerated().map { index, pair in
            let jacobian = pair.1.jacobians[0]
            return StepMatrices(
              base: UnsafePointer(pair.0.pointer(jacobian, in: tangentArena[index])), size: n,
              isBatched: pair.1.graph[jacobian].isBatched)
          })
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
