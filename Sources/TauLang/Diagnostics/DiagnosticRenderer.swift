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

/// The closest of `candidates` to `name` by edit distance (a swap of neighbours counts as one
/// edit), if close enough to be a likely typo. A name of one or two letters is only matched to
/// one that adds a letter (`sd` → `std`): every other short name would be "close".
public func nearestName(to name: String, in candidates: some Sequence<String>) -> String? {
  let length = name.unicodeScalars.count
  let limit = Swift.max(1, length / 3)
  var best: (name: String, distance: Int)?
  // Ties go to the earlier candidate: callers list the likeliest names first, in a fixed order.
  for candidate in candidates where candidate != name {
    if length <= 2 && candidate.unicodeScalars.count != length + 1 { continue }
    let distance = editDistance(name, candidate)
    if distance <= limit, distance < (best?.distance ?? .max) { best = (candidate, distance) }
  }
  return best?.name
}

/// Optimal-string-alignment distance over Unicode scalars: insertions, deletions, substitutions
/// and swaps of adjacent characters each cost one.
func editDistance(_ a: String, _ b: String) -> Int {
  let a = Array(a.unicodeScalars)
  let b = Array(b.unicodeScalars)
  if a.isEmpty { return b.count }
  if b.isEmpty { return a.count }
  var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
  for i in 0...a.count { table[i][0] = i }
  for j in 0...b.count { table[0][j] = j }
  for i in 1...a.count {
    for j in 1...b.count {
      let cost = a[i - 1] == b[j - 1] ? 0 : 1
      table[i][j] = Swift.min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
      if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
        table[i][j] = Swift.min(table[i][j], table[i - 2][j - 2] + 1)
      }
    }
  }
  return table[a.count][b.count]
}
