// Stacked layers: `rnn(cell, layers: L)` and `rnn([a, b], hidden: [n, m])` are one step graph
// whose states are the layers' states in layer order. The stack computes what running its layers
// one after the other computes, and its derivatives are checked like a single cell's.
import Foundation
import TauTestSupport
import Testing

@testable import TauDynamics
@testable import TauGraph
@testable import TauLang
@testable import TauTensor

/// The f64 models bound to `names` after running `source`.
private func models(_ source: String, _ names: [String]) throws -> [RecurrentModel<Double>] {
  let interpreter = Interpreter()
  let run = runSnippet(source, interpreter: interpreter)
  #expect(run.ids == [], "\(run.diagnostics.map(\.message))")
  return try names.map { name in
    guard case .model(let value)? = interpreter.globals.lookup(name),
      case .f64(let network) = value.network
    else { throw DiagnosticList(run.diagnostics) }
    return network
  }
}

/// `rnn(…)` argument texts of stacks, for the gradient tests in LoweringTests too.
let stacksUnderTest = ["gru, layers: 2", "[lstm, leaky(gate: multi)]"]

@Suite struct StackedLayerTests {
  /// An LSTM layer under a GRU layer equals the LSTM model's h fed to the GRU model as its input,
  /// with the stack's layer-k parameters (`Wr_l1`, `update.Wr_l1`) given to each.
  @Test func forwardEqualsRunningTheLayersOneAfterTheOther() throws {
    let nets = try models(
      """
      use cells
      let stack = rnn([lstm, gru], hidden: [3, 4], input: 2, seed: 1, dtype: "f64")
      let bottom = rnn(lstm, hidden: 3, input: 2, dtype: "f64")
      let top = rnn(gru, hidden: 4, input: 3, dtype: "f64")
      """, ["stack", "bottom", "top"])
    var (stack, bottom, top) = (nets[0], nets[1], nets[2])
    #expect(stack.stateSizes == [3, 3, 4] && stack.readoutState == 2)
    for (name, tensor) in stack.parameters {
      for (layer, suffix) in ["_l0", "_l1"].enumerated() where name.hasSuffix(suffix) {
        let own = String(name.dropLast(suffix.count))
        if layer == 0 {
          bottom = try bottom.replacing(own, with: tensor)
        } else {
          top = try top.replacing(own, with: tensor)
        }
      }
    }
    #expect(Set(stack.parameters.keys).count == bottom.parameters.count + top.parameters.count)
    var stream = RandomStream(seed: 3)
    let inputs = try Tensor<Double>.normal([2, 5, 2], using: &stream)
    let run = try stack.forward(inputs)
    let every = try stack.everyState(of: run)
    let first = try bottom.forward(inputs)
    let firstStates = try bottom.everyState(of: first)
    let second = try top.forward(first.states)
    #expect(maxDifference(every[0], firstStates[0]) < 1e-15)
    #expect(maxDifference(every[1], firstStates[1]) < 1e-15)
    #expect(maxDifference(every[2], second.states) < 1e-15)
    #expect(maxDifference(run.states, second.states) < 1e-15)
    // The readout reads the top layer's h.
    let readout = try top.replacing("readout", with: stack.readout)
    #expect(maxDifference(run.output, try readout.forward(first.states).output) < 1e-15)
  }

