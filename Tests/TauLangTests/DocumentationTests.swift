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
}
