// The compiled forward pass and backpropagation through time: the step graph and its pullback
// run as plans over one preallocated workspace, with no allocation inside the time loop.
import Synchronization
import TauGraph
import TauTensor

/// The result of a forward pass: hidden states and output, plus what the backward pass reads.
public struct Trajectory<Scalar: TensorScalar>: Sendable {
  /// Hidden states h_1 … h_T, [B × T × n] (only h_T, [B × 1 × n], from a pass that kept just
  /// the last).
  public var states: Tensor<Scalar>
  /// ŷ = W_o h_T, [B × output].
  public var output: Tensor<Scalar>
  let workspace: Workspace<Scalar>
  /// The plans that ran it, which the backward pass needs. The workspace does not point back at
  /// them: the plans keep a spare workspace, and a workspace holding its plans would make a cycle
  /// that kept both alive after their model went (a few hundred MB per checkpoint in S2).
  let compiled: CompiledStep<Scalar>
}

/// The step graph's plans for one batch size, compiled once and shared by copies of a model.
final class CompiledStep<Scalar: TensorScalar>: @unchecked Sendable {
  // @unchecked: immutable after construction; plans are only run by one thread at a time
  // (a model is not trained concurrently with itself).
  let forward: Plan<Scalar>
  let backward: Plan<Scalar>
  let pullback: PullbackGraph
  /// Step-graph node of each state input (nil when the step does not read that state).
  let stateInputs: [NodeID?]
  let parameterNames: [String]
  /// A workspace a finished gradient pass gave back, so the next pass finds its memory mapped.
  private let spare = Mutex<Workspace<Scalar>?>(nil)

  /// A workspace for `length` steps holding `model`'s parameters: the spare one if it is big
  /// enough, else a new one.
  func workspace(for model: RecurrentModel<Scalar>, length: Int) -> Workspace<Scalar> {
    if let reused = spare.withLock({ $0.take() }), reused.capacity >= length {
      reused.length = length
      reused.load(model)
      return reused
    }
    return Workspace(compiled: self, model: model, batch: forward.batch, length: length)
  }

  /// Takes back a workspace whose trajectory is no longer used.
  func recycle(_ workspace: Workspace<Scalar>) { spare.withLock { $0 = workspace } }

  init(step: Graph, stateCount: Int, batch: Int) throws {
    stateInputs = (0..<stateCount).map { i in step.inputs { $0 == .state(i) }.first }
    let parameters = step.parameters
    parameterNames = parameters.map(\.name)
    pullback = try step.vjp(wrt: stateInputs.compactMap { $0 } + parameters.map(\.id))
    // Forward values the pullback reads keep buffers of their own.
    let read = Set(
      pullback.graph.nodes.compactMap { node -> NodeID? in
        if case .input(.primal(let id)) = node.op { return id } else { return nil }
      })
    forward = try Plan.compile(step, batch: batch, preserving: read)
    let stateCotangents = stateInputs.compactMap { $0 }.count
    backward = try Plan.compile(
      pullback.graph, batch: batch,
      accumulating: Array(pullback.cotangents.dropFirst(stateCotangents)))
  }
}

/// Compiled steps by batch size and lane (a lane is one thread's share of a split batch; lanes
/// never share a plan, whose bindings are mutable).
final class PlanCache<Scalar: TensorScalar>: Sendable {
  private let plans = Mutex<[[Int]: CompiledStep<Scalar>]>([:])

  func step(for model: RecurrentModel<Scalar>, batch: Int, lane: Int) throws -> CompiledStep<
    Scalar
  > {
    if let cached = plans.withLock({ $0[[batch, lane]] }) { return cached }
    let compiled = try CompiledStep<Scalar>(
      step: model.step, stateCount: model.stateSizes.count, batch: batch)
    plans.withLock { $0[[batch, lane]] = compiled }
    return compiled
  }
}

