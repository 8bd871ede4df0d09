// Whole cells of the paper built as graphs: reverse mode against finite differences, and the
// frozen-gate pullback against the closed form of the paper's §3.
import Foundation
import TauTestSupport
import Testing

@testable import TauGraph
@testable import TauTensor

/// The paper's multi-gate cell, g = σ(Wrg h + Wig x), h' = g ⊙ tanh(Wr h + Wi x) + (1 - g) ⊙ h,
/// with its state, input and parameter nodes.
func multiGateCell(hidden n: Int, input m: Int) throws -> (
  Graph, h: NodeID, x: NodeID, params: [NodeID]
) {
  let g = try PaperCell.multi.graph(hidden: n, input: m)
  let h = try #require(g.inputs { $0 == .state(0) }.first)
  let x = try #require(g.inputs { $0 == .input }.first)
  return (g, h, x, g.parameters.map(\.id))
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
    var stream = RandomStream(seed: 9)
    let seed = try Tensor<Double>.uniform([1, n], from: -1, to: 1, using: &stream)
    let cotangent = try reverseCotangents(
      g, wrt: [h], inputs: inputs, outputSeeds: [seed], freezingGates: true)[0]
    let vjp = cotangent.scalars
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
