// Whole sessions as transcripts: Transcripts/NAME.in holds the typed lines, NAME.out what a
// terminal would show (prompts, the lines, values, diagnostics). Run in-process through the same
// loop as `tau`, with lines from a script instead of readline. `TAU_RECORD=1` rewrites NAME.out.
import Foundation
import Testing

@testable import TauREPL

private let transcripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .appendingPathComponent("Transcripts")

private func transcriptNames() -> [String] {
  let files = (try? FileManager.default.contentsOfDirectory(atPath: transcripts.path)) ?? []
  return files.filter { $0.hasSuffix(".in") }.map { String($0.dropLast(3)) }.sorted()
}

/// Lines from a string, each echoed after its prompt, as a terminal shows them.
final class ScriptedEditor: LineEditor {
  var pendingText = ""
  private var lines: [String]
  private(set) var remembered: [String] = []
  let echo: (String) -> Void

  init(_ text: String, echo: @escaping (String) -> Void) {
    lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if lines.last == "" { lines.removeLast() }
    self.echo = echo
  }

  /// A line `⌃C` stands for Ctrl-C at the prompt.
  func readLine(prompt: String) -> LineInput {
    guard !lines.isEmpty else { return .end }
    let line = lines.removeFirst()
    if line == "⌃C" {
      echo(prompt + "^C\n")
      return .interrupted
    }
    echo(prompt + line + "\n")
    return .line(line)
  }

  func remember(_ entry: String) { remembered.append(entry) }
}

/// Runs `input` as a session and returns everything it showed, standard output and errors
/// interleaved. `$DIR` in the input stands for `directory`, and in the output the directory
/// shows as `$DIR` again; timings vary, so `time: 1.2 ms` shows as `time: …`.
func transcript(of input: String, in directory: URL = transcripts) -> String {
  let input = input.replacingOccurrences(of: "$DIR", with: directory.path)
  var shown = ""
  let session = REPLSession(
    version: "test", output: { shown += $0 }, errors: { shown += $0 },
    makeInterpreter: { testInterpreter(directory: directory) })
  let editor = ScriptedEditor(input) { shown += $0 }
  REPL.loop(session, editor: editor, prompts: ("tau> ", "...> "))
  return shown.replacingOccurrences(of: directory.path, with: "$DIR").replacingOccurrences(
    of: #"time: [0-9.]+ (µs|ms|s)"#, with: "time: …", options: .regularExpression)
}

@Suite struct TranscriptTests {
  @Test(arguments: transcriptNames())
  func transcript(_ name: String) throws {
    let input = try String(
      contentsOf: transcripts.appendingPathComponent(name + ".in"), encoding: .utf8)
    let actual = TauREPLTests.transcript(of: input)
    let expectedURL = transcripts.appendingPathComponent(name + ".out")
    if ProcessInfo.processInfo.environment["TAU_RECORD"] != nil {
      try actual.write(to: expectedURL, atomically: true, encoding: .utf8)
      Issue.record("recorded \(name).out")
      return
    }
    let expected = (try? String(contentsOf: expectedURL, encoding: .utf8)) ?? ""
    #expect(actual == expected, "\(name): run with TAU_RECORD=1 to see the difference")
  }
}
