// The reference unrolling: every step through the reference evaluator, allocating freely. The
// compiled path (RecurrentModel+Training.swift) is tested against it.
import TauGraph
import TauTensor

/// What one reference forward pass keeps: every step's node values, for the backward pass.
struct ReferenceTrajectory<Scalar: TensorScalar>: Sendable {
  /// `steps[t][k]`: the value of step-graph node k at step t (t = 0 is the first input).
  public var steps: [[Tensor<Scalar>]]
  /// Hidden states h_1 … h_T, [B × T × n].
  public var states: Tensor<Scalar>
  /// ŷ = W_o h_T, [B × output].
  public var output: Tensor<Scalar>
}

extension RecurrentModel {
  /// Runs the model over `inputs` [B × T × m] from zero states, node by node.
  func referenceForward(_ inputs: Tensor<Scalar>) throws -> ReferenceTrajectory<Scalar> {
    guard inputs.rank == 3, inputs.shape[2] == inputSize, inputs.shape[1] >= 1 else {
      throw TensorError.modelInputs(inputs.shape, inputSize: inputSize, operation: "forward")
    }
    let (batch, length) = (inputs.shape[0], inputs.shape[1])
    var states = try stateSizes.map { try Tensor<Scalar>.zeros([batch, $0]) }
    var values: [InputKind: Tensor<Scalar>] = [:]
    for (name, tensor) in parameters { values[.parameter(name)] = tensor }
    var steps: [[Tensor<Scalar>]] = []
    var hidden: [Tensor<Scalar>] = []
    for t in 0..<length {
      try checkCancellation()
      for (i, state) in states.enumerated() { values[.state(i)] = state }
      values[.input] = try inputs.selecting(t, along: 1).contiguous()
      let nodeValues = try ReferenceEvaluator.evaluate(step, inputs: values)
      states = step.outputs.map { nodeValues[$0.index] }
      hidden.append(states[readoutState])
      steps.append(nodeValues)
    }
    let output = try readOut(states[readoutState])
    return ReferenceTrajectory(
      steps: steps, states: try Tensor.stacking(hidden, along: 1), output: output)
  }

  /// The loss and its gradient like `gradient(inputs:targets:)`, through the reference evaluator.
  func referenceGradient(inputs: Tensor<Scalar>, targets: Tensor<Scalar>) throws -> (
    loss: Scalar, gradients: [String: Tensor<Scalar>]
  ) {
    try referenceGradient(inputs: inputs, supervision: Supervision(targets: targets))
  }

  /// The loss and its gradient like `gradient(inputs:supervision:)`, through the reference
  /// evaluator, on the whole batch at once.
  func referenceGradient(inputs: Tensor<Scalar>, supervision: Supervision<Scalar>) throws -> (
    loss: Scalar, gradients: [String: Tensor<Scalar>]
  ) {
    let trajectory = try referenceForward(inputs)
    let readout = try supervision.readout(
      batch: inputs.shape[0], length: inputs.shape[1], outputs: outputSize)
    let output =
      readout == .last ? trajectory.output : try readOutEvery(trajectory.states)
    let score = try supervision.score(output)
    let loss = score.loss
    let (fromReadout, last, every) = try readoutPullback(
      score.cotangent, states: trajectory.states, readout)
    var gradients = fromReadout
    let stateIDs = (0..<stateSizes.count).map { i in step.inputs { $0 == .state(i) }.first }
    let parameterIDs = step.parameters
    let wrt = stateIDs.compactMap { $0 } + parameterIDs.map(\.id)
    let pullback = try step.vjp(wrt: wrt)
    var cotangents = try stateSizes.enumerated().map { i, size in
      if i == readoutState, let last { return last }
      return try Tensor<Scalar>.zeros([inputs.shape[0], size])
    }
    for (name, tensor) in parameters { gradients[name] = try Tensor<Scalar>.zeros(tensor.shape) }
    let length = trajectory.steps.count
    // Every step's output cotangent through W_o, [B × T × n].
    let injections = try every?.reshaped([inputs.shape[0], length, hiddenSize])
    for t in stride(from: length - 1, through: 0, by: -1) {
      try checkCancellation()
      if let injections {
        cotangents[readoutState] = try cotangents[readoutState] + injections.selecting(t, along: 1)
      }
      var values: [InputKind: Tensor<Scalar>] = [:]
      for node in pullback.graph.nodes {
        guard case .input(let kind) = node.op else { continue }
        switch kind {
        case .primal(let id): values[kind] = trajectory.steps[t][id.index]
        case .seed(let name): values[kind] = cotangents[Int(name.dropFirst(2)) ?? 0]
        case .parameter(let name): values[kind] = parameters[name]
        default: break
        }
      }
      let result = try ReferenceEvaluator.evaluate(pullback.graph, inputs: values)
      var position = 0
      for (i, id) in stateIDs.enumerated() where id != nil {
        cotangents[i] = try result[pullback.cotangents[position].index].broadcast(
          to: cotangents[i].shape
        ).contiguous()
        position += 1
      }
      for (name, _) in parameterIDs {
        var contribution = result[pullback.cotangents[position].index]
        position += 1
        guard let parameter = parameters[name], let total = gradients[name] else { continue }
        // Per-sample cotangents of a shared parameter are summed over the batch.
        if contribution.rank > parameter.rank { contribution = try contribution.sum(along: [0]) }
        gradients[name] = try total + contribution.broadcast(to: parameter.shape)
      }
    }
    return (loss, gradients)
  }
}
