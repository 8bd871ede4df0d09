// `tau` with no subcommand: a line loop over one interpreter session. Entries that are not yet
// complete (an open bracket, a trailing operator) continue on the next line. The readline REPL
// (history, completion, Ctrl-C) replaces the reading side of this loop.
import ArgumentParser
import Foundation
import TauLang

struct Interactive: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "repl", abstract: "Read and run Tau lines (the default without a subcommand).")

  func run() throws {
    Console.installInterruptHandler(restartingReads: true)
    withLargeStack {
      let session = Session()
      let prompts = isatty(STDIN_FILENO) != 0
      var pending = ""
      while true {
        if prompts { print(pending.isEmpty ? "tau> " : "...> ", terminator: "") }
        guard let line = readLine() else { break }
        pending += pending.isEmpty ? line : "\n" + line
        switch session.evaluate(pending) {
        case .incomplete: continue
        case .done: pending = ""
        }
      }
    }
  }
}

/// One interpreter plus the REPL conventions: expression values are printed (a trailing `;`
/// suppresses), `_` holds the last value, errors leave every binding in place.
final class Session {
  enum Outcome { case incomplete, done }
  let interpreter = Interpreter()
  private var entryCount = 0

  func evaluate(_ text: String) -> Outcome {
    let file = SourceFile(name: "<repl>", text: text)
    clearInterrupt()  // a Ctrl-C typed at the prompt is spent
    do throws(DiagnosticList) {
      let value = try interpreter.run(file)
      entryCount += 1
      let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
      if case .nothing = value {
      } else {
        interpreter.bind("_", to: value)
        if !trimmed.hasSuffix(";") { print(describe(value)) }
      }
      return .done
    } catch {
      if error.diagnostics.allSatisfy({ $0.id == "input.unexpectedEnd" }) { return .incomplete }
      if error.diagnostics.contains(where: { $0.id == "runtime.interrupted" }) {
        Console.writeError("interrupted; all bindings are kept\n")
        return .done
      }
      Console.report(error.diagnostics, json: false)
      if let partial = error.diagnostics.lazy.compactMap(\.partialResult).first {
        interpreter.bind("_", to: partial)
        Console.writeError("what was done before the error is in `_`\n")
      }
      return .done
    }
  }
}
