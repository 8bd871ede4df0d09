// docs/LANGUAGE.md must document every built-in with its exact signature, so adding a built-in
// without documenting it fails the suite.
import Foundation
import Testing

@testable import TauLang

@Suite struct DocumentationTests {
  @Test(arguments: BuiltinRegistry.all.map(\.name))
  func everyBuiltinIsDocumented(_ name: String) throws {
    let docs = try String(
      contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../docs/LANGUAGE.md"), encoding: .utf8)
    let builtin = try #require(BuiltinRegistry.named(name))
    #expect(
      docs.contains("`\(builtin.signature)`"), "docs/LANGUAGE.md lacks `\(builtin.signature)`")
  }

  @Test func everyConstantIsDocumented() throws {
    let docs = try String(
      contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../docs/LANGUAGE.md"), encoding: .utf8)
    for (name, _) in BuiltinRegistry.constants {
      #expect(docs.contains("`\(name)`"), "docs/LANGUAGE.md lacks the constant `\(name)`")
    }
  }

  @Test(arguments: ["gates", "cells", "optimizers", "tasks"])
  func stdlibSourceInTheDocsIsCurrent(_ module: String) throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../..")
    let docs = try String(
      contentsOf: root.appendingPathComponent("docs/LANGUAGE.md"), encoding: .utf8)
    let source = try String(
      contentsOf: root.appendingPathComponent("stdlib/\(module).tau"), encoding: .utf8)
    #expect(docs.contains(source), "docs/LANGUAGE.md §5.9 shows an old stdlib/\(module).tau")
  }
}