/// The memory of one forward pass: a plan arena and an input row per step, the parameters, and
/// zero initial states.
final class Workspace<Scalar: TensorScalar>: @unchecked Sendable {
  // @unchecked: written during one forward pass, then only read by the matching backward pass;
  // reused only after that pass has returned it (`CompiledStep.recycle`).
  let batch: Int
  /// The steps of the current pass (at most `capacity`).
  var length: Int
  let capacity: Int
  /// The forward plan's arena per step; the step's input row follows it.
  let arenaSize: Int
  let stepStride: Int
  let memory: UnsafeMutablePointer<Scalar>
  let parameters: UnsafeMutablePointer<Scalar>
  let parameterOffsets: [String: Int]
  let zeros: UnsafeMutablePointer<Scalar>

  init(compiled: CompiledStep<Scalar>, model: RecurrentModel<Scalar>, batch: Int, length: Int) {
    self.batch = batch
    self.length = length
    capacity = length
    arenaSize = compiled.forward.arenaSize
    stepStride = arenaSize + batch * model.inputSize
    // From the tensor allocator: a pass at gradcov's sizes takes 64 MB per lane, which would
    // otherwise come back from the system as fresh pages with every new model copy.
    memory = allocateScalarBuffer(Scalar.self, count: length * stepStride)
    var offsets: [String: Int] = [:]
    var total = 0
    for name in compiled.parameterNames {
      offsets[name] = total
      total += model.parameters[name]?.count ?? 0
    }
    parameterOffsets = offsets
    parameters = .allocate(capacity: Swift.max(1, total))
    let widest = model.stateSizes.max() ?? 0
    zeros = .allocate(capacity: Swift.max(1, batch * widest))
    zeros.initialize(repeating: 0, count: Swift.max(1, batch * widest))
    load(model)
  }

  /// Copies the model's current parameters in (each pass may come from a different model copy).
  func load(_ model: RecurrentModel<Scalar>) {
    for (name, offset) in parameterOffsets {
      guard let tensor = model.parameters[name] else { continue }
      tensor.withUnsafeBufferPointer { source in
        if let base = source.baseAddress {
          (parameters + offset).update(from: base, count: source.count)
        }
      }
    }
  }

  deinit {
    releaseScalarBuffer(memory, count: capacity * stepStride)
    parameters.deallocate()
    zeros.deallocate()
  }

  func arena(_ t: Int) -> UnsafeMutablePointer<Scalar> { memory + t * stepStride }
  func inputRow(_ t: Int) -> UnsafeMutablePointer<Scalar> { arena(t) + arenaSize }
}

extension RecurrentModel {
  /// Runs the model over `inputs` [B × T × m] from zero states (compiled; see `forward`'s
  /// reference twin in the tests).
  public func forward(_ inputs: Tensor<Scalar>) throws -> Trajectory<Scalar> {
    try forward(inputs, lane: 0)
  }

  /// `keepingStates: false` keeps only h_T in the trajectory's `states` ([B × 1 × n]), for a
  /// caller that reads no other: copying every state out of the arenas was 3 % of a training
  /// step on the last step's output.
  func forward(_ inputs: Tensor<Scalar>, lane: Int, keepingStates: Bool = true) throws
    -> Trajectory<Scalar>
  {
    guard inputs.rank == 3, inputs.shape[2] == inputSize, inputs.shape[1] >= 1, inputs.shape[0] >= 1
    else {
      throw TensorError.modelInputs(inputs.shape, inputSize: inputSize, operation: "forward")
    }
    let (batch, length, m) = (inputs.shape[0], inputs.shape[1], inputSize)
    let compiled = try plans.step(for: self, batch: batch, lane: lane)
    let workspace = compiled.workspace(for: self, length: length)
    let plan = compiled.forward
    for (slot, kind) in plan.inputKinds.enumerated() {
      if case .parameter(let name) = kind, let offset = workspace.parameterOffsets[name] {
        plan.bind(slot, to: workspace.parameters + offset)
      }
    }
    let inputSlot = plan.slot(of: .input)
    let stateSlots = (0..<stateSizes.count).map { plan.slot(of: .state($0)) }
    let n = hiddenSize
    let kept = keepingStates ? length : 1
    let hidden = try Tensor<Scalar>(shape: [batch, kept, n]) { h in
      try inputs.withUnsafeBufferPointer { x in
        for t in 0..<length {
          try checkCancellation()
          let row = workspace.inputRow(t)
          for b in 0..<batch {
            (row + b * m).update(from: x.baseAddress! + (b * length + t) * m, count: m)
          }
          if let inputSlot { plan.bind(inputSlot, to: row) }
          for (i, slot) in stateSlots.enumerated() {
            guard let slot else { continue }
            plan.bind(
              slot,
              to: t == 0
                ? workspace.zeros : plan.pointer(step.outputs[i], in: workspace.arena(t - 1)))
          }
          try plan.run(arena: workspace.arena(t))
          guard keepingStates || t == length - 1 else { continue }
          let state = plan.pointer(step.outputs[readoutState], in: workspace.arena(t))
          let position = keepingStates ? t : 0
          for b in 0..<batch {
            (h + (b * kept + position) * n).update(from: state + b * n, count: n)
          }
        }
      }
    }
    let last = try hidden.selecting(kept - 1, along: 1).contiguous()
    return Trajectory(
      states: hidden, output: try readOut(last), workspace: workspace, compiled: compiled)
  }

