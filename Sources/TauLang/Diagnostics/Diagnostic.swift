// Diagnostics as values: every error Tau reports, from lexing to run time, is one of these.

/// How serious a diagnostic is.
public enum Severity: String, Sendable {
  case error, warning, note
}

/// A stable identifier for a kind of diagnostic (`parse.expected`, `name.unknown`), so tests and
/// the REPL match on the kind, never on the wording. Every ID is in `DiagnosticCatalogue`.
public struct DiagnosticID: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible
{
  public let rawValue: String
  /// An ID written in the source: a debug build stops at one the catalogue lacks, so a new ID
  /// cannot be used before it is catalogued (and documented, docs/LANGUAGE.md §4.14).
  public init(stringLiteral value: String) {
    assert(
      DiagnosticCatalogue.ids.contains(value),
      "diagnostic ID '\(value)' is not in DiagnosticCatalogue (DiagnosticCatalogue.swift)")
    rawValue = value
  }
  /// An ID from elsewhere (read back from JSON, say), taken as it is.
  public init(_ value: String) { rawValue = value }
  public var description: String { rawValue }
}

/// One message about a range of source, with optional notes (e.g. "declared here") and hint.
public struct Diagnostic: Error, Sendable {
  public var id: DiagnosticID
  public var severity: Severity
  public var message: String
  public var range: SourceRange
  /// A suggestion printed under the excerpt, e.g. "did you mean `sigmoid`?".
  public var hint: String?
  public var notes: [Diagnostic]
  /// For run-time errors: the Tau frames active when it happened, innermost first.
  public var stack: [StackFrame]
  /// What the failed operation had done before it stopped (a training run up to its last good
  /// step), so the REPL can keep it.
  public var partialResult: Value?
  /// Set while an error that is its caller's mistake (`error(…, caller: true)`) travels up to
  /// the call it is reported at (Interpreter+CallerErrors.swift).
  var callerSearch: CallerSearch?

  public init(
    _ id: DiagnosticID, _ message: String, at range: SourceRange, severity: Severity = .error,
    hint: String? = nil, notes: [Diagnostic] = [], stack: [StackFrame] = []
  ) {
    self.id = id
    self.severity = severity
    self.message = message
    self.range = range
    self.hint = hint
    self.notes = notes
    self.stack = stack
  }
}

extension Diagnostic {
  /// `path:line:col` of the start of the range.
  public var location: String {
    let (line, column) = range.file.lineAndColumn(of: range.start)
    return "\(range.file.name):\(line):\(column)"
  }
}

/// Where a caller's error has got to on its way up: the file that raised it, and whether it has
/// already moved to the call of the function that raised it.
struct CallerSearch: Sendable {
  let file: SourceFile
  var movedToCaller = false
}

/// A call in progress: `at path:line:col in fn 'name'`.
public struct StackFrame: Sendable {
  public var function: String
  public var callSite: SourceRange
  /// How many identical frames in a row this one stands for (deep recursion).
  public var repeatCount = 1
  public init(function: String, callSite: SourceRange) {
    self.function = function
    self.callSite = callSite
  }
}

/// Several diagnostics thrown together (a parse or check pass that found more than one).
public struct DiagnosticList: Error, Sendable {
  public var diagnostics: [Diagnostic]
  public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
}
