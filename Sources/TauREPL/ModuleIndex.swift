// The declarations and functions that the modules on the search path define, read without running
// them, so that `:help leaky` and completion after `:help` work before `use cells`.
import Foundation
import TauLang

/// The top-level gates, cells, optimizers and functions of every module `use` can find.
struct ModuleIndex {
  struct Entry {
    var name: String
    var module: String
    /// `cell leaky(gate = multi)`, `fn adding(length, input = 2)`.
    var signature: String
    var documentation: String?
    /// `param Wr [hidden, hidden]` lines of a gate or cell.
    var parameters: [String]
  }

  private(set) var entries: [Entry] = []

  init(searchPath: SearchPath) {
    for (module, path) in searchPath.modules {
      guard let data = FileManager.default.contents(atPath: path) else { continue }
      let source = SourceFile(name: path, text: String(decoding: data, as: UTF8.self))
      entries += Self.entries(of: Parser.parse(source).program, module: module)
    }
  }

  func entry(named name: String) -> Entry? { entries.first { $0.name == name } }

  private static func entries(of program: Program, module: String) -> [Entry] {
    program.statements.compactMap { statement in
      switch statement.kind {
      case .declaration(let declaration):
        return Entry(
          name: declaration.name, module: module, signature: signature(of: declaration),
          documentation: declaration.documentation, parameters: declaredParameters(declaration))
      case .function(let literal, _):
        guard let name = literal.name else { return nil }
        return Entry(
          name: name, module: module, signature: "fn " + name + parameterList(literal.parameters),
          documentation: literal.documentation, parameters: [])
      default:
        return nil
      }
    }
  }
}

/// `gate multi`, `cell leaky(gate = multi)`: the header as written.
func signature(of declaration: Declaration) -> String {
  "\(declaration.kind.rawValue) \(declaration.name)"
    + (declaration.parameters.isEmpty ? "" : parameterList(declaration.parameters))
}

/// `(a, b = 1)`, defaults as written in the source.
func parameterList(_ parameters: [Parameter]) -> String {
  let items = parameters.map { parameter in
    parameter.defaultValue.map {
      "\(parameter.name) = \($0.range.file.text(of: $0.range))"
    } ?? parameter.name
  }
  return "(" + items.joined(separator: ", ") + ")"
}

/// The `param`, `state` and `gate z = …` lines of a gate's or cell's body, as written.
func declaredParameters(_ declaration: Declaration) -> [String] {
  declaration.body.statements.compactMap { statement in
    switch statement.kind {
    case .param, .state, .inlineGate:
      return statement.range.file.text(of: statement.range)
    default:
      return nil
    }
  }
}
