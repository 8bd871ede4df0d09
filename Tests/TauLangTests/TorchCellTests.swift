// `use torch` against real PyTorch: every fixture in Tests/Fixtures/torch (made by
// make_fixtures.py with torch.nn.RNN/GRU/LSTM) loads as it is, and every layer's states match
// PyTorch's. The tests read the files; they do not need PyTorch.
import Foundation
import TauTestSupport
import Testing

@testable import TauLang

/// One fixture: a module kind, layer count, bias and precision.
struct TorchVariant: CustomStringConvertible, Sendable {
  var kind: String
  var layers: Int
  var bias: Bool
  var dtype: String

  var stem: String { "\(kind)_l\(layers)_\(bias ? "bias" : "nobias")_\(dtype)" }
  var description: String { stem }
  /// 1e-12 in float64; float32 carries its own rounding of every step (PyTorch's order of
  /// operations is not Tau's), so 1e-5.
  var tolerance: Double { dtype == "f64" ? 1e-12 : 1e-5 }
}

let torchVariants = ["rnn", "gru", "lstm"].flatMap { kind in
  [1, 2].flatMap { layers in
    [true, false].flatMap { bias in
      ["f64", "f32"].map { TorchVariant(kind: kind, layers: layers, bias: bias, dtype: $0) }
    }
  }
}

let torchFixtures = packageRoot.appendingPathComponent("Tests/Fixtures/torch").path

@Suite struct TorchCellTests {
  /// The largest difference of any layer's h (and an LSTM's c) from PyTorch's, over batch and time.
  @Test(arguments: torchVariants)
  func everyLayerMatchesPyTorch(_ variant: TorchVariant) throws {
    let states = variant.kind == "lstm" ? ["h", "c"] : ["h"]
    let differences = (0..<variant.layers).flatMap { k in
      states.map { "max(abs(run.layers[\(k)].\($0) - ref.\($0)_l\(k)))" }
    }
    let source = """
      use torch
      let net = load("\(torchFixtures)/\(variant.stem).safetensors",
        into: rnn(torch_\(variant.kind)(bias: \(variant.bias)), hidden: 5, input: 3, layers: \(variant.layers), dtype: "\(variant.dtype)"))
      let ref = load("\(torchFixtures)/\(variant.stem).ref.safetensors")
      let run = net.forward(ref.x)
      print(\(differences.joined(separator: ", ")))
      print(max(abs(run.states - ref.h_l\(variant.layers - 1))))
      """
    let run = runSnippet(source)
    #expect(run.ids == [], "\(run.diagnostics.map(\.message))")
    let numbers = run.output.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap {
      Double($0)
    }
    #expect(numbers.count == differences.count + 1, "\(run.output)")
    for (index, difference) in numbers.enumerated() {
      #expect(difference < variant.tolerance, "\(variant) value \(index): \(difference)")
    }
    // The only parameter PyTorch's file lacks is Tau's readout, and load says so.
    #expect(run.warnings.map(\.message).contains { $0.contains("has no 'readout.Wo'") })
  }

