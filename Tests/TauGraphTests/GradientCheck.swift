// The independent check for reverse mode: every input's VJP against central finite differences
// in float64 of the pairing ⟨seed, outputs⟩.
import TauTestSupport
import Testing

@testable import TauGraph
@testable import TauTensor

/// Checks the VJP of `graph` against central differences for every input in `wrt`, to a
/// relative error below `tolerance` (measured against the gradient's largest entry).
func expectGradientsMatchFiniteDifferences(
  _ graph: Graph, wrt: [NodeID], batch: Int = 3, seed: UInt64 = 3, lower: Double = 0.3,
  upper: Double = 1.2, tolerance: Double = 1e-6, sourceLocation: SourceLocation = #_sourceLocation
) throws {
  let inputs = try sampleInputs(graph, batch: batch, seed: seed, lower: lower, upper: upper)
  var stream = RandomStream(seed: seed &+ 100)
  let seeds = try graph.outputs.map { output in
    let node = graph[output]
    return try Tensor<Double>.uniform(
      node.isBatched ? [batch] + node.shape : node.shape, from: -1, to: 1, using: &stream)
  }
  let gradients = try reverseCotangents(graph, wrt: wrt, inputs: inputs, outputSeeds: seeds)
  for (id, gradient) in zip(wrt, gradients) {
    guard case .input(let kind) = graph[id].op, let x = inputs[kind] else {
      Issue.record("wrt must be inputs", sourceLocation: sourceLocation)
      return
    }
    let numeric = try centralDifferenceGradient(at: x) { moved in
      var movedInputs = inputs
      movedInputs[kind] = moved
      return try pairing(graph, movedInputs, seeds: seeds)
    }
    expectClose(
      gradient.scalars, numeric, tolerance: tolerance, "\(kind): VJP against FD",
      sourceLocation: sourceLocation)
  }
}
