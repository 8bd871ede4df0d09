// `efflr(…, gate: NAME)` and its default: which gates keep the state (read from the graph), the
// forget gate's values in the predictor of stdlib lstm against gates computed here from the
// forward pass, every application of a name, and the error for a name the cell lacks.
import Foundation
import TauTestSupport
import Testing

@testable import TauDynamics
@testable import TauGraph
@testable import TauLang
@testable import TauTensor

/// The model bound to `name` after running `source`.
private func model(_ source: String, _ name: String) throws -> ModelValue {
  guard case .model(let model) = try global(source, name) else { throw DiagnosticList([]) }
  return model
}

/// How each gate of `cell` (stdlib `cells` in scope) keeps the state, by name.
private func retentions(_ cell: String) throws -> [String: GateRetention] {
  let lowered = try model("use cells\n\(cell)\nlet net = rnn(c, hidden: 3, input: 2)", "net")
    .lowered
  return Dictionary(
    lowered.gates.map { ($0.name, lowered.graph.retention(ofGate: $0.node)) },
    uniquingKeysWith: { first, _ in first })
}

private func network(_ model: ModelValue) throws -> RecurrentModel<Double> {
  switch model.network {
  case .f64(let network): return network
  case .f32(let network): return try network.inDouble()
  }
}