  @Test func namesAndShapesArePyTorchs() {
    let run = runSnippet(
      """
      use torch
      let p = rnn(torch_lstm(), hidden: 4, input: 3, layers: 2).params.cell
      print(keys(p))
      print(p.weight_ih_l0.shape, p.weight_hh_l0.shape, p.bias_ih_l0.shape, p.weight_ih_l1.shape)
      print(keys(rnn(torch_gru(bias: false), hidden: 4, input: 3).params.cell))
      let w = rnn(torch_rnn(), hidden: 4, input: 3, dtype: "f64", seed: 2).params.cell.weight_hh_l0
      print(max(abs(w)) <= 0.5, max(abs(w)) > 0.3)
      """)
    #expect(run.ids == [], "\(run.diagnostics.map(\.message))")
    #expect(
      run.output == """
        ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1"]
        [16, 3] [16, 4] [16] [16, 4]
        ["weight_ih_l0", "weight_hh_l0"]
        true true

        """)
  }

  @Test func loadDiagnosticsNameTheTensors() {
    func load(_ stem: String, into model: String, strict: Bool = true) -> SnippetRun {
      runSnippet(
        "use torch\nload(\"\(torchFixtures)/\(stem).safetensors\", into: \(model), strict: \(strict))"
      )
    }
    let extra = load("gru_l2_bias_f64", into: "rnn(torch_gru(), hidden: 5, input: 3)")
    #expect(extra.ids == ["file.mismatch"])
    #expect(
      extra.diagnostics.first?.message.contains(
        "has 'bias_hh_l1', 'bias_ih_l1', 'weight_hh_l1' and 'weight_ih_l1', which the model does not have"
      ) == true)
    let lenient = load(
      "gru_l2_bias_f64", into: "rnn(torch_gru(), hidden: 5, input: 3)", strict: false)
    #expect(lenient.ids == [])
    #expect(lenient.warnings.map(\.severity) == [.note, .note])
    #expect(lenient.warnings.last?.message.contains("ignored 'bias_hh_l1'") == true)
    let shape = load("lstm_l1_bias_f32", into: "rnn(torch_lstm(), hidden: 6, input: 3)")
    #expect(shape.ids == ["file.mismatch"])
    #expect(
      shape.diagnostics.first?.message.contains("'weight_ih_l0' is [20×3]") == true
        && shape.diagnostics.first?.message.contains("but [24×3] in the model") == true)
    // Without its bias the cell has no bias tensors, so a biased file's are extra.
    let bias = load("rnn_l1_bias_f64", into: "rnn(torch_rnn(bias: false), hidden: 5, input: 3)")
    #expect(bias.diagnostics.first?.message.contains("'bias_hh_l0' and 'bias_ih_l0'") == true)
  }
}

@Suite struct TorchGateTests {
  /// The torch cells mark their gates inline with Tau's names, per layer in a stack, so the
  /// operators that read gates (efflr's retention predictor) work on a model from PyTorch.
  @Test func gatesAreMarkedWithTausNames() throws {
    let interpreter = Interpreter()
    let run = runSnippet(
      """
      use torch
      let lstm = rnn(torch_lstm(), hidden: 4, input: 3, layers: 2, dtype: "f64")
      let gru = rnn(torch_gru(bias: false), hidden: 4, input: 3, dtype: "f64")
      let batch = {inputs: randn([4, 12, 3], seed: 1), targets: zeros([4, 1])}
      let e = efflr(lstm, batch)
      print(e.predictor, e.pairs > 0, e.slope == e.slope)
      """, interpreter: interpreter)
    #expect(run.ids == [], "\(run.diagnostics.map(\.message))")
    #expect(run.output == "retention true true\n")
    func gates(_ name: String) -> [String] {
      guard case .model(let model)? = interpreter.globals.lookup(name) else { return [] }
      return model.lowered.gates.map(\.name)
    }
    #expect(
      gates("lstm")
        == Array(repeating: ["input_gate", "forget_gate", "output_gate"], count: 2).flatMap { $0 })
    #expect(gates("gru") == ["reset", "update"])
  }

  /// `gate: "forget_gate"` works on a PyTorch LSTM as on Tau's: it is also the default (the gate
  /// that keeps c), and choosing the input gate instead changes the prediction.
  @Test func efflrChoosesTheForgetGateOfATorchLSTM() throws {
    let run = runSnippet(
      """
      use torch
      let lstm = rnn(torch_lstm(), hidden: 4, input: 3, layers: 2, dtype: "f64")
      let batch = {inputs: randn([4, 12, 3], seed: 1), targets: zeros([4, 1])}
      let chosen = efflr(lstm, batch, gate: "forget_gate")
      let default = efflr(lstm, batch)
      let other = efflr(lstm, batch, gate: "input_gate")
      print(chosen.gate, chosen.factor, default.gate, chosen.slope == default.slope)
      print(other.gate, other.slope == chosen.slope)
      """)
    #expect(run.ids == [], "\(run.diagnostics.map(\.message))")
    #expect(run.output == "forget_gate g forget_gate true\ninput_gate false\n")
  }
}
