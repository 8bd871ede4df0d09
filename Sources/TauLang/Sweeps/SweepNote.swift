// What a sweep item reported besides its printed text (warnings, notes) and the charts it drew,
// stored with the item so that the run passes them on when the item was computed elsewhere (a
// worker process, or a shard whose results `tau merge` replays), as a sequential run shows them.
import Foundation

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

/// A diagnostic without its source file object: the file by name, the range by offsets.
struct StoredDiagnostic: Codable, Sendable {
  let id: String
  let severity: String
  let message: String
  let hint: String?
  let file: String
  let start: Int
  let end: Int
  let notes: [StoredDiagnostic]

  init(_ diagnostic: Diagnostic) {
    id = diagnostic.id.rawValue
    severity = diagnostic.severity.rawValue
    message = diagnostic.message
    hint = diagnostic.hint
    (file, start, end) = (diagnostic.range.file.name, diagnostic.range.start, diagnostic.range.end)
    notes = diagnostic.notes.map(StoredDiagnostic.init)
  }

  /// The diagnostic again, its range in `files[name]` when the run has that file, else in the
  /// file of that name read from disk (the worker ran the same script and modules).
  func diagnostic(in files: inout [String: SourceFile]) -> Diagnostic {
    let source =
      files[file]
      ?? {
        let text = FileManager.default.contents(atPath: file).map {
          String(decoding: $0, as: UTF8.self)
        }
        let read = SourceFile(name: file, text: text ?? "")
        files[file] = read
        return read
      }()
    let bounded = Swift.min(Swift.max(start, 0), source.text.utf8.count)
    let range = SourceRange(
      file: source, start: bounded, end: Swift.min(Swift.max(end, bounded), source.text.utf8.count))
    return Diagnostic(
      DiagnosticID(id), message, at: range, severity: Severity(rawValue: severity) ?? .warning,
      hint: hint, notes: notes.map { $0.diagnostic(in: &files) })
  }
}

extension Interpreter {
  /// Shows what an item computed elsewhere printed, reported and drew, in the order it did, as
  /// if it had run here.
  func passOn(_ item: SweepItem, at site: SourceRange) {
    let text = Array(item.output.utf8)
    var written = 0
    var files = [site.file.name: site.file]
    for note in item.notes ?? [] {
      let upTo = Swift.min(Swift.max(note.after, written), text.count)
      if upTo > written { host.write(String(decoding: text[written..<upTo], as: UTF8.self)) }
      written = upTo
      switch note.kind {
      case .diagnostic(let stored): host.report(stored.diagnostic(in: &files))
      case .chart(let svg, let terminal, let file):
        host.produced(.plot(svg: svg, terminal: terminal, file: file))
      }
    }
    if written < text.count { host.write(String(decoding: text[written...], as: UTF8.self)) }
  }
}
