// The paper's cells as hand-built graphs: what the graph, dynamics and plan tests differentiate,
// compile and compare with closed forms, built one way for all of them.
import TauGraph

/// h' = g ⊙ tanh(Wr h + Wi x) + (1 - g) ⊙ h, the leaky cell, with the gate `makeGate(graph, h,
/// x)` builds (marked as the gate). Nodes in order: h, x, Wr, Wi, the candidate
/// (`%4 = matvec %2, %0` first), then the gate's.
public func leakyStep(
  hidden n: Int, input m: Int, gate makeGate: (inout Graph, NodeID, NodeID) throws -> NodeID
) throws -> Graph {
  var g = Graph()
  let h = g.input(.state(0), shape: [n])
  let x = g.input(.input, shape: [m])
  let wr = g.input(.parameter("Wr"), shape: [n, n])
  let wi = g.input(.parameter("Wi"), shape: [n, m])
  let candidate = try g.add(
    .unary(.tanh),
    [try g.add(.binary(.add), [try g.add(.matvec, [wr, h]), try g.add(.matvec, [wi, x])])])
  let gate = try makeGate(&g, h, x)
  g.markGate(gate)
  let retention = try g.add(.binary(.subtract), [try g.add(.constant(1)), gate])
  g.outputs = [
    try g.add(
      .binary(.add),
      [
        try g.add(.binary(.multiply), [gate, candidate]),
        try g.add(.binary(.multiply), [retention, h]),
      ])
  ]
  return g
}

/// The paper's four cells: plain h' = tanh(Wr h + Wi x), and the leaky cell with a constant gate
/// (α = 0.8), a scalar gate σ(wrg·h + wig·x) or a multi gate σ(Wrg h + Wig x).
public enum PaperCell: CaseIterable, Sendable {
  case plain, leaky, scalar, multi

  public func graph(hidden n: Int, input m: Int) throws -> Graph {
    switch self {
    case .plain:
      var g = Graph()
      let h = g.input(.state(0), shape: [n])
      let x = g.input(.input, shape: [m])
      let wr = g.input(.parameter("Wr"), shape: [n, n])
      let wi = g.input(.parameter("Wi"), shape: [n, m])
      let a = try g.add(
        .binary(.add), [try g.add(.matvec, [wr, h]), try g.add(.matvec, [wi, x])])
      g.outputs = [try g.add(.unary(.tanh), [a])]
      return g
    case .leaky:
      return try leakyStep(hidden: n, input: m) { g, _, _ in try g.add(.constant(0.8)) }
    case .scalar:
      return try leakyStep(hidden: n, input: m) { g, h, x in
        let wrg = g.input(.parameter("gate.wr"), shape: [n])
        let wig = g.input(.parameter("gate.wi"), shape: [m])
        return try g.add(
          .unary(.sigmoid),
          [try g.add(.binary(.add), [try g.add(.dot, [wrg, h]), try g.add(.dot, [wig, x])])])
      }
    case .multi:
      return try leakyStep(hidden: n, input: m) { g, h, x in
        let wrg = g.input(.parameter("gate.Wr"), shape: [n, n])
        let wig = g.input(.parameter("gate.Wi"), shape: [n, m])
        return try g.add(
          .unary(.sigmoid),
          [
            try g.add(
              .binary(.add), [try g.add(.matvec, [wrg, h]), try g.add(.matvec, [wig, x])])
          ]
        )
      }
    }
  }
}
