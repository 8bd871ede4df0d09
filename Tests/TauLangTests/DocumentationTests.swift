// docs/LANGUAGE.md must document every built-in with its exact signature and every diagnostic ID,
// so adding either without documenting it fails the suite.
import Foundation
import TauTestSupport
import Testing

@testable import TauLang

@Suite struct DocumentationTests {
  @Test(arguments: BuiltinRegistry.all.map(\.name))
  func everyBuiltinIsDocumented(_ name: String) throws {
    let docs = try String(
      contentsOf: packageRoot.appendingPathComponent("docs/LANGUAGE.md"), encoding: .utf8)
    let builtin = try #require(BuiltinRegistry.named(name))
    #expect(
      docs.contains("`\(builtin.signature)`"), "docs/LANGUAGE.md lacks `\(builtin.signature)`")
  }

  @Test func everyConstantIsDocumented() throws {
    let docs = try String(
      contentsOf: packageRoot.appendingPathComponent("docs/LANGUAGE.md"), encoding: .utf8)
    for (name, _) in BuiltinRegistry.constants {
      #expect(docs.contains("`\(name)`"), "docs/LANGUAGE.md lacks the constant `\(name)`")
    }
  }

  @Test(arguments: ["gates", "cells", "optimizers", "schedules", "options", "tasks", "torch"])
  func stdlibSourceInTheDocsIsCurrent(_ module: String) throws {
    let docs = try String(
      contentsOf: packageRoot.appendingPathComponent("docs/LANGUAGE.md"), encoding: .utf8)
    let source = try String(
      contentsOf: packageRoot.appendingPathComponent("stdlib/\(module).tau"), encoding: .utf8)
    #expect(docs.contains(source), "docs/LANGUAGE.md §5.9 shows an old stdlib/\(module).tau")
  }

  /// §4.14's table of IDs is the catalogue: the same rows in the same order.
  @Test func theDiagnosticTableIsTheCatalogue() throws {
    let docs = try String(
      contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../docs/LANGUAGE.md"), encoding: .utf8)
    let section = try #require(
      docs.components(separatedBy: "### 4.14 Diagnostics").dropFirst().first?
        .components(separatedBy: "\n### ").first)
    let rows = section.split(separator: "\n").filter { $0.hasPrefix("| ") }.dropFirst()
      .map { line in
        line.dropFirst(2).dropLast(2).components(separatedBy: " | ")
      }
    let expected = DiagnosticCatalogue.entries.map { [$0.stage, "`\($0.id)`", $0.meaning] }
    #expect(rows.count == expected.count)
    for (row, entry) in zip(rows, expected) { #expect(row == entry) }
  }
}
