// What TAB offers, decided from the text before the cursor with Tau's own lexer: meta-commands,
// file paths inside strings, module names after `use`, fields after `.`, named arguments inside
// a call, and otherwise keywords and the names in scope.
import Foundation
import TauLang

/// Candidates for the word before the cursor. Each candidate replaces `word` and carries its own
/// suffix (`steps: `, `data/`, `file.csv"`), so nothing else is appended.
public struct Completions: Equatable, Sendable {
  public var word: String
  public var candidates: [String]

  public init(word: String, candidates: [String]) {
    self.word = word
    self.candidates = candidates
  }

  static let none = Completions(word: "", candidates: [])
}

/// Completes Tau entries against a live session.
public struct Completer {
  let interpreter: Interpreter
  /// The folder relative paths start from.
  var workingDirectory = FileManager.default.currentDirectoryPath

  public init(interpreter: Interpreter) { self.interpreter = interpreter }

  /// Completions for `text`, everything typed in the entry up to the cursor.
  public func complete(_ text: String) -> Completions {
    if isMetaCommand(text) { return completeMetaCommand(text) }
    let tokens = Lexer.tokenize(SourceFile(name: "<completion>", text: text)).filter {
      $0.kind != .eof
    }
    let end = text.utf8.count
    if let last = tokens.last, case .invalid("unterminated string") = last.kind,
      last.range.end == end
    {
      let content = String(decoding: Array(text.utf8)[(last.range.start + 1)...], as: UTF8.self)
      return completePath(content, closing: "\"")
    }
    let word = String(text.reversed().prefix { $0.isLetter || $0.isNumber || $0 == "_" }.reversed())
    if word.first?.isNumber == true { return .none }
    let before = tokens.filter { $0.range.end <= end - word.utf8.count }
    let previous = before.last { $0.kind != .newline }
    switch previous?.kind {
    case .dot?:
      return Completions(
        word: word,
        candidates: (valueOfChain(before.dropLast(), in: text).map(fieldNames) ?? []).filter {
          $0.hasPrefix(word)
        })
    case .keywordUse?:
      return Completions(word: word, candidates: moduleNames().filter { $0.hasPrefix(word) })
    default:
      break
    }
    // Where an argument starts, the call's parameter names come first: `st` → `steps: `, even
    // though `std` and `str` are names too.
    let labels = (argumentLabels(before, in: text) ?? []).filter { $0.hasPrefix(word) }
    if !labels.isEmpty { return Completions(word: word, candidates: labels.map { $0 + ": " }) }
    return Completions(word: word, candidates: unique(namesInScope().filter { $0.hasPrefix(word) }))
  }

  // MARK: - Contexts

  /// `:he` → `:help `; after the command, its argument; after `?`, a help topic.
  private func completeMetaCommand(_ text: String) -> Completions {
    let trimmed = String(text.drop { $0 == " " || $0 == "\t" })
    if trimmed.hasPrefix("?") {
      return completeHelpTopic(String(trimmed.dropFirst().drop { $0 == " " }))
    }
    guard let space = trimmed.firstIndex(of: " ") else {
      let candidates = MetaCommand.specs.filter { (":" + $0.name).hasPrefix(trimmed) }.map {
        spec -> String in
        if case .none = spec.argument { return ":" + spec.name }
        return ":" + spec.name + " "
      }
      return Completions(word: trimmed, candidates: candidates)
    }
    let argument = String(trimmed[trimmed.index(after: space)...].drop { $0 == " " })
    switch MetaCommand.spec(named: String(trimmed.dropFirst()[..<space]))?.name {
    case "help":
      return completeHelpTopic(argument)
    case "load":
      return completePath(argument, closing: "", extensions: ["tau"])
    case "type", "time":
      return complete(argument)
    default:
      return .none
    }
  }

  /// Everything `:help` knows: names in scope, commands, and the modules' declarations.
  private func completeHelpTopic(_ word: String) -> Completions {
    let topics = namesInScope() + MetaCommand.specs.map { ":" + $0.name } + moduleExports()
    return Completions(word: word, candidates: unique(topics.filter { $0.hasPrefix(word) }))
  }

  /// File names for the last path component of `partial`; folders end in `/`, files in
  /// `closing` (the string's closing quote). Hidden files only when asked for with a dot.
  func completePath(_ partial: String, closing: String, extensions: Set<String>? = nil)
    -> Completions
  {
    let slash = partial.lastIndex(of: "/")
    let folder = slash.map { String(partial[...$0]) } ?? ""
    let base = slash.map { String(partial[partial.index(after: $0)...]) } ?? partial
    let directory =
      folder.hasPrefix("/")
      ? folder : workingDirectory + "/" + (folder.isEmpty ? "." : folder)
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    let candidates = names.filter {
      $0.hasPrefix(base) && (base.hasPrefix(".") || !$0.hasPrefix("."))
    }
    .compactMap { name -> String? in
      var isFolder: ObjCBool = false
      _ = FileManager.default.fileExists(atPath: directory + "/" + name, isDirectory: &isFolder)
      if isFolder.boolValue { return name + "/" }
      if let extensions, !extensions.contains((name as NSString).pathExtension) { return nil }
      return name + closing
    }
    return Completions(word: base, candidates: candidates.sorted())
  }

