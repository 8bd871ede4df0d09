// Bad input never exhausts the native stack (issue 13). Nesting is bounded where it is written
// (`parse.tooDeep`, `value.tooDeep`) and chains of any length are walked in loops. The tests run
// on a thread with an 8 MiB stack, a main thread's, not on the 512 MiB stack `tau` uses, so the
// limits also hold for the REPL's tests and for programs that embed the interpreter.
import Foundation
import Testing

@testable import TauLang

@Suite struct DepthLimitTests {
  @Test func aHundredKilobyteChainOfAdditionsRuns() {
    let source = "print(" + Array(repeating: "1", count: 50_000).joined(separator: "+") + ")\n"
    #expect(source.utf8.count > 100_000)
    #expect(onMainThreadSizedStack { runSnippet(source).output } == "50000\n")
  }

  @Test func longChainsOfCallsAndLogicRun() {
    let calls = "fn f() { f }\nprint(f" + String(repeating: "()", count: 30_000) + ")\n"
    let logic = "print(" + Array(repeating: "true", count: 30_000).joined(separator: " and ") + ")"
    let fields = "let r = {a: [1, 2]}\nprint(r" + String(repeating: ".a", count: 30_000) + ")\n"
    let outputs = onMainThreadSizedStack {
      [runSnippet(calls).output, runSnippet(logic).output, runSnippet(fields).ids.joined()]
    }
    #expect(outputs == ["<fn f()>\n", "true\n", "field.unknown"])
  }

  @Test func twentyThousandParenthesesStopAtTheLimit() {
    // The statement is one level and each '(' one more: the 200th is the first too many.
    let open = String(repeating: "(", count: 20_000)
    let close = String(repeating: ")", count: 20_000)
    let marked = String(open.prefix(200)) + "‸" + open.dropFirst(200) + "1" + close
    expectDiagnostic("parse.tooDeep", marked)
  }

  @Test func elseIfChainsAreNesting() {
    let chain =
      "let x = 1\nif x == 0 { 0 }" + String(repeating: " else if x == 0 { 0 }", count: 20_000)
    let ids = onMainThreadSizedStack { runSnippet(chain).ids }
    #expect(ids == ["parse.tooDeep"])
  }

  /// The deepest program of each shape the parser accepts is checked and run on an ordinary
  /// stack: the nesting limit is what keeps the checker and evaluator within it.
  @Test func theDeepestAcceptedProgramsRun() {
    let shapes: [(name: String, make: (Int) -> String, output: String)] = [
      (
        "if",
        {
          "let x = 1\nprint(" + String(repeating: "if x == 1 { ", count: $0) + "7"
            + String(repeating: " }", count: $0) + ")"
        }, "7\n"
      ),
      (
        "fn",
        {
          "print(" + String(repeating: "fn() { ", count: $0) + "7"
            + String(repeating: " }()", count: $0) + ")"
        }, "7\n"
      ),
      (
        "list",
        {
          "print(len(" + String(repeating: "[", count: $0) + "7"
            + String(repeating: "]", count: $0) + "))"
        }, "1\n"
      ),
      (
        "mixed",
        { n in
          var expression = "7"
          for _ in 0..<n { expression = "0 + (1 * [-(-(\(expression)))][0])" }
          return "print(\(expression))"
        }, "7\n"
      ),
    ]
    for shape in shapes {
      guard let depth = (1...200).reversed().first(where: { parses(shape.make($0)) }) else {
        Issue.record("no depth of \(shape.name) parses")
        continue
      }
      #expect(depth > 20, "\(shape.name)")
      let source = shape.make(depth)
      let run = onMainThreadSizedStack { runSnippet(source) }
      // 99 nested calls are about all a debug build's 8 MiB hold: the stack guard may stop them.
      let stopped = shape.name == "fn" && run.ids == ["runtime.callDepth"]
      #expect(run.output == shape.output || stopped, "\(shape.name) at depth \(depth): \(run.ids)")
    }
  }

