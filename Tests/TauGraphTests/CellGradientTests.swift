// Whole cells of the paper built as graphs: reverse mode against finite differences, and the
// frozen-gate pullback against the closed form of the paper's §3.
import Foundation
import Testing

@testable import TauGraph
@testable import TauTensor

/// The multi-gate cell: g = σ(Wrg h + Wig x), h' = g ⊙ tanh(Wr h + Wi x) + (1 - g) ⊙ h.
func multiGateCell(hidden n: Int, input m: Int) throws -> (
  Graph, h: NodeID, x: NodeID, params: [NodeID]
) {
  var g = Graph()
  let h = g.input(.state(0), shape: [n])
  let x = g.input(.input, shape: [m])
  let wr = g.input(.parameter("Wr"), shape: [n, n])
  let wi = g.input(.parameter("Wi"), shape: [n, m])
  let wrg = g.input(.parameter("gate.Wr"), shape: [n, n])
  let wig = g.input(.parameter("gate.Wi"), shape: [n, m])
  let z = try g.add(.binary(.add), [try g.add(.matvec, [wrg, h]), try g.add(.matvec, [wig, x])])
  let gate = try g.add(.unary(.sigmoid), [z])
  g.markGate(gate)
  let a = try g.add(.binary(.add), [try g.add(.matvec, [wr, h]), try g.add(.matvec, [wi, x])])
  let candidate = try g.add(.unary(.tanh), [a])
  let one = try g.add(.constant(1))
  let retention = try g.add(.binary(.subtract), [one, gate])
  let next = try g.add(
    .binary(.add),
    [
      try g.add(.binary(.multiply), [gate, candidate]),
      try g.add(.binary(.multiply), [retention, h]),
    ])
  g.outputs = [next]
  return (g, h, x, [wr, wi, wrg, wig])
}

@Suite struct CellGradientTests {
  @Test func multiGateCellMatchesFiniteDifferences() throws {
    let (g, h, x, params) = try multiGateCell(hidden: 4, input: 3)
    try expectGradientsMatchFiniteDifferences(g, wrt: [h, x] + params, batch: 2)
  }

  /// With the gate frozen, cotangents through h follow A = diag(1-g) + diag(g) D Wr only.
  @Test func frozenGatePullbackIsTheDominantPart() throws {
    let n = 4
    let (g, h, _, _) = try multiGateCell(hidden: n, input: 3)
    let inputs = try sampleInputs(g, batch: 1)
    let values = try ReferenceEvaluator.evaluate(g, inputs: inputs)
    let pullback = try g.vjp(wrt: [h], freezingGates: true)
    var stream = RandomStream(seed: 9)
    let seed = try Tensor<Double>.uniform([1, n], from: -1, to: 1, using: &stream)
    var backwardInputs: [InputKind: Tensor<Double>] = [:]
    for node in pullback.graph.nodes {
      guard case .input(let kind) = node.op else { continue }
      switch kind {
      case .primal(let id): backwardInputs[kind] = values[id.index]
      case .seed: backwardInputs[kind] = seed
      default: backwardInputs[kind] = inputs[kind]
      }
    }
    let result = try ReferenceEvaluator.evaluate(pullback.graph, inputs: backwardInputs)
    let vjp = result[pullback.cotangents[0].index].scalars
    // Closed form: cᵀA with A = diag(1-g) + diag(g)·diag(1-tanh²(a))·Wr.
    let gate = values[try #require(g.nodes.firstIndex { $0.isGate })]
    let wr = try #require(inputs[.parameter("Wr")])
    let tanhNode = try #require(g.nodes.first { $0.op == .unary(.tanh) })
    let a = values[tanhNode.inputs[0].index]  // Wr h + Wi x
    let gv = gate.scalars
    let d = a.scalars.map { 1 - Foundation.tanh($0) * Foundation.tanh($0) }
    let c = seed.scalars
    let w = wr.scalars
    for j in 0..<n {
      var expected = c[j] * (1 - gv[j])
      for i in 0..<n { expected += c[i] * gv[i] * d[i] * w[i * n + j] }
      #expect(Swift.abs(vjp[j] - expected) < 1e-12)
    }
  }
}
