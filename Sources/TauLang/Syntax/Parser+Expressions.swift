// Expressions: a precedence-climbing loop over one binding-power table, then unary, postfix
// (calls, indexing, fields) and primary expressions.

/// Binding powers (left, right) of the binary operators; right < left makes `^` right-associative.
/// Comparisons are non-associative: `a < b < c` is an error.
let binaryBindingPower: [TokenKind: (left: Int, right: Int, op: BinaryOperator?)] = [
  .keywordOr: (1, 2, .or), .keywordAnd: (3, 4, .and),
  .equalEqual: (6, 7, .equal), .bangEqual: (6, 7, .notEqual), .less: (6, 7, .less),
  .lessEqual: (6, 7, .lessEqual), .greater: (6, 7, .greater), .greaterEqual: (6, 7, .greaterEqual),
  .dotDot: (8, 9, nil),  // a..b builds a range
  .plus: (10, 11, .add), .minus: (10, 11, .subtract),
  .star: (12, 13, .multiply), .slash: (12, 13, .divide), .percent: (12, 13, .remainder),
  .at: (12, 13, .matmul),
  .caret: (16, 15, .power),
]

/// `not` binds looser than comparisons; unary minus binds looser than `^` (so -2^2 = -4).
private let notOperandPower = 5
private let negateOperandPower = 14

extension Parser {
  /// expression → unary { binop expression } with operators binding tighter than `limit`.
  mutating func parseExpression(limit: Int = 0) throws(ParseError) -> Expr {
    try enterNesting()
    defer { depth -= 1 }
    var lhs = try parseUnary()
    var links = 0  // a chain of operators of one level is a loop here, not nesting
    while let power = binaryBindingPower[current.kind], power.left > limit {
      let operatorToken = advance()
      skipNewlines()  // a line may end with a binary operator
      let rhs = try parseExpression(limit: power.right)
      let range = lhs.range.to(rhs.range)
      if let op = power.op {
        if power.left == 6, !lhs.isParenthesized, case .binary(let inner, _, _) = lhs.kind,
          isComparison(inner)
        {
          throw error(
            "parse.chainedComparison", "comparisons cannot be chained; use 'and'",
            at: operatorToken.range)
        }
        lhs = Expr(kind: .binary(op, lhs, rhs), range: range)
      } else {
        lhs = Expr(kind: .range(lhs, rhs), range: range)
      }
      links += 1
      ChainAnchors.note(lhs, links: links)  // Parser+Depth.swift
    }
    return lhs
  }

  private func isComparison(_ op: BinaryOperator) -> Bool {
    [.equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual].contains(op)
  }

  /// unary → ('-' | 'not') unary | postfix
  mutating func parseUnary() throws(ParseError) -> Expr {
    let start = current.range
    if match(.minus) {
      let operand = try parseExpression(limit: negateOperandPower)
      if case .number(let value) = operand.kind, operand.range.start == start.end {
        return Expr(kind: .number(-value), range: start.to(operand.range))  // a literal -1
      }
      return Expr(kind: .unary(.negate, operand), range: start.to(operand.range))
    }
    if match(.keywordNot) {
      let operand = try parseExpression(limit: notOperandPower)
      return Expr(kind: .unary(.not, operand), range: start.to(operand.range))
    }
    return try parsePostfix(parsePrimary())
  }

  /// postfix → primary { '(' arguments ')' | '[' indices ']' | '.' name }
  mutating func parsePostfix(_ base: Expr) throws(ParseError) -> Expr {
    var expression = base
    var links = 0
    while true {
      if links > 0 { ChainAnchors.note(expression, links: links) }
      links += 1
      switch current.kind {
      case .leftParen:
        advance()
        let arguments = try parseArguments()
        expression = Expr(kind: .call(expression, arguments), range: range(from: expression.range))
      case .leftBracket:
        advance()
        let items = try parseCommaSeparated(until: .rightBracket) {
          (p: inout Parser) throws(ParseError) in try p.parseIndexItem()
        }
        if items.isEmpty {
          throw error("parse.expected", "expected an index inside '[]'", at: previous.range)
        }
        expression = Expr(kind: .index(expression, items), range: range(from: expression.range))
      case .dot:
        advance()
        let name = try expectNameLike("a field name after '.'")
        expression = Expr(
          kind: .field(expression, name: name.text, nameRange: name.range),
          range: range(from: expression.range))
      default:
        return expression
      }
    }
  }

