// Helpers for the language tests: run source text in a fresh interpreter and capture its output.
import Foundation
import Testing

@testable import TauLang

/// What running a snippet produced.
struct SnippetRun {
  var output: String
  var diagnostics: [Diagnostic]
  var warnings: [Diagnostic] = []
  var artifacts: [Artifact] = []
  var events: [ProgressEvent] = []
  var ids: [String] { diagnostics.map(\.id.rawValue) }
}

/// Parses, checks and runs `source` as a file named `test.tau`, recording what it reports.
func runSnippet(_ source: String, interpreter: Interpreter = Interpreter()) -> SnippetRun {
  let host = RecordingHost()
  interpreter.host = host
  var diagnostics: [Diagnostic] = []
  do {
    try interpreter.run(SourceFile(name: "test.tau", text: source))
  } catch {
    diagnostics = error.diagnostics
  }
  return SnippetRun(
    output: host.output, diagnostics: diagnostics, warnings: host.diagnostics,
    artifacts: host.artifacts, events: host.events)
}

/// The source with its `‸` marker removed, and the marker's UTF-8 offset.
func unmark(_ marked: String) -> (source: String, offset: Int?) {
  guard let marker = marked.range(of: "‸") else { return (marked, nil) }
  let offset = marked[..<marker.lowerBound].utf8.count
  return (marked.replacingCharacters(in: marker, with: ""), offset)
}

/// Expects that parsing and checking `marked` reports diagnostic `id` at the `‸` marker.
func expectDiagnostic(
  _ id: String, _ marked: String, sourceLocation: SourceLocation = #_sourceLocation
) {
  let (source, offset) = unmark(marked)
  let run = runSnippet(source)
  guard let diagnostic = run.diagnostics.first(where: { $0.id.rawValue == id }) else {
    Issue.record(
      "expected \(id), got \(run.ids) for:\n\(source)", sourceLocation: sourceLocation)
    return
  }
  if let offset {
    #expect(
      diagnostic.range.start == offset, "\(id) at the wrong place", sourceLocation: sourceLocation)
  }
}
