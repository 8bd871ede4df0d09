// Evaluation of left-leaning chains (`1 + 1 + … + 1`, `a.b.c`, `f(x)(y)`): the bottom operand
// first, then each link upwards in a loop, so a chain as long as the file costs no native stack.
// The order of evaluation is the recursive one: a link's left side, then the rest of it.

extension Interpreter {
  /// Evaluates a binary operator, range, call, index or field expression and the chain below it.
  func evaluateChain(_ expression: Expr, in env: Environment) throws -> Value {
    // The common case, one link (`a + b`, `f(x)`), without collecting a spine.
    if let left = expression.leftOperand, left.leftOperand == nil {
      return try apply(expression, to: try evaluate(left, in: env), in: env)
    }
    let (links, bottom) = expression.leftSpine
    var value = try evaluate(bottom, in: env)
    for link in links.reversed() { value = try apply(link, to: value, in: env) }
    return value
  }

  /// One link of a chain, given the value of its left operand.
  private func apply(_ link: Expr, to left: Value, in env: Environment) throws -> Value {
    switch link.kind {
    case .binary(let op, let lhs, let rhs) where op == .and || op == .or:
      let leftTruth = try truth(left, at: lhs.range)
      if op == .and ? !leftTruth : leftTruth { return .bool(leftTruth) }
      return .bool(try truth(try evaluate(rhs, in: env), at: rhs.range))
    case .binary(let op, _, let rhs):
      let right = try evaluate(rhs, in: env)
      return try binary(op, left, right, at: link.range)
    case .range(let lhs, let rhs):
      let lower = try wholeNumber(left, at: lhs.range)
      let upper = try wholeNumber(try evaluate(rhs, in: env), at: rhs.range)
      return .range(lower: lower, upper: upper)
    case .call(let calleeExpression, let arguments):
      let evaluated = try arguments.map { argument in
        EvaluatedArgument(
          label: argument.label, value: try evaluate(argument.value, in: env),
          range: argument.labelRange.map { $0.to(argument.value.range) } ?? argument.value.range)
      }
      let result: Value
      do {
        result = try call(left, evaluated, at: link.range, calleeRange: calleeExpression.range)
      } catch var diagnostic as Diagnostic where diagnostic.callerSearch != nil {
        diagnostic.passCall(of: left, at: link.range)  // Interpreter+CallerErrors.swift
        throw diagnostic
      }
      try checkResultNesting(of: left, evaluated, result, at: link.range)
      return result
    case .index(_, let items):
      // A record is indexed by a field name computed at run time: record["name"].
      if case .record = left, items.count == 1, case .single(let expression) = items[0] {
        let key = try evaluate(expression, in: env)
        guard case .string(let name) = key else {
          throw Diagnostic(
            "type.mismatch", "a record is indexed by a field name, got \(describeShort(key))",
            at: expression.range)
        }
        return try field(left, name, at: expression.range)
      }
      let indices = try items.map { try evaluateIndex($0, in: env) }
      return try index(left, indices, at: link.range)
    case .field(_, let name, let nameRange):
      return try field(left, name, at: nameRange)
    default:
      return left  // not a link: `leftSpine` lists only the kinds above
    }
  }
}
