// Reverse mode as a program transform: from a step graph, build the graph that maps output
// cotangents to input cotangents. Each primitive's pullback is one case of `pullback`, written
// with the same primitives, so derived graphs can be evaluated, compiled and differentiated again.
import TauTensor

/// The result of `Graph.vjp`: the backward graph and where to find each requested cotangent.
public struct PullbackGraph: Sendable {
  /// Inputs: `.primal(k)` for forward values it needs, `.seed("ct0")`, `.seed("ct1")`, … for
  /// the cotangents of the primal outputs, and the primal graph's parameters are not inputs.
  public var graph: Graph
  /// For each node of `wrt`, the output of `graph` holding its cotangent (per sample; parameter
  /// cotangents are summed over the batch by the caller).
  public var cotangents: [NodeID]
}

extension Graph {
  /// The vector–Jacobian product of this graph's outputs with respect to `wrt`.
  ///
  /// - Parameter frozen: when true, gate values (`isGate`) are treated as constants: no
  ///   cotangent flows through them (the paper's frozen-gate part A of J = A + B).
  public func vjp(wrt: [NodeID], freezingGates frozen: Bool = false) throws(GraphError)
    -> PullbackGraph
  {
    var builder = PullbackBuilder(primal: self)
    let reaches = dependsOn(wrt, freezingGates: frozen)
    for (index, output) in outputs.enumerated() {
      let seed = builder.graph.input(
        .seed("ct\(index)"), shape: self[output].shape, isBatched: self[output].isBatched)
      try builder.accumulate(seed, into: output)
    }
    for index in stride(from: nodes.count - 1, through: 0, by: -1) {
      let id = NodeID(index)
      guard reaches[index], let cotangent = builder.cotangent[id] else { continue }
      if frozen && self[id].isGate { continue }
      try builder.pullback(id, cotangent, reaches: reaches)
    }
    var result: [NodeID] = []
    for id in wrt {
      if let cotangent = builder.cotangent[id] {
        result.append(cotangent)
      } else {
        // Not reached: a zero of the right shape.
        result.append(try builder.zeros(like: id))
      }
    }
    builder.graph.outputs = result
    return PullbackGraph(graph: builder.graph, cotangents: result)
  }

  /// `reaches[k]`: node k depends on a node of `sources` (through non-frozen paths).
  func dependsOn(_ sources: [NodeID], freezingGates frozen: Bool) -> [Bool] {
    var reaches = [Bool](repeating: false, count: nodes.count)
    for id in sources { reaches[id.index] = true }
    for (index, node) in nodes.enumerated() where !reaches[index] {
      reaches[index] = node.inputs.contains { reaches[$0.index] && !(frozen && self[$0].isGate) }
    }
    return reaches
  }
}

/// Builds the backward graph node by node.
private struct PullbackBuilder {
  let primal: Graph
  var graph = Graph()
  var cotangent: [NodeID: NodeID] = [:]
  private var primalInputs: [NodeID: NodeID] = [:]
  private var constants: [Double: NodeID] = [:]

  init(primal: Graph) { self.primal = primal }

  /// The backward graph's handle on a forward value.
  mutating func value(_ id: NodeID) -> NodeID {
    if let existing = primalInputs[id] { return existing }
    let node = primal[id]
    let handle: NodeID
    if case .input(.parameter(let name)) = node.op {
      handle = graph.input(.parameter(name), shape: node.shape)
    } else {
      handle = graph.input(.primal(id), shape: node.shape, isBatched: node.isBatched)
    }
    primalInputs[id] = handle
    return handle
  }

  mutating func constant(_ c: Double) throws(GraphError) -> NodeID {
    if let existing = constants[c] { return existing }
    let id = try graph.add(.constant(c))
    constants[c] = id
    return id
  }

  mutating func zeros(like id: NodeID) throws(GraphError) -> NodeID {
    let shape = primal[id].shape
    let zero = try constant(0)
    switch shape.count {
    case 0: return zero
    case 1: return try graph.add(.broadcast(shape[0]), [zero])
    default:
      // A matrix of zeros: the outer product of two zero vectors.
      let rows = try graph.add(.broadcast(shape[0]), [zero])
      let columns = try graph.add(.broadcast(shape[1]), [zero])
      return try graph.add(.outer, [rows, columns])
    }
  }

  /// Adds `contribution` to the cotangent of primal node `id`, summing a vector contribution
  /// down to a scalar where the primal value is a scalar that was broadcast.
  mutating func accumulate(_ contribution: NodeID, into id: NodeID) throws(GraphError) {
    var contribution = contribution
    if primal[id].shape.isEmpty && !graph[contribution].shape.isEmpty {
      contribution = try graph.add(.sum, [contribution])
    }
    if let existing = cotangent[id] {
      cotangent[id] = try graph.add(.binary(.add), [existing, contribution])
    } else {
      cotangent[id] = contribution
    }
  }

  private mutating func op(_ op: Op, _ inputs: NodeID...) throws(GraphError) -> NodeID {
    try graph.add(op, inputs)
  }

