// Forward mode as a program transform with structured tangents: the Jacobian of a step's
// outputs with respect to one input (the state), built so that the paper's cells cost O(n²) per
// sample: identities, diagonals and row vectors stay structured; only what must be dense is.

/// A tangent: the derivative of one node with respect to the seed input (size p), as a node of
/// the derived graph, kept in the cheapest form that represents it.
enum Tangent {
  case zero
  case identity  // the seed itself
  case diagonal(NodeID)  // diag(d), d [p]
  case dense(NodeID)  // M [k×p]
  case row(NodeID)  // for a scalar node: its gradient row v [p]
}

/// The result of `Graph.jacobian`: the tangent graph and, per primal output, the node holding
/// the dense Jacobian [k×p] of that output with respect to the seed.
public struct TangentGraph: Sendable {
  public var graph: Graph
  public var jacobians: [NodeID]
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
    for output in outputs {
      jacobians.append(
        try builder.materialize(builder.tangents[output] ?? .zero, rows: self[output].shape))
    }
    builder.derived.graph.outputs = jacobians
    let folded = try builder.derived.graph.foldingRowScalings(keeping: jacobians)
    return TangentGraph(graph: folded.graph, jacobians: folded.nodes)
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

  /// The dense [k×p] matrix of a tangent of a value of shape `rows` ([k], or [] for a row).
  mutating func materialize(_ t: Tangent, rows shape: [Int]) throws(GraphError) -> NodeID {
    let k = shape.first ?? 1
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
  private mutating func scaled(_ t: Tangent, by f: NodeID) throws(GraphError) -> Tangent {
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
        return .dense(try op(.outer, try derived.filled(shape[0], 1), v))
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
    case .input, .constant:
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
      guard case .zero = t[0] else { throw unsupported("a matrix", id) }
      return try leftMultiplied(t[1], by: derived.value(inputs[0]))
    case .vecmat:
      guard case .zero = t[1] else { throw unsupported("a matrix", id) }
      return try leftMultiplied(t[0], by: try op(.transpose, derived.value(inputs[1])))
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
    case .outer, .transpose, .matmat, .scaleRows, .scaleColumns, .addDiagonal, .diagonal,
      .concatRows, .sliceRows:
      throw unsupported("a matrix-valued operation", id)
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
