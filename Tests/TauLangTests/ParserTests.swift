// The parser: tree shapes for precedence and the design's normative program, and syntax errors at the
// right place with stable IDs (the ‸ marks where the diagnostic must point).
import Foundation
import Testing

@testable import TauLang

/// The expression as fully parenthesised text, to check precedence and associativity.
private func shape(_ source: String) -> String {
  let (program, diagnostics) = Parser.parse(SourceFile(name: "t", text: source))
  guard diagnostics.isEmpty, case .expression(let e)? = program.statements.first?.kind else {
    return "error: \(diagnostics.map(\.message))"
  }
  return render(e)
}

private func render(_ e: Expr) -> String {
  switch e.kind {
  case .number(let x): return formatNumber(x)
  case .name(let n): return n
  case .unary(let op, let x): return "(\(op.rawValue) \(render(x)))"
  case .binary(let op, let a, let b): return "(\(render(a)) \(op.rawValue) \(render(b)))"
  case .range(let a, let b): return "(\(render(a))..\(render(b)))"
  case .call(let f, let args):
    return render(f) + "("
      + args.map { ($0.label.map { $0 + ": " } ?? "") + render($0.value) }.joined(separator: ", ")
      + ")"
  case .field(let base, let name, _): return render(base) + "." + name
  case .index(let base, let items): return render(base) + "[\(items.count)]"
  default: return "?"
  }
}

@Suite struct ParserTests {
  @Test(arguments: [
    ("1 + 2 * 3", "(1 + (2 * 3))"),
    ("1 - 2 - 3", "((1 - 2) - 3)"),
    ("2 ^ 3 ^ 2", "(2 ^ (3 ^ 2))"),
    ("-2 ^ 2", "(- (2 ^ 2))"),
    ("-a * b", "((- a) * b)"),
    ("2 ^ -1", "(2 ^ -1)"),
    ("a @ b + c", "((a @ b) + c)"),
    ("a < b and c or d", "(((a < b) and c) or d)"),
    ("not a == b", "(not (a == b))"),
    ("0..n - 1", "(0..(n - 1))"),
    ("f(x).y[1]", "f(x).y[1]"),
    ("g(1, k: 2)", "g(1, k: 2)"),
    ("a +\n b", "(a + b)"),
  ])
  func precedenceAndAssociativity(source: String, expected: String) {
    #expect(shape(source) == expected)
  }

  @Test func designProgramParses() throws {
    // The design's normative program must parse exactly as written.
    let design = try String(
      contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/design.tau"), encoding: .utf8)
    let (program, diagnostics) = Parser.parse(SourceFile(name: "design.tau", text: design))
    #expect(diagnostics.isEmpty, "\(diagnostics.map(\.message))")
    #expect(program.statements.count == 26)
  }

  @Test func declarationsAndParameters() {
    let source = """
      cell leaky(gate = constant(0.8)) {
        param Wr [hidden, hidden] = uniform(hidden)
        let g = gate(h, x)
        g * h
      }
      """
    let (program, diagnostics) = Parser.parse(SourceFile(name: "t", text: source))
    #expect(diagnostics.isEmpty)
    guard case .declaration(let d)? = program.statements.first?.kind else {
      Issue.record("expected a declaration")
      return
    }
    #expect(d.kind == .cell && d.name == "leaky" && d.parameters.map(\.name) == ["gate"])
    #expect(d.body.statements.count == 3)
    guard case .param(let name, _, let shape, _) = d.body.statements[0].kind else {
      Issue.record("expected a param statement")
      return
    }
    #expect(name == "Wr" && shape?.count == 2)
  }

  @Test func syntaxErrorsPointAtTheOffendingToken() {
    expectDiagnostic("parse.expected", "let x = 1 + ‸)")
    expectDiagnostic("parse.expected", "let ‸= 3")
    expectDiagnostic("parse.expected", "print(1 ‸2)")
    expectDiagnostic("parse.expected", "let a = [1, 2\n‸let b = 3")
    expectDiagnostic("parse.chainedComparison", "1 < 2 ‸< 3")
    expectDiagnostic("parse.positionalAfterNamed", "f(a: 1, ‸2)")
    expectDiagnostic("parse.invalidAssignment", "‸a.b = 3")
    expectDiagnostic("lex.invalid", "let s = ‸\"open")
    expectDiagnostic("lex.invalid", "let n = ‸1e")
    expectDiagnostic("check.duplicate", "fn f(a, ‸a) { a }")
    expectDiagnostic("check.duplicate", "let r = {a: 1, ‸a: 2}")
  }

  @Test func incompleteInputIsReportedAsUnexpectedEnd() {
    for source in ["let x = (1 +", "gate g {", "f(1,", "let s = [", "if x {", "1 +"] {
      let (_, diagnostics) = Parser.parse(SourceFile(name: "t", text: source))
      #expect(diagnostics.map(\.id) == ["input.unexpectedEnd"], "\(source)")
    }
  }

  @Test func recoveryReportsSeveralErrors() {
    let source = "let a = )\nlet b = 2\nlet c = ]\nprint(b)\nlet d = (\n"
    let (program, diagnostics) = Parser.parse(SourceFile(name: "t", text: source))
    #expect(diagnostics.count == 3)
    #expect(program.statements.count == 2)  // b and print(b) survive
  }

  @Test func nestingIsBounded() {
    let deep = String(repeating: "(", count: 500) + "1" + String(repeating: ")", count: 500)
    let (_, diagnostics) = Parser.parse(SourceFile(name: "t", text: deep))
    #expect(diagnostics.map(\.id).contains("parse.tooDeep"))
  }
}
