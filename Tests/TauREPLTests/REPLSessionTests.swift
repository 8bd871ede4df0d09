// Session behaviour that transcripts cannot show: files edited between `:reload`s, and where
// output goes.
import Foundation
import TauTestSupport
import Testing

@testable import TauREPL

@Suite struct REPLSessionTests {
  /// A session whose module search path is `folder`, with its standard output and errors.
  private func session(in folder: URL) -> (REPLSession, () -> (output: String, errors: String)) {
    final class Streams: @unchecked Sendable { var output = "", errors = "" }
    let streams = Streams()
    let session = REPLSession(
      version: "test", output: { streams.output += $0 }, errors: { streams.errors += $0 },
      makeInterpreter: { testInterpreter(directory: folder) })
    return (session, { (streams.output, streams.errors) })
  }

  @Test func reloadReadsEditedModulesAndFilesAgain() throws {
    let scratch = try TemporaryFolder("reload")
    defer { scratch.remove() }
    let folder = scratch.url
    let plugin = folder.appendingPathComponent("plugin.tau")
    let script = folder.appendingPathComponent("script.tau")
    try "gate mine { 0.25 }\nlet version = 1\n".write(to: plugin, atomically: true, encoding: .utf8)
    try "let factor = 10\n".write(to: script, atomically: true, encoding: .utf8)
    let (session, streams) = session(in: folder)
    for entry in ["use plugin", ":load \(script.path)", "version * factor"] {
      _ = session.handle(entry)
    }
    #expect(streams().output == "10\n")
    try "gate mine { 0.5 }\nlet version = 2\n".write(to: plugin, atomically: true, encoding: .utf8)
    try "let factor = 100\n".write(to: script, atomically: true, encoding: .utf8)
    _ = session.handle("version * factor")  // unchanged until :reload
    _ = session.handle(":reload")
    _ = session.handle("version * factor")
    #expect(streams().output == "10\n10\nreloaded plugin, \(script.path)\n200\n")
    #expect(streams().errors.isEmpty)
  }

  @Test func valuesGoToOutputAndDiagnosticsToErrors() {
    let (session, streams) = session(in: FileManager.default.temporaryDirectory)
    _ = session.handle("print(\"printed\")")
    _ = session.handle("nope")
    _ = session.handle(":type 1")
    #expect(streams().output == "printed\nnumber\n")
    #expect(streams().errors.hasPrefix("<repl>:1:1: error: unknown name 'nope'"))
  }

  @Test func quitEndsTheSessionAndTimeBindsTheLastValue() {
    let (session, streams) = session(in: FileManager.default.temporaryDirectory)
    #expect(session.handle(":time 6 * 7") == .proceed)
    #expect(session.handle("_ + 0") == .proceed)
    #expect(session.handle(":quit") == .quit)
    #expect(streams().output.hasSuffix("42\n"))
  }

  @Test func warningsGoToErrorsAndTheModelIsBound() {
    let (session, streams) = session(in: FileManager.default.temporaryDirectory)
    _ = session.handle("use cells")
    _ = session.handle("gate two { 2 }")
    _ = session.handle("let net = rnn(leaky(gate: two), hidden: 2, input: 1)")
    _ = session.handle(":reset")
    _ = session.handle(
      "use cells\ngate two { 2 }\nlet again = rnn(leaky(gate: two), hidden: 2, input: 1)")
    _ = session.handle(":type again")
    let warnings = streams().errors.components(separatedBy: "warning: gate 'two'").count - 1
    #expect(warnings == 2)  // also after :reset, which makes a new interpreter
    #expect(!streams().errors.contains("error"))
    #expect(
      streams().output.hasSuffix(
        "model leaky(gate: two), hidden: 2, input: 1, f32, 8 parameters; states h [2] (2 entries); state Jacobian dense\n"
      ))
  }
}
