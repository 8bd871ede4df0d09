// Gates checked when a model is built (ranges, NaN), declared ranges, and `tau check --validate`:
// what passes, what fails, and that its Jacobian check can fail.
import Foundation
import TauTestSupport
import Testing

@testable import TauGraph
@testable import TauLang
@testable import TauTensor

/// Validates `source` as a file named `plugin.tau`, collecting what it prints.
private func validate(_ source: String) throws -> (checks: [DeclarationCheck], output: String) {
  let host = RecordingHost()
  let checks = try Interpreter(host: host).validateDeclarations(
    in: SourceFile(name: "plugin.tau", text: source))
  return (checks, host.output)
}

@Suite struct ValidationTests {
  @Test func gatesOutsideTheirRangeAreWarningsWhenAModelIsBuilt() throws {
    let run = runSnippet(
      "use cells\ngate two { 2 }\nlet net = rnn(leaky(gate: two), hidden: 4, input: 2)")
    #expect(run.ids == [])  // the model is built: a warning, not an error
    let warning = try #require(run.warnings.first)
    #expect(run.warnings.count == 1)
    #expect(warning.id == "model.gateRange" && warning.severity == .warning)
    #expect(
      warning.message.contains("takes values in [2, 2] on a random probe, outside its range [0, 1]")
    )
    #expect(warning.range.file.text(of: warning.range) == "2")
    #expect(
      warning.notes.first?.range.file.text(of: warning.notes[0].range).hasPrefix("rnn(") == true)
    // In range, or in a declared range: nothing to say.
    #expect(runSnippet("use cells\nrnn(leaky(gate: multi), hidden: 4, input: 2)").warnings.isEmpty)
    let signed = runSnippet(
      "use cells\ngate signed in [-1, 1] { tanh(sum(h)) }\nrnn(leaky(gate: signed), hidden: 4, input: 2)"
    )
    #expect(signed.ids == [] && signed.warnings.isEmpty)
    let tooWide = runSnippet(
      "use cells\ngate signed in [-0.5, 0.5] { 0.9 }\nrnn(leaky(gate: signed), hidden: 4, input: 2)"
    )
    #expect(tooWide.warnings.first?.message.contains("outside its range [-0.5, 0.5]") == true)
  }

  @Test func nonFiniteGatesAndStatesAreErrors() {
    expectDiagnostic(
      "model.nonFinite",
      "use cells\ngate nan { ‸log(0 * sum(h)) * 0 }\nrnn(leaky(gate: nan), hidden: 2, input: 1)")
    expectDiagnostic(
      "model.nonFinite", "cell blowup { ‸h / 0 }\nrnn(blowup, hidden: 2, input: 1)")
  }

  @Test func declaredRangesAreCheckedWhenParsed() {
    expectDiagnostic("parse.unexpected", "cell c ‸in [0, 1] { h }")
    expectDiagnostic("parse.invalidRange", "gate g ‸in [1, 0] { 0.5 }")
    expectDiagnostic("parse.expected", "gate g in [‸a, 1] { 0.5 }")
  }

  @Test(arguments: [
    "stdlib/gates.tau", "stdlib/cells.tau", "examples/plugins/mingru.tau",
    "examples/plugins/signed.tau",
  ])
  func shippedDeclarationsPass(_ path: String) throws {
    let url = packageRoot.appendingPathComponent(path)
    let text = try String(contentsOf: url, encoding: .utf8)
    let checks = try Interpreter().validateDeclarations(in: SourceFile(name: url.path, text: text))
    #expect(checks.count >= 2)
    for check in checks {
      #expect(check.passed && !check.isSkipped, "\(check.line)")
      #expect(check.line.contains("Jacobian vs finite differences"))
    }
  }

  @Test func failuresAreReportedPerDeclaration() throws {
    let (checks, output) = try validate(
      """
      print("top-level statements do not run")
      gate two { 2 }
      gate nan { log(0 * sum(h)) * 0 }
      gate narrow {
        param W [hidden, 2] = uniform(2)
        sigmoid(W @ x)
      }
      gate needs(scale) { scale }
      gate fine { sigmoid(sum(h)) }
      """)
    #expect(output == "")
    #expect(checks.map(\.declaration.name) == ["two", "nan", "narrow", "needs", "fine"])
    #expect(checks.map(\.passed) == [false, false, false, true, true])
    #expect(checks[0].diagnostics.map(\.id) == ["model.gateRange"])
    #expect(checks[0].diagnostics[0].severity == .error)
    #expect(checks[1].diagnostics.map(\.id) == ["model.nonFinite"])
    // Right at input 2, wrong at input 4: the second size finds it.
    #expect(checks[2].diagnostics.map(\.id) == ["shape.mismatch"])
    #expect(checks[3].isSkipped && checks[3].line.contains("needs a value for 'scale'"))
    #expect(checks[4].line.hasPrefix("gate fine") && checks[4].line.contains(" ok "))
  }

  @Test func theJacobianCheckCanFail() throws {
    // The gates-frozen Jacobian against differences of the full step: they differ by the gate
    // correction, which the check must see.
    let net = try model(
      "use cells\nlet net = rnn(leaky(gate: multi), hidden: 3, input: 2, seed: 1, dtype: \"f64\")")
    var stream = RandomStream(seed: 3)
    var inputs: [InputKind: Tensor<Double>] = [
      .state(0): try .uniform([2, 3], from: -1, to: 1, using: &stream),
      .input: try .normal([2, 2], using: &stream),
    ]
    for (name, tensor) in net.parameters { inputs[.parameter(name)] = tensor }
    let mixed = try JacobianCheck.worstError(
      net.step, inputs: inputs, frozenTangent: true, frozenDifferences: false)
    let matched = try JacobianCheck.worstError(
      net.step, inputs: inputs, frozenTangent: true, frozenDifferences: true)
    #expect(mixed > 1e-3)
    #expect(matched < 1e-8)
  }
}
