// Backpropagation through time against central finite differences of the loss in float64.
import TauTestSupport
import Testing

@testable import TauDynamics
@testable import TauGraph
@testable import TauTensor

func randomModel(hidden n: Int, input m: Int, seed: UInt64) throws -> RecurrentModel<Double> {
  let step = try PaperCell.multi.graph(hidden: n, input: m)
  var stream = RandomStream(seed: seed)
  var parameters: [String: Tensor<Double>] = [:]
  for (name, id) in step.parameters {
    parameters[name] = try Tensor<Double>.uniform(
      step[id].shape, from: -0.8, to: 0.8, using: &stream)
  }
  let readout = try Tensor<Double>.uniform([2, n], from: -0.8, to: 0.8, using: &stream)
  return try RecurrentModel(
    step: step, parameters: parameters, readout: readout, stateSizes: [n], inputSize: m)
}

@Suite struct BackpropagationTests {
  @Test func gradientsMatchFiniteDifferences() throws {
    let model = try randomModel(hidden: 3, input: 2, seed: 4)
    var stream = RandomStream(seed: 8)
    let inputs = try Tensor<Double>.normal([2, 5, 2], using: &stream)
    let targets = try Tensor<Double>.normal([2, 2], using: &stream)
    let (loss, gradients) = try model.gradient(inputs: inputs, targets: targets)
    #expect(loss > 0)
    func lossOf(_ m: RecurrentModel<Double>) throws -> Double {
      try m.gradient(inputs: inputs, targets: targets).loss
    }
    for name in model.parameters.keys.sorted() + ["readout"] {
      let base = name == "readout" ? model.readout : try #require(model.parameters[name])
      let numeric = try centralDifferenceGradient(at: base) { moved in
        try lossOf(model.replacing(name, with: moved))
      }
      expectClose(try #require(gradients[name]).scalars, numeric, tolerance: 1e-6, name)
    }
  }

  /// A model's plans keep the workspace of the last pass for the next one; nothing may keep the
  /// plans alive in turn once the model is gone (a cycle through the workspace leaked a few
  /// hundred MB per trained checkpoint in S2, and 20 seeds did not fit in memory).
  @Test func plansAndTheirSpareWorkspaceDieWithTheModel() throws {
    weak var compiled: CompiledStep<Double>?
    weak var workspace: Workspace<Double>?
    try {
      let model = try randomModel(hidden: 3, input: 2, seed: 6)
      var stream = RandomStream(seed: 10)
      let inputs = try Tensor<Double>.normal([4, 5, 2], using: &stream)
      let targets = try Tensor<Double>.normal([4, 2], using: &stream)
      _ = try model.gradient(inputs: inputs, targets: targets)  // leaves a spare workspace
      let trajectory = try model.forward(inputs)  // takes it
      trajectory.compiled.recycle(trajectory.workspace)  // and gives it back
      (compiled, workspace) = (trajectory.compiled, trajectory.workspace)
    }()
    #expect(compiled == nil)
    #expect(workspace == nil)
  }

  /// 33 sequences run as halves of 16 and 17 on two threads; the size-weighted combination must
  /// equal the single-threaded reference over the whole batch.
  @Test func splitBatchesMatchTheReference() throws {
    let model = try randomModel(hidden: 3, input: 2, seed: 5)
    var stream = RandomStream(seed: 9)
    let inputs = try Tensor<Double>.normal([33, 4, 2], using: &stream)
    let targets = try Tensor<Double>.normal([33, 2], using: &stream)
    try expectMatchesReference(
      try model.gradient(inputs: inputs, targets: targets),
      try model.referenceGradient(inputs: inputs, targets: targets))
  }

  @Test func forwardShapesAndZeroInitialState() throws {
    let model = try randomModel(hidden: 3, input: 2, seed: 1)
    let inputs = try Tensor<Double>.zeros([4, 6, 2])
    let run = try model.forward(inputs)
    #expect(run.states.shape == [4, 6, 3] && run.output.shape == [4, 2])
    #expect(
      try run.states.selecting(5, along: 1).contiguous().matmul(model.readout.transposed())
        == run.output)
  }

  @Test func mismatchedInputsAreErrors() throws {
    let model = try randomModel(hidden: 3, input: 2, seed: 1)
    #expect(throws: TensorError.self) { try model.forward(try Tensor<Double>.zeros([4, 6, 5])) }
    #expect(throws: TensorError.self) {
      try model.gradient(
        inputs: try Tensor<Double>.zeros([4, 6, 2]), targets: try Tensor<Double>.zeros([4, 1]))
    }
  }
}

/// A compiled loss and gradient against the reference unrolling's: the loss to 1e-13, every
/// gradient to 1e-12 of its size, the same parameters.
func expectMatchesReference(
  _ compiled: (loss: Double, gradients: [String: Tensor<Double>]),
  _ reference: (loss: Double, gradients: [String: Tensor<Double>]),
  sourceLocation: SourceLocation = #_sourceLocation
) throws {
  #expect(
    Swift.abs(compiled.loss - reference.loss) < 1e-13 * reference.loss,
    sourceLocation: sourceLocation)
  #expect(
    Set(compiled.gradients.keys) == Set(reference.gradients.keys), sourceLocation: sourceLocation)
  for (name, expected) in reference.gradients {
    let actual = try #require(compiled.gradients[name], sourceLocation: sourceLocation)
    let error = try (actual - expected).abs().max().item()
    #expect(
      error < 1e-12 * Swift.max(1, try expected.abs().max().item()), "\(name)",
      sourceLocation: sourceLocation)
  }
}
