// The independent check for derivatives: central finite differences in float64.
import Testing

@testable import TauGraph
@testable import TauTensor

/// Values for the inputs of `graph`: batched ones get a leading batch axis, all seeded, with
/// magnitudes in [lower, upper] so log, sqrt and division stay away from their singularities.
func sampleInputs(
  _ graph: Graph, batch: Int, seed: UInt64 = 3, lower: Double = 0.3, upper: Double = 1.2
) throws -> [InputKind: Tensor<Double>] {
  var stream = RandomStream(seed: seed)
  var inputs: [InputKind: Tensor<Double>] = [:]
  for node in graph.nodes {
    guard case .input(let kind) = node.op else { continue }
    let shape = node.isBatched ? [batch] + node.shape : node.shape
    let magnitude = try Tensor<Double>.uniform(shape, from: lower, to: upper, using: &stream)
    // Random signs too, except where the domain is positive (the caller picks the bounds).
    let signs = try Tensor<Double>.uniform(shape, from: -1, to: 1, using: &stream).applying(.sign)
    inputs[kind] = lower > 0 && upper > 0 && seed % 2 == 1 ? magnitude : try magnitude * signs
  }
  return inputs
}

/// Σ over all outputs of ⟨seed_j, output_j⟩: the scalar whose gradient the VJP computes.
func pairing(
  _ graph: Graph, _ inputs: [InputKind: Tensor<Double>], seeds: [Tensor<Double>]
) throws -> Double {
  let values = try ReferenceEvaluator.evaluate(graph, inputs: inputs)
  var total = 0.0
  for (output, seed) in zip(graph.outputs, seeds) {
    total += try (values[output.index] * seed).sum().item()
  }
  return total
}

/// Checks the VJP of `graph` against central differences for every input in `wrt`, to a
/// relative error below `tolerance` (measured against the gradient's largest entry).
func expectGradientsMatchFiniteDifferences(
  _ graph: Graph, wrt: [NodeID], batch: Int = 3, seed: UInt64 = 3, lower: Double = 0.3,
  upper: Double = 1.2, tolerance: Double = 1e-6, sourceLocation: SourceLocation = #_sourceLocation
) throws {
  let inputs = try sampleInputs(graph, batch: batch, seed: seed, lower: lower, upper: upper)
  let primalValues = try ReferenceEvaluator.evaluate(graph, inputs: inputs)
  var stream = RandomStream(seed: seed &+ 100)
  let seeds = try graph.outputs.map { output in
    let node = graph[output]
    return try Tensor<Double>.uniform(
      node.isBatched ? [batch] + node.shape : node.shape, from: -1, to: 1, using: &stream)
  }
  // Reverse mode.
  let pullback = try graph.vjp(wrt: wrt)
  var backwardInputs: [InputKind: Tensor<Double>] = [:]
  for node in pullback.graph.nodes {
    guard case .input(let kind) = node.op else { continue }
    switch kind {
    case .primal(let id): backwardInputs[kind] = primalValues[id.index]
    case .seed(let name): backwardInputs[kind] = seeds[Int(name.dropFirst(2)) ?? 0]
    default: backwardInputs[kind] = inputs[kind]
    }
  }
  let backward = try ReferenceEvaluator.evaluate(pullback.graph, inputs: backwardInputs)
  for (position, id) in wrt.enumerated() {
    guard case .input(let kind) = graph[id].op, let x = inputs[kind] else {
      Issue.record("wrt must be inputs", sourceLocation: sourceLocation)
      return
    }
    var gradient = backward[pullback.cotangents[position].index]
    // Per-sample cotangents of an unbatched input are summed over the batch.
    if !graph[id].isBatched && gradient.rank > x.rank { gradient = try gradient.sum(along: [0]) }
    if gradient.shape != x.shape { gradient = try gradient.broadcast(to: x.shape).contiguous() }
    // Central differences, one coordinate at a time.
    let h = 1e-6
    var numeric = [Double](repeating: 0, count: x.count)
    for i in 0..<x.count {
      var plus = x
      var minus = x
      plus.withUnsafeMutableBufferPointer { $0[i] += h }
      minus.withUnsafeMutableBufferPointer { $0[i] -= h }
      var inputsPlus = inputs
      var inputsMinus = inputs
      inputsPlus[kind] = plus
      inputsMinus[kind] = minus
      numeric[i] =
        (try pairing(graph, inputsPlus, seeds: seeds) - pairing(graph, inputsMinus, seeds: seeds))
        / (2 * h)
    }
    let analytic = gradient.scalars
    let scale = Swift.max(1e-3, numeric.map(Swift.abs).max() ?? 0)
    let error = zip(analytic, numeric).map { Swift.abs($0 - $1) }.max() ?? 0
    #expect(
      error / scale < tolerance,
      "\(kind): relative error \(error / scale)\nVJP \(analytic)\nFD  \(numeric)",
      sourceLocation: sourceLocation)
  }
}
