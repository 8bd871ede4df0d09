// Statements and declarations.

extension Parser {
  /// statements → { statement (newline | ';') } up to `end` (`}` or end of input).
  mutating func parseStatements(until end: TokenKind) -> [Stmt] {
    var statements: [Stmt] = []
    while true {
      while at(.newline) || at(.semicolon) { advance() }
      if at(end) || at(.eof) { return statements }
      let before = index
      if at(.rightBrace) {
        // A '}' where a statement should start, at the top level: report it once, step over.
        _ = error("parse.strayBrace", "unexpected '}' with no open block", at: current.range)
        advance()
        continue
      }
      do {
        statements.append(try parseStatement())
        if !(at(.newline) || at(.semicolon) || at(end) || at(.eof)) {
          throw error(expected: "a newline or ';' after the statement")
        }
      } catch {
        synchronize()
      }
      // Every iteration must consume input (swift-syntax's loop-progress rule).
      if index == before { advance() }
    }
  }

  /// statement → use | let | var | fn | gate | cell | optimizer | param | state | for
  ///           | 'gate' name [bounds] '=' expression | name '=' expression | expression
  mutating func parseStatement() throws(ParseError) -> Stmt {
    let start = current.range
    switch current.kind {
    case .keywordUse:
      advance()
      let name = try expect(.name, "a module name after 'use'")
      return Stmt(kind: .use(module: name.text, moduleRange: name.range), range: range(from: start))
    case .keywordLet, .keywordVar:
      let isMutable = advance().kind == .keywordVar
      let name = try expect(.name, "a name after '\(isMutable ? "var" : "let")'")
      try expect(.equal, "'=' after '\(name.text)'")
      skipNewlines()
      let value = try parseExpression()
      return Stmt(
        kind: .binding(name: name.text, nameRange: name.range, value: value, isMutable: isMutable),
        range: range(from: start))
    case .keywordFn where peekKind(1) == .name:
      advance()
      let name = advance()
      let function = try parseFunctionRest(name: name.text)
      return Stmt(kind: .function(function, nameRange: name.range), range: range(from: start))
    case .name where contextualKeyword(in: [.gate, .cell, .optimizer]) != nil:
      return try parseDeclaration()
    case .name where contextualKeyword(in: [.param, .state]) != nil:
      let isParam = advance().text == "param"
      let name = try expect(.name, "a name after '\(isParam ? "param" : "state")'")
      var shape: [Expr]?
      if at(.leftBracket) {
        advance()
        shape = try parseCommaSeparated(until: .rightBracket) {
          (p: inout Parser) throws(ParseError) in
          try p.parseExpression()
        }
      }
      var initializer: Expr?
      if match(.equal) {
        skipNewlines()
        initializer = try parseExpression()
      }
      let kind: StmtKind =
        isParam
        ? .param(name: name.text, nameRange: name.range, shape: shape, initializer: initializer)
        : .state(name: name.text, nameRange: name.range, shape: shape, initializer: initializer)
      return Stmt(kind: kind, range: range(from: start))
    case .keywordFor:
      advance()
      let variable = try expect(.name, "a loop variable after 'for'")
      try expect(.keywordIn, "'in' after the loop variable")
      let sequence = try parseExpression()
      let body = try parseBlock(opener: "for")
      return Stmt(
        kind: .forLoop(
          variable: variable.text, variableRange: variable.range, sequence: sequence, body: body),
        range: range(from: start))
    case .name where peekKind(1) == .equal:
      let name = advance()
      advance()
      skipNewlines()
      let value = try parseExpression()
      return Stmt(
        kind: .assignment(name: name.text, nameRange: name.range, value: value),
        range: range(from: start))
    default:
      let expression = try parseExpression()
      if at(.equal) {
        throw error(
          "parse.invalidAssignment", "only a plain name can be assigned to", at: expression.range)
      }
      return Stmt(kind: .expression(expression), range: expression.range)
    }
  }

  /// The contextual keyword the current token is, if it is one of `words` and a name follows.
  func contextualKeyword(in words: [ContextualKeyword]) -> ContextualKeyword? {
    guard at(.name), peekKind(1) == .name, let word = ContextualKeyword(rawValue: current.text),
      words.contains(word)
    else { return nil }
    return word
  }

