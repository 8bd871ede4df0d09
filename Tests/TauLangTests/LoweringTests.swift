// Cells declared in Tau, lowered to graphs: BPTT gradients against finite differences, forward-
// mode Jacobians against finite differences of the step, and errors that point into bodies.
import Foundation
import TauTestSupport
import Testing

@testable import TauDynamics
@testable import TauGraph
@testable import TauLang
@testable import TauTensor

/// Runs `source` and returns the model bound to `net` (built with dtype f64).
func model(_ source: String) throws -> RecurrentModel<Double> {
  let interpreter = Interpreter()
  let run = runSnippet(source, interpreter: interpreter)
  #expect(run.ids == [], "\(run.diagnostics.map(\.message))")
  guard case .model(let value)? = interpreter.globals.lookup("net"),
    case .f64(let network) = value.network
  else { throw DiagnosticList(run.diagnostics) }
  return network
}

/// d output / d state(0) of a one-sample step: by forward mode (a [1 × size × size] tensor), by
/// central differences of the step (`numeric[i][j]`), and the step's primal values.
func stateJacobians(_ graph: Graph, _ inputs: [InputKind: Tensor<Double>], size: Int) throws -> (
  forward: Tensor<Double>, numeric: [[Double]], primal: [Tensor<Double>]
) {
  let primal = try ReferenceEvaluator.evaluate(graph, inputs: inputs)
  let forward = try stateJacobian(graph, inputs: inputs)
  let columns = try centralDifferences(at: try #require(inputs[.state(0)])) { moved in
    var movedInputs = inputs
    movedInputs[.state(0)] = moved
    return try ReferenceEvaluator.evaluate(graph, inputs: movedInputs)[graph.outputs[0].index]
      .scalars
  }
  let numeric = (0..<size).map { i in (0..<size).map { j in columns[j][i] } }
  return (forward, numeric, primal)
}

/// Two cells that exist only in this test: a GRU-style cell and a two-state cell.
let testCells = """
  cell gruish {
    param Wz [hidden, hidden] = uniform(hidden)
    param Uz [hidden, input] = uniform(input)
    param Wh [hidden, hidden] = uniform(hidden)
    param Uh [hidden, input] = uniform(input)
    let z = sigmoid(Wz @ h + Uz @ x)
    let candidate = tanh(Wh @ (z * h) + Uh @ x)
    (1 - z) * h + z * candidate
  }
  cell twostate {
    param W [hidden, hidden] = uniform(hidden)
    param U [hidden, input] = uniform(input)
    param v [hidden] = uniform(hidden)
    state c [hidden] = 0
    let c2 = 0.5 * c + tanh(W @ h + U @ x)
    {h: softplus(c2) - mean(c2) + dot(v, h) * 0.1, c: c2}
  }
  """

let cellsUnderTest = [
  "plain", "leaky", "leaky(gate: scalar)", "leaky(gate: multi)", "gru", "lstm", "gruish",
  "twostate",
]

