// The learning-rate schedules of stdlib/schedules.tau against hand-computed rates, called with
// numbers and through an optimizer, and their errors.
import Foundation
import Testing

@testable import TauLang

/// The numbers of list `name` after running `source` (with `use optimizers` first).
private func numbers(_ name: String, after source: String) -> [Double] {
  let interpreter = Interpreter()
  let run = runSnippet("use optimizers\n" + source, interpreter: interpreter)
  #expect(run.ids == [], "\(run.diagnostics.map(\.message))")
  guard case .list(let items)? = interpreter.globals.lookup(name) else { return [] }
  return items.compactMap { if case .number(let x) = $0 { x } else { nil } }
}

private func expectClose(
  _ actual: [Double], _ expected: [Double], sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect(actual.count == expected.count, "\(actual)", sourceLocation: sourceLocation)
  for (a, e) in zip(actual, expected) {
    #expect(Swift.abs(a - e) < 1e-15, "\(a) vs \(e)", sourceLocation: sourceLocation)
  }
}

@Suite struct StdlibScheduleTests {
  @Test func schedulesCalledWithNumbersFollowTheirFormulas() {
    // cosine: ½ · 0.1 · (1 + cos(πt/4)) for t ≤ 4, then 0.
    expectClose(
      numbers("r", after: "let r = map([1, 2, 4, 6], cosine(0.1, steps: 4))"),
      [0.05 * (1 + Foundation.cos(Double.pi / 4)), 0.05, 0, 0])
    // linear: 0.1 + (0.02 - 0.1) · t/4 for t ≤ 4, then the floor 0.02.
    expectClose(
      numbers("r", after: "let r = map([0, 1, 3, 4, 9], linear(0.1, steps: 4, floor: 0.02))"),
      [0.1, 0.1 - 0.08 / 4, 0.1 - 0.08 * 3 / 4, 0.02, 0.02])
    // warmup: 0.2 · t/5 up to step 5, then 0.2.
    expectClose(
      numbers("r", after: "let r = map([1, 5, 7], warmup(0.2, steps: 5))"),
      [0.2 / 5, 0.2, 0.2])
    // stepwise: ×0.1 after step 1 and again after step 3.
    expectClose(
      numbers("r", after: "let r = map([1, 2, 3, 4, 100], stepwise(1, at: [1, 3], factor: 0.1))"),
      [1, 0.1, 0.1, 0.1 * 0.1, 0.1 * 0.1])
  }

  /// sgd with gradient g subtracts rate(t) · g at step t, so the parameter's path is the
  /// schedule's running sum.
  @Test func schedulesDriveAnOptimizerStepByStep() throws {
    let cases: [(String, [Double], [Double])] = [
      // rates 0.0853553, 0.05, 0.0146447, 0, 0: they sum to 0.15 by step 3
      (
        "sgd(lr: cosine(0.1, steps: 4))", [1, 1, 1, 1, 1],
        [
          1 - 0.05 * (1 + Foundation.cos(Double.pi / 4)),
          0.9 - 0.05 * Foundation.cos(Double.pi / 4),
          0.85, 0.85, 0.85,
        ]
      ),
      ("sgd(lr: linear(0.1, steps: 2))", [1, 1, 1], [0.95, 0.95, 0.95]),
      ("sgd(lr: warmup(0.1, steps: 2))", [1, 1, 1], [0.95, 0.85, 0.75]),
      ("sgd(lr: stepwise(0.1, at: [2], factor: 0.5))", [2, 2, 2, 2], [0.8, 0.6, 0.5, 0.4]),
      // A schedule of one's own is any function of the step.
      ("sgd(lr: fn(step) { 0.1 / step })", [1, 1, 1], [0.9, 0.85, 0.85 - 0.1 / 3]),
      // Any number argument may be one: momentum 0.5 from step 2 on (v = 1, 1.5, 1.75).
      (
        "sgd(lr: 0.1, momentum: fn(step) { 0.5 * min(step - 1, 1) })", [1, 1, 1],
        [0.9, 0.75, 0.575]
      ),
    ]
    for (optimizer, gradients, expected) in cases {
      let path = try parameterAfter(optimizer, start: [1], gradients: gradients.map { [$0] })
      #expect(path.count == expected.count, "\(optimizer)")
      for (a, e) in zip(path.map { $0.first ?? .nan }, expected) {
        #expect(Swift.abs(a - e) < 1e-12, "\(optimizer): \(a) vs \(e)")
      }
    }
  }

  @Test func stepwiseMilestonesMustBeWholeStepsReportedAtTheCall() {
    expectDiagnostic("value.invalid", "use optimizers\nlet s = ‸stepwise(0.1, at: [400, 800.5])")
    expectDiagnostic("value.invalid", "use optimizers\nlet s = ‸stepwise(0.1, at: [-1])")
    expectDiagnostic("value.invalid", "use optimizers\nlet s = ‸stepwise(0.1, at: [\"a\"])")
    expectDiagnostic("value.invalid", "use optimizers\nlet s = ‸stepwise(0.1, at: 400)")
    let run = runSnippet("use schedules\nlet s = stepwise(0.1, at: [400, 800.5])")
    #expect(
      run.diagnostics.first?.message
        == "stepwise expects whole step numbers ≥ 0 in 'at', got 800.5")
    // The frames inside the standard library are dropped; the user's own stay.
    let nested = runSnippet("use schedules\nfn f() { stepwise(0.1, at: [0.5]) }\nf()")
    #expect(nested.diagnostics.first?.stack.map(\.function) == ["fn 'f'"])
    #expect(nested.diagnostics.first?.range.file.name == "test.tau")
  }

  @Test func otherErrorsInTheStandardLibraryKeepTheirPlace() {
    // Not an `error` the library raised on purpose: it points into the library, with the call.
    let run = runSnippet("use schedules\nlet r = cosine(\"a\", steps: 2)(1)")
    #expect(run.ids == ["type.mismatch"])
    #expect(run.diagnostics.first?.range.file.name.hasSuffix("stdlib/schedules.tau") == true)
    #expect(run.diagnostics.first?.stack.isEmpty == false)
  }

  @Test func aScheduleMustGiveANumberAndStayPure() {
    let setup = """
      use cells
      use optimizers
      let net = rnn(plain, hidden: 2, input: 2, seed: 1)
      let task = adding(length: 4, input: 2, seed: 1)

      """
    expectDiagnostic(
      "type.mismatch", setup + "let r = train(net, task, ‸sgd(lr: fn(step) { \"fast\" }), steps: 1)"
    )
    expectDiagnostic(
      "runtime.impure",
      setup + "let r = train(net, task, sgd(lr: fn(step) { ‸print(step) }), steps: 1)")
  }
}