  /// Every state of a forward pass, in `stateSizes` order (h first, then a cell's others such as
  /// an LSTM's c), each [B × T × size], read from the arenas the pass left behind.
  public func everyState(of trajectory: Trajectory<Scalar>) throws -> [Tensor<Scalar>] {
    let (workspace, plan) = (trajectory.workspace, trajectory.compiled.forward)
    let (batch, length) = (workspace.batch, workspace.length)
    return try stateSizes.enumerated().map { index, n in
      guard index != readoutState else { return trajectory.states }
      return try Tensor(shape: [batch, length, n]) { out in
        for t in 0..<length {
          let state = plan.pointer(step.outputs[index], in: workspace.arena(t))
          for b in 0..<batch { (out + (b * length + t) * n).update(from: state + b * n, count: n) }
        }
      }
    }
  }

  /// The mean squared error over the batch (PyTorch's `MSELoss()`) of the last step's output,
  /// and its gradient with respect to every parameter (by name; the readout as `readout`), by
  /// backpropagation through time.
  public func gradient(inputs: Tensor<Scalar>, targets: Tensor<Scalar>) throws -> (
    loss: Scalar, gradients: [String: Tensor<Scalar>]
  ) {
    try gradient(inputs: inputs, supervision: Supervision(targets: targets))
  }

  /// The loss of `supervision` over the batch and its gradient with respect to every parameter
  /// (by name; the readout as `readout`), by backpropagation through time. Per-step targets
  /// read out every state and inject their cotangent at every step.
  ///
  /// With small states (n ≤ `largestSplitHidden`) a batch of at least `2 × minimumLaneBatch`
  /// sequences is split in two halves that run on two threads, and the halves' means are
  /// combined with weights by their share of the batch's weight (by size, without a mask).
  /// Larger states leave the second core to OpenBLAS's own threads, which is faster there
  /// (docs/PERFORMANCE.md).
  public func gradient(inputs: Tensor<Scalar>, supervision: Supervision<Scalar>) throws -> (
    loss: Scalar, gradients: [String: Tensor<Scalar>]
  ) {
    guard inputs.rank == 3, inputs.shape[2] == inputSize, inputs.shape[1] >= 1, inputs.shape[0] >= 1
    else { throw TensorError.modelInputs(inputs.shape, inputSize: inputSize, operation: "forward") }
    // Checked before the batch is split, so a message shows the batch the caller passed.
    let batch = inputs.shape[0]
    let readout = try supervision.readout(
      batch: batch, length: inputs.shape[1], outputs: outputSize)
    guard batch >= 2 * Self.minimumLaneBatch, hiddenSize <= Self.largestSplitHidden else {
      let lane = try laneGradient(inputs: inputs, supervision, readout, lane: 0)
      return (lane.loss, lane.gradients)
    }
    let halves = try splittingBatch(batch) { start, end, lane in
      try self.laneGradient(
        inputs: inputs.slicing(along: 0, from: start, to: end).contiguous(),
        supervision.slicing(from: start, to: end), readout, lane: lane)
    }
    // Exact sums of whole numbers without a mask, so the weights are size / batch.
    let total = halves[0].result.weight + halves[1].result.weight
    let weights = halves.map { $0.result.weight / total }
    var gradients: [String: Tensor<Scalar>] = [:]
    for (name, first) in halves[0].result.gradients {
      guard let second = halves[1].result.gradients[name] else { continue }
      gradients[name] = try first * weights[0] + second * weights[1]
    }
    return (weights[0] * halves[0].result.loss + weights[1] * halves[1].result.loss, gradients)
  }

