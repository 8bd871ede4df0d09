// Left-leaning chains. The parser builds `1 + 1 + … + 1`, `a.b.c` and `f(x)(y)` in a loop, so
// their trees lean left as deep as the chain is long (a 100 KB file of `1+1+…` is 50,000 levels)
// without counting as nesting. Whatever walks the tree follows this spine in a loop instead of
// recursing down it; everything else in a tree is bounded by the parser's nesting limit.

extension Expr {
  /// The operand evaluated first, when it sits on the left spine: a binary operator's or a
  /// range's left side, the callee of a call, the base of an index or a field.
  var leftOperand: Expr? {
    switch kind {
    case .binary(_, let lhs, _), .range(let lhs, _): return lhs
    case .call(let callee, _): return callee
    case .index(let base, _), .field(let base, _, _): return base
    default: return nil
    }
  }

  /// The chain below and including this node, outermost first, and the first node at its
  /// bottom that is not itself a chain link (`1` in `1 + 2 + 3`).
  var leftSpine: (links: [Expr], bottom: Expr) {
    var links: [Expr] = []
    var node = self
    while let next = node.leftOperand {
      links.append(node)
      node = next
    }
    return (links, node)
  }

  /// This link with its left operand replaced by an expression of `kind` at the same place, for a
  /// walk that has dealt with the left operand already.
  func replacingLeftOperand(with kind: ExprKind) -> Expr {
    var copy = self
    switch self.kind {
    case .binary(let op, let lhs, let rhs):
      copy.kind = .binary(op, Expr(kind: kind, range: lhs.range), rhs)
    case .range(let lhs, let rhs):
      copy.kind = .range(Expr(kind: kind, range: lhs.range), rhs)
    case .call(let callee, let arguments):
      copy.kind = .call(Expr(kind: kind, range: callee.range), arguments)
    case .index(let base, let items):
      copy.kind = .index(Expr(kind: kind, range: base.range), items)
    case .field(let base, let name, let nameRange):
      copy.kind = .field(Expr(kind: kind, range: base.range), name: name, nameRange: nameRange)
    default:
      break
    }
    return copy
  }
}
