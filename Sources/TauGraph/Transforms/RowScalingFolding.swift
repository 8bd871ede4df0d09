// Tangent graphs of gated cells are sums of row-scaled matrices: J = diag(1-g) + diag(g)·D·W_r +
// diag(φ - h)·diag(σ')·W_rg. Forward mode builds them step by step (scale, scale again, negate,
// add), one n×n pass per sample each. This pass keeps every matrix-valued node symbolically as
// Σ_i diag(v_i)·M_i + diag(d), folds scalings, negations and sums into vector arithmetic, and
// forms each matrix once where it is needed: the multi gate's Jacobian takes 4 passes, not 10.

extension Graph {
  /// The same graph with row scalings, negations, sums and diagonal additions of matrices folded
  /// as above; `nodes` are mapped to their counterparts in the result.
  func foldingRowScalings(keeping nodes: [NodeID]) throws(GraphError) -> (
    graph: Graph, nodes: [NodeID]
  ) {
    var folder = RowScalingFolder(source: self)
    for index in self.nodes.indices { try folder.visit(NodeID(index)) }
    var mapped: [NodeID] = []
    for id in nodes { mapped.append(try folder.materialized(id)) }
    folder.result.outputs = try outputs.map { id throws(GraphError) in
      try folder.materialized(id)
    }
    return (folder.result, mapped)
  }
}

/// A matrix as Σ_i diag(scale_i)·matrix_i + diag(diagonal), over nodes of the new graph; a nil
/// scale is the identity.
private struct ScaledSum {
  var terms: [(scale: NodeID?, matrix: NodeID)] = []
  var diagonal: NodeID?
}

private struct RowScalingFolder {
  let source: Graph
  var result = Graph()
  /// Nodes of the source with a value of their own in the result.
  var mapping: [NodeID: NodeID] = [:]
  /// Matrix-valued source nodes kept symbolically, and those already formed.
  var sums: [NodeID: ScaledSum] = [:]
  var formed: [NodeID: NodeID] = [:]

  init(source: Graph) { self.source = source }

  mutating func visit(_ id: NodeID) throws(GraphError) {
    let node = source[id]
    let isMatrix = node.shape.count == 2
    switch node.op {
    case .input(let kind):
      mapping[id] = result.input(kind, shape: node.shape, isBatched: node.isBatched)
      return
    case .scaleRows where isMatrix:
      var sum = try symbolic(node.inputs[1])
      let d = try value(node.inputs[0])
      for i in sum.terms.indices {
        sum.terms[i].scale = try multiply(d, sum.terms[i].scale)
      }
      if let diagonal = sum.diagonal { sum.diagonal = try multiply(d, diagonal) }
      sums[id] = sum
      return
    case .unary(.negate) where isMatrix:
      var sum = try symbolic(node.inputs[0])
      for i in sum.terms.indices {
        sum.terms[i].scale = try negate(sum.terms[i].scale, rows: node.shape[0])
      }
      if let diagonal = sum.diagonal {
        sum.diagonal = try result.add(.unary(.negate), [diagonal])
      }
      sums[id] = sum
      return
    case .binary(.add) where isMatrix && node.inputs.allSatisfy({ source[$0].shape == node.shape }):
      sums[id] = try merge(try symbolic(node.inputs[0]), try symbolic(node.inputs[1]))
      return
    case .addDiagonal where isMatrix:
      var sum = try symbolic(node.inputs[0])
      let d = try value(node.inputs[1])
      sum.diagonal =
        try sum.diagonal.map { (old) throws(GraphError) in
          try result.add(.binary(.add), [old, d])
        } ?? d
      sums[id] = sum
      return
    default:
      let inputs = try node.inputs.map { (input) throws(GraphError) in try value(input) }
      let copy = try result.add(node.op, inputs, origin: node.origin)
      if node.isGate { result.markGate(copy) }
      mapping[id] = copy
    }
  }

  /// A source node as a sum: its folded form, or itself as a single unscaled term.
  private mutating func symbolic(_ id: NodeID) throws(GraphError) -> ScaledSum {
    if let sum = sums[id] { return sum }
    return ScaledSum(terms: [(nil, try value(id))])
  }

  /// A source node's value in the result, forming a folded matrix if needed.
  mutating func value(_ id: NodeID) throws(GraphError) -> NodeID {
    if let mapped = mapping[id] { return mapped }
    return try materialized(id)
  }

  /// The node of the result holding source node `id`'s value.
  mutating func materialized(_ id: NodeID) throws(GraphError) -> NodeID {
    if let mapped = mapping[id] { return mapped }
    if let done = formed[id] { return done }
    guard let sum = sums[id] else {
      throw GraphError(message: "node \(id.index) has no value", origin: source[id].origin)
    }
    var total: NodeID?
    for term in sum.terms {
      let part =
        try term.scale.map { (scale) throws(GraphError) in
          try result.add(.scaleRows, [scale, term.matrix])
        } ?? term.matrix
      total =
        try total.map { (old) throws(GraphError) in try result.add(.binary(.add), [old, part]) }
        ?? part
    }
    guard var matrix = total else {
      throw GraphError(message: "an empty matrix sum", origin: source[id].origin)
    }
    if let diagonal = sum.diagonal { matrix = try result.add(.addDiagonal, [matrix, diagonal]) }
    formed[id] = matrix
    return matrix
  }

  /// Terms of the same matrix are merged by adding their scales.
  private mutating func merge(_ a: ScaledSum, _ b: ScaledSum) throws(GraphError) -> ScaledSum {
    var merged = a
    for term in b.terms {
      if let index = merged.terms.firstIndex(where: {
        $0.matrix == term.matrix && $0.scale != nil && term.scale != nil
      }), let left = merged.terms[index].scale, let right = term.scale {
        merged.terms[index].scale = try result.add(.binary(.add), [left, right])
      } else {
        merged.terms.append(term)
      }
    }
    switch (merged.diagonal, b.diagonal) {
    case (let x?, let y?): merged.diagonal = try result.add(.binary(.add), [x, y])
    case (nil, let y?): merged.diagonal = y
    default: break
    }
    return merged
  }

  /// d ⊙ s (or d when s is the identity).
  private mutating func multiply(_ d: NodeID, _ s: NodeID?) throws(GraphError) -> NodeID {
    guard let s else { return d }
    return try result.add(.binary(.multiply), [d, s])
  }

  /// -s (or a vector of -1 for the identity).
  private mutating func negate(_ s: NodeID?, rows: Int) throws(GraphError) -> NodeID {
    guard let s else {
      return try result.add(.broadcast(rows), [try result.add(.constant(-1))])
    }
    return try result.add(.unary(.negate), [s])
  }
}
