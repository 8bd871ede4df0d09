// Turns source text into tokens. Never throws: malformed input becomes `.invalid` tokens that
// the parser reports, so one run can show several errors.

/// Tau's scanner. Newlines are tokens (they end statements) except inside `(…)` and `[…]`;
/// inside `{…}` they stay significant because braces delimit blocks.
public struct Lexer {
  private let file: SourceFile
  private let bytes: [UInt8]
  private var position = 0
  /// Open brackets, innermost last, to decide whether a newline is significant.
  private var openBrackets: [UInt8] = []

  public init(file: SourceFile) {
    self.file = file
    bytes = file.utf8
  }

  /// All tokens, ending with `.eof`.
  public static func tokenize(_ file: SourceFile) -> [Token] {
    var lexer = Lexer(file: file)
    var tokens: [Token] = []
    while true {
      let token = lexer.next()
      tokens.append(token)
      if token.kind == .eof { return tokens }
    }
  }

  private var newlinesAreSignificant: Bool {
    guard let innermost = openBrackets.last else { return true }
    return innermost == UInt8(ascii: "{")
  }

  private func peek(_ ahead: Int = 0) -> UInt8 {
    position + ahead < bytes.count ? bytes[position + ahead] : 0
  }

  private func token(_ kind: TokenKind, from start: Int, text: String? = nil) -> Token {
    let range = SourceRange(file: file, start: start, end: position)
    return Token(kind: kind, range: range, text: text ?? file.text(of: range))
  }

  /// The next token.
  public mutating func next() -> Token {
    var token = scan()
    token.startsLine = isLineStart(token.range.start)
    if token.startsLine && token.kind.beginsStatementOnly {
      // Close the parentheses and brackets left open since the innermost block: a statement
      // cannot be inside them, but it can be inside a block inside them (a fn literal).
      while let last = openBrackets.last, last != UInt8(ascii: "{") { openBrackets.removeLast() }
    }
    return token
  }

  private func isLineStart(_ offset: Int) -> Bool {
    var i = offset - 1
    while i >= 0, bytes[i] == UInt8(ascii: " ") || bytes[i] == UInt8(ascii: "\t") { i -= 1 }
    return i < 0 || bytes[i] == UInt8(ascii: "\n")
  }

