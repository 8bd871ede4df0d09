// What Tab offers in each context, against a live session.
import Foundation
import TauTestSupport
import Testing

@testable import TauREPL

@Suite struct CompletionTests {
  /// A session with models, records and functions bound, and what it printed.
  private func session(_ entries: [String] = []) -> (REPLSession, () -> String) {
    final class Output: @unchecked Sendable { var text = "" }
    let output = Output()
    let directory = FileManager.default.temporaryDirectory
    let session = REPLSession(
      version: "test", output: { output.text += $0 }, errors: { output.text += $0 },
      makeInterpreter: { testInterpreter(directory: directory) })
    let setup = [
      "use cells", "use optimizers", "let net = rnn(leaky(gate: multi), hidden: 4, input: 2)",
      "let record = {alpha: 1, beta: {inner: 2}, gamma: [1, 2]}",
      "fn scaled(value, factor = 2, offset = 0) { value * factor + offset }",
      "gate half(a = 0.5) { a }",
      "fn noisy() { print(\"called\"); {x: 1} }",
    ]
    for entry in setup + entries { _ = session.handle(entry) }
    output.text = ""
    return (session, { output.text })
  }

  private func candidates(_ text: String, _ session: REPLSession) -> [String] {
    session.completer.complete(text).candidates
  }

  @Test func namesKeywordsAndModuleDeclarations() {
    let (session, _) = session()
    #expect(candidates("sigm", session) == ["sigmoid"])
    #expect(candidates("optim", session) == ["optimizer"])
    #expect(candidates("lea", session) == ["leaky"])  // from `use cells`
    #expect(candidates("scal", session) == ["scalar", "scaled"])
    #expect(candidates("let y = ad", session).contains("adam"))
    #expect(session.completer.complete("x + sigm").word == "sigm")
  }

  @Test func fieldsOfRecordsModelsAndTensors() {
    let (session, _) = session()
    #expect(candidates("net.hi", session) == ["hidden"])
    #expect(
      candidates("net.", session) == ["params", "forward", "hidden", "dtype", "cell", "states"])
    #expect(candidates("record.", session) == ["alpha", "beta", "gamma"])
    #expect(candidates("record.beta.", session) == ["inner"])
    #expect(candidates("net.params.cell.gate.W", session) == ["Wr", "Wi"])
    #expect(candidates("print(record.al", session) == ["alpha"])
    #expect(candidates("net.params.readout.Wo.sh", session) == ["shape"])
    #expect(candidates("[record][0].ga", session).isEmpty)  // not a plain chain of names
  }

  /// A chain as long as the line is walked in a loop (it recursed, one frame a field).
  @Test func aFieldChainOfAnyLengthIsLookedAtWithoutRecursion() {
    let (session, _) = session()
    let chain = "record" + String(repeating: ".beta", count: 100_000) + ".in"
    #expect(candidates(chain, session).isEmpty)  // record.beta.beta is not a field
  }

  @Test func fieldCompletionNeverCallsAnything() {
    let (session, output) = session()
    #expect(candidates("noisy().", session).isEmpty)
    #expect(candidates("noisy().x", session).isEmpty)
    #expect(output().isEmpty)
  }

  @Test func namedArgumentsOfBuiltinsFunctionsAndDeclarations() {
    let (session, _) = session()
    #expect(candidates("train(net, task, adam(), st", session) == ["steps: "])
    #expect(candidates("rnn(leaky, hid", session) == ["hidden: "])
    #expect(candidates("scaled(1, fa", session) == ["factor: "])
    #expect(candidates("half(", session) == ["a: "])
    // Labels already given are not offered again; values after a label are names.
    let rest = candidates("rnn(leaky, hidden: 4, ", session)
    #expect(rest.contains("input: ") && !rest.contains("hidden: "))
    #expect(candidates("rnn(leaky, hidden: sigm", session) == ["sigmoid"])
    // Over several lines of one entry, and inside nested brackets.
    #expect(candidates("train(net,\n  task, st", session) == ["steps: "])
    #expect(candidates("scaled([1, 2], of", session) == ["offset: "])
    #expect(candidates("scaled([of", session).isEmpty)
  }

  @Test func modulesAfterUse() {
    let (session, _) = session()
    let modules = candidates("use ", session)
    #expect(["cells", "gates", "optimizers"].allSatisfy(modules.contains))
    #expect(candidates("use ce", session) == ["cells"])
  }

  @Test func metaCommandsAndTheirArguments() {
    let (session, _) = session()
    #expect(candidates(":he", session) == [":help "])
    #expect(candidates(":re", session) == [":reload", ":reset"])
    #expect(candidates(":help lea", session) == ["leaky"])
    #expect(candidates("?lea", session) == ["leaky"])
    #expect(candidates(":help :lo", session) == [":load"])
    #expect(candidates(":type net.hi", session) == ["hidden"])
    #expect(candidates(":time train(net, task, adam(), st", session) == ["steps: "])
    #expect(candidates(":vars x", session).isEmpty)
  }

  @Test func pathsInsideStrings() throws {
    let scratch = try TemporaryFolder("completion")
    defer { scratch.remove() }
    let folder = scratch.url
    try FileManager.default.createDirectory(
      at: folder.appendingPathComponent("sub"), withIntermediateDirectories: true)
    for name in ["a.csv", "b.tau", ".hidden"] {
      _ = FileManager.default.createFile(
        atPath: folder.appendingPathComponent(name).path, contents: nil)
    }
    let (session, _) = session()
    let inFolder = session.completer.complete("load(\"\(folder.path)/")
    #expect(inFolder.word == "" && inFolder.candidates == ["a.csv\"", "b.tau\"", "sub/"])
    #expect(candidates("load(\"\(folder.path)/b", session) == ["b.tau\""])
    #expect(candidates("load(\"\(folder.path)/.h", session) == [".hidden\""])
    #expect(candidates(":load \(folder.path)/", session) == ["b.tau", "sub/"])  // .tau only
    var relative = session.completer
    relative.workingDirectory = folder.path
    #expect(relative.complete("export(x, \"su").candidates == ["sub/"])
  }

  /// Whatever has been typed, Tab answers with candidates that extend the word it names.
  @Test func everyPrefixOfOddEntriesCompletes() {
    let (session, _) = session()
    let entries = [
      "train(net, task, adam(), st: 3, )[0].x + \"é/ü\" # ünïcode",
      ":help :lo", "?", ":load \"", ".", "((([[", "net..params", "record[\"a\"].", "1.5e", "use ",
      "f(,,", "\"", "x = [1,\n  2,\n  sigm", "gate g {\n  param w [hid",
    ]
    for entry in entries {
      for end in entry.indices + [entry.endIndex] {
        let completions = session.completer.complete(String(entry[..<end]))
        #expect(
          completions.candidates.allSatisfy { $0.hasPrefix(completions.word) },
          "\(entry[..<end]) → \(completions)")
      }
    }
  }

  @Test func candidatesLineUpWithReadlinesWord() {
    // readline breaks words at ':' and '/', Tau at its own boundaries.
    let help = Completions(word: ":he", candidates: [":help "])
    #expect(aligned(help, toWord: "he") == ["help "])
    let path = Completions(word: "my-fi", candidates: ["my-file.csv\""])
    #expect(aligned(path, toWord: "fi") == ["file.csv\""])
    let longer = Completions(word: "lo", candidates: ["loss"])
    #expect(aligned(longer, toWord: "x.lo") == ["x.loss"])
    #expect(aligned(longer, toWord: "zz").isEmpty)
  }
}