@Suite struct LoweringTests {
  @Test(arguments: cellsUnderTest + stacksUnderTest)
  func gradientsMatchFiniteDifferences(_ cell: String) throws {
    let net = try model(
      "use cells\n\(testCells)\nlet net = rnn(\(cell), hidden: 3, input: 2, output: 2, seed: 3, dtype: \"f64\")"
    )
    var stream = RandomStream(seed: 5)
    let inputs = try Tensor<Double>.normal([2, 4, 2], using: &stream)
    let targets = try Tensor<Double>.normal([2, 2], using: &stream)
    let (_, gradients) = try net.gradient(inputs: inputs, targets: targets)
    for name in net.parameters.keys.sorted() + ["readout"]
      + (net.readoutBias == nil ? [] : ["readoutBias"])
    {
      let base =
        name == "readout"
        ? net.readout
        : name == "readoutBias" ? try #require(net.readoutBias) : try #require(net.parameters[name])
      let numeric = try centralDifferenceGradient(at: base) { moved in
        try net.replacing(name, with: moved).gradient(inputs: inputs, targets: targets).loss
      }
      expectClose(
        try #require(gradients[name]).scalars, numeric, tolerance: 1e-6, "\(cell) \(name)")
    }
  }

  /// The compiled forward and backward passes against the reference evaluator, which the
  /// finite-difference test above checks independently.
  @Test(arguments: cellsUnderTest + stacksUnderTest)
  func compiledTrainingMatchesTheReference(_ cell: String) throws {
    let net = try model(
      "use cells\n\(testCells)\nlet net = rnn(\(cell), hidden: 5, input: 3, output: 2, seed: 4, dtype: \"f64\")"
    )
    var stream = RandomStream(seed: 6)
    let inputs = try Tensor<Double>.normal([3, 7, 3], using: &stream)
    let targets = try Tensor<Double>.normal([3, 2], using: &stream)
    let compiled = try net.forward(inputs)
    let reference = try net.referenceForward(inputs)
    #expect(maxDifference(compiled.states, reference.states) < 1e-13)
    let (loss, gradients) = try net.gradient(inputs: inputs, targets: targets)
    let (referenceLoss, referenceGradients) = try net.referenceGradient(
      inputs: inputs, targets: targets)
    #expect(Swift.abs(loss - referenceLoss) < 1e-13)
    for (name, expected) in referenceGradients {
      #expect(maxDifference(try #require(gradients[name]), expected) < 1e-12, "\(cell) \(name)")
    }
  }

  @Test(arguments: ["plain", "leaky", "leaky(gate: scalar)", "leaky(gate: multi)", "gruish"])
  func jacobianMatchesFiniteDifferencesOfTheStep(_ cell: String) throws {
    let net = try model(
      "use cells\n\(testCells)\nlet net = rnn(\(cell), hidden: 4, input: 2, seed: 1, dtype: \"f64\")"
    )
    let graph = net.step
    var stream = RandomStream(seed: 2)
    var inputs: [InputKind: Tensor<Double>] = [
      .state(0): try Tensor<Double>.uniform([1, 4], from: -1, to: 1, using: &stream),
      .input: try Tensor<Double>.uniform([1, 2], from: -1, to: 1, using: &stream),
    ]
    for (name, tensor) in net.parameters { inputs[.parameter(name)] = tensor }
    let (jacobian, numeric, _) = try stateJacobians(graph, inputs, size: 4)
    for j in 0..<4 {
      for i in 0..<4 {
        #expect(
          Swift.abs(try jacobian.scalar(at: [0, i, j]) - numeric[i][j]) < 1e-8,
          "\(cell) J[\(i), \(j)]")
      }
    }
  }

  @Test func parameterNamesFollowThePaper() throws {
    let net = try model(
      "use cells\nlet net = rnn(leaky(gate: multi), hidden: 3, input: 2, dtype: \"f64\")")
    #expect(Set(net.parameters.keys) == ["Wr", "Wi", "gate.Wr", "gate.Wi"])
    #expect(net.parameters["Wi"]?.shape == [3, 2] && net.readout.shape == [1, 3])
    let bound = 1 / 3.0.squareRoot()
    #expect(net.parameters["Wr"]?.scalars.allSatisfy { Swift.abs($0) <= bound } == true)
  }

  @Test func theSameSeedGivesTheSameModel() throws {
    let a = try model(
      "use cells\nlet net = rnn(leaky(gate: multi), hidden: 3, input: 2, seed: 7, dtype: \"f64\")")
    let b = try model(
      "use cells\nlet net = rnn(leaky(gate: multi), hidden: 3, input: 2, seed: 7, dtype: \"f64\")")
    let c = try model(
      "use cells\nlet net = rnn(leaky(gate: multi), hidden: 3, input: 2, seed: 8, dtype: \"f64\")")
    #expect(a.parameters == b.parameters && a.readout == b.readout)
    #expect(a.parameters["Wr"] != c.parameters["Wr"])
  }