@Suite struct GateSelectionTests {
  @Test func retentionIsReadFromTheNextStates() throws {
    #expect(try retentions("let c = leaky(gate: multi)") == ["gate": .complement])
    #expect(try retentions("let c = gru") == ["update": .complement, "reset": .none])
    #expect(
      try retentions("let c = lstm")
        == ["input_gate": .none, "forget_gate": .direct, "output_gate": .none])
    // A reset gate on h itself feeds the candidate, not the next state: still no retention.
    let resetOnH = """
      cell c(update = multi, reset = multi) {
        param Wr [hidden, hidden] = uniform(hidden)
        let u = update(h, x)
        let r = reset(h, x)
        (1 - u) * h + u * tanh(Wr @ (r * h) + sum(x))
      }
      """
    #expect(try retentions(resetOnH) == ["update": .complement, "reset": .none])
    // PyTorch's GRU keeps z ⊙ h: its z retains directly.
    let torchOrder = """
      cell c {
        param W [hidden, input] = uniform(input)
        gate z = sigmoid(W @ x)
        z * h + (1 - z) * tanh(W @ x)
      }
      """
    #expect(try retentions(torchOrder) == ["z": .direct])
  }

  @Test func theDefaultIsTheGateThatKeepsTheState() throws {
    let source = """
      use cells
      let b = adding(length: 6, input: 2, seed: 1).batch(2)
      let names = map([leaky(gate: multi), gru, lstm, plain], fn (c) {
        let e = efflr(rnn(c, hidden: 3, input: 2, seed: 1), b)
        [e.gate, e.factor]
      })
      """
    guard case .list(let names) = try global(source, "names") else {
      throw DiagnosticList([])
    }
    #expect(
      names.map(describe) == [
        "[\"gate\", \"1 - g\"]", "[\"update\", \"1 - g\"]", "[\"forget_gate\", \"g\"]",
        "[none, none]",
      ])
  }

  /// The predictor of stdlib lstm with `gate: "forget_gate"` multiplies f_t = σ(W_f h_{t-1} +
  /// U_f x_t), computed here from the forward pass's states, over each transport's steps; the
  /// retention of a gate that multiplies c itself is f, not 1 - f.
  @Test func theForgetGatesValuesMakeTheLSTMPredictor() throws {
    let source = """
      use cells
      let net = rnn(lstm, hidden: 3, input: 2, seed: 2, dtype: "f64")
      let b = adding(length: 7, input: 2, seed: 3).batch(2)
      let S = sensitivity(net, b)
      let E = efflr(net, b, gate: "forget_gate", sensitivity: S, trim: 0)
      let I = efflr(net, b, gate: "input_gate", sensitivity: S, trim: 0)
      let H = net.forward(b.inputs).states
      let Wf = net.params.cell.forget_gate.Wr
      let Uf = net.params.cell.forget_gate.Wi
      let inputs = b.inputs
      """
    let interpreter = Interpreter()
    let run = runSnippet(source, interpreter: interpreter)
    #expect(run.ids == [], "\(run.diagnostics.map(\.message))")
    func value(_ name: String) throws -> Tensor<Double> {
      try tensor(interpreter.globals.lookup(name))
    }
    let x = try value("inputs")
    let (h, w, u) = try (
      value("H").contiguous().scalars, value("Wf").contiguous().scalars,
      value("Uf").contiguous().scalars
    )
    let xs = x.contiguous().scalars
    let (batch, length, n, m) = (x.shape[0], x.shape[1], 3, 2)
    // f[b][t][i] for t = 1 … T, from h_{t-1} (h_0 = 0) and x_t.
    var f = [[[Double]]](
      repeating: [[Double]](repeating: [Double](repeating: 0, count: n), count: length + 1),
      count: batch)
    for b in 0..<batch {
      for t in 1...length {
        for i in 0..<n {
          var z = 0.0
          for j in 0..<n where t > 1 { z += w[i * n + j] * h[(b * length + t - 2) * n + j] }
          for k in 0..<m { z += u[i * m + k] * xs[(b * length + t - 1) * m + k] }
          f[b][t][i] = 1 / (1 + exp(-z))
        }
      }
    }
    var expected = [Double](repeating: 0, count: batch * length * length)
    for b in 0..<batch {
      for k in 1..<length {
        for t in (k + 1)...length {
          var mean = 0.0
          for i in 0..<n { mean += (k + 1...t).reduce(1.0) { $0 * f[b][$1][i] } }
          expected[(b * length + t - 1) * length + k - 1] = mean / Double(n)
        }
      }
    }
    // The operator's own predictor, from the nodes the name selects.
    let lstm = try model(source, "net")
    let forget = lstm.lowered.gates.filter { $0.name == "forget_gate" }.map(\.node)
    let jacobians = try network(lstm).stepJacobians(x, gates: forget)
    #expect(
      jacobians.gateNodes == forget && jacobians.gateRetentions == [.direct, .direct, .direct])
    let predictor = try #require(try jacobians.gatePredictor(.retention))
    #expect(zip(predictor.scalars, expected).allSatisfy { abs($0 - $1) < 1e-12 })
    // efflr's profile and fit are those of this predictor against the same sensitivities.
    let profile = try effectiveLearningRate(
      sensitivities: value("S"),
      predictor: try Tensor(shape: [batch, length, length], scalars: expected), trim: 0)
    guard case .record(let e)? = interpreter.globals.lookup("E"),
      case .record(let other)? = interpreter.globals.lookup("I"),
      case .number(let slope)? = e["slope"]
    else { throw DiagnosticList([]) }
    let predicted = try tensor(e["predicted"]).scalars
    #expect(zip(predicted, try #require(profile.predicted)).allSatisfy { abs($0 - $1) < 1e-12 })
    #expect(abs(slope - (profile.fit?.slope ?? .nan)) < 1e-10)
    #expect(e["gate"]?.text == "forget_gate" && e["factor"]?.text == "g")
    // Another gate gives another profile: the choice is not ignored.
    #expect(try tensor(other["predicted"]).scalars != predicted)
  }

  /// A name applied twice (one per layer, once layers stack) selects both applications, their
  /// units side by side.
  @Test func aNameSelectsEveryApplication() throws {
    let source = """
      use gates
      cell twice(gate = multi) {
        param Wr [hidden, hidden] = uniform(hidden)
        let a = gate(h, x)
        let b = gate(0.5 * h, x)
        a * b * tanh(Wr @ h + sum(x)) + (1 - a * b) * h
      }
      let net = rnn(twice, hidden: 3, input: 2, seed: 1, dtype: "f64")
      let b = adding(length: 5, input: 2, seed: 1).batch(2)
      let E = efflr(net, b, gate: "gate")
      """
    let twice = try model(source, "net")
    let nodes = twice.lowered.gates.filter { $0.name == "gate" }.map(\.node)
    #expect(nodes.count == 2)
    guard case .record(let e) = try global(source, "E") else { throw DiagnosticList([]) }
    #expect(e["gate"]?.text == "gate")
    let inputs = try tensor(global(source, "b").recordField("inputs"))
    let both = try #require(try network(twice).stepJacobians(inputs, gates: nodes).gates)
    #expect(both.shape == [2, 5, 6])
    for (index, node) in nodes.enumerated() {
      let one = try #require(try network(twice).stepJacobians(inputs, gates: [node]).gates)
      #expect(one.shape == [2, 5, 3])
      let (all, own) = (both.scalars, one.scalars)
      for step in 0..<10 {
        for i in 0..<3 { #expect(all[step * 6 + index * 3 + i] == own[step * 3 + i]) }
      }
    }
    // The two applications differ once h is not 0, so the halves are not one gate twice.
    #expect(Array(both.scalars[6..<9]) != Array(both.scalars[9..<12]))
  }

  @Test func anUnknownGateListsTheCellsGates() throws {
    let run = runSnippet(
      """
      use cells
      let net = rnn(lstm, hidden: 2, input: 2)
      efflr(net, adding(length: 4).batch(2), gate: "forgt_gate")
      """)
    let error = try #require(run.diagnostics.first)
    #expect(error.id == "value.invalid")
    #expect(
      error.message
        == "cell 'lstm' has no gate 'forgt_gate'; its gates are 'input_gate', 'forget_gate', 'output_gate'"
    )
    #expect(error.hint == "did you mean 'forget_gate'?")
    #expect(error.range.file.text(of: error.range) == "gate: \"forgt_gate\"")
    let plain = runSnippet(
      "use cells\nefflr(rnn(plain, hidden: 2, input: 2), adding(length: 4).batch(2), gate: \"g\")")
    #expect(plain.diagnostics.first?.message.hasPrefix("cell 'plain' has no gates") == true)
  }
}

extension Value {
  /// The text of a string value, for tests.
  fileprivate var text: String? {
    guard case .string(let text) = self else { return nil }
    return text
  }

  /// A field of a record value (none otherwise), for tests.
  fileprivate func recordField(_ name: String) -> Value? {
    guard case .record(let record) = self else { return nil }
    return record[name]
  }
}
