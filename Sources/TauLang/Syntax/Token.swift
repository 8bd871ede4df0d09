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
  case keywordUse
  case keywordTrue, keywordFalse, keywordAnd, keywordOr, keywordNot
  /// A lexical error; the message travels in the token (the lexer never throws).
  case invalid(String)

  static let keywords: [String: TokenKind] = [
    "let": .keywordLet, "var": .keywordVar, "fn": .keywordFn, "if": .keywordIf,
    "else": .keywordElse, "for": .keywordFor, "in": .keywordIn, "use": .keywordUse,
    "true": .keywordTrue, "false": .keywordFalse,
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
    case .keywordLet, .keywordVar, .keywordUse, .keywordFor: return true
    default: return false
    }
  }

  /// Whether a token of this kind can serve as a label, field or parameter name: names and
  /// keywords alike (`leaky(gate: multi)`, `run.loss`, `{in: 1}`).
  public var isNameLike: Bool {
    switch self {
    case .name: return true
    default: return TokenKind.spellings[self].map { TokenKind.keywords[$0] != nil } ?? false
    }
  }
}

/// Words that start a declaration when followed by a name at the start of a statement, and are
/// ordinary names everywhere else (a cell's `gate` parameter, `gate(h, x)`).
enum ContextualKeyword: String, CaseIterable {
  case gate, cell, optimizer, param, state
}

/// Every keyword, contextual ones included, sorted (for completion and `:help`).
public let keywordNames: [String] =
  (TokenKind.keywords.keys + ContextualKeyword.allCases.map(\.rawValue)).sorted()
