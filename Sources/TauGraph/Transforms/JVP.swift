// Forward mode as a program transform with structured tangents: the Jacobian of a step's
// outputs with respect to one input (the state), built so that the paper's cells cost O(n²) per
// sample: identities, diagonals and row vectors stay structured; only what must be dense is.
// A matrix-valued value [k×m] (a DeltaNet state, an outer product) has the tangent of its
// entries in row-major order, [k·m × p], so matrix rules are reshapes and block transpositions
// of ordinary products.

/// A tangent: the derivative of one node with respect to the seed input (size p), as a node of
/// the derived graph, kept in the cheapest form that represents it.
enum Tangent {
  case zero
  case identity  // the seed itself
  case diagonal(NodeID)  // diag(d), d [p]
  case dense(NodeID)  // M [k×p]
  case row(NodeID)  // for a scalar node: its gradient row v [p]
}

extension Tangent {
  var isZero: Bool {
    if case .zero = self { return true }
    return false
  }
}

/// The result of `Graph.jacobian`: the tangent graph and, per primal output, the node holding
/// the dense Jacobian [k×p] of that output with respect to the seed.
public struct TangentGraph: Sendable {
  public var graph: Graph
  public var jacobians: [NodeID]
  /// Per primal output, the structure forward mode found for its Jacobian.
  public var structures: [JacobianStructure] = []
}

/// What forward mode knows of a Jacobian's shape before it is materialised: a diagonal (an
/// identity, or zero, included) for a step whose units evolve independently (minGRU, RG-LRU, a
/// leaky cell without a recurrent matrix), dense otherwise.
public enum JacobianStructure: Sendable, Equatable {
  case diagonal
  case dense
}

extension Graph {
  /// The Jacobian of every output with respect to input `seed` (a vector), by forward mode.
  ///
  /// - Parameter frozen: when true, gate values are held constant (the paper's A_t); the
  ///   correction B_t is the difference of the full and the frozen Jacobians.
  public func jacobian(wrt seed: NodeID, freezingGates frozen: Bool = false) throws(GraphError)
    -> TangentGraph
  {
    guard self[seed].shape.count == 1 else {
      throw GraphError(message: "the Jacobian is taken with respect to a vector", origin: nil)
    }
    var builder = TangentBuilder(primal: self, size: self[seed].shape[0])
    let reaches = dependsOn([seed], freezingGates: frozen)
    for index in nodes.indices {
      let id = NodeID(index)
      if id == seed {
        builder.tangents[id] = .identity
      } else if !reaches[index] || (frozen && self[id].isGate) {
        builder.tangents[id] = .zero
      } else {
        builder.tangents[id] = try builder.pushforward(id)
      }
    }
    var jacobians: [NodeID] = []
    var structures: [JacobianStructure] = []
    for output in outputs {
      let tangent = builder.tangents[output] ?? .zero
      jacobians.append(try builder.materialize(tangent, rows: self[output].shape))
      switch tangent {
      case .zero, .identity, .diagonal: structures.append(.diagonal)
      case .dense, .row: structures.append(.dense)
      }
    }
    builder.derived.graph.outputs = jacobians
    let folded = try builder.derived.graph.foldingRowScalings(keeping: jacobians)
    return TangentGraph(graph: folded.graph, jacobians: folded.nodes, structures: structures)
  }
}

private struct TangentBuilder {
  var derived: DerivedGraph
  /// The seed's length: every tangent has p columns.
  let size: Int
  var tangents: [NodeID: Tangent] = [:]

  init(primal: Graph, size: Int) {
    derived = DerivedGraph(primal: primal)
    self.size = size
  }

  private var primal: Graph { derived.primal }

  private mutating func op(_ op: Op, _ inputs: NodeID...) throws(GraphError) -> NodeID {
    try derived.graph.add(op, inputs)
  }

  private func unsupported(_ what: String, _ id: NodeID) -> GraphError {
    GraphError(
      message: "forward mode does not support \(what) depending on the state yet",
      origin: primal[id].origin)
  }

  /// The dense [k×p] matrix of a tangent of a value of shape `rows` ([k], [] for a row, or a
  /// matrix, whose k entries are taken in row-major order).
  mutating func materialize(_ t: Tangent, rows shape: [Int]) throws(GraphError) -> NodeID {
    let k = shape.reduce(1, *)
    switch t {
    case .zero: return try derived.zeros([k, size])
    case .identity:
      return try op(.addDiagonal, try derived.zeros([size, size]), try derived.filled(size, 1))
    case .diagonal(let d): return try op(.addDiagonal, try derived.zeros([size, size]), d)
    case .dense(let m): return m
    case .row(let v): return try op(.outer, try derived.filled(1, 1), v)
    }
  }