  @Test(arguments: [
    (
      "cell bad {\n  param W [hidden, input] = uniform(input)\n  W @ h\n}\nlet net = rnn(bad, hidden: 4, input: 3)",
      "shape.mismatch"
    ),
    (
      "cell bad {\n  param W [hidden, hidden] = 0\n  W @ h < h\n}\nlet net = rnn(bad, hidden: 4, input: 3)",
      "lowering.unsupported"
    ),
    (
      "cell bad {\n  param w [hidden] = 0\n  dot(w, h)\n}\nlet net = rnn(bad, hidden: 4, input: 3)",
      "shape.mismatch"
    ),
    ("gate g { 1 }\nlet net = rnn(g, hidden: 4, input: 3)", "type.mismatch"),
    ("use cells\nlet net = rnn(plain, hidden: 0, input: 3)", "value.invalid"),
    (
      "cell bad {\n  param W [hidden, hidden] = \"x\"\n  W @ h\n}\nlet net = rnn(bad, hidden: 2, input: 1)",
      "value.invalid"
    ),
  ])
  func errorsPointIntoTheDeclaration(source: String, id: String) {
    #expect(runSnippet(source).ids == [id])
  }
}

func maxDifference(_ a: Tensor<Double>, _ b: Tensor<Double>) -> Double {
  guard a.shape == b.shape else { return .infinity }
  return zip(a.scalars, b.scalars).map { Swift.abs($0 - $1) }.max() ?? 0
}

@Suite struct ConcatenatedStateTests {
  /// `forward` gives every state (the LSTM's c too), each against the reference unrolling.
  @Test(arguments: ["lstm", "twostate"])
  func forwardReturnsEveryState(_ cell: String) throws {
    let net = try model(
      "use cells\n\(testCells)\nlet net = rnn(\(cell), hidden: 3, input: 2, seed: 2, dtype: \"f64\")"
    )
    var stream = RandomStream(seed: 8)
    let inputs = try Tensor<Double>.normal([2, 5, 2], using: &stream)
    let every = try net.everyState(of: try net.forward(inputs))
    let reference = try net.referenceForward(inputs)
    #expect(every.count == 2)
    for (index, state) in every.enumerated() {
      let expected = try Tensor<Double>.stacking(
        reference.steps.map { $0[net.step.outputs[index].index] }, along: 1)
      #expect(maxDifference(state, expected) < 1e-14, "state \(index)")
    }
    let run = runSnippet(
      "use cells\n\(testCells)\nlet f = rnn(\(cell), hidden: 3, input: 2).forward(randn([2, 5, 2], seed: 1))\nprint(keys(f.every), shape(f.every.c), f.every.h == f.states)"
    )
    #expect(run.output == "[\"h\", \"c\"] [2, 5, 3] true\n")
  }

  /// The LSTM's Jacobian over [h; c] by forward mode against finite differences of the step.
  @Test(arguments: ["lstm", "twostate"])
  func multiStateJacobianMatchesFiniteDifferences(_ cell: String) throws {
    let net = try model(
      "use cells\n\(testCells)\nlet net = rnn(\(cell), hidden: 3, input: 2, seed: 2, dtype: \"f64\")"
    )
    let graph = try net.step.concatenatingStates()
    #expect(graph.outputs.count == 1 && graph[graph.outputs[0]].shape == [6])
    var stream = RandomStream(seed: 4)
    var inputs: [InputKind: Tensor<Double>] = [
      .state(0): try Tensor<Double>.uniform([1, 6], from: -1, to: 1, using: &stream),
      .input: try Tensor<Double>.uniform([1, 2], from: -1, to: 1, using: &stream),
    ]
    for (name, tensor) in net.parameters { inputs[.parameter(name)] = tensor }
    let (jacobian, numeric, primal) = try stateJacobians(graph, inputs, size: 6)
    #expect(jacobian.shape == [1, 6, 6])
    for j in 0..<6 {
      for i in 0..<6 {
        #expect(Swift.abs(try jacobian.scalar(at: [0, i, j]) - numeric[i][j]) < 1e-8)
      }
    }
    // The joined step computes what the original computes.
    let original = try ReferenceEvaluator.evaluate(
      net.step,
      inputs: inputs.merging([
        .state(0): try inputs[.state(0)]!.slicing(along: 1, to: 3).contiguous(),
        .state(1): try inputs[.state(0)]!.slicing(along: 1, from: 3).contiguous(),
      ]) { _, new in new })
    let nextH = original[net.step.outputs[0].index].scalars
    #expect(Array(primal[graph.outputs[0].index].scalars.prefix(3)) == nextH)
  }
}
