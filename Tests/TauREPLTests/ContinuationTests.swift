// When the REPL asks for another line: open brackets and blocks, trailing operators, open
// strings; and when it must not (complete entries, errors more lines cannot fix, commands).
import Testing

@testable import TauREPL

@Suite struct ContinuationTests {
  @Test(arguments: [
    "let x = [1,", "f(1, 2", "gate g {", "gate g {\n  param w [hidden] = uniform(hidden)",
    "1 +", "a and", "let y =", "if x {", "for i in 1..3 {\n  print(i)", "{a: 1,", "x[1",
    "fn f(a,",
  ])
  func openEntriesContinue(_ text: String) {
    #expect(continuation(after: text) == .nextLine)
  }

  @Test(arguments: [
    "1 + 2", "let x = [1, 2]", "gate g { 0.5 }", "gate g {\n  0.5\n}", "print(\"a\")", "",
    "# a comment", "1 + + 2", "let = 3", "f(1))", "x;",
  ])
  func completeOrBrokenEntriesRun(_ text: String) {
    #expect(continuation(after: text) == .none)
  }

  @Test func aLineEndingInsideAStringContinuesTheString() {
    #expect(continuation(after: "print(\"two") == .insideString)
    #expect(continuation(after: "let s = \"a\\nb") == .insideString)
    #expect(continuation(after: "let s = \"done\"") == .none)
    // A string closed on the next line (joined with the `\n` escape) completes the entry.
    #expect(continuation(after: "print(\"two\\nlines\")") == .none)
  }

  @Test func metaCommandsAreOneLine() {
    #expect(continuation(after: ":type [1,") == .none)
    #expect(continuation(after: "  :help") == .none)
  }
}