  // MARK: - Algebra on tangents

  /// t scaled by a factor: a scalar node, or a vector [k] (diag(f)·t). `scalarTangent` is true
  /// when t belongs to a scalar value and the result to a vector (then f ⊗ row).
  private mutating func scaled(_ t: Tangent, by factor: NodeID) throws(GraphError) -> Tangent {
    let f = try flattened(factor)
    let factorIsScalar = derived.graph[f].shape.isEmpty
    switch t {
    case .zero: return .zero
    case .identity:
      return .diagonal(
        factorIsScalar ? try op(.binary(.multiply), try derived.filled(size, 1), f) : f)
    case .diagonal(let d): return .diagonal(try op(.binary(.multiply), d, f))
    case .dense(let m):
      return .dense(factorIsScalar ? try op(.binary(.multiply), m, f) : try op(.scaleRows, f, m))
    case .row(let v):
      return factorIsScalar ? .row(try op(.binary(.multiply), v, f)) : .dense(try op(.outer, f, v))
    }
  }

  private mutating func negated(_ t: Tangent) throws(GraphError) -> Tangent {
    switch t {
    case .zero: return .zero
    case .identity: return .diagonal(try derived.filled(size, -1))
    case .diagonal(let d): return .diagonal(try op(.unary(.negate), d))
    case .dense(let m): return .dense(try op(.unary(.negate), m))
    case .row(let v): return .row(try op(.unary(.negate), v))
    }
  }

  /// t₁ + t₂ for a value of shape `shape` (a scalar operand's row spreads over a vector).
  private mutating func sum(_ a: Tangent, _ b: Tangent, shape: [Int]) throws(GraphError) -> Tangent
  {
    // A scalar operand of a vector result contributes 1 ⊗ row.
    func spread(_ t: Tangent) throws(GraphError) -> Tangent {
      if case .row(let v) = t, !shape.isEmpty {
        return .dense(try op(.outer, try derived.filled(shape.reduce(1, *), 1), v))
      }
      return t
    }
    let (a, b) = (try spread(a), try spread(b))
    switch (a, b) {
    case (.zero, let t), (let t, .zero): return t
    case (.identity, .identity): return .diagonal(try derived.filled(size, 2))
    case (.identity, .diagonal(let d)), (.diagonal(let d), .identity):
      return .diagonal(try op(.binary(.add), d, try constant(1)))
    case (.diagonal(let d), .diagonal(let e)): return .diagonal(try op(.binary(.add), d, e))
    case (.dense(let m), .dense(let n)): return .dense(try op(.binary(.add), m, n))
    case (.dense(let m), .identity), (.identity, .dense(let m)):
      return .dense(try op(.addDiagonal, m, try derived.filled(size, 1)))
    case (.dense(let m), .diagonal(let d)), (.diagonal(let d), .dense(let m)):
      return .dense(try op(.addDiagonal, m, d))
    case (.row(let v), .row(let w)): return .row(try op(.binary(.add), v, w))
    default:
      throw GraphError(message: "internal: mismatched tangents", origin: nil)
    }
  }

  private mutating func constant(_ c: Double) throws(GraphError) -> NodeID {
    try derived.constant(c)
  }

  /// A matrix node as the vector of its entries (row-major); other nodes unchanged.
  private mutating func flattened(_ id: NodeID) throws(GraphError) -> NodeID {
    let shape = derived.graph[id].shape
    return shape.count == 2 ? try op(.reshape([shape[0] * shape[1]]), id) : id
  }

  /// A dense [r·c × p] tangent of a matrix seen as r row blocks of c entries each, rearranged so
  /// that the blocks become columns: rows (i, j) → (j, i), the tangent of the transpose.
  private mutating func transposedBlocks(_ m: NodeID, rows r: Int, columns c: Int)
    throws(GraphError) -> NodeID
  {
    try op(.transposeBlocks(rows: r, columns: c), m)
  }

  /// A · T for a matrix A [k×l] and the dense tangent T [l·m × p] of a matrix [l×m]: the tangent
  /// [k·m × p] of A·M (left multiplication acts on row blocks, so a reshape makes it one product).
  private mutating func leftProduct(_ a: NodeID, _ t: NodeID, blockWidth m: Int)
    throws(GraphError) -> NodeID
  {
    let (k, l) = (derived.graph[a].shape[0], derived.graph[a].shape[1])
    let p = size
    let product = try op(.matmat, a, try op(.reshape([l, m * p]), t))
    return try op(.reshape([k * m, p]), product)
  }