  /// Parameter names of the call whose argument list the cursor is in, when the cursor is where
  /// an argument starts; those already given by name are left out.
  private func argumentLabels(_ tokens: [Token], in text: String) -> [String]? {
    var open: [Int] = []
    for (index, token) in tokens.enumerated() {
      switch token.kind {
      case .leftParen, .leftBracket, .leftBrace: open.append(index)
      case .rightParen, .rightBracket, .rightBrace: _ = open.popLast()
      default: break
      }
    }
    guard let paren = open.last, tokens[paren].kind == .leftParen, paren > 0,
      let previous = tokens.last(where: { $0.kind != .newline }),
      previous.kind == .leftParen || previous.kind == .comma
    else { return nil }
    let parameters: [String]
    switch valueOfChain(tokens[..<paren], in: text) {
    case .function(.builtin(let builtin))?:
      parameters = builtin.parameters.filter { !$0.isVariadic }.map(\.name)
    case .function(.closure(let closure))?:
      parameters = closure.literal.parameters.map(\.name)
    case .declaration(let value)?:
      parameters = value.declaration.parameters.map(\.name)
    default:
      return nil
    }
    // Labels at the call's own depth: `name :` right after `(` or `,`.
    var given = Set<String>()
    var depth = 0
    for (index, token) in tokens[(paren + 1)...].enumerated() {
      let position = paren + 1 + index
      switch token.kind {
      case .leftParen, .leftBracket, .leftBrace: depth += 1
      case .rightParen, .rightBracket, .rightBrace: depth -= 1
      case .colon where depth == 0 && position > 0 && tokens[position - 1].kind.isNameLike:
        given.insert(tokens[position - 1].text)
      default: break
      }
    }
    return parameters.filter { !given.contains($0) }
  }

  /// The value of the expression that ends the token list, if it is a chain of names, fields and
  /// indices (`run.rates[-1].rates`): evaluated only when that cannot call anything.
  private func valueOfChain(_ tokens: ArraySlice<Token>, in text: String) -> Value? {
    var start = tokens.endIndex
    var depth = 0
    scan: while start > tokens.startIndex {
      let token = tokens[start - 1]
      switch token.kind {
      case .rightBracket: depth += 1
      case .leftBracket:
        guard depth > 0 else { break scan }
        depth -= 1
      case .name, .dot, .number, .minus, .colon, .comma, .string: break
      default: if depth == 0 { break scan }
      }
      start -= 1
    }
    while start < tokens.endIndex, tokens[start].kind != .name { start += 1 }  // starts at a name
    guard start < tokens.endIndex, let lastToken = tokens.last else { return nil }
    let bytes = Array(text.utf8)[tokens[start].range.start..<lastToken.range.end]
    let source = SourceFile(name: "<completion>", text: String(decoding: bytes, as: UTF8.self))
    let (program, diagnostics) = Parser.parse(source)
    guard diagnostics.isEmpty, program.statements.count == 1,
      case .expression(let expression) = program.statements[0].kind, isPlainChain(expression)
    else { return nil }
    return try? interpreter.run(source)
  }

  // MARK: - Name tables

  /// Keywords and every name the session sees (built-ins, `use`d modules, its own bindings).
  func namesInScope() -> [String] {
    keywordNames + interpreter.globalNames.sorted()
  }

  /// Names of the modules `use` can find.
  func moduleNames() -> [String] { interpreter.modules.searchPath.modules.map(\.name) }

  /// Names declared at the top of the modules on the search path (for `:help` on a name not
  /// yet brought in with `use`).
  func moduleExports() -> [String] {
    ModuleIndex(searchPath: interpreter.modules.searchPath).entries.map(\.name)
  }
}

/// Whether an expression only reads names, fields and constant indices. Walks down the chain in
/// a loop: `a.b.c…` may be as long as the line, and only index items nest (within the parser's
/// nesting limit).
private func isPlainChain(_ expression: Expr) -> Bool {
  var node = expression
  while true {
    switch node.kind {
    case .name, .number, .string: return true
    case .unary(.negate, let operand): node = operand
    case .field(let base, _, _): node = base
    case .index(let base, let items):
      let plainItems = items.allSatisfy { item in
        switch item {
        case .single(let index): return isPlainChain(index)
        case .slice(let lower, let upper, _):
          return (lower.map(isPlainChain) ?? true) && (upper.map(isPlainChain) ?? true)
        }
      }
      guard plainItems else { return false }
      node = base
    default: return false
    }
  }
}

/// The elements in their first order, each once.
func unique(_ items: [String]) -> [String] {
  var seen = Set<String>()
  return items.filter { seen.insert($0).inserted }
}
