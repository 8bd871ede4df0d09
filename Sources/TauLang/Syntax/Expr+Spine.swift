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
}