  /// The stack's Jacobian over its whole state [h0; c0; h1] by forward mode against central
  /// differences of the step, and by reverse mode (one unit cotangent per row) against forward.
  @Test func jacobianOfTheStackMatchesFiniteDifferencesAndReverseMode() throws {
    let net = try models(
      "use cells\nlet net = rnn([lstm, gru], hidden: [3, 4], input: 2, seed: 2, dtype: \"f64\")",
      ["net"])[0]
    let graph = try net.step.concatenatingStates()
    let size = 10
    var stream = RandomStream(seed: 4)
    var inputs: [InputKind: Tensor<Double>] = [
      .state(0): try Tensor<Double>.uniform([1, size], from: -1, to: 1, using: &stream),
      .input: try Tensor<Double>.uniform([1, 2], from: -1, to: 1, using: &stream),
    ]
    for (name, tensor) in net.parameters { inputs[.parameter(name)] = tensor }
    let (jacobian, numeric, _) = try stateJacobians(graph, inputs, size: size)
    #expect(jacobian.shape == [1, size, size])
    let state = try #require(graph.inputs(where: { $0 == .state(0) }).first)
    var largest = 0.0
    for i in 0..<size {
      var seed = [Double](repeating: 0, count: size)
      seed[i] = 1
      let row = try reverseCotangents(
        graph, wrt: [state], inputs: inputs,
        outputSeeds: [try Tensor<Double>(shape: [1, size], scalars: seed)])[0].scalars
      for j in 0..<size {
        let forward = try jacobian.scalar(at: [0, i, j])
        let error = Swift.abs(forward - numeric[i][j]) / Swift.max(1, Swift.abs(numeric[i][j]))
        largest = Swift.max(largest, error)
        #expect(error < 1e-6, "d next[\(i)] / d state[\(j)]")
        #expect(Swift.abs(row[j] - forward) < 1e-13, "reverse vs forward [\(i), \(j)]")
      }
    }
    // Layer 1 reads layer 0's new h, so its rows depend on layer 0's states: the stack is coupled.
    #expect(try (0..<3).contains { j in Swift.abs(try jacobian.scalar(at: [0, 6, j])) > 1e-3 })
    #expect(largest > 0)
  }

  /// Per-step targets read the top layer's h at every step: the BPTT gradient (each step's
  /// cotangent injected into the top layer's h) against central differences of the loss, and the
  /// compiled passes against the reference unrolling.
  @Test func perStepTargetsReadTheTopLayer() throws {
    let net = try models(
      "use cells\nlet net = rnn([lstm, gru], hidden: [3, 2], input: 2, output: 2, seed: 5, dtype: \"f64\")",
      ["net"])[0]
    var stream = RandomStream(seed: 7)
    let inputs = try Tensor<Double>.normal([2, 4, 2], using: &stream)
    let targets = try Tensor<Double>.normal([2, 4, 2], using: &stream)
    let (_, gradients) = try net.gradient(inputs: inputs, targets: targets)
    let (_, reference) = try net.referenceGradient(inputs: inputs, targets: targets)
    for name in net.parameters.keys.sorted() + ["readout"] {
      let base = name == "readout" ? net.readout : try #require(net.parameters[name])
      let numeric = try centralDifferenceGradient(at: base) { moved in
        try net.replacing(name, with: moved).gradient(inputs: inputs, targets: targets).loss
      }
      let gradient = try #require(gradients[name])
      expectClose(gradient.scalars, numeric, tolerance: 1e-6, name)
      #expect(maxDifference(gradient, try #require(reference[name])) < 1e-12, "\(name)")
    }
  }