  /// Below this many sequences per half, a split batch loses more to small GEMMs than the second
  /// core gains.
  static var minimumLaneBatch: Int { 16 }
  /// Measured: splitting gains 1.7× at n = 64 and 1.3× at n = 128, and loses 1.9× at n = 512.
  static var largestSplitHidden: Int { 128 }

  /// ŷ_t = h_t W_oᵀ (+ b_o) at every step of `states` [B × T × n]: [B × T × out].
  func readOutEvery(_ states: Tensor<Scalar>) throws -> Tensor<Scalar> {
    let (batch, length) = (states.shape[0], states.shape[1])
    return try readOut(states.contiguous().reshaped([batch * length, hiddenSize]))
      .reshaped([batch, length, outputSize])
  }

  /// The outputs `readout` scores: the last step's [B × out] or every step's [B × T × out].
  public func outputs(of trajectory: Trajectory<Scalar>, _ readout: Readout) throws -> Tensor<
    Scalar
  > {
    readout == .last ? trajectory.output : try readOutEvery(trajectory.states)
  }

  /// The readout's gradients and the cotangents the output cotangent gives the hidden states:
  /// the last state's [B × n] for the last-step readout; every state's [B·T × n] (row b·T + t)
  /// for the every-step one, added at each step of the backward pass.
  func readoutPullback(
    _ cotangent: Tensor<Scalar>, states: Tensor<Scalar>, _ readout: Readout
  ) throws -> (gradients: [String: Tensor<Scalar>], last: Tensor<Scalar>?, every: Tensor<Scalar>?) {
    let (batch, length) = (states.shape[0], states.shape[1])
    guard readout == .every else {
      return (
        try readoutGradients(cotangent, last: try states.selecting(length - 1, along: 1)),
        try cotangent.matmul(self.readout), nil
      )
    }
    let rows = try cotangent.contiguous().reshaped([batch * length, outputSize])
    let gradients = try readoutGradients(
      rows, last: try states.contiguous().reshaped([batch * length, hiddenSize]))
    return (gradients, nil, try rows.matmul(self.readout).contiguous())
  }

  private func laneGradient(
    inputs: Tensor<Scalar>, _ supervision: Supervision<Scalar>, _ readout: Readout, lane: Int
  ) throws
    -> (loss: Scalar, gradients: [String: Tensor<Scalar>], weight: Scalar)
  {
    let trajectory = try forward(inputs, lane: lane, keepingStates: readout == .every)
    let score = try supervision.score(try outputs(of: trajectory, readout))
    let (workspace, compiled) = (trajectory.workspace, trajectory.compiled)
    let (batch, length) = (workspace.batch, workspace.length)
    let (fromReadout, last, every) = try readoutPullback(
      score.cotangent, states: trajectory.states, readout)
    var gradients = fromReadout
    // Cotangents of the states, one buffer each, updated in place step by step.
    var cotangents = try stateSizes.enumerated().map { i, size in
      if i == readoutState, let last { return last }
      return try Tensor<Scalar>.zeros([batch, size])
    }
    var totals = try compiled.parameterNames.map {
      try Tensor<Scalar>.zeros(parameters[$0]?.shape ?? [])
    }
    let plan = compiled.backward
    let arena = UnsafeMutablePointer<Scalar>.allocate(capacity: Swift.max(1, plan.arenaSize))
    defer { arena.deallocate() }
    let readStates = compiled.stateInputs.enumerated().compactMap {
      $0.element == nil ? nil : $0.offset
    }
    let n = hiddenSize
    let injected = every ?? Tensor<Scalar>(0)
    try injected.withUnsafeBufferPointer { injections in
      try withMutablePointers(&cotangents) { seeds in
        try withMutablePointers(&totals) { accumulators in
          for slot in plan.accumulated.indices {
            plan.bindAccumulator(slot, to: accumulators[slot])
          }
          bindPullbackParameters(plan, workspace)
          for t in stride(from: length - 1, through: 0, by: -1) {
            try checkCancellation()
            if every != nil, let rows = injections.baseAddress {
              // h_t's cotangent: what step t + 1 sent back, plus its own output's.
              for b in 0..<batch {
                let source = rows + (b * length + t) * n
                let target = seeds[readoutState] + b * n
                for i in 0..<n { target[i] += source[i] }
              }
            }
            bindPullback(plan, step: t, seeds: seeds, workspace, compiled)
            try plan.run(arena: arena)
            // The cotangents of the states read by this step flow to the previous step.
            for (position, state) in readStates.enumerated() {
              let source = plan.pointer(compiled.pullback.cotangents[position], in: arena)
              seeds[state].update(from: source, count: batch * stateSizes[state])
            }
          }
        }
      }
    }
    for (index, name) in compiled.parameterNames.enumerated() { gradients[name] = totals[index] }
    compiled.recycle(workspace)  // the trajectory dies with this call
    return (score.loss, gradients, score.weight)
  }

