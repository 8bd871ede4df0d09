// One interactive session: runs entries in one interpreter with the REPL's conventions (values
// are printed, `;` hides them, `_` holds the last one, errors keep every binding) and carries out
// the meta-commands. It reads nothing itself, so tests drive it with strings.
import Foundation
import TauLang

public final class REPLSession {
  public private(set) var interpreter: Interpreter
  /// Files run with `:load`, in order, for `:reload`.
  public private(set) var loadedFiles: [String] = []
  private let makeInterpreter: () -> Interpreter
  private let output: (String) -> Void
  private let errors: (String) -> Void
  private let outputStyle: TerminalStyle
  private let errorStyle: TerminalStyle
  private let version: String
  /// Whether the session runs on a terminal, which echoes `^C` where a computation is stopped.
  private let isTerminal: Bool

  public enum Outcome { case proceed, quit }

  /// - Parameters:
  ///   - output: where values, `print` and command results go (standard output).
  ///   - errors: where diagnostics go (standard error).
  ///   - makeInterpreter: a fresh interpreter, at the start and for `:reset`.
  public init(
    version: String, output: @escaping (String) -> Void, errors: @escaping (String) -> Void,
    outputStyle: TerminalStyle = TerminalStyle(isEnabled: false),
    errorStyle: TerminalStyle = TerminalStyle(isEnabled: false), isTerminal: Bool = false,
    makeInterpreter: @escaping () -> Interpreter = { Interpreter() }
  ) {
    self.version = version
    self.output = output
    self.errors = errors
    self.outputStyle = outputStyle
    self.errorStyle = errorStyle
    self.isTerminal = isTerminal
    self.makeInterpreter = makeInterpreter
    interpreter = makeInterpreter()
    connect(interpreter)
  }

  /// Sends an interpreter's output and warnings to this session's streams.
  private func connect(_ interpreter: Interpreter) {
    let colored = errorStyle.isEnabled
    interpreter.host = TerminalHost(
      output: output, errors: errors,
      renderDiagnostic: { DiagnosticRenderer(colored: colored).render([$0], summary: false) })
  }

  /// Runs one complete entry: Tau code or a meta-command.
  public func handle(_ entry: String) -> Outcome {
    guard isMetaCommand(entry) else {
      evaluate(SourceFile(name: "<repl>", text: entry))
      return .proceed
    }
    switch MetaCommand.parse(entry) {
    case .failure(let diagnostic):
      report([diagnostic])
      return .proceed
    case .success(let command):
      return perform(command, line: entry)
    }
  }

  /// Completions against this session's names and values.
  public var completer: Completer { Completer(interpreter: interpreter) }

  // MARK: - Entries

  /// Runs `file` in the session; prints its value unless it is `none` or the entry ends with
  /// `;`, and binds `_` to it. Returns whether it ran without error.
  @discardableResult
  private func evaluate(_ file: SourceFile, printsValue: Bool = true) -> Bool {
    do throws(DiagnosticList) {
      let value = try interpreter.run(file)
      if case .nothing = value { return true }
      interpreter.bind("_", to: value)
      let hidden = file.text.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix(";")
      if printsValue && !hidden { output(describe(value) + "\n") }
      return true
    } catch {
      report(error.diagnostics)
      if let partial = error.diagnostics.lazy.compactMap(\.partialResult).first {
        interpreter.bind("_", to: partial)
        errors("what was done before the error is in `_`\n")
      }
      return false
    }
  }

  private func report(_ diagnostics: [Diagnostic]) {
    let renderer = DiagnosticRenderer(colored: errorStyle.isEnabled)
    let interrupted = diagnostics.contains(where: \.isInterruption)
    errors((interrupted && isTerminal ? "\n" : "") + renderer.render(diagnostics))
    if interrupted {
      errors(errorStyle.yellow("stopped by Ctrl-C; all bindings are kept") + "\n")
    }
  }

