// Backpropagation through time against central finite differences of the loss in float64.
import Testing

@testable import TauDynamics
@testable import TauGraph
@testable import TauTensor

/// h' = g ⊙ tanh(Wr h + Wi x) + (1 - g) ⊙ h, the leaky cell, with the gate `makeGate(graph, h,
/// x)` builds (marked as the gate).
func leakyStep(
  hidden n: Int, input m: Int, gate makeGate: (inout Graph, NodeID, NodeID) throws -> NodeID
) throws -> Graph {
  var g = Graph()
  let h = g.input(.state(0), shape: [n])
  let x = g.input(.input, shape: [m])
  let wr = g.input(.parameter("Wr"), shape: [n, n])
  let wi = g.input(.parameter("Wi"), shape: [n, m])
  let gate = try makeGate(&g, h, x)
  g.markGate(gate)
  let candidate = try g.add(
    .unary(.tanh),
    [try g.add(.binary(.add), [try g.add(.matvec, [wr, h]), try g.add(.matvec, [wi, x])])])
  let retention = try g.add(.binary(.subtract), [try g.add(.constant(1)), gate])
  g.outputs = [
    try g.add(
      .binary(.add),
      [
        try g.add(.binary(.multiply), [gate, candidate]),
        try g.add(.binary(.multiply), [retention, h]),
      ])
  ]
  return g
}

/// The paper's multi gate: g = σ(Wrg h + Wig x).
func multiGateStep(hidden n: Int, input m: Int) throws -> Graph {
  try leakyStep(hidden: n, input: m) { g, h, x in
    let wrg = g.input(.parameter("gate.Wr"), shape: [n, n])
    let wig = g.input(.parameter("gate.Wi"), shape: [n, m])
    return try g.add(
      .unary(.sigmoid),
      [try g.add(.binary(.add), [try g.add(.matvec, [wrg, h]), try g.add(.matvec, [wig, x])])])
  }
}

func randomModel(hidden n: Int, input m: Int, seed: UInt64) throws -> RecurrentModel<Double> {
  let step = try multiGateStep(hidden: n, input: m)
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
    let h = 1e-6
    for name in model.parameters.keys.sorted() + ["readout"] {
      let analytic = try #require(gradients[name]).scalars
      let base = name == "readout" ? model.readout : try #require(model.parameters[name])
      var numeric: [Double] = []
      for i in 0..<base.count {
        var plus = base
        var minus = base
        plus.withUnsafeMutableBufferPointer { $0[i] += h }
        minus.withUnsafeMutableBufferPointer { $0[i] -= h }
        numeric.append(
          (try lossOf(model.replacing(name, with: plus))
            - lossOf(model.replacing(name, with: minus))) / (2 * h))
      }
      let scale = Swift.max(1e-3, numeric.map(Swift.abs).max() ?? 0)
      let error = zip(analytic, numeric).map { Swift.abs($0 - $1) }.max() ?? 0
      #expect(error / scale < 1e-6, "\(name): relative error \(error / scale)")
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
    let (loss, gradients) = try model.gradient(inputs: inputs, targets: targets)
    let reference = try model.referenceGradient(inputs: inputs, targets: targets)
    #expect(Swift.abs(loss - reference.loss) < 1e-13 * reference.loss)
    #expect(Set(gradients.keys) == Set(reference.gradients.keys))
    for (name, expected) in reference.gradients {
      let actual = try #require(gradients[name])
      let error = try (actual - expected).abs().max().item()
      #expect(error < 1e-12 * Swift.max(1, try expected.abs().max().item()), "\(name)")
    }
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
