// The lexer: token kinds, numbers, strings and escapes, significant newlines, invalid input.
import Testing

@testable import TauLang

private func kinds(_ source: String) -> [TokenKind] {
  Lexer.tokenize(SourceFile(name: "t", text: source)).map(\.kind)
}

private func texts(_ source: String) -> [String] {
  Lexer.tokenize(SourceFile(name: "t", text: source)).dropLast().map(\.text)
}

@Suite struct LexerTests {
  @Test func operatorsAndPunctuation() {
    #expect(
      kinds("a..b == c != d <= e >= f @ g ^ h % i")
        == [
          .name, .dotDot, .name, .equalEqual, .name, .bangEqual, .name, .lessEqual, .name,
          .greaterEqual, .name, .at, .name, .caret, .name, .percent, .name, .eof,
        ])
  }

  @Test func numbersIncludingExponentsAndRanges() {
    #expect(texts("42 0.5 1e-3 2.5E+4 1..3") == ["42", "0.5", "1e-3", "2.5E+4", "1", "..", "3"])
    #expect(kinds("1.x") == [.number, .dot, .name, .eof])
  }

  @Test func malformedNumbersAreInvalidTokens() {
    guard case .invalid(let message) = kinds("1e+")[0] else {
      Issue.record("1e+ should be invalid")
      return
    }
    #expect(message.contains("exponent"))
    guard case .invalid = kinds("12abc")[0] else {
      Issue.record("12abc should be invalid")
      return
    }
  }

  @Test func stringsDecodeEscapes() {
    #expect(texts(#""a\tb\n\"q\" \\ \u{3C4}""#) == ["a\tb\n\"q\" \\ τ"])
    guard case .invalid(let message) = kinds("\"open\nx")[0] else {
      Issue.record("an unterminated string should be invalid")
      return
    }
    #expect(message == "unterminated string")
    guard case .invalid = kinds(#""bad \q""#)[0] else {
      Issue.record("an unknown escape should be invalid")
      return
    }
  }

  @Test func newlinesAreSignificantOnlyOutsideParenthesesAndBrackets() {
    #expect(kinds("a\nb") == [.name, .newline, .name, .eof])
    #expect(kinds("f(a,\nb)") == [.name, .leftParen, .name, .comma, .name, .rightParen, .eof])
    #expect(kinds("[1,\n2]") == [.leftBracket, .number, .comma, .number, .rightBracket, .eof])
    #expect(kinds("{a\nb}") == [.leftBrace, .name, .newline, .name, .rightBrace, .eof])
    // A block inside parentheses: its newlines separate statements again.
    #expect(
      kinds("f(fn() {\na\n})")
        == [
          .name, .leftParen, .keywordFn, .leftParen, .rightParen, .leftBrace, .newline, .name,
          .newline, .rightBrace, .rightParen, .eof,
        ])
  }

  @Test func statementKeywordsAtLineStartCloseForgottenBrackets() {
    #expect(
      kinds("f(1\nlet x = 2") == [
        .name, .leftParen, .number, .keywordLet, .name, .equal, .number, .eof,
      ])
    #expect(
      kinds("f(1,\nx)\n") == [
        .name, .leftParen, .number, .comma, .name, .rightParen, .newline, .eof,
      ])
  }

  @Test func commentsAndKeywords() {
    #expect(kinds("let x # comment\nfn") == [.keywordLet, .name, .newline, .keywordFn, .eof])
    // gate/cell/optimizer/param/state are contextual: the lexer sees names.
    #expect(kinds("gate cell state") == [.name, .name, .name, .eof])
  }

  @Test func unexpectedCharactersAreReportedWhole() {
    guard case .invalid(let message) = kinds("a € b")[1] else {
      Issue.record("€ should be invalid")
      return
    }
    #expect(message == "unexpected character '€'")
  }

  @Test func positionsCountUnicodeScalars() {
    let file = SourceFile(name: "t", text: "let τ = 1\n  x")
    let tokens = Lexer.tokenize(file)
    #expect(file.lineAndColumn(of: tokens[2].range.start) == (1, 7))
    #expect(file.lineAndColumn(of: tokens[5].range.start) == (2, 3))
    #expect(file.lineText(2) == "  x")
  }
}
