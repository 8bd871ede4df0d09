// Run-time semantics: values, operators, closures, errors with stacks, value semantics.
import Testing

@testable import TauLang

@Suite struct InterpreterTests {
  @Test(arguments: [
    ("print(1 + 2 * 3, 7 / 2, 2^10, -7 % 3, 7 % -3)", "7 3.5 1024 2 -2"),
    ("print(0.1 + 0.2, 1e-3, 1/3, 2^0.5)", "0.3 0.001 0.333333 1.41421"),
    (
      "print(1 < 2, 2 <= 1, \"a\" < \"b\", 1 == 1, [1, 2] == [1, 2], {a: 1} != {a: 2})",
      "true false true true true true"
    ),
    ("print(true and false, true or false, not true)", "false true false"),
    ("print(\"tau\" + \"!\", [1] + [2, 3], len(\"abc\"), len(1..4))", "tau! [1, 2, 3] 3 4"),
    ("print([1, 2, 3][-1], [1, 2, 3, 4][1:3], \"hello\"[1:], (5..9)[2])", "3 [2, 3] ello 7"),
    ("let r = {a: 1, in: {b: 2}}\nprint(r.a, r.in.b, keys(r))", "1 2 [\"a\", \"in\"]"),
    ("print(if 1 > 2 { \"yes\" } else if 2 > 1 { \"maybe\" } else { \"no\" })", "maybe"),
    (
      "print(range(4), range(2, 8, step: 3), range(3, 0, step: -1))",
      "[0, 1, 2, 3] [2, 5] [3, 2, 1]"
    ),
    (
      "print(map([1, 2], fn(x) { x * 10 }), filter(1..6, fn(x) { x % 2 == 0 }), sort([3, 1, 2]))",
      "[10, 20] [2, 4, 6] [1, 2, 3]"
    ),
    (
      "print(max(3, 7, 5), min([4, 2, 9]), sum([1, 2, 3]), mean(1..4), median([5, 1, 3]))",
      "7 2 6 2.5 3"
    ),
    (
      "print(type(1), type(zeros(2)), type(print), type(none), str(1.5) + \"x\")",
      "number tensor function nothing 1.5x"
    ),
    (
      "print(sqrt(16), abs(-2), exp(0), log(1), floor(2.7), round(2.5), tanh(0), sigmoid(0))",
      "4 2 1 0 2 3 0 0.5"
    ),
  ])
  func expressions(source: String, expected: String) {
    let run = runSnippet(source)
    #expect(run.ids == [], "\(run.diagnostics.map(\.message))")
    #expect(run.output == expected + "\n")
  }

  @Test func closuresCaptureTheirEnvironment() {
    let source = """
      fn counter(start) {
        fn(step) { start + step }
      }
      let add10 = counter(10)
      print(add10(1), add10(5))
      fn apply(f, x = 2) { f(x) }
      print(apply(fn(v) { v * v }), apply(fn(v) { v * v }, x: 5))
      """
    #expect(runSnippet(source).output == "11 15\n4 25\n")
  }

  @Test func recursionAndLoops() {
    let source = """
      fn fib(n) { if n < 2 { n } else { fib(n - 1) + fib(n - 2) } }
      var total = 0
      for i in 1..10 { total = total + fib(i) }
      print(fib(20), total)
      """
    #expect(runSnippet(source).output == "6765 143\n")
  }

  @Test func runawayRecursionIsADiagnostic() {
    let run = withLargeStack {
      runSnippet("fn f(n) { f(n + 1) }\nf(0)").diagnostics.map(\.id.rawValue)
    }
    #expect(run == ["runtime.callDepth"])
  }

  @Test func tensorsBroadcastAndKeepTheirDtype() {
    let source = """
      let a = tensor([[1, 2], [3, 4]])
      let b = tensor([10, 20], dtype: "f32")
      print((a + 1).dtype, (b * 2).dtype, (a + b).dtype, (a @ a)[1, 0], a.T[0, 1], a[-1][0])
      print(sum(a, axis: 0), mean(a), (a * a).shape)
      """
    #expect(runSnippet(source).output == "f64 f32 f64 15 3 3\nTensor<f64>[2]\n[4, 6] 2.5 [2, 2]\n")
  }

  @Test func runtimeErrorsCarryRangeAndStack() {
    let source =
      "fn inner(m) {\n  m @ tensor([1, 2, 3])\n}\nfn outer(m) { inner(m) }\nouter(eye(2))"
    let run = runSnippet(source)
    #expect(run.ids == ["shape.mismatch"])
    let diagnostic = run.diagnostics[0]
    #expect(diagnostic.message == "shape mismatch in '@': [2×2] and [3]")
    #expect(diagnostic.range.file.lineAndColumn(of: diagnostic.range.start) == (2, 3))
    #expect(diagnostic.stack.map(\.function) == ["fn 'inner'", "fn 'outer'"])
  }

  @Test(arguments: [
    ("\"a\" - 1", "type.mismatch"),
    ("if 1 { 2 }", "type.mismatch"),
    ("let n = 3\nn(1)", "type.notCallable"),
    ("[1, 2][5]", "index.outOfRange"),
    ("eye(2)[0, 5]", "index.outOfRange"),
    ("{a: 1}.b", "field.unknown"),
    ("tensor([[1, 2], [3]])", "value.ragged"),
    ("zeros([2, -1])", "value.invalid"),
    ("eig(tensor([[1, 2], [3, 4]]))", "value.invalid"),
    ("assert(1 > 2, \"no\")", "runtime.assertion"),
    ("error(\"stop\")", "runtime.error"),
    ("for i in 5 { i }", "type.mismatch"),
    ("1..2.5", "type.mismatch"),
  ])
  func runtimeErrors(source: String, id: String) {
    #expect(runSnippet(source).ids == [id])
  }

  @Test func sessionsKeepBindingsAcrossEntriesAndErrors() {
    let session = Interpreter()
    #expect(runSnippet("let a = 2\nvar b = 3", interpreter: session).ids == [])
    #expect(runSnippet("print(undefined_name)", interpreter: session).ids == ["name.unknown"])
    #expect(runSnippet("b = b + a\nprint(a, b)", interpreter: session).output == "2 5\n")
    #expect(runSnippet("a = 1", interpreter: session).ids == ["check.assignToLet"])
  }

  @Test func valuesAreImmutable() {
    let source = "let a = [1, 2]\nlet b = append(a, 3)\nprint(a, b)"
    #expect(runSnippet(source).output == "[1, 2] [1, 2, 3]\n")
  }

  @Test func randomTensorsRepeatWithTheirSeed() {
    let run = runSnippet(
      "print(rand([3], seed: 5) == rand([3], seed: 5), rand([3], seed: 5) == rand([3], seed: 6))")
    #expect(run.output == "true false\n")
  }
}

@Suite struct RecordIndexingTests {
  @Test func recordsAreIndexedByFieldNames() {
    let run = runSnippet("let r = {lr: 0.1, steps: 5}\nfor k in keys(r) { print(k, r[k]) }")
    #expect(run.ids == [] && run.output == "lr 0.1\nsteps 5\n")
    #expect(runSnippet("{a: 1}[\"b\"]").ids == ["field.unknown"])
    #expect(runSnippet("{a: 1}[0]").ids == ["type.mismatch"])
  }
}
