// What the reverse- and forward-mode transforms share: a new graph that reads the primal graph's
// values as inputs, deduplicated constants, and each elementwise function's derivative.
import TauTensor

/// A graph derived from a primal graph (its pullback or its tangent map).
struct DerivedGraph {
  let primal: Graph
  var graph = Graph()
  private var primalInputs: [NodeID: NodeID] = [:]
  /// The primal node behind each `.primal` handle or shared constant, for reuse of forward values.
  private var primalOf: [NodeID: NodeID] = [:]
  private var constants: [Double: NodeID] = [:]

  init(primal: Graph) { self.primal = primal }

  /// The derived graph's handle on a primal value: parameters stay parameters, everything else
  /// becomes a `.primal(id)` input that the caller fills from the forward pass.
  mutating func value(_ id: NodeID) -> NodeID {
    if let existing = primalInputs[id] { return existing }
    let node = primal[id]
    let handle: NodeID
    if case .input(.parameter(let name)) = node.op {
      handle = graph.input(.parameter(name), shape: node.shape)
    } else if case .tensor = node.op, let copy = try? graph.add(node.op) {
      handle = copy  // a constant is copied, not read from the forward pass
    } else {
      handle = graph.input(.primal(id), shape: node.shape, isBatched: node.isBatched)
    }
    primalInputs[id] = handle
    primalOf[handle] = id
    return handle
  }

  /// Adds `op(inputs)`, or reads the forward pass's value when the primal graph computed exactly
  /// this from the same values (a sigmoid's slope needs 1 - g, which the cell already made).
  mutating func add(_ op: Op, _ inputs: [NodeID]) throws(GraphError) -> NodeID {
    let primalInputs = inputs.compactMap {
      primalOf[$0] ?? constantValue($0).flatMap(primalConstant)
    }
    if primalInputs.count == inputs.count,
      let existing = primal.nodes.indices.first(where: {
        primal.nodes[$0].op == op && primal.nodes[$0].inputs == primalInputs
      })
    {
      return value(NodeID(existing))
    }
    return try graph.add(op, inputs)
  }

  private func constantValue(_ id: NodeID) -> Double? {
    if case .constant(let c) = graph[id].op { return c }
    return nil
  }

  /// The primal graph's constant node of value `c`, if it has one.
  private func primalConstant(_ c: Double) -> NodeID? {
    primal.nodes.indices.first { primal.nodes[$0].op == .constant(c) }.map(NodeID.init)
  }

  mutating func constant(_ c: Double) throws(GraphError) -> NodeID {
    if let existing = constants[c] { return existing }
    let id = try graph.add(.constant(c))
    constants[c] = id
    return id
  }

  /// A vector of `n` copies of `c`.
  mutating func filled(_ n: Int, _ c: Double) throws(GraphError) -> NodeID {
    try graph.add(.broadcast(n), [try constant(c)])
  }

  /// Zeros of `shape` ([], [n] or [n×m]).
  mutating func zeros(_ shape: [Int]) throws(GraphError) -> NodeID {
    switch shape.count {
    case 0: return try constant(0)
    case 1: return try filled(shape[0], 0)
    default: return try graph.add(.outer, [try filled(shape[0], 0), try filled(shape[1], 0)])
    }
  }

  mutating func zeros(like id: NodeID) throws(GraphError) -> NodeID { try zeros(primal[id].shape) }

  /// f′ at primal node `id` = f(x), as a node of the derived graph; nil where f′ is zero.
  mutating func slope(of f: UnaryOperation, at id: NodeID) throws(GraphError) -> NodeID? {
    let x = value(primal[id].inputs[0])
    let y = value(id)
    func op(_ op: Op, _ inputs: NodeID...) throws(GraphError) -> NodeID {
      try add(op, inputs)
    }
    switch f {
    case .negate: return try constant(-1)
    case .abs: return try op(.unary(.sign), x)
    case .exp: return y
    case .log: return try op(.unary(.reciprocal), x)
    case .sqrt: return try op(.binary(.divide), try constant(0.5), y)
    case .tanh: return try op(.binary(.subtract), try constant(1), try op(.unary(.square), y))
    case .sigmoid:
      return try op(.binary(.multiply), y, try op(.binary(.subtract), try constant(1), y))
    case .relu: return try op(.unary(.sign), y)
    case .softplus: return try op(.unary(.sigmoid), x)
    case .square: return try op(.binary(.multiply), x, try constant(2))
    case .reciprocal: return try op(.unary(.negate), try op(.unary(.square), y))
    case .sin: return try op(.unary(.cos), x)
    case .cos: return try op(.unary(.negate), try op(.unary(.sin), x))
    case .sign: return nil
    }
  }
}