  /// qᵀ · T for a vector q [k] and the dense tangent T [k·m × p] of a matrix [k×m]: the tangent
  /// [m × p] of qᵀM.
  private mutating func weightedBlocks(_ q: NodeID, _ t: NodeID, blockWidth m: Int)
    throws(GraphError) -> NodeID
  {
    let k = derived.graph[q].shape[0]
    let combined = try op(.vecmat, q, try op(.reshape([k, m * size]), t))
    return try op(.reshape([m, size]), combined)
  }

  /// The tangent of u ⊗ w [k×m] from the tangents of u [k] and w [m].
  private mutating func outerTangent(_ u: NodeID, _ tu: Tangent, _ w: NodeID, _ tw: Tangent)
    throws(GraphError) -> Tangent
  {
    let (k, m, p) = (derived.graph[u].shape[0], derived.graph[w].shape[0], size)
    var result = Tangent.zero
    if !tu.isZero {
      // Rows (i, j) = w_j · Tu[i]: built as (j, i) by an outer product, then transposed blocks.
      let spread = try op(.outer, w, try op(.reshape([k * p]), try materialize(tu, rows: [k])))
      let byColumns = try op(.reshape([m * k, p]), spread)
      result = .dense(try transposedBlocks(byColumns, rows: m, columns: k))
    }
    if !tw.isZero {
      // Rows (i, j) = u_i · Tw[j].
      let spread = try op(.outer, u, try op(.reshape([m * p]), try materialize(tw, rows: [m])))
      result = try sum(result, .dense(try op(.reshape([k * m, p]), spread)), shape: [k, m])
    }
    return result
  }

  /// fᵀ·t for a vector f [k]: the row of a scalar that is a weighted sum of the value's entries.
  private mutating func weightedRow(_ f: NodeID, _ t: Tangent) throws(GraphError) -> Tangent {
    switch t {
    case .zero: return .zero
    case .identity: return .row(f)
    case .diagonal(let d): return .row(try op(.binary(.multiply), f, d))
    case .dense(let m): return .row(try op(.vecmat, f, m))
    case .row: throw GraphError(message: "internal: a row tangent for a vector", origin: nil)
    }
  }

  // MARK: - Rules

