// When is an entry finished? The parser decides: if its only complaints are about reaching the
// end of the input (an open bracket or block, a trailing operator), the entry goes on.
import TauLang

/// How the REPL goes on after a line.
public enum Continuation: Equatable, Sendable {
  /// The entry is complete (or has an error that more lines cannot fix): run it.
  case none
  /// A bracket or block is open, or the line ends with an operator: read another line.
  case nextLine
  /// The line ended inside a string: read another line and join it with a `\n` escape, so the
  /// string holds a newline (strings in files end on their line; this is a typing convenience).
  case insideString
}

/// What `text`, the lines of the entry so far, needs.
public func continuation(after text: String) -> Continuation {
  if isMetaCommand(text) { return .none }
  let file = SourceFile(name: "<repl>", text: text)
  let tokens = Lexer.tokenize(file)
  if let last = tokens.last(where: { $0.kind != .eof }),
    case .invalid("unterminated string") = last.kind, last.range.end == text.utf8.count
  {
    return .insideString
  }
  let diagnostics = Parser.parse(file).diagnostics
  let needsMore =
    !diagnostics.isEmpty && diagnostics.allSatisfy { $0.id == "input.unexpectedEnd" }
  return needsMore ? .nextLine : .none
}