  /// Propagates the cotangent `c` of node `id` to its inputs that reach `wrt`.
  mutating func pullback(_ id: NodeID, _ c: NodeID, reaches: [Bool]) throws(GraphError) {
    let node = primal[id]
    let inputs = node.inputs
    func needs(_ i: Int) -> Bool { reaches[inputs[i].index] }
    switch node.op {
    case .input, .constant:
      return
    case .unary(let u):
      guard needs(0) else { return }
      let x = value(inputs[0])
      let y = value(id)
      let local: NodeID
      switch u {
      case .negate: local = try op(.unary(.negate), c)
      case .abs: local = try op(.binary(.multiply), c, try op(.unary(.sign), x))
      case .exp: local = try op(.binary(.multiply), c, y)
      case .log: local = try op(.binary(.divide), c, x)
      case .sqrt:
        local = try op(.binary(.divide), try op(.binary(.multiply), c, try constant(0.5)), y)
      case .tanh:
        let oneMinus = try op(.binary(.subtract), try constant(1), try op(.unary(.square), y))
        local = try op(.binary(.multiply), c, oneMinus)
      case .sigmoid:
        let slope = try op(.binary(.multiply), y, try op(.binary(.subtract), try constant(1), y))
        local = try op(.binary(.multiply), c, slope)
      case .relu: local = try op(.binary(.multiply), c, try op(.unary(.sign), y))
      case .softplus: local = try op(.binary(.multiply), c, try op(.unary(.sigmoid), x))
      case .square:
        local = try op(.binary(.multiply), c, try op(.binary(.multiply), x, try constant(2)))
      case .reciprocal:
        local = try op(.unary(.negate), try op(.binary(.multiply), c, try op(.unary(.square), y)))
      case .sin: local = try op(.binary(.multiply), c, try op(.unary(.cos), x))
      case .cos:
        local = try op(.unary(.negate), try op(.binary(.multiply), c, try op(.unary(.sin), x)))
      case .sign: return  // piecewise constant
      }
      try accumulate(local, into: inputs[0])
    case .binary(let b):
      let a = value(inputs[0])
      let bv = value(inputs[1])
      switch b {
      case .add:
        if needs(0) { try accumulate(c, into: inputs[0]) }
        if needs(1) { try accumulate(c, into: inputs[1]) }
      case .subtract:
        if needs(0) { try accumulate(c, into: inputs[0]) }
        if needs(1) { try accumulate(try op(.unary(.negate), c), into: inputs[1]) }
      case .multiply:
        if needs(0) { try accumulate(try op(.binary(.multiply), c, bv), into: inputs[0]) }
        if needs(1) { try accumulate(try op(.binary(.multiply), c, a), into: inputs[1]) }
      case .divide:
        if needs(0) { try accumulate(try op(.binary(.divide), c, bv), into: inputs[0]) }
        if needs(1) {
          let y = value(id)
          let local = try op(
            .unary(.negate), try op(.binary(.divide), try op(.binary(.multiply), c, y), bv))
          try accumulate(local, into: inputs[1])
        }
      case .power:
        let y = value(id)
        if needs(0) {
          // d(aᵇ)/da = b·aᵇ⁻¹
          let exponent = try op(.binary(.subtract), bv, try constant(1))
          let slope = try op(.binary(.multiply), bv, try op(.binary(.power), a, exponent))
          try accumulate(try op(.binary(.multiply), c, slope), into: inputs[0])
        }
        if needs(1) {
          // d(aᵇ)/db = aᵇ·ln a
          let slope = try op(.binary(.multiply), y, try op(.unary(.log), a))
          try accumulate(try op(.binary(.multiply), c, slope), into: inputs[1])
        }
      case .maximum, .minimum:
        // The cotangent goes to the selected operand (split evenly on ties).
        let difference =
          b == .maximum ? try op(.binary(.subtract), a, bv) : try op(.binary(.subtract), bv, a)
        let half = try constant(0.5)
        let towardsA = try op(
          .binary(.multiply),
          try op(.binary(.add), try op(.unary(.sign), difference), try constant(1)), half)
        if needs(0) { try accumulate(try op(.binary(.multiply), c, towardsA), into: inputs[0]) }
        if needs(1) {
          let towardsB = try op(.binary(.subtract), try constant(1), towardsA)
          try accumulate(try op(.binary(.multiply), c, towardsB), into: inputs[1])
        }
      }
    case .matvec:
      if needs(0) { try accumulate(try op(.outer, c, value(inputs[1])), into: inputs[0]) }
      if needs(1) { try accumulate(try op(.vecmat, c, value(inputs[0])), into: inputs[1]) }
    case .vecmat:
      if needs(0) { try accumulate(try op(.matvec, value(inputs[1]), c), into: inputs[0]) }
      if needs(1) { try accumulate(try op(.outer, value(inputs[0]), c), into: inputs[1]) }
    case .outer:
      if needs(0) { try accumulate(try op(.matvec, c, value(inputs[1])), into: inputs[0]) }
      if needs(1) { try accumulate(try op(.vecmat, value(inputs[0]), c), into: inputs[1]) }
    case .dot:
      if needs(0) {
        try accumulate(try op(.binary(.multiply), value(inputs[1]), c), into: inputs[0])
      }
      if needs(1) {
        try accumulate(try op(.binary(.multiply), value(inputs[0]), c), into: inputs[1])
      }
    case .sum:
      if needs(0) {
        try accumulate(try op(.broadcast(primal[inputs[0]].shape[0]), c), into: inputs[0])
      }
    case .broadcast:
      if needs(0) { try accumulate(try op(.sum, c), into: inputs[0]) }
    case .concat:
      var start = 0
      for (i, input) in inputs.enumerated() {
        let count = primal[input].shape[0]
        if needs(i) { try accumulate(try op(.slice(start: start, count: count), c), into: input) }
        start += count
      }
    case .slice(let start, let count):
      guard needs(0) else { return }
      let total = primal[inputs[0]].shape[0]
      let zero = try constant(0)
      var pieces: [NodeID] = []
      if start > 0 { pieces.append(try op(.broadcast(start), zero)) }
      pieces.append(c)
      if total - start - count > 0 {
        pieces.append(try op(.broadcast(total - start - count), zero))
      }
      try accumulate(pieces.count == 1 ? c : try graph.add(.concat, pieces), into: inputs[0])
    }
  }
}
