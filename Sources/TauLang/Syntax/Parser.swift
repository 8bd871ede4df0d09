// The recursive-descent parser: token navigation, error reporting and recovery. Statements and
// expressions are parsed in Parser+Statements.swift and Parser+Expressions.swift.

/// Parses Tau source into a `Program`, collecting every syntax error it can find.
///
/// Errors do not stop the parse: the parser records a diagnostic, skips to the next statement
/// boundary and continues (panic-mode recovery, as in Crafting Interpreters). An error at the end
/// of the input has the ID `input.unexpectedEnd`, which the REPL uses to ask for more lines.
public struct Parser {
  var tokens: [Token]
  var index = 0
  var diagnostics: [Diagnostic] = []
  let file: SourceFile
  /// Current nesting of expressions and blocks, bounded by `maxNestingDepth`.
  var depth = 0
  static let maxNestingDepth = 200

  public init(file: SourceFile) {
    self.file = file
    tokens = Lexer.tokenize(file)
  }

  /// Parses a whole file. The diagnostics are empty exactly when the program is well formed.
  public static func parse(_ file: SourceFile) -> (program: Program, diagnostics: [Diagnostic]) {
    var parser = Parser(file: file)
    let statements = parser.parseStatements(until: .eof)
    return (Program(statements: statements, file: file), parser.diagnostics)
  }

  // MARK: - Tokens

  var current: Token { tokens[index] }
  var previous: Token { tokens[Swift.max(index - 1, 0)] }

  func at(_ kind: TokenKind) -> Bool { current.kind == kind }

  func peekKind(_ ahead: Int) -> TokenKind {
    tokens[Swift.min(index + ahead, tokens.count - 1)].kind
  }

  @discardableResult
  mutating func advance() -> Token {
    let token = current
    if index < tokens.count - 1 { index += 1 }
    return token
  }

  /// Consumes a token of `kind` if there is one.
  mutating func match(_ kind: TokenKind) -> Bool {
    guard at(kind) else { return false }
    advance()
    return true
  }

  mutating func skipNewlines() {
    while at(.newline) { advance() }
  }

  /// Consumes a token of `kind` or reports `expected …` and throws to unwind the statement.
  @discardableResult
  mutating func expect(_ kind: TokenKind, _ what: String? = nil) throws(ParseError) -> Token {
    guard at(kind) else { throw error(expected: what ?? kind.display) }
    return advance()
  }

  /// Consumes a name or a keyword used as one (labels, fields, parameters).
  mutating func expectNameLike(_ what: String) throws(ParseError) -> Token {
    guard current.kind.isNameLike else { throw error(expected: what) }
    return advance()
  }

  /// Records `expected X, found Y` at the current token.
  mutating func error(expected: String) -> ParseError {
    if case .invalid(let message) = current.kind {
      return error("lex.invalid", message, at: current.range)
    }
    let found = current.kind == .name ? "'\(current.text)'" : current.kind.display
    return error("parse.expected", "expected \(expected), found \(found)", at: current.range)
  }

  /// Records a diagnostic; at the end of input its ID becomes `input.unexpectedEnd`.
  mutating func error(_ id: DiagnosticID, _ message: String, at range: SourceRange) -> ParseError {
    let atEnd = current.kind == .eof && range.start >= current.range.start
    // One report per place: recovery may stop on the token that caused the error.
    if diagnostics.last?.range.start != range.start {
      diagnostics.append(Diagnostic(atEnd ? "input.unexpectedEnd" : id, message, at: range))
    }
    return ParseError()
  }

  /// A range from `start` to the end of the last consumed token.
  func range(from start: SourceRange) -> SourceRange {
    SourceRange(file: file, start: start.start, end: Swift.max(previous.range.end, start.end))
  }

  mutating func enterNesting() throws(ParseError) {
    depth += 1
    if depth > Parser.maxNestingDepth {
      throw error(
        "parse.tooDeep",
        "expression nested too deeply (more than \(Parser.maxNestingDepth) levels)",
        at: current.range)
    }
  }

  // MARK: - Recovery

  /// Skips to the start of the next statement: past a newline or `;` outside brackets, or up to
  /// a `}` that closes the current block, or up to a declaration keyword.
  mutating func synchronize() {
    var nesting = 0
    while !at(.eof) {
      switch current.kind {
      case .newline where nesting == 0, .semicolon where nesting == 0:
        advance()
        return
      case .leftBrace, .leftParen, .leftBracket:
        nesting += 1
      case .rightBrace where nesting == 0:
        return  // it may close the block being parsed
      case .rightBrace, .rightParen, .rightBracket:
        nesting = Swift.max(0, nesting - 1)  // a stray ')' or ']' at depth 0 is skipped
      case let kind
      where current.startsLine
        && (kind.beginsStatementOnly || kind == .keywordFn
          || (kind == .name && ContextualKeyword(rawValue: current.text) != nil
            && peekKind(1) == .name)):
        return
      default:
        break
      }
      advance()
    }
  }
}

/// Thrown inside the parser to unwind to the statement loop; the diagnostic is already recorded.
struct ParseError: Error {}
