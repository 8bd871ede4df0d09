// `loss:`, per-step targets and masks from Tau: what train, evaluate and gradient report, in
// both precisions, and the messages and hints of a batch that fits no form (the error goldens
// pin their IDs and positions).
import Testing

@testable import TauLang

@Suite struct LossArgumentTests {
  /// evaluate's fields by loss and readout, and the loss of a batch through all three built-ins
  /// alike (train's first step scores the batch the untrained model sees).
  @Test(arguments: ["f32", "f64"])
  func trainEvaluateAndGradientAgree(_ dtype: String) throws {
    let run = runSnippet(
      """
      use cells
      use optimizers
      let net = rnn(gru, hidden: 4, input: 1, output: 2, seed: 3, dtype: "\(dtype)")
      let task = parity(length: 5, seed: 2, every: true)
      let b = task.batch(8)
      let e = evaluate(net, b, loss: "xent")
      let g = gradient(net, b, loss: "xent")
      let t = train(net, task, sgd(lr: 0.1), steps: 2, batch: 8, loss: "xent", fixed: true)
      print(keys(e), e.predictions.shape, e.accuracy >= 0 and e.accuracy <= 1)
      print(abs(e.loss - g.loss) < 1e-6, abs(t.loss[0] - g.loss) < 1e-6, t.loss[1] < t.loss[0])
      let one = rnn(gru, hidden: 4, input: 1, seed: 3, dtype: "\(dtype)")
      let d = delay(length: 6, lag: 2).batch(3)
      print(keys(evaluate(one, d)), evaluate(one, d).predictions.shape)
      print(evaluate(one, d).loss != evaluate(one, {inputs: d.inputs, targets: d.targets}).loss)
      """)
    #expect(run.diagnostics.isEmpty, "\(run.diagnostics.map(\.message))")
    #expect(
      run.output == """
        ["loss", "predictions", "accuracy"] [8, 5, 2] true
        true true true
        ["loss", "predictions"] [3, 6, 1]
        true

        """)
  }

  @Test func batchesThatFitNoFormAreReportedAtTheBatch() {
    let prefix = "use cells\nlet net = rnn(plain, hidden: 2, input: 1, output: 2)\n"
    let cases: [(String, String, String?)] = [
      (
        "evaluate(net, {inputs: zeros([3, 4, 1]), targets: zeros([3])})",
        "shape mismatch in 'evaluate': [3×2] and [3]",
        "class indices as targets need loss: \"xent\""
      ),
      (
        "gradient(net, {inputs: zeros([3, 4, 1]), targets: zeros([3, 2])}, loss: \"xent\")",
        "invalid shape [3×2] in 'gradient': cross-entropy targets are class indices [3] (the last step) or [3×4] (every step)",
        "cross-entropy targets are class indices, one number per item, not one per output"
      ),
      (
        "evaluate(net, {inputs: zeros([3, 4, 1]), targets: tensor([0, 1, 1.5])}, loss: \"xent\")",
        "invalid argument to 'evaluate': cross-entropy targets are class indices 0 … 1 (the output units), got 1.5",
        nil
      ),
      (
        "evaluate(net, {inputs: zeros([3, 4, 1]), targets: zeros([3, 4, 2]), mask: ones([3])})",
        "invalid shape [3] in 'evaluate': the mask weighs each scored step: [3×4] for these targets",
        nil
      ),
      (
        "evaluate(net, {inputs: zeros([3, 4, 1]), targets: zeros([3, 2]), mask: tensor([1, -1, 1])})",
        "invalid argument to 'evaluate': the mask's weights must be finite and ≥ 0", nil
      ),
      (
        "evaluate(rnn(plain, hidden: 2, input: 1), {inputs: zeros([3, 4, 1]), targets: zeros([3])}, loss: \"xent\")",
        "invalid argument to 'evaluate': cross-entropy needs a model with output ≥ 2 (one unit per class)",
        nil
      ),
    ]
    for (call, message, hint) in cases {
      let run = runSnippet(prefix + call)
      let diagnostic = run.diagnostics.first
      #expect(diagnostic?.message == message, "\(call)")
      #expect(diagnostic?.hint == hint, "\(call)")
      #expect(
        diagnostic.map { $0.range.file.text(of: $0.range).hasPrefix("{inputs") } == true
          || call.contains("rnn(plain, hidden: 2, input: 1)"), "\(call)")
    }
  }
}