  @Test func namesSizesAndPrinting() {
    let run = runSnippet(
      """
      use cells
      let m = rnn(gru, hidden: 4, input: 3, layers: 2)
      print(m)
      print(m.states, m.hidden)
      print(keys(m.params.cell), keys(m.params.cell.update))
      let s = rnn([lstm, plain], hidden: [5, 2], input: 3)
      print(s)
      let f = s.forward(randn([2, 6, 3], seed: 1))
      print(keys(f.layers[0]), shape(f.layers[0].c), shape(f.states), f.states == f.layers[1].h)
      print(keys(f.every))
      print(rnn(plain, hidden: 3, input: 2, layers: 1))
      """)
    #expect(run.ids == [], "\(run.diagnostics.map(\.message))")
    #expect(
      run.output == """
        <model gru, layers: 2, hidden: 4, input: 3, f32, 184 parameters>
        ["h_l0", "h_l1"] 4
        ["Wr_l0", "Wi_l0", "update", "reset", "Wr_l1", "Wi_l1"] ["Wr_l0", "Wi_l0", "Wr_l1", "Wi_l1"]
        <model [lstm, plain], hidden: [5, 2], input: 3, f32, 176 parameters>
        ["h", "c"] [2, 6, 5] [2, 6, 2] true
        ["h_l0", "c_l0", "h_l1"]
        <model plain, hidden: 3, input: 2, f32, 18 parameters>

        """)
  }

  /// A non-finite next state names the layer's own cell and the stacked state's name.
  @Test func aNonFiniteLayerIsNamed() {
    let run = runSnippet(
      """
      use cells
      cell boom {
        param W [hidden, input] = uniform(input)
        exp(exp(exp(exp(1000 * (W @ x)))))
      }
      let m = rnn([plain, boom], hidden: 3, input: 2)
      """)
    #expect(run.ids == ["model.nonFinite"])
    #expect(run.diagnostics.first?.message.hasPrefix("the next 'h_l1' of cell 'boom' is") == true)
  }

  /// The naming rule: plain names for one layer, `_l{k}` for a stack, and always for a `layered`
  /// cell; `layered` is a word only before a cell's body.
  @Test func layeredCellsAlwaysNameTheLayer() {
    let run = runSnippet(
      """
      cell c layered {
        param W [hidden, hidden] = uniform(hidden)
        W @ h
      }
      cell d {
        param W [hidden, hidden] = uniform(hidden)
        W @ h
      }
      let layered = 1
      print(keys(rnn(c, hidden: 2, input: 1).params.cell), keys(rnn(d, hidden: 2, input: 1).params.cell))
      print(keys(rnn([c, d], hidden: 2, input: 1).params.cell), layered)
      """)
    #expect(run.ids == [], "\(run.diagnostics.map(\.message))")
    #expect(run.output == "[\"W_l0\"] [\"W\"]\n[\"W_l0\", \"W_l1\"] 1\n")
    expectDiagnostic("parse.unexpected", "gate g ‸layered { 1 }")
  }

  /// A stack saved as a model file stores its cells as a list and its sizes as `tau.layers`,
  /// and loads back computing what it computed; sizes that do not fit the cells are an error.
  @Test func aStackSavesAndLoadsAsAModelFile() throws {
    let scratch = try TemporaryFolder("stack")
    defer { scratch.remove() }
    let path = scratch.path + "/stack.safetensors"
    let run = runSnippet(
      """
      use cells
      let s = rnn([lstm, leaky(gate: multi)], hidden: [5, 3], input: 2, dtype: "f64", seed: 3)
      save(s, "\(path)")
      let back = load("\(path)")
      let x = randn([2, 6, 2], seed: 1)
      print(back)
      print(back.forward(x).output == s.forward(x).output, back.states)
      """)
    #expect(run.ids == [], "\(run.diagnostics.map(\.message))")
    #expect(
      run.output == """
        <model [lstm, leaky(gate: multi)], hidden: [5, 3], input: 2, f64, 191 parameters>
        true ["h_l0", "c_l0", "h_l1"]

        """)
    var file = try SafetensorsFile.decode(
      try Data(contentsOf: URL(fileURLWithPath: path)), path: path)
    #expect(
      file.metadata["tau.layers"] == "5,3"
        && file.metadata["tau.cell"] == "[lstm, leaky(gate: multi)]")
    file.metadata["tau.layers"] = "4,5,3"
    try file.encoded().write(to: URL(fileURLWithPath: path))
    let tampered = runSnippet("load(\"\(path)\")")
    #expect(tampered.ids == ["file.invalid"])
  }

  @Test func badStacksAreErrors() {
    expectDiagnostic("value.invalid", "use cells\nrnn([gru, gru], ‸hidden: [4], input: 3)")
    expectDiagnostic("value.invalid", "use cells\nrnn([gru, gru], hidden: 4, input: 3, ‸layers: 3)")
    expectDiagnostic("value.invalid", "use cells\nrnn(gru, hidden: 4, input: 3, ‸layers: 0)")
    expectDiagnostic("type.mismatch", "use cells\nrnn(‸[gru, 1], hidden: 4, input: 3)")
  }
}
