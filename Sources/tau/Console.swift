// Front-end plumbing shared by the subcommands: reading files, printing diagnostics, exit codes.
import ArgumentParser
import Foundation
import TauLang
import TauREPL

enum Console {
  /// Whether standard error is a terminal that wants colour (not when `NO_COLOR` is set).
  static var colorsStandardError: Bool {
    isatty(STDERR_FILENO) != 0 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
  }

  /// Ctrl-C sets the interpreter's interrupt flag, which loops and calls poll, so work stops at
  /// the next safe point; a second Ctrl-C before that ends the process at once.
  static func installInterruptHandler() {
    var action = sigaction()
    action.__sigaction_handler.sa_handler = { _ in
      if requestInterrupt() { _exit(130) }
    }
    sigemptyset(&action.sa_mask)
    action.sa_flags = 0
    sigaction(SIGINT, &action, nil)
    InterruptSignal.unblockSignals()
  }

  static func writeError(_ text: String) { writeStandardError(text) }

  /// Prints diagnostics to standard error, as text or as JSON.
  static func report(_ diagnostics: [Diagnostic], json: Bool) {
    writeError(rendered(diagnostics, json: json))
  }

  static func rendered(_ diagnostics: [Diagnostic], json: Bool) -> String {
    let renderer = DiagnosticRenderer(colored: !json && colorsStandardError)
    return json ? renderer.renderJSON(diagnostics) : renderer.render(diagnostics)
  }

  /// The host of `tau run`: the terminal, with warnings rendered as `report` renders errors.
  static func host(json: Bool, quiet: Bool) -> TerminalHost {
    TerminalHost(
      renderDiagnostic: { rendered([$0], json: json) }, progress: quiet ? .quiet : .automatic)
  }

  /// The source file at `path`, or an error message and exit code 1.
  static func readSource(_ path: String) throws -> SourceFile {
    guard let data = FileManager.default.contents(atPath: path) else {
      writeError("tau: error: cannot read '\(path)': \(unreadableReason(path))\n")
      throw ExitCode(1)
    }
    guard let text = String(data: data, encoding: .utf8) else {
      writeError("tau: error: '\(path)' is not UTF-8 text\n")
      throw ExitCode(1)
    }
    return SourceFile(name: path, text: text)
  }
}