  // MARK: - Meta-commands

  private func perform(_ command: MetaCommand, line: String) -> Outcome {
    switch command {
    case .help(nil):
      output(Help(interpreter: interpreter, style: outputStyle).overview(version: version))
    case .help(let topic?):
      let help = Help(interpreter: interpreter, style: outputStyle)
      output(help.text(for: topic) ?? help.unknown(topic))
    case .type:
      do throws(DiagnosticList) {
        output(typeSummary(try interpreter.run(argumentSource(line))) + "\n")
      } catch {
        report(error.diagnostics)
      }
    case .time:
      let start = ContinuousClock.now
      evaluate(argumentSource(line))
      output(outputStyle.dim("time: " + formatDuration(ContinuousClock.now - start)) + "\n")
    case .load(let path):
      load(path, line: line)
    case .reload:
      reload()
    case .vars:
      listBindings()
    case .reset:
      interpreter = makeInterpreter()
      connect(interpreter)
      loadedFiles = []
      output("all bindings cleared\n")
    case .quit:
      return .quit
    }
    return .proceed
  }

  /// The argument of a meta-command as a source whose columns match the typed line (the command
  /// is blanked out), so carets land under what was typed.
  private func argumentSource(_ line: String) -> SourceFile {
    let offset = MetaCommand.argumentOffset(in: line)
    let argument = String(decoding: Array(line.utf8)[offset...], as: UTF8.self)
    return SourceFile(name: "<repl>", text: String(repeating: " ", count: offset) + argument)
  }

  private func load(_ path: String, line: String) {
    guard let data = FileManager.default.contents(atPath: path) else {
      let source = SourceFile(name: "<repl>", text: line)
      let offset = MetaCommand.argumentOffset(in: line)
      report([
        Diagnostic(
          "file.unreadable", "cannot read '\(path)': \(unreadableReason(path))",
          at: SourceRange(file: source, start: offset, end: line.utf8.count))
      ])
      return
    }
    let file = SourceFile(name: path, text: String(decoding: data, as: UTF8.self))
    if !loadedFiles.contains(path) { loadedFiles.append(path) }
    evaluate(file, printsValue: false)
  }

  private func reload() {
    let modules = interpreter.usedModules
    guard !modules.isEmpty || !loadedFiles.isEmpty else {
      output("nothing to reload: no module was used and no file loaded\n")
      return
    }
    interpreter.modules.reset()
    for module in modules {
      evaluate(SourceFile(name: "<reload>", text: "use \(module)"), printsValue: false)
    }
    for path in loadedFiles { load(path, line: ":load \(path)") }
    output("reloaded " + (modules + loadedFiles).joined(separator: ", ") + "\n")
  }

  private func listBindings() {
    let bindings = interpreter.sessionBindings
    guard !bindings.isEmpty else {
      output("no bindings yet\n")
      return
    }
    let width = bindings.map(\.name.count).max() ?? 0
    for (name, value) in bindings {
      var summary = typeSummary(value)
      if summary.count > 100 { summary = String(summary.prefix(99)) + "…" }
      output(name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + summary + "\n")
    }
  }
}

/// `12.3 ms`, `4.56 s`, `2 min 3.4 s`.
func formatDuration(_ duration: Duration) -> String {
  let seconds =
    Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
  if seconds < 1e-3 { return String(format: "%.0f µs", seconds * 1e6) }
  if seconds < 1 { return String(format: "%.1f ms", seconds * 1e3) }
  if seconds < 60 { return String(format: "%.2f s", seconds) }
  return String(
    format: "%d min %.1f s", Int(seconds) / 60, seconds.truncatingRemainder(dividingBy: 60))
}

/// Why `path` could not be read, in the words `tau run` uses.
public func unreadableReason(_ path: String) -> String {
  var isDirectory: ObjCBool = false
  guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
    return "no such file"
  }
  return isDirectory.boolValue ? "it is a folder" : "permission denied"
}