  mutating func pushforward(_ id: NodeID) throws(GraphError) -> Tangent {
    let node = primal[id]
    let inputs = node.inputs
    let t = inputs.map { tangents[$0] ?? .zero }
    switch node.op {
    case .input, .constant, .tensor:
      return .zero
    case .unary(let f):
      guard let slope = try derived.slope(of: f, at: id) else { return .zero }
      return try scaled(t[0], by: slope)
    case .binary(let b):
      let (a, c) = (derived.value(inputs[0]), derived.value(inputs[1]))
      switch b {
      case .add: return try sum(t[0], t[1], shape: node.shape)
      case .subtract: return try sum(t[0], try negated(t[1]), shape: node.shape)
      case .multiply:
        return try sum(try scaled(t[0], by: c), try scaled(t[1], by: a), shape: node.shape)
      case .divide:
        let y = derived.value(id)
        let left = try scaled(t[0], by: try op(.unary(.reciprocal), c))
        let right = try negated(try scaled(t[1], by: try op(.binary(.divide), y, c)))
        return try sum(left, right, shape: node.shape)
      case .power:
        let y = derived.value(id)
        let base = try op(
          .binary(.multiply), c,
          try op(.binary(.power), a, try op(.binary(.subtract), c, try constant(1))))
        let exponent = try op(.binary(.multiply), y, try op(.unary(.log), a))
        return try sum(
          try scaled(t[0], by: base), try scaled(t[1], by: exponent), shape: node.shape)
      case .maximum, .minimum:
        let difference =
          b == .maximum ? try op(.binary(.subtract), a, c) : try op(.binary(.subtract), c, a)
        let towardsA = try op(
          .binary(.multiply),
          try op(.binary(.add), try op(.unary(.sign), difference), try constant(1)),
          try constant(0.5))
        let towardsC = try op(.binary(.subtract), try constant(1), towardsA)
        return try sum(
          try scaled(t[0], by: towardsA), try scaled(t[1], by: towardsC), shape: node.shape)
      }
    case .matvec:
      // y = W q: W dq, plus dW q when the matrix depends on the seed (rows i = Σ_j q_j dW_ij).
      var result = try leftMultiplied(t[1], by: derived.value(inputs[0]))
      if !t[0].isZero {
        let q = derived.value(inputs[1])
        let (k, m) = (primal[inputs[0]].shape[0], primal[inputs[0]].shape[1])
        let byColumns = try transposedBlocks(
          try materialize(t[0], rows: [k, m]), rows: k, columns: m)
        result = try sum(
          result, .dense(try weightedBlocks(q, byColumns, blockWidth: k)), shape: node.shape)
      }
      return result
    case .vecmat:
      // y = Wᵀ q: Wᵀ dq, plus Σ_i q_i dW_i· when the matrix depends on the seed.
      var result = Tangent.zero
      if !t[0].isZero {
        result = try leftMultiplied(t[0], by: try op(.transpose, derived.value(inputs[1])))
      }
      if !t[1].isZero {
        let q = derived.value(inputs[0])
        let m = primal[inputs[1]].shape[1]
        let dense = try materialize(t[1], rows: primal[inputs[1]].shape)
        result = try sum(
          result, .dense(try weightedBlocks(q, dense, blockWidth: m)), shape: node.shape)
      }
      return result
    case .outer:
      return try outerTangent(derived.value(inputs[0]), t[0], derived.value(inputs[1]), t[1])
    case .transpose:
      let (k, m) = (primal[inputs[0]].shape[0], primal[inputs[0]].shape[1])
      if t[0].isZero { return .zero }
      return .dense(
        try transposedBlocks(try materialize(t[0], rows: [k, m]), rows: k, columns: m))
    case .matmat:
      // C = A B: A dB (left products act on row blocks) plus dA B, which is (Bᵀ dAᵀ)ᵀ.
      let (a, b) = (derived.value(inputs[0]), derived.value(inputs[1]))
      let (k, l, m) = (node.shape[0], primal[inputs[0]].shape[1], node.shape[1])
      var result = Tangent.zero
      if !t[1].isZero {
        result = .dense(
          try leftProduct(a, try materialize(t[1], rows: [l, m]), blockWidth: m))
      }
      if !t[0].isZero {
        let aTransposed = try transposedBlocks(
          try materialize(t[0], rows: [k, l]), rows: k, columns: l)
        let product = try leftProduct(try op(.transpose, b), aTransposed, blockWidth: k)
        result = try sum(
          result, .dense(try transposedBlocks(product, rows: m, columns: k)), shape: node.shape)
      }
      return result
    case .reshape:
      // The entries keep their order; only a scalar's row changes form.
      let from = primal[inputs[0]].shape
      if t[0].isZero { return .zero }
      if node.shape.isEmpty {
        return .row(try op(.reshape([size]), try materialize(t[0], rows: from)))
      }
      if from.isEmpty { return .dense(try materialize(t[0], rows: from)) }
      return t[0]
    case .transposeBlocks(let rows, let columns):
      if t[0].isZero { return .zero }
      // A value [r·c × w]'s tangent has w·p columns per row of the value.
      let width = node.shape.count == 2 ? node.shape[1] : 1
      let dense = try materialize(t[0], rows: primal[inputs[0]].shape)
      let grouped = try op(.reshape([rows * columns, width * size]), dense)
      let moved = try op(.transposeBlocks(rows: rows, columns: columns), grouped)
      return .dense(try op(.reshape([rows * columns * width, size]), moved))
    case .dot:
      return try sum(
        try weightedRow(derived.value(inputs[0]), t[1]),
        try weightedRow(derived.value(inputs[1]), t[0]), shape: [])
    case .sum:
      return try weightedRow(try derived.filled(primal[inputs[0]].shape[0], 1), t[0])
    case .broadcast(let n):
      guard case .row(let v) = t[0] else { return .zero }
      return .dense(try op(.outer, try derived.filled(n, 1), v))
    case .concat:
      var pieces: [NodeID] = []
      for (i, input) in inputs.enumerated() {
        pieces.append(try materialize(t[i], rows: primal[input].shape))
      }
      return .dense(try derived.graph.add(.concatRows, pieces))
    case .slice(let start, let count):
      return .dense(
        try op(
          .sliceRows(start: start, count: count),
          try materialize(t[0], rows: primal[inputs[0]].shape)))
    case .scaleRows, .scaleColumns, .addDiagonal, .diagonal, .concatRows, .sliceRows:
      // These appear only in derived graphs, which are not differentiated again.
      throw unsupported("a tangent-graph operation", id)
    }
  }

  /// W·t for a matrix W [k×m] and the tangent t of a vector [m].
  private mutating func leftMultiplied(_ t: Tangent, by w: NodeID) throws(GraphError) -> Tangent {
    switch t {
    case .zero: return .zero
    case .identity: return .dense(w)
    case .diagonal(let d): return .dense(try op(.scaleColumns, w, d))
    case .dense(let m): return .dense(try op(.matmat, w, m))
    case .row: throw GraphError(message: "internal: a row tangent for a vector", origin: nil)
    }
  }
}