  /// declaration → ('gate' | 'cell' | 'optimizer') name ['(' parameters ')'] [bounds]
  ///                ['layered'] block
  /// inline gate → 'gate' name [bounds] '=' expression (the '=' tells the two apart)
  mutating func parseDeclaration() throws(ParseError) -> Stmt {
    let start = current.range
    let keyword = advance()
    let kind = DeclarationKind(rawValue: keyword.text) ?? .gate
    let name = try expect(.name, "a name after '\(kind.rawValue)'")
    var parameters: [Parameter] = []
    let parametersStart = current.range
    if at(.leftParen) { parameters = try parseParameters() }
    let parametersRange = parameters.isEmpty ? nil : range(from: parametersStart)
    var bounds: ValueBounds?
    if at(.keywordIn) {
      bounds = try parseValueBounds()
      if kind != .gate, let bounds {
        _ = error(
          "parse.unexpected", "only a gate declares the range of its value", at: bounds.range)
      }
    }
    if kind == .gate, at(.equal) {
      if let parametersRange {
        _ = error(
          "parse.unexpected",
          "a gate marked in a cell body ('gate \(name.text) = …') takes no parameters",
          at: parametersRange)
      }
      advance()
      skipNewlines()
      let value = try parseExpression()
      return Stmt(
        kind: .inlineGate(name: name.text, nameRange: name.range, bounds: bounds, value: value),
        range: range(from: start))
    }
    // `layered` is a word only here, before the body: cells may still use it as a name.
    var namesLayers = false
    if at(.name), current.text == "layered", peekKind(1) == .leftBrace {
      let word = advance()
      if kind != .cell {
        _ = error("parse.unexpected", "only a cell is layered", at: word.range)
      }
      namesLayers = true
    }
    let body = try parseBlock(opener: "\(kind.rawValue) '\(name.text)'")
    let declaration = Declaration(
      kind: kind, name: name.text, nameRange: name.range, parameters: parameters,
      valueBounds: bounds, namesLayers: namesLayers, body: body, range: range(from: start))
    return Stmt(kind: .declaration(declaration), range: declaration.range)
  }

  /// bounds → 'in' '[' number ',' number ']', numbers possibly negative, lower < upper.
  mutating func parseValueBounds() throws(ParseError) -> ValueBounds {
    let start = advance().range
    try expect(.leftBracket, "'[' to start the gate's range, as in 'in [-1, 1]'")
    let lower = try parseSignedNumber()
    try expect(.comma, "',' between the ends of the range")
    let upper = try parseSignedNumber()
    try expect(.rightBracket, "']' to close the range")
    let bounds = ValueBounds(lower: lower, upper: upper, range: range(from: start))
    guard lower < upper, lower.isFinite, upper.isFinite else {
      throw error(
        "parse.invalidRange", "a gate's range needs finite ends with lower < upper",
        at: bounds.range)
    }
    return bounds
  }

  private mutating func parseSignedNumber() throws(ParseError) -> Double {
    let negative = match(.minus)
    let token = try expect(.number, "a number")
    guard let value = Double(token.text) else {
      throw error("lex.invalid", "malformed number '\(token.text)'", at: token.range)
    }
    return negative ? -value : value
  }

  /// After `fn` (and the name, if any): '(' parameters ')' block
  mutating func parseFunctionRest(name: String?) throws(ParseError) -> FunctionLiteral {
    guard at(.leftParen) else { throw error(expected: "'(' to start the parameter list") }
    let parameters = try parseParameters()
    let body = try parseBlock(opener: name.map { "fn '\($0)'" } ?? "fn")
    return FunctionLiteral(name: name, parameters: parameters, body: body)
  }

  /// parameters → '(' [name ['=' expression] {',' …}] ')'
  mutating func parseParameters() throws(ParseError) -> [Parameter] {
    try expect(.leftParen)
    let parameters = try parseCommaSeparated(until: .rightParen) {
      (p: inout Parser) throws(ParseError) -> Parameter in
      let name = try p.expect(.name, "a parameter name")
      var value: Expr?
      if p.match(.equal) { value = try p.parseExpression() }
      return Parameter(name: name.text, nameRange: name.range, defaultValue: value)
    }
    var seen: Set<String> = []
    for parameter in parameters where !seen.insert(parameter.name).inserted {
      _ = error(
        "check.duplicate", "duplicate parameter '\(parameter.name)'", at: parameter.nameRange)
    }
    return parameters
  }

  /// block → '{' statements '}'
  mutating func parseBlock(opener: String) throws(ParseError) -> Block {
    let start = current.range
    guard at(.leftBrace) else { throw error(expected: "'{' to start the body of \(opener)") }
    let open = advance()
    try enterNesting()
    defer { depth -= 1 }
    let statements = parseStatements(until: .rightBrace)
    guard at(.rightBrace) else {
      let line = file.lineAndColumn(of: open.range.start).line
      throw error(expected: "'}' to close \(opener) at line \(line)")
    }
    advance()
    return Block(statements: statements, range: range(from: start))
  }

  /// Items separated by commas (newlines allowed around them) up to and including `closer`;
  /// a trailing comma is allowed.
  mutating func parseCommaSeparated<T>(
    until closer: TokenKind, _ item: (inout Parser) throws(ParseError) -> T
  ) throws(ParseError) -> [T] {
    let opener = previous
    var items: [T] = []
    skipNewlines()
    while !at(closer) {
      items.append(try item(&self))
      skipNewlines()
      if match(.comma) {
        skipNewlines()
        continue
      }
      guard at(closer) else {
        let line = file.lineAndColumn(of: opener.range.start).line
        throw error(
          expected: "',' or \(closer.display) to close \(opener.kind.display) at line \(line)")
      }
    }
    advance()
    return items
  }
}
