// Evaluating a graph's derived graphs (forward-mode tangents, reverse-mode pullbacks) with the
// reference evaluator, on seeded sample inputs: the plumbing every derivative test repeats.
import TauGraph
import TauTensor

/// Values for the inputs of `graph`: batched ones get a leading batch axis, all seeded, with
/// magnitudes in [lower, upper] so log, sqrt and division stay away from their singularities.
/// Odd seeds with positive bounds give positive values; other seeds give random signs too.
public func sampleInputs(
  _ graph: Graph, batch: Int, seed: UInt64 = 3, lower: Double = 0.3, upper: Double = 1.2
) throws -> [InputKind: Tensor<Double>] {
  var stream = RandomStream(seed: seed)
  var inputs: [InputKind: Tensor<Double>] = [:]
  for node in graph.nodes {
    guard case .input(let kind) = node.op else { continue }
    let shape = node.isBatched ? [batch] + node.shape : node.shape
    let magnitude = try Tensor<Double>.uniform(shape, from: lower, to: upper, using: &stream)
    let signs = try Tensor<Double>.uniform(shape, from: -1, to: 1, using: &stream).applying(.sign)
    inputs[kind] = lower > 0 && upper > 0 && seed % 2 == 1 ? magnitude : try magnitude * signs
  }
  return inputs
}

/// The inputs of a graph derived from a primal one: `.primal(k)` takes node k's value in
/// `primalValues`, `.seed(name)` takes `seeds[name]`, and the rest (parameters, x) `inputs`.
public func derivedInputs(
  _ derived: Graph, primalValues: [Tensor<Double>], inputs: [InputKind: Tensor<Double>],
  seeds: [String: Tensor<Double>] = [:]
) -> [InputKind: Tensor<Double>] {
  var values: [InputKind: Tensor<Double>] = [:]
  for node in derived.nodes {
    guard case .input(let kind) = node.op else { continue }
    switch kind {
    case .primal(let id): values[kind] = primalValues[id.index]
    case .seed(let name): values[kind] = seeds[name]
    default: values[kind] = inputs[kind]
    }
  }
  return values
}

/// The forward-mode Jacobian of each output of `graph` with respect to input `seed` (a
/// vector), evaluated on `inputs`: per output, a [B, k, p] tensor (k the output's length, 1 for
/// a scalar; p the seed's).
public func forwardJacobians(
  _ graph: Graph, wrt seed: NodeID, inputs: [InputKind: Tensor<Double>],
  freezingGates frozen: Bool = false
) throws -> [Tensor<Double>] {
  let primal = try ReferenceEvaluator.evaluate(graph, inputs: inputs)
  let tangent = try graph.jacobian(wrt: seed, freezingGates: frozen)
  let values = try ReferenceEvaluator.evaluate(
    tangent.graph, inputs: derivedInputs(tangent.graph, primalValues: primal, inputs: inputs))
  return tangent.jacobians.map { values[$0.index] }
}

/// The forward-mode Jacobian of the first output of `graph` with respect to its state input
/// `.state(0)`, evaluated on `inputs`: [B, k, n].
public func stateJacobian(
  _ graph: Graph, inputs: [InputKind: Tensor<Double>], freezingGates frozen: Bool = false
) throws -> Tensor<Double> {
  guard let state = graph.inputs(where: { $0 == .state(0) }).first else {
    throw GraphError(message: "the graph has no state input", origin: nil)
  }
  return try forwardJacobians(graph, wrt: state, inputs: inputs, freezingGates: frozen)[0]
}

/// The reverse-mode cotangents of `wrt` for output cotangents `outputSeeds` (one per output of
/// `graph`, shaped like its value), evaluated on `inputs`. An unbatched input's per-sample
/// cotangents are summed over the batch, so each result has its input's shape.
public func reverseCotangents(
  _ graph: Graph, wrt: [NodeID], inputs: [InputKind: Tensor<Double>],
  outputSeeds: [Tensor<Double>], freezingGates frozen: Bool = false
) throws -> [Tensor<Double>] {
  let primal = try ReferenceEvaluator.evaluate(graph, inputs: inputs)
  let pullback = try graph.vjp(wrt: wrt, freezingGates: frozen)
  var seeds: [String: Tensor<Double>] = [:]
  for (index, seed) in outputSeeds.enumerated() { seeds["ct\(index)"] = seed }
  let values = try ReferenceEvaluator.evaluate(
    pullback.graph,
    inputs: derivedInputs(pullback.graph, primalValues: primal, inputs: inputs, seeds: seeds))
  return try zip(wrt, pullback.cotangents).map { id, cotangent in
    var gradient = values[cotangent.index]
    let shape = try inputValue(graph, id, in: inputs).shape
    if !graph[id].isBatched && gradient.rank > shape.count {
      gradient = try gradient.sum(along: [0])
    }
    if gradient.shape != shape { gradient = try gradient.broadcast(to: shape).contiguous() }
    return gradient
  }
}

/// The value `inputs` holds for input node `id` of `graph`.
public func inputValue(_ graph: Graph, _ id: NodeID, in inputs: [InputKind: Tensor<Double>])
  throws -> Tensor<Double>
{
  guard case .input(let kind) = graph[id].op, let value = inputs[kind] else {
    throw GraphError(message: "\(id) is not an input with a value", origin: nil)
  }
  return value
}

/// Σ over all outputs of ⟨seed_j, output_j⟩: the scalar whose gradient the VJP computes.
public func pairing(
  _ graph: Graph, _ inputs: [InputKind: Tensor<Double>], seeds: [Tensor<Double>]
) throws -> Double {
  let values = try ReferenceEvaluator.evaluate(graph, inputs: inputs)
  var total = 0.0
  for (output, seed) in zip(graph.outputs, seeds) {
    total += try (values[output.index] * seed).sum().item()
  }
  return total
}