  /// Binds a pullback plan's parameters to the forward pass's `workspace`, once per pass (a
  /// binding re-transposes the weights a plan keeps transposed).
  func bindPullbackParameters(_ plan: Plan<Scalar>, _ workspace: Workspace<Scalar>) {
    for (slot, kind) in plan.inputKinds.enumerated() {
      if case .parameter(let name) = kind {
        plan.bind(slot, to: workspace.parameters + (workspace.parameterOffsets[name] ?? 0))
      }
    }
  }

  /// Binds a pullback plan's inputs for step `t`: the state cotangents (`ct0`, `ct1`, …) to
  /// `seeds`, and the forward values to the forward pass's `workspace` (the parameters are
  /// bound by `bindPullbackParameters`).
  func bindPullback(
    _ plan: Plan<Scalar>, step t: Int, seeds: [UnsafeMutablePointer<Scalar>],
    _ workspace: Workspace<Scalar>, _ compiled: CompiledStep<Scalar>
  ) {
    for (slot, kind) in plan.inputKinds.enumerated() {
      switch kind {
      case .seed(let name):
        plan.bind(slot, to: seeds[Int(name.dropFirst(2)) ?? 0])
      case .primal(let id):
        plan.bind(slot, to: primal(id, at: t, workspace, compiled.forward))
      default:
        break
      }
    }
  }

  /// Where the backward pass reads forward value `id` of step `t`.
  func primal(
    _ id: NodeID, at t: Int, _ workspace: Workspace<Scalar>, _ plan: Plan<Scalar>
  ) -> UnsafePointer<Scalar> {
    if case .input(let kind) = step[id].op {
      switch kind {
      case .state(let i):
        return UnsafePointer(
          t == 0 ? workspace.zeros : plan.pointer(step.outputs[i], in: workspace.arena(t - 1)))
      case .input: return UnsafePointer(workspace.inputRow(t))
      case .parameter(let name):
        return UnsafePointer(workspace.parameters + (workspace.parameterOffsets[name] ?? 0))
      default: break
      }
    }
    return UnsafePointer(plan.pointer(id, in: workspace.arena(t)))
  }
}

/// Calls `body` with the base address of every tensor's (unique, contiguous) storage.
private func withMutablePointers<S: TensorScalar, R>(
  _ tensors: inout [Tensor<S>], _ body: ([UnsafeMutablePointer<S>]) throws -> R
) rethrows -> R {
  var pointers: [UnsafeMutablePointer<S>] = []
  for index in tensors.indices {
    tensors[index].withUnsafeMutableBufferPointer { pointers.append($0.baseAddress!) }
  }
  // The tensors are uniquely owned and not touched until `body` returns, so the storage stays put.
  return try body(pointers)
}
