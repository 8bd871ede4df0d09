// The read-eval-print loop: prompts, entries that go on over several lines, history, Ctrl-C.
import Foundation
import TauLang

public enum REPL {
  /// Runs the session on standard input until `:quit` or the end of input. On a terminal it
  /// uses readline with prompts, colours (unless NO_COLOR), history and completion; otherwise
  /// it runs the lines as a script: no prompts, no colours, no history.
  public static func run(version: String) {
    let isTerminal = isatty(STDIN_FILENO) != 0
    let session = REPLSession(
      version: version,
      output: { text in
        print(text, terminator: "")
        fflush(nil)
      },
      errors: { FileHandle.standardError.write(Data($0.utf8)) },
      outputStyle: isTerminal ? .forDescriptor(STDOUT_FILENO) : TerminalStyle(isEnabled: false),
      errorStyle: isTerminal ? .forDescriptor(STDERR_FILENO) : TerminalStyle(isEnabled: false),
      isTerminal: isTerminal)
    InterruptSignal.install(exitingWhenIdle: !isTerminal)
    guard isTerminal else {
      loop(session, editor: PlainEditor(), prompts: nil)
      return
    }
    let style = TerminalStyle.forDescriptor(STDOUT_FILENO)
    let editor = ReadlineEditor(
      history: .standard(), complete: { session.completer.complete($0) },
      warn: { FileHandle.standardError.write(Data($0.utf8)) })
    print(style.dim("Tau \(version): :help for help, Tab to complete, Ctrl-D to leave"))
    loop(
      session, editor: editor,
      prompts: (
        style.prompt("tau> ", isContinuation: false), style.prompt("...> ", isContinuation: true)
      ))
  }

  /// Reads entries from `editor` and hands them to `session`. An entry is read line by line
  /// while `continuation(after:)` asks for more; Ctrl-C drops the entry being typed.
  public static func loop(
    _ session: REPLSession, editor: LineEditor, prompts: (first: String, next: String)?
  ) {
    var entry = ""
    var joiner = "\n"
    while true {
      editor.pendingText = entry.isEmpty ? "" : entry + joiner
      let prompt = entry.isEmpty ? prompts?.first : prompts?.next
      InterruptSignal.reset()  // Ctrl-C from here on is at the prompt
      switch editor.readLine(prompt: prompt ?? "") {
      case .interrupted:
        entry = ""
      case .end:
        // What was typed before the end still runs, so its error (an unclosed bracket) shows.
        if !entry.isEmpty { _ = run(entry, in: session, editor: editor) }
        if prompts != nil { print("") }
        return
      case .line(let line):
        entry = entry.isEmpty ? line : entry + joiner + line
        switch continuation(after: entry) {
        case .nextLine:
          joiner = "\n"
        case .insideString:
          joiner = "\\n"
        case .none:
          let outcome = run(entry, in: session, editor: editor)
          entry = ""
          if outcome == .quit { return }
        }
      }
    }
  }

  private static func run(_ entry: String, in session: REPLSession, editor: LineEditor)
    -> REPLSession.Outcome
  {
    guard !entry.allSatisfy(\.isWhitespace) else { return .proceed }
    editor.remember(entry)
    return InterruptSignal.computing { session.handle(entry) }
  }
}