  /// Off the large stack, the stack guard ends a runaway recursion before the count limit can.
  @Test func runawayRecursionOnAnOrdinaryStackIsADiagnostic() {
    let run = onMainThreadSizedStack { runSnippet("fn f(n) { f(n + 1) }\nprint(1)\nf(0)") }
    #expect(run.output == "1\n")
    #expect(run.ids == ["runtime.callDepth"])
    #expect(run.diagnostics.first?.message.contains("native stack is nearly exhausted") == true)
  }

  @Test func listsNestedTooDeeplyStopAtTheBracket() {
    expectDiagnostic("value.tooDeep", "var l = []\nfor i in 1..5000000 { l = ‸[l] }")
    expectDiagnostic("value.tooDeep", "var r = {a: 0}\nfor i in 1..5000000 { r = ‸{a: r} }")
    expectDiagnostic("value.tooDeep", "var l = []\nfor i in 1..5000000 { l = ‸append([], l) }")
    // The in-place path of `x = append(x, v)` checks its value as a call would.
    expectDiagnostic("value.tooDeep", "var l = []\nfor i in 1..5000000 { l = ‸append(l, l) }")
    expectDiagnostic(
      "value.tooDeep", "var l = []\nfor i in 1..5000000 { l = ‸map([0], fn(z) { l }) }")
  }

  /// Values that hold one value several times are walked once per container: a list of three
  /// copies of itself, 256 times over, has 3^256 paths.
  @Test func sharedValuesAreCheckedInLinearTime() {
    let start = ContinuousClock.now
    expectDiagnostic("value.tooDeep", "var l = []\nfor i in 1..300 { l = ‸[l, l, l] }")
    expectDiagnostic("value.tooDeep", "var r = {a: 0}\nfor i in 1..300 { r = ‸{a: r, b: r} }")
    let shared = runSnippet("var l = [1]\nfor i in 1..12 { l = append(l, l) + l }\nprint(len(l))")
    #expect(shared.output == "8191\n")
    #expect(ContinuousClock.now - start < .seconds(20))
  }

  /// Comparing values nested to the limit takes 3 to 4 MiB in a debug build, more than a 3 MiB
  /// thread has: the comparison stops at the stack guard as evaluation does. (glibc may hand the
  /// thread a larger cached stack, on which the comparison completes.)
  @Test func comparingDeepValuesOnASmallStackIsADiagnostic() {
    let source = """
      var l = []
      for i in 1..\(maxValueNesting - 1) { l = [l] }
      print(l == l)
      """
    let run = onMainThreadSizedStack(size: 3 << 20) { runSnippet(source) }
    #expect(run.ids == ["runtime.callDepth"] || run.output == "true\n")
  }

  @Test func listsAtTheLimitWorkAsBefore() {
    // `[]` is one level deep, so the loop builds a list exactly at the limit.
    let source = """
      var l = []
      for i in 1..\(maxValueNesting - 1) { l = [l] }
      print(l == l, len(l))
      var m = [l]
      """
    let run = onMainThreadSizedStack { runSnippet(source) }
    #expect(run.output == "true 1\n")
    #expect(run.ids == ["value.tooDeep"])
  }
}

/// Whether `source` parses without a diagnostic.
private func parses(_ source: String) -> Bool {
  Parser.parse(SourceFile(name: "t", text: source)).diagnostics.isEmpty
}

/// Runs `body` on a new thread with an 8 MiB stack, the size of a Linux main thread's (or
/// `size` bytes), and waits for its result.
func onMainThreadSizedStack<T: Sendable>(
  size: Int = 8 << 20, _ body: @escaping @Sendable () -> T
) -> T {
  let slot = Slot<T>()
  let done = DispatchSemaphore(value: 0)
  let thread = Thread {
    slot.value = body()
    done.signal()
  }
  thread.stackSize = size
  thread.start()
  done.wait()
  return slot.value ?? body()
}

/// Carries the result out of the thread; the semaphore orders the write before the read.
private final class Slot<T>: @unchecked Sendable {
  var value: T?
}
