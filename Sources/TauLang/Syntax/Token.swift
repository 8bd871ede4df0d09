// Tokens of the Tau language.

/// The kinds of token. Keywords are separate kinds so the parser can switch on them.
public enum TokenKind: Equatable, Hashable, Sendable {
  case name, number, string
  case newline, eof
  // Brackets and punctuation
  case leftParen, rightParen, leftBracket, rightBracket, leftBrace, rightBrace
  case comma, colon, semicolon, dot, dotDot
  // Operators
  case plus, minus, star, slash, percent, caret, at
  case equal, equalEqual, bangEqual, less, lessEqual, greater, greaterEqual
  // Keywords
  case keywordLet, keywordVar, keywordFn, keywordIf, keywordElse, keywordFor, keywordIn
  case keywordUse, keywordGate, keywordCell, keywordOptimizer, keywordParam, keywordState
  case keywordTrue, keywordFalse, keywordAnd, keywordOr, keywordNot
  /// A lexical error; the message travels in the token (the lexer never throws).
  case invalid(String)

  static let keywords: [String: TokenKind] = [
    "let": .keywordLet, "var": .keywordVar, "fn": .keywordFn, "if": .keywordIf,
    "else": .keywordElse, "for": .keywordFor, "in": .keywordIn, "use": .keywordUse,
    "gate": .keywordGate, "cell": .keywordCell, "optimizer": .keywordOptimizer,
    "param": .keywordParam, "state": .keywordState, "true": .keywordTrue, "false": .keywordFalse,
    "and": .keywordAnd, "or": .keywordOr, "not": .keywordNot,
  ]

  /// How the token reads in messages: `'}'`, `end of input`, `a newline`.
  var display: String {
    switch self {
    case .name: return "a name"
    case .number: return "a number"
    case .string: return "a string"
    case .newline: return "a newline"
    case .eof: return "end of input"
    case .invalid: return "an invalid token"
    default:
      return "'" + (TokenKind.spellings[self] ?? "?") + "'"
    }
  }

  static let spellings: [TokenKind: String] = {
    var table: [TokenKind: String] = [
      .leftParen: "(", .rightParen: ")", .leftBracket: "[", .rightBracket: "]",
      .leftBrace: "{", .rightBrace: "}", .comma: ",", .colon: ":", .semicolon: ";", .dot: ".",
      .dotDot: "..", .plus: "+", .minus: "-", .star: "*", .slash: "/", .percent: "%",
      .caret: "^", .at: "@", .equal: "=", .equalEqual: "==", .bangEqual: "!=", .less: "<",
      .lessEqual: "<=", .greater: ">", .greaterEqual: ">=",
    ]
    for (word, kind) in keywords { table[kind] = word }
    return table
  }()
}

/// A token and where it is.
public struct Token: Sendable {
  public var kind: TokenKind
  public var range: SourceRange
  /// The token's text (for names, numbers) or decoded value (for strings).
  public var text: String
  /// Whether only spaces precede it on its line.
  public var startsLine = false
}

extension TokenKind {
  /// Keywords that can only begin a statement: at the start of a line they end any bracket left
  /// open above them, so one missing `)` does not swallow the rest of the file.
  var beginsStatementOnly: Bool {
    switch self {
    case .keywordLet, .keywordVar, .keywordGate, .keywordCell, .keywordOptimizer, .keywordUse,
      .keywordFor, .keywordParam, .keywordState:
      return true
    default:
      return false
    }
  }
}
