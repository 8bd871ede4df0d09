// The checker: everything it must reject before anything runs, and what it must accept.
import Testing

@testable import TauLang

@Suite struct CheckerTests {
  @Test func unknownNamesWithHints() {
    expectDiagnostic("name.unknown", "print(‸sigmod(1))")
    let run = runSnippet("print(sigmod(1))")
    #expect(run.diagnostics.first?.hint == "did you mean 'sigmoid'?")
    #expect(run.output.isEmpty)  // nothing ran
  }

  @Test func namesMustBeDefinedBeforeUse() {
    expectDiagnostic("name.unknown", "print(‸y)\nlet y = 1")
    // Functions and declarations are visible throughout their block.
    #expect(runSnippet("print(f(2))\nfn f(x) { g(x) }\nfn g(x) { x * 3 }").output == "6\n")
    // A function body may use a later top-level binding, checked once the block is known.
    #expect(runSnippet("fn f() { k }\nlet k = 4\nprint(f())").output == "4\n")
  }

  @Test func arityAndArgumentNames() {
    expectDiagnostic("call.missingArgument", "fn f(a, b) { a }\nprint(‸f(1))")
    expectDiagnostic("call.arity", "fn f(a) { a }\nf(1, ‸2)")
    expectDiagnostic("call.unknownArgument", "fn f(a) { a }\nf(1, ‸b: 2)")
    expectDiagnostic("call.unknownArgument", "zeros([2], ‸dtyp: \"f32\")")
    expectDiagnostic("call.missingArgument", "‸rand([2])")  // seeds are explicit
    expectDiagnostic("check.duplicate", "fn f(a) { a }\nf(a: 1, ‸a: 2)")
  }

  @Test func duplicatesInOneScope() {
    expectDiagnostic("check.duplicate", "let a = 1\nlet ‸a = 2")
    expectDiagnostic("check.duplicate", "fn f() { 1 }\nfn ‸f() { 2 }")
    expectDiagnostic("check.duplicate", "gate g { 1 }\ncell ‸g { h }")
    // Shadowing in an inner scope is fine.
    #expect(runSnippet("let a = 1\nfn f() { let a = 2\n a }\nprint(f(), a)").output == "2 1\n")
  }

  @Test func paramAndStateOnlyWhereAllowed() {
    expectDiagnostic("check.misplaced", "‸param w [3] = 0")
    expectDiagnostic("check.misplaced", "gate g {\n  ‸state s = 0\n  1\n}")
    expectDiagnostic("check.misplaced", "optimizer o {\n  ‸param w [1] = 0\n  grad\n}")
    expectDiagnostic("check.misplaced", "fn f() {\n  ‸param w [1] = 0\n  1\n}")
    expectDiagnostic("check.misplaced", "cell c {\n  if true { ‸state w [1] = 0 }\n  h\n}")
    expectDiagnostic("check.misplaced", "cell c {\n  for i in 1..2 { ‸param w [1] = 0 }\n  h\n}")
    // An optional parameter (a bias) sits in an `if` branch of the body.
    #expect(
      runSnippet(
        "cell c(bias = true) {\n  h + (if bias { param b [hidden] = 0\n b } else { 0 })\n}"
      )
      .ids == [])
    #expect(
      runSnippet(
        "cell c {\n  param W [hidden, hidden] = uniform(hidden)\n  state s = 0\n  W @ h\n}"
      ).ids == [])
  }

  @Test func declarationBodiesSeeTheirImplicitNames() {
    #expect(runSnippet("gate g { sigmoid(dot(h, x)) }").ids == [])
    #expect(runSnippet("optimizer o { grad * step + param }").ids == [])
    expectDiagnostic("name.unknown", "gate g { ‸grad }")
    expectDiagnostic("check.missingValue", "gate g ‸{ let a = 1 }")
  }

  @Test func assignmentNeedsAVarOrState() {
    expectDiagnostic("check.assignToLet", "let x = 1\n‸x = 2")
    expectDiagnostic("check.assignToLet", "fn f(a) {\n  ‸a = 2\n  a\n}")
    expectDiagnostic("name.unknown", "‸nope = 2")
    #expect(runSnippet("var x = 1\nx = x + 1\nprint(x)").output == "2\n")
    #expect(runSnippet("optimizer o {\n  state v = 0\n  v = v + grad\n  v\n}").ids == [])
  }

  @Test func modulesBringTheirNames() {
    #expect(
      runSnippet("use gates\nprint(multi, constant(0.5))").output
        == "<gate multi> <gate constant(alpha: 0.5)>\n")
    expectDiagnostic("call.unknownArgument", "use cells\nleaky(‸gates: 1)")
    let missing = runSnippet("use nonexistent_module")
    #expect(missing.ids == ["module.notFound"])
    #expect(missing.diagnostics.first?.message.contains("./plugins/nonexistent_module.tau") == true)
  }
}
