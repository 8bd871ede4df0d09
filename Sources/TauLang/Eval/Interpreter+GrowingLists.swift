// Growing a list in a loop, `x = append(x, v)` or `x = x + [v]`, in amortised constant time.
//
// Evaluated the ordinary way, the binding still holds the old list while `append` builds the new
// one, so the list is shared and every append copies it: 200 000 appends took minutes. Here the
// binding lets go of the old list just before it grows, so Swift's copy-on-write finds it
// unshared and appends in place. Values keep value semantics: a list that another binding also
// holds is still copied.
extension Interpreter {
  /// Runs `name = expression` if it grows the list `name` holds; false (nothing evaluated) if
  /// the assignment has another form and should run the ordinary way.
  func assignGrowingList(_ name: String, _ expression: Expr, in env: Environment) throws -> Bool {
    switch expression.kind {
    case .call(let callee, let arguments):
      guard case .name("append") = callee.kind, arguments.count == 2,
        case .name(let listName) = arguments[0].value.kind, listName == name,
        arguments[0].label ?? "list" == "list", arguments[1].label ?? "value" == "value",
        case .function(.builtin(let builtin))? = env.lookup("append"), builtin.name == "append",
        var items = env.mutableList(name)
      else { return false }
      // The same order as a call: arguments left to right, then the interrupt check.
      let value = try evaluate(arguments[1].value, in: env)
      do { try checkInterrupt() } catch {
        throw Diagnostic.interrupted("interrupted before calling 'append'", at: expression.range)
      }
      try checkListSize(items.count, plus: 1, operation: "append", at: expression.range)
      // As for an ordinary call of append: the value may be the list itself, one level deeper.
      try checkNesting(of: .list([value]), at: expression.range)
      env.release(name, ifHolding: items)
      items.append(value)
      _ = env.assign(name, .list(items))
      return true
    case .binary(.add, let lhs, let rhs):
      guard case .name(let listName) = lhs.kind, listName == name,
        var items = env.mutableList(name)
      else { return false }
      let right = try evaluate(rhs, in: env)
      guard case .list(let more) = right else {
        // Not list + list: the operator decides (an error, or a traced value).
        _ = env.assign(name, try binary(.add, .list(items), right, at: expression.range))
        return true
      }
      try checkListSize(items.count, plus: more.count, operation: "+", at: expression.range)
      env.release(name, ifHolding: items)
      items.append(contentsOf: more)
      _ = env.assign(name, .list(items))
      return true
    default:
      return false
    }
  }
}