  /// arguments → [argument {',' argument}] ')' where argument → [name ':'] expression;
  /// named arguments come after positional ones.
  private mutating func parseArguments() throws(ParseError) -> [CallArgument] {
    let arguments = try parseCommaSeparated(until: .rightParen) {
      (p: inout Parser) throws(ParseError) -> CallArgument in
      if p.current.kind.isNameLike && p.peekKind(1) == .colon {
        let label = p.advance()
        p.advance()
        p.skipNewlines()
        return CallArgument(
          label: label.text, labelRange: label.range, value: try p.parseExpression())
      }
      return CallArgument(label: nil, labelRange: nil, value: try p.parseExpression())
    }
    var sawLabel = false
    var labels: Set<String> = []
    for argument in arguments {
      if let label = argument.label, let labelRange = argument.labelRange {
        sawLabel = true
        if !labels.insert(label).inserted {
          _ = error("check.duplicate", "argument '\(label)' given twice", at: labelRange)
        }
      } else if sawLabel {
        _ = error(
          "parse.positionalAfterNamed", "positional argument after named arguments",
          at: argument.value.range)
      }
    }
    return arguments
  }

  /// index → expression | [expression] ':' [expression]
  private mutating func parseIndexItem() throws(ParseError) -> IndexItem {
    let start = current.range
    var lower: Expr?
    if !at(.colon) { lower = try parseExpression() }
    guard match(.colon) else {
      guard let lower else { throw error(expected: "an index") }
      return .single(lower)
    }
    var upper: Expr?
    if !at(.comma) && !at(.rightBracket) { upper = try parseExpression() }
    return .slice(lower: lower, upper: upper, range: range(from: start))
  }

  /// primary → number | string | true | false | name | '(' expression ')' | list | record
  ///         | if | fn-literal
  mutating func parsePrimary() throws(ParseError) -> Expr {
    let token = current
    switch token.kind {
    case .number:
      advance()
      guard let value = Double(token.text) else {
        throw error("lex.invalid", "malformed number '\(token.text)'", at: token.range)
      }
      return Expr(kind: .number(value), range: token.range)
    case .string:
      advance()
      return Expr(kind: .string(token.text), range: token.range)
    case .keywordTrue, .keywordFalse:
      advance()
      return Expr(kind: .bool(token.kind == .keywordTrue), range: token.range)
    case .name:
      advance()
      return Expr(kind: .name(token.text), range: token.range)
    case .leftParen:
      advance()
      skipNewlines()
      let inner = try parseExpression()
      skipNewlines()
      try expect(
        .rightParen, "')' to close '(' at line \(file.lineAndColumn(of: token.range.start).line)")
      var grouped = Expr(kind: inner.kind, range: range(from: token.range))
      grouped.isParenthesized = true
      return grouped
    case .leftBracket:
      advance()
      let items = try parseCommaSeparated(until: .rightBracket) {
        (p: inout Parser) throws(ParseError) in try p.parseExpression()
      }
      return Expr(kind: .list(items), range: range(from: token.range))
    case .leftBrace:
      return try parseRecord()
    case .keywordIf:
      return try parseIf()
    case .keywordFn:
      advance()
      let function = try parseFunctionRest(name: nil)
      return Expr(kind: .function(function), range: range(from: token.range))
    default:
      throw error(expected: "an expression")
    }
  }

  /// record → '{' [name ':' expression {',' …}] '}'
  private mutating func parseRecord() throws(ParseError) -> Expr {
    let start = advance().range
    let fields = try parseCommaSeparated(until: .rightBrace) {
      (p: inout Parser) throws(ParseError) -> RecordField in
      let name = try p.expectNameLike("a field name")
      try p.expect(.colon, "':' after the field name '\(name.text)'")
      p.skipNewlines()
      return RecordField(name: name.text, nameRange: name.range, value: try p.parseExpression())
    }
    var seen: Set<String> = []
    for field in fields where !seen.insert(field.name).inserted {
      _ = error("check.duplicate", "field '\(field.name)' given twice", at: field.nameRange)
    }
    return Expr(kind: .record(fields), range: range(from: start))
  }

  /// if → 'if' expression block ['else' (block | if)]; `else` may start the next line.
  private mutating func parseIf() throws(ParseError) -> Expr {
    let start = advance().range
    let condition = try parseExpression()
    let then = try parseBlock(opener: "if")
    var otherwise: Block?
    var lookahead = index
    while tokens[lookahead].kind == .newline { lookahead += 1 }
    if tokens[lookahead].kind == .keywordElse {
      index = lookahead
      advance()
      if at(.keywordIf) {
        // Each `else if` sits one level deeper in the tree, and in every walk of it.
        try enterNesting()
        defer { depth -= 1 }
        let nested = try parseIf()
        otherwise = Block(
          statements: [Stmt(kind: .expression(nested), range: nested.range)], range: nested.range)
      } else {
        otherwise = try parseBlock(opener: "else")
      }
    }
    return Expr(
      kind: .ifElse(condition: condition, then: then, otherwise: otherwise),
      range: range(from: start))
  }
}
