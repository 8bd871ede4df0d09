// `error(message, caller: true)`: a bad argument is reported at the call that passed it — the
// user's call of a library function, or, within one file, the call of the function that raised
// it — with the ID of a built-in's bad argument.
import Foundation
import TauTestSupport
import Testing

@testable import TauLang

@Suite struct CallerErrorTests {
  /// The text the diagnostic points at.
  private func pointed(_ diagnostic: Diagnostic?) -> String? {
    diagnostic.map { $0.range.file.text(of: $0.range) }
  }

  @Test func withinOneFileTheCallOfTheRaisingFunctionIsBlamed() {
    let run = runSnippet(
      """
      fn check(x) { if x < 0 { error("x must be ≥ 0, got " + str(x), caller: true) } }
      fn f(x) { check(x) }
      f(-1)
      """)
    #expect(run.ids == ["value.invalid"])
    let diagnostic = run.diagnostics.first
    #expect(diagnostic?.message == "x must be ≥ 0, got -1")
    #expect(pointed(diagnostic) == "check(x)")
    #expect(diagnostic?.stack.map(\.function) == ["fn 'f'"])
    #expect(diagnostic?.stack.first.map { $0.callSite.file.text(of: $0.callSite) } == "f(-1)")
  }

  @Test func withoutCallerTheErrorStaysWhereItWasRaised() {
    let run = runSnippet("fn f(x) { error(\"no\") }\nf(1)")
    #expect(run.ids == ["runtime.error"])
    #expect(pointed(run.diagnostics.first) == "error(\"no\")")
  }

  @Test func aLibraryFunctionBlamesTheUsersCall() throws {
    let scratch = try TemporaryFolder("caller")
    defer { scratch.remove() }
    let folder = scratch.path
    try """
    fn validated(x) { helper(x) }
    fn helper(x) { if x < 0 { error("validated needs x ≥ 0", caller: true) } else { x } }
    """.write(toFile: folder + "/checks.tau", atomically: true, encoding: .utf8)
    let session = { Interpreter(searchPath: SearchPath(directories: [folder])) }
    // Through two functions of the library, to the user's call; no frames inside the library.
    let direct = runSnippet(
      "use checks\nfn mine(v) { validated(v) }\nmine(-2)", interpreter: session())
    #expect(direct.ids == ["value.invalid"])
    #expect(pointed(direct.diagnostics.first) == "validated(v)")
    #expect(direct.diagnostics.first?.range.file.name == "test.tau")
    #expect(direct.diagnostics.first?.stack.map(\.function) == ["fn 'mine'"])
    // Called by a built-in of the user's file: the built-in's call is the user's.
    let mapped = runSnippet("use checks\nmap([1, -1], validated)", interpreter: session())
    #expect(pointed(mapped.diagnostics.first) == "map([1, -1], validated)")
    #expect(runSnippet("use checks\nprint(validated(3))", interpreter: session()).output == "3\n")
  }
}