  private mutating func scan() -> Token {
    skipSpaceAndComments()
    let start = position
    guard position < bytes.count else { return token(.eof, from: start) }
    let c = bytes[position]
    position += 1
    switch c {
    case UInt8(ascii: "\n"):
      if !newlinesAreSignificant { return scan() }
      return token(.newline, from: start)
    case UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: "{"):
      openBrackets.append(c)
      return token(
        c == UInt8(ascii: "(") ? .leftParen : c == UInt8(ascii: "[") ? .leftBracket : .leftBrace,
        from: start)
    case UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "}"):
      closeBracket(c)
      return token(
        c == UInt8(ascii: ")") ? .rightParen : c == UInt8(ascii: "]") ? .rightBracket : .rightBrace,
        from: start)
    case UInt8(ascii: ","): return token(.comma, from: start)
    case UInt8(ascii: ":"): return token(.colon, from: start)
    case UInt8(ascii: ";"): return token(.semicolon, from: start)
    case UInt8(ascii: "+"): return token(.plus, from: start)
    case UInt8(ascii: "-"): return token(.minus, from: start)
    case UInt8(ascii: "*"): return token(.star, from: start)
    case UInt8(ascii: "/"): return token(.slash, from: start)
    case UInt8(ascii: "%"): return token(.percent, from: start)
    case UInt8(ascii: "^"): return token(.caret, from: start)
    case UInt8(ascii: "@"): return token(.at, from: start)
    case UInt8(ascii: "."):
      if peek() == UInt8(ascii: ".") {
        position += 1
        return token(.dotDot, from: start)
      }
      return token(.dot, from: start)
    case UInt8(ascii: "="): return twoCharacter(start, "=", .equalEqual, else: .equal)
    case UInt8(ascii: "<"): return twoCharacter(start, "=", .lessEqual, else: .less)
    case UInt8(ascii: ">"): return twoCharacter(start, "=", .greaterEqual, else: .greater)
    case UInt8(ascii: "!"):
      if peek() == UInt8(ascii: "=") {
        position += 1
        return token(.bangEqual, from: start)
      }
      return token(.invalid("unexpected character '!' (write 'not' for negation)"), from: start)
    case UInt8(ascii: "\""): return string(from: start)
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return number(from: start)
    default:
      if isNameStart(c) {
        while isNameContinuation(peek()) { position += 1 }
        let text = file.text(of: SourceRange(file: file, start: start, end: position))
        return token(TokenKind.keywords[text] ?? .name, from: start, text: text)
      }
      // Step over a whole UTF-8 sequence so the message shows the character.
      while position < bytes.count, bytes[position] & 0xC0 == 0x80 { position += 1 }
      let character = file.text(of: SourceRange(file: file, start: start, end: position))
      return token(.invalid("unexpected character '\(character)'"), from: start)
    }
  }

  private mutating func closeBracket(_ c: UInt8) {
    let opener: UInt8 =
      c == UInt8(ascii: ")")
      ? UInt8(ascii: "(") : c == UInt8(ascii: "]") ? UInt8(ascii: "[") : UInt8(ascii: "{")
    // Pop to the matching opener; a stray closer leaves the stack alone (the parser reports it).
    if let index = openBrackets.lastIndex(of: opener) {
      openBrackets.removeSubrange(index...)
    }
  }

  private mutating func twoCharacter(
    _ start: Int, _ second: Unicode.Scalar, _ kind: TokenKind, else single: TokenKind
  ) -> Token {
    if peek() == UInt8(ascii: second) {
      position += 1
      return token(kind, from: start)
    }
    return token(single, from: start)
  }

  private mutating func skipSpaceAndComments() {
    while position < bytes.count {
      switch bytes[position] {
      case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
        position += 1
      case UInt8(ascii: "#"):
        while position < bytes.count, bytes[position] != UInt8(ascii: "\n") { position += 1 }
      default:
        return
      }
    }
  }

  /// Integers and decimals: `42`, `0.5`, `1e-3`, `2.5E+4`. `1..3` lexes as 1, `..`, 3.
  private mutating func number(from start: Int) -> Token {
    while isDigit(peek()) { position += 1 }
    if peek() == UInt8(ascii: "."), isDigit(peek(1)) {
      position += 1
      while isDigit(peek()) { position += 1 }
    }
    if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
      let signed = peek(1) == UInt8(ascii: "+") || peek(1) == UInt8(ascii: "-")
      if isDigit(peek(signed ? 2 : 1)) {
        position += signed ? 2 : 1
        while isDigit(peek()) { position += 1 }
      } else {
        position += 1
        return token(.invalid("malformed number: expected digits after the exponent"), from: start)
      }
    }
    if isNameStart(peek()) {
      while isNameContinuation(peek()) { position += 1 }
      return token(.invalid("malformed number"), from: start)
    }
    return token(.number, from: start)
  }

  /// A string literal with escapes `\n \t \" \\ \u{1F600}`; the token's text is the decoded value.
  private mutating func string(from start: Int) -> Token {
    var value = ""
    var raw: [UInt8] = []
    func flush() {
      value += String(decoding: raw, as: UTF8.self)
      raw.removeAll()
    }
    while position < bytes.count {
      let c = bytes[position]
      position += 1
      switch c {
      case UInt8(ascii: "\""):
        flush()
        return token(.string, from: start, text: value)
      case UInt8(ascii: "\n"):
        position -= 1
        return token(.invalid("unterminated string"), from: start)
      case UInt8(ascii: "\\"):
        flush()
        // A backslash ending the input leaves the string unterminated; stepping over a missing
        // escape would put the next token past the end of the file (found by fuzzing).
        guard position < bytes.count else { break }
        let escape = peek()
        position += 1
        switch escape {
        case UInt8(ascii: "n"): value += "\n"
        case UInt8(ascii: "t"): value += "\t"
        case UInt8(ascii: "r"): value += "\r"
        case UInt8(ascii: "\""): value += "\""
        case UInt8(ascii: "\\"): value += "\\"
        case UInt8(ascii: "0"): value += "\0"
        case UInt8(ascii: "u"):
          guard let scalar = unicodeEscape() else {
            return skipRestOfString(from: start, "malformed unicode escape (write \\u{1F600})")
          }
          value.unicodeScalars.append(scalar)
        default:
          let shown = escape == 0 ? "" : String(UnicodeScalar(escape))
          return skipRestOfString(from: start, "unknown escape sequence '\\\(shown)'")
        }
      default:
        raw.append(c)
      }
    }
    return token(.invalid("unterminated string"), from: start)
  }

  /// After a bad escape: an invalid token covering the whole string literal, so that the rest
  /// of the string is not read as code.
  private mutating func skipRestOfString(from start: Int, _ message: String) -> Token {
    while position < bytes.count, bytes[position] != UInt8(ascii: "\n") {
      let c = bytes[position]
      position += 1
      if c == UInt8(ascii: "\\") && position < bytes.count && bytes[position] != UInt8(ascii: "\n")
      {
        position += 1
      } else if c == UInt8(ascii: "\"") {
        break
      }
    }
    return token(.invalid(message), from: start)
  }

  private mutating func unicodeEscape() -> Unicode.Scalar? {
    guard peek() == UInt8(ascii: "{") else { return nil }
    position += 1
    var digits = ""
    while position < bytes.count, bytes[position] != UInt8(ascii: "}"), digits.count <= 8 {
      digits.append(Character(UnicodeScalar(bytes[position])))
      position += 1
    }
    guard peek() == UInt8(ascii: "}"), let code = UInt32(digits, radix: 16) else { return nil }
    position += 1
    return Unicode.Scalar(code)
  }
}

private func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

private func isNameStart(_ c: UInt8) -> Bool {
  (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z"))
    || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
    || c == UInt8(ascii: "_")
}

private func isNameContinuation(_ c: UInt8) -> Bool { isNameStart(c) || isDigit(c) }
