// The REPL off the large stack: a test drives the session on an ordinary thread, as a program
// embedding it would, and bad input must still end in a diagnostic and leave the session usable.
import Foundation
import Testing

@testable import TauREPL

@Suite struct REPLDepthTests {
  @Test func runawayRecursionAndDeepInputLeaveTheSessionUsable() {
    final class Streams: @unchecked Sendable { var output = "", errors = "" }
    let streams = Streams()
    let session = REPLSession(
      version: "test", output: { streams.output += $0 }, errors: { streams.errors += $0 },
      makeInterpreter: { testInterpreter(directory: FileManager.default.temporaryDirectory) })
    let entries = [
      "fn f(n) { f(n + 1) }", "f(0)",
      String(repeating: "(", count: 5_000) + "1" + String(repeating: ")", count: 5_000),
      "var l = []", "for i in 1..100000 { l = [l] }",
      Array(repeating: "1", count: 20_000).joined(separator: " + "),
    ]
    for entry in entries { _ = session.handle(entry) }
    #expect(streams.output == "20000\n")
    for message in [
      "is a recursion missing its base case?", "nested too deeply", "would nest more than",
    ] {
      #expect(streams.errors.contains(message), "\(message)")
    }
  }
}
