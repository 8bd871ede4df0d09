// Every diagnostic ID Tau can report is in DiagnosticCatalogue: those the error goldens produce,
// and every ID literal in Sources (also those no test reaches, which the debug-build check in
// DiagnosticID cannot see).
import Foundation
import Testing

@testable import TauLang

private let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .appendingPathComponent("../..")

/// The files under `folder` of the package whose names end in `suffix`.
private func files(under folder: String, endingIn suffix: String) throws -> [URL] {
  let base = packageRoot.appendingPathComponent(folder)
  let enumerator = try #require(FileManager.default.enumerator(atPath: base.path))
  return enumerator.compactMap { $0 as? String }.filter { $0.hasSuffix(suffix) }.sorted()
    .map { base.appendingPathComponent($0) }
}

/// `id` and the IDs of its notes.
private func ids(_ diagnostic: Diagnostic) -> [String] {
  [diagnostic.id.rawValue] + diagnostic.notes.flatMap(ids)
}

@Suite struct DiagnosticCatalogueTests {
  @Test func idsAreUniqueAndNamedByFamily() {
    let ids = DiagnosticCatalogue.entries.map(\.id)
    #expect(Set(ids).count == ids.count)
    for entry in DiagnosticCatalogue.entries {
      #expect(entry.id.wholeMatch(of: /[a-z]+\.[a-z][a-zA-Z]*/) != nil, "\(entry.id)")
      #expect(!entry.meaning.isEmpty && !entry.stage.isEmpty, "\(entry.id)")
    }
    #expect(DiagnosticCatalogue.meaning(of: "value.invalid") != nil)
    let unknown = "no.suchID"  // a variable: DiagnosticID("…") of a literal is checked too
    #expect(DiagnosticCatalogue.meaning(of: DiagnosticID(unknown)) == nil)
  }

  /// Runs every error golden in-process, as `tau run` does, and looks up what it reports.
  @Test func everyIDTheErrorGoldensReportIsCatalogued() throws {
    let goldens = try files(under: "Tests/Golden/errors", endingIn: ".tau")
    #expect(goldens.count >= 50)
    var seen = Set<String>()
    for url in goldens {
      let interpreter = Interpreter()
      let arguments = try? String(
        contentsOf: url.deletingPathExtension().appendingPathExtension("args"), encoding: .utf8)
      interpreter.scriptArguments =
        arguments?.split(whereSeparator: \.isWhitespace).map(String.init) ?? []
      let run = runSnippet(try String(contentsOf: url, encoding: .utf8), interpreter: interpreter)
      let reported = (run.diagnostics + run.warnings).flatMap(ids)
      #expect(!reported.isEmpty, "\(url.lastPathComponent) reports nothing")
      for id in reported {
        #expect(DiagnosticCatalogue.ids.contains(id), "\(url.lastPathComponent): \(id)")
      }
      seen.formUnion(reported)
    }
    #expect(seen.count >= 20)
  }

  /// An ID literal: the first argument of `Diagnostic(`, `PlotError(`, the parser's `error(`, or
  /// a literal compared with or chosen as an ID (`== "…"`, `return "…"`, `? "…"`) that starts
  /// with a catalogued family (so `return "readout.Wo"`, a parameter name, is not one).
  @Test func everyIDLiteralInTheSourcesIsCatalogued() throws {
    let families = Set(DiagnosticCatalogue.entries.map { $0.id.prefix { $0 != "." } })
    let argument = /(?:Diagnostic|Error|error)\(\s*"([a-z]+\.[a-zA-Z]+)"/
    let chosen = /(?:==|return|\?)\s*"([a-z]+\.[a-zA-Z]+)"/
    var found = 0
    for url in try files(under: "Sources", endingIn: ".swift") {
      let text = try String(contentsOf: url, encoding: .utf8)
      var literals = text.matches(of: argument).map { String($0.output.1) }
      literals += text.matches(of: chosen).map { String($0.output.1) }.filter {
        families.contains($0.prefix { $0 != "." })
      }
      for id in literals {
        #expect(DiagnosticCatalogue.ids.contains(id), "\(url.lastPathComponent): \(id)")
      }
      found += literals.count
    }
    #expect(found >= 150)
  }
}
