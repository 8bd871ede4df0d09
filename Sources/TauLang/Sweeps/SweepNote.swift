// What a sweep item reported besides its printed text (warnings, notes) and the charts it drew,
// stored with the item so that the run passes them on when the item was computed elsewhere (a
// worker process, or a shard whose results `tau merge` replays), as a sequential run shows them.

/// A diagnostic or a chart of one item, and where it came among what the item printed.
struct SweepNote: Codable, Sendable {
  enum Kind: Codable, Sendable {
    case diagnostic(StoredDiagnostic)
    case chart(svg: String, terminal: String, file: String?)
  }
  /// UTF-8 bytes of the item's printed text before it.
  let after: Int
  let kind: Kind
}

/// A diagnostic without its source file: the file's name and the one line its range starts on,
/// which is all a diagnostic shows (a range over several lines is cut at the end of the first).
/// The line travels with it, so showing it reads no file: a stored item may come from a
/// stranger's shard folder, and its paths are not trusted.
struct StoredDiagnostic: Codable, Sendable {
  let id: String
  let severity: String
  let message: String
  let hint: String?
  let file: String
  let line: Int
  let lineText: String
  /// UTF-8 offsets of the range in `lineText`.
  let start: Int
  let end: Int
  let notes: [StoredDiagnostic]

  init(_ diagnostic: Diagnostic) {
    id = diagnostic.id.rawValue
    severity = diagnostic.severity.rawValue
    message = diagnostic.message
    hint = diagnostic.hint
    let source = diagnostic.range.file
    file = source.name
    line = source.lineAndColumn(of: diagnostic.range.start).line
    lineText = source.lineText(line)
    let lineStart = source.lineStarts[line - 1]
    start = Swift.min(Swift.max(diagnostic.range.start - lineStart, 0), lineText.utf8.count)
    end = Swift.min(Swift.max(diagnostic.range.end - lineStart, start), lineText.utf8.count)
    notes = diagnostic.notes.map(StoredDiagnostic.init)
  }

  /// The diagnostic again, in a stand-in file holding its line at its place.
  var diagnostic: Diagnostic {
    // A stored line number is not trusted: a stand-in of at most a million lines.
    let padding = Swift.min(Swift.max(line, 1), 1_000_000) - 1
    let source = SourceFile(
      name: file, text: String(repeating: "\n", count: padding) + lineText)
    let count = lineText.utf8.count
    let (low, high) = (Swift.min(Swift.max(start, 0), count), Swift.min(Swift.max(end, 0), count))
    let range = SourceRange(file: source, start: padding + low, end: padding + Swift.max(low, high))
    return Diagnostic(
      DiagnosticID(id), message, at: range, severity: Severity(rawValue: severity) ?? .warning,
      hint: hint, notes: notes.map(\.diagnostic))
  }
}

extension Interpreter {
  /// Shows what an item computed elsewhere printed, reported and drew, in the order it did, as
  /// if it had run here.
  func passOn(_ item: SweepItem) {
    let text = Array(item.output.utf8)
    var written = 0
    for note in item.notes ?? [] {
      let upTo = Swift.min(Swift.max(note.after, written), text.count)
      if upTo > written { host.write(String(decoding: text[written..<upTo], as: UTF8.self)) }
      written = upTo
      switch note.kind {
      case .diagnostic(let stored): host.report(stored.diagnostic)
      case .chart(let svg, let terminal, let file):
        host.produced(.plot(svg: svg, terminal: terminal, file: file))
      }
    }
    if written < text.count { host.write(String(decoding: text[written...], as: UTF8.self)) }
  }
}
