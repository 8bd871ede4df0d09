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
  var derived: DerivedGraph
  var cotangent: [NodeID: NodeID] = [:]

  init(primal: Graph) { derived = DerivedGraph(primal: primal) }

  var primal: Graph { derived.primal }
  var graph: Graph {
    get { derived.graph }
    set { derived.graph = newValue }
  }
  mutating func value(_ id: NodeID) -> NodeID { derived.value(id) }
  mutating func constant(_ c: Double) throws(GraphError) -> NodeID { try derived.constant(c) }
  mutating func zeros(like id: NodeID) throws(GraphError) -> NodeID { try derived.zeros(like: id) }

  /// Adds `contribution` to the cotangent of primal node `id`, summing a vector contribution
  /// down to a scalar where the primal value is a scalar that was broadcast.
  mutating func accumulate(_ contribution: NodeID, into id: NodeID) throws(GraphError) {
    var contribution = contribution
    let shape = graph[contribution].shape
    if primal[id].shape.isEmpty && !shape.isEmpty {
      // A matrix's entries are summed as one vector.
      if shape.count == 2 {
        contribution = try graph.add(.reshape([shape[0] * shape[1]]), [contribution])
      }
      contribution = try graph.add(.sum, [contribution])
    }
    guard let existing = cotangent[id] else {
      cotangent[id] = contribution
      return
    }
    // x + (-y) is x - y: one pass instead of two (the retention term 1 - g gives such negations).
    if case .unary(.negate) = graph[contribution].op,
      graph[contribution].shape == graph[existing].shape
    {
      cotangent[id] = try graph.add(.binary(.subtract), [existing, graph[contribution].inputs[0]])
    } else if case .unary(.negate) = graph[existing].op,
      graph[contribution].shape == graph[existing].shape
    {
      cotangent[id] = try graph.add(.binary(.subtract), [contribution, graph[existing].inputs[0]])
    } else {
      cotangent[id] = try graph.add(.binary(.add), [existing, contribution])
    }
  }

  private mutating func op(_ op: Op, _ inputs: NodeID...) throws(GraphError) -> NodeID {
    try derived.add(op, inputs)
  }

  /// Propagates the cotangent `c` of node `id` to its inputs that reach `wrt`.
  mutating func pullback(_ id: NodeID, _ c: NodeID, reaches: [Bool]) throws(GraphError) {
    let node = primal[id]
    let inputs = node.inputs
    func needs(_ i: Int) -> Bool { reaches[inputs[i].index] }
    switch node.op {
    case .input, .constant, .tensor:
      return
    case .unary(let u):
      guard needs(0) else { return }
      guard let slope = try derived.slope(of: u, at: id) else { return }  // sign is flat
      let local = try op(.binary(.multiply), c, slope)
      try accumulate(local, into: inputs[0])
    case .binary(let b):
      // Operand values only where the rule reads them: every primal value a pullback reads is
      // one the forward pass must keep.
      switch b {
      case .add:
        if needs(0) { try accumulate(c, into: inputs[0]) }
        if needs(1) { try accumulate(c, into: inputs[1]) }
      case .subtract:
        if needs(0) { try accumulate(c, into: inputs[0]) }
        if needs(1) { try accumulate(try op(.unary(.negate), c), into: inputs[1]) }
      case .multiply:
        if needs(0) {
          try accumulate(try op(.binary(.multiply), c, value(inputs[1])), into: inputs[0])
        }
        if needs(1) {
          try accumulate(try op(.binary(.multiply), c, value(inputs[0])), into: inputs[1])
        }
      case .divide:
        if needs(0) {
          try accumulate(try op(.binary(.divide), c, value(inputs[1])), into: inputs[0])
        }
        if needs(1) {
          let y = value(id)
          let local = try op(
            .unary(.negate),
            try op(.binary(.divide), try op(.binary(.multiply), c, y), value(inputs[1])))
          try accumulate(local, into: inputs[1])
        }
      case .power:
        let y = value(id)
        if needs(0) {
          // d(aᵇ)/da = b·aᵇ⁻¹
          let exponent = try op(.binary(.subtract), value(inputs[1]), try constant(1))
          let slope = try op(
            .binary(.multiply), value(inputs[1]),
            try op(.binary(.power), value(inputs[0]), exponent))
          try accumulate(try op(.binary(.multiply), c, slope), into: inputs[0])
        }
        if needs(1) {
          // d(aᵇ)/db = aᵇ·ln a
          let slope = try op(.binary(.multiply), y, try op(.unary(.log), value(inputs[0])))
          try accumulate(try op(.binary(.multiply), c, slope), into: inputs[1])
        }
      case .maximum, .minimum:
        // The cotangent goes to the selected operand (split evenly on ties).
        let difference =
          b == .maximum
          ? try op(.binary(.subtract), value(inputs[0]), value(inputs[1]))
          : try op(.binary(.subtract), value(inputs[1]), value(inputs[0]))
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
    case .transpose:
      if needs(0) { try accumulate(try op(.transpose, c), into: inputs[0]) }
    case .matmat:
      if needs(0) {
        try accumulate(try op(.matmat, c, try op(.transpose, value(inputs[1]))), into: inputs[0])
      }
      if needs(1) {
        try accumulate(try op(.matmat, try op(.transpose, value(inputs[0])), c), into: inputs[1])
      }
    case .scaleRows:
      // y = diag(d)·M: d̄ᵢ = Σⱼ c̄ᵢⱼ Mᵢⱼ, M̄ = diag(d)·c̄
      if needs(0) {
        let ones = try op(.broadcast(node.shape[1]), try constant(1))
        let rowSums = try op(.matvec, try op(.binary(.multiply), c, value(inputs[1])), ones)
        try accumulate(rowSums, into: inputs[0])
      }
      if needs(1) { try accumulate(try op(.scaleRows, value(inputs[0]), c), into: inputs[1]) }
    case .scaleColumns:
      if needs(0) { try accumulate(try op(.scaleColumns, c, value(inputs[1])), into: inputs[0]) }
      if needs(1) {
        let ones = try op(.broadcast(node.shape[0]), try constant(1))
        let columnSums = try op(.vecmat, ones, try op(.binary(.multiply), c, value(inputs[0])))
        try accumulate(columnSums, into: inputs[1])
      }
    case .addDiagonal:
      if needs(0) { try accumulate(c, into: inputs[0]) }
      if needs(1) { try accumulate(try op(.diagonal, c), into: inputs[1]) }
    case .concatRows:
      var start = 0
      for (i, input) in inputs.enumerated() {
        let count = primal[input].shape[0]
        if needs(i) {
          try accumulate(try op(.sliceRows(start: start, count: count), c), into: input)
        }
        start += count
      }
    case .sliceRows(let start, let count):
      guard needs(0) else { return }
      let (total, columns) = (primal[inputs[0]].shape[0], primal[inputs[0]].shape[1])
      var pieces: [NodeID] = []
      if start > 0 { pieces.append(try derived.zeros([start, columns])) }
      pieces.append(c)
      if total - start - count > 0 {
        pieces.append(try derived.zeros([total - start - count, columns]))
      }
      try accumulate(pieces.count == 1 ? c : try graph.add(.concatRows, pieces), into: inputs[0])
    case .diagonal:
      if needs(0) {
        try accumulate(try op(.addDiagonal, try zeros(like: inputs[0]), c), into: inputs[0])
      }
    case .reshape:
      if needs(0) { try accumulate(try op(.reshape(primal[inputs[0]].shape), c), into: inputs[0]) }
    case .transposeBlocks(let rows, let columns):
      // A permutation: its adjoint is the inverse permutation.
      if needs(0) {
        try accumulate(try op(.transposeBlocks(rows: columns, columns: rows), c), into: inputs[0])
      }
    }
  }
}
