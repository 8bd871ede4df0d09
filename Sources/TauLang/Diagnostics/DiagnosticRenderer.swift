// Renders diagnostics for people (GCC/Swift style with a source excerpt) or for tools (JSON).
import Foundation

/// Turns diagnostics into text. The library never prints; front ends call this.
///
/// ```
/// examples/leaky.tau:7:14: error: unknown name 'sigmod'
///     7 |   g * sigmod(Wr @ h)
///       |       ^~~~~~
///       = hint: did you mean 'sigmoid'?
/// ```
public struct DiagnosticRenderer: Sendable {
  /// Whether to colour severities and carets with ANSI escapes.
  public var colored: Bool
  /// At most this many diagnostics are shown; the rest are counted.
  public var limit = 20

  public init(colored: Bool = false) { self.colored = colored }

  /// All diagnostics, then a count line such as `2 errors`.
  public func render(_ diagnostics: [Diagnostic], summary: Bool = true) -> String {
    var text = ""
    for diagnostic in diagnostics.prefix(limit) { text += render(diagnostic) }
    if diagnostics.count > limit {
      text += "and \(diagnostics.count - limit) more\n"
    }
    let errors = diagnostics.filter { $0.severity == .error }.count
    if summary && errors > 0 { text += errors == 1 ? "1 error\n" : "\(errors) errors\n" }
    return text
  }

  /// One diagnostic with its excerpt, hint, notes and stack.
  public func render(_ diagnostic: Diagnostic) -> String {
    let file = diagnostic.range.file
    let (line, column) = file.lineAndColumn(of: diagnostic.range.start)
    var text = "\(file.name):\(line):\(column): "
    text += paint(diagnostic.severity.rawValue + ":", diagnostic.severity) + " "
    text += diagnostic.message + "\n"
    text += excerpt(diagnostic.range, severity: diagnostic.severity)
    if let hint = diagnostic.hint {
      text += String(repeating: " ", count: gutterWidth(line)) + " = hint: " + hint + "\n"
    }
    for note in diagnostic.notes { text += render(note) }
    for frame in diagnostic.stack {
      let (frameLine, frameColumn) = frame.callSite.file.lineAndColumn(of: frame.callSite.start)
      text += "  at \(frame.callSite.file.name):\(frameLine):\(frameColumn) in \(frame.function)"
      text += frame.repeatCount > 1 ? " (\(frame.repeatCount) times)\n" : "\n"
    }
    return text
  }

  /// `  7 | source` then `    |   ^~~` under the range (clipped to its first line).
  private func excerpt(_ range: SourceRange, severity: Severity) -> String {
    let file = range.file
    let (line, column) = file.lineAndColumn(of: range.start)
    let source = file.lineText(line)
    let (endLine, endColumn) = file.lineAndColumn(of: range.end)
    let lineLength = source.unicodeScalars.count
    let width =
      endLine == line ? Swift.max(1, endColumn - column) : Swift.max(1, lineLength - column + 1)
    let gutter = gutterWidth(line)
    let number = String(line)
    var text = String(repeating: " ", count: gutter - number.count) + number + " | "
    text += source.replacingOccurrences(of: "\t", with: " ") + "\n"
    text += String(repeating: " ", count: gutter) + " | "
    text += String(repeating: " ", count: column - 1)
    text += paint("^" + String(repeating: "~", count: width - 1), severity) + "\n"
    return text
  }

  private func gutterWidth(_ line: Int) -> Int { Swift.max(4, String(line).count + 1) }

  private func paint(_ text: String, _ severity: Severity) -> String {
    guard colored else { return text }
    let code =
      switch severity {
      case .error: "1;31"
      case .warning: "1;33"
      case .note: "1;36"
      }
    return "\u{1B}[\(code)m\(text)\u{1B}[0m"
  }

  // MARK: - JSON

  /// The diagnostics as a JSON array of objects with file, line, column, endLine, endColumn,
  /// severity, id, message, hint, notes and stack.
  public func renderJSON(_ diagnostics: [Diagnostic]) -> String {
    let objects = diagnostics.map(jsonObject)
    guard
      let data = try? JSONSerialization.data(
        withJSONObject: objects, options: [.prettyPrinted, .sortedKeys]),
      let text = String(data: data, encoding: .utf8)
    else { return "[]" }
    return text + "\n"
  }

  private func jsonObject(_ diagnostic: Diagnostic) -> [String: Any] {
    let file = diagnostic.range.file
    let (line, column) = file.lineAndColumn(of: diagnostic.range.start)
    let (endLine, endColumn) = file.lineAndColumn(of: diagnostic.range.end)
    var object: [String: Any] = [
      "file": file.name, "line": line, "column": column, "endLine": endLine,
      "endColumn": endColumn, "severity": diagnostic.severity.rawValue,
      "id": diagnostic.id.rawValue, "message": diagnostic.message,
      "notes": diagnostic.notes.map(jsonObject),
    ]
    if let hint = diagnostic.hint { object["hint"] = hint }
    if !diagnostic.stack.isEmpty {
      object["stack"] = diagnostic.stack.map { frame -> [String: Any] in
        let (l, c) = frame.callSite.file.lineAndColumn(of: frame.callSite.start)
        return [
          "function": frame.function, "file": frame.callSite.file.name, "line": l, "column": c,
        ]
      }
    }
    return object
  }
}

/// The closest of `candidates` to `name` by edit distance, if close enough to be a likely typo.
public func nearestName(to name: String, in candidates: some Sequence<String>) -> String? {
  let limit = Swift.max(1, name.count / 3)
  var best: (name: String, distance: Int)?
  for candidate in candidates where candidate != name {
    let distance = editDistance(name, candidate)
    if distance <= limit, distance < (best?.distance ?? .max) { best = (candidate, distance) }
  }
  return best?.name
}

/// Levenshtein distance over Unicode scalars.
func editDistance(_ a: String, _ b: String) -> Int {
  let a = Array(a.unicodeScalars)
  let b = Array(b.unicodeScalars)
  if a.isEmpty { return b.count }
  var previous = Array(0...b.count)
  for i in 1...a.count {
    var current = [i] + [Int](repeating: 0, count: b.count)
    for j in 1...Swift.max(b.count, 1) where j <= b.count {
      current[j] = Swift.min(
        previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.count]
}
