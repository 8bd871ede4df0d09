// Compiled plans against the reference evaluator: forward graphs, pullback graphs with
// gradient accumulation, broadcasting of shared and per-sample values.
import TauTestSupport
import Testing

@testable import TauGraph
@testable import TauTensor

/// Expects every node a batch-3 plan of `graph` keeps to equal the reference evaluator's value.
func expectPlanMatchesReference(
  _ graph: Graph, seed: UInt64, sourceLocation: SourceLocation = #_sourceLocation
) throws {
  let inputs = try sampleInputs(graph, batch: 3, seed: seed)
  let reference = try ReferenceEvaluator.evaluate(graph, inputs: inputs)
  let (values, _) = try runPlan(graph, inputs: inputs, batch: 3)
  for (index, expected) in reference.enumerated() where values[index] != nil {
    #expect(
      maxAbsDifference(try #require(values[index]), expected) < 1e-13,
      "node \(index): \(graph.nodes[index].op)", sourceLocation: sourceLocation)
  }
}

/// Runs `graph` as a plan on `inputs` and returns every non-accumulated node's value as the
/// reference evaluator shapes it, plus the accumulators.
func runPlan(
  _ graph: Graph, inputs: [InputKind: Tensor<Double>], batch: Int, accumulating: [NodeID] = []
) throws -> (values: [Int: Tensor<Double>], totals: [Tensor<Double>]) {
  let plan = try Plan<Double>.compile(graph, batch: batch, accumulating: accumulating)
  var keep: [Tensor<Double>] = []  // keeps bound storage alive
  for (slot, kind) in plan.inputKinds.enumerated() {
    let value = try #require(inputs[kind]).contiguous()
    keep.append(value)
    value.withUnsafeBufferPointer { plan.bind(slot, to: $0.baseAddress!) }
  }
  var totals = try accumulating.map { try Tensor<Double>.zeros(graph[$0].shape) }
  let arena = UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(1, plan.arenaSize))
  defer { arena.deallocate() }
  try withExtendedLifetime(keep) {
    for slot in totals.indices {
      totals[slot].withUnsafeMutableBufferPointer {
        plan.bindAccumulator(slot, to: $0.baseAddress!)
      }
    }
    try plan.run(arena: arena)
  }
  var values: [Int: Tensor<Double>] = [:]
  for (index, node) in graph.nodes.enumerated() where plan.holdsValue(NodeID(index)) {
    let shape = node.isBatched ? [batch] + node.shape : node.shape
    let count = shape.reduce(1, *)
    let p = plan.pointer(NodeID(index), in: arena)
    values[index] = try Tensor(
      shape: shape, scalars: Array(UnsafeBufferPointer(start: p, count: count)))
  }
  return (values, totals)
}

@Suite struct PlanTests {
  @Test(arguments: PaperCell.allCases)
  func forwardMatchesTheReferenceEvaluator(_ cell: PaperCell) throws {
    let graph = try cell.graph(hidden: 5, input: 3)
    let inputs = try sampleInputs(graph, batch: 4, seed: 6)
    let reference = try ReferenceEvaluator.evaluate(graph, inputs: inputs)
    let (values, _) = try runPlan(graph, inputs: inputs, batch: 4)
    for (index, expected) in reference.enumerated() where values[index] != nil {
      #expect(
        maxAbsDifference(try #require(values[index]), expected) < 1e-13, "\(cell) node \(index)")
    }
  }

  @Test(arguments: PaperCell.allCases)
  func pullbackWithAccumulatedGradientsMatches(_ cell: PaperCell) throws {
    let graph = try cell.graph(hidden: 5, input: 3)
    let batch = 4
    let inputs = try sampleInputs(graph, batch: batch, seed: 7)
    let primal = try ReferenceEvaluator.evaluate(graph, inputs: inputs)
    let h = try #require(graph.inputs { $0 == .state(0) }.first)
    let parameters = graph.parameters.map(\.id)
    let pullback = try graph.vjp(wrt: [h] + parameters)
    var stream = RandomStream(seed: 1)
    let backwardInputs = derivedInputs(
      pullback.graph, primalValues: primal, inputs: inputs,
      seeds: ["ct0": try Tensor<Double>.uniform([batch, 5], from: -1, to: 1, using: &stream)])
    let reference = try ReferenceEvaluator.evaluate(pullback.graph, inputs: backwardInputs)
    let accumulated = Array(pullback.cotangents.dropFirst())
    let (values, totals) = try runPlan(
      pullback.graph, inputs: backwardInputs, batch: batch, accumulating: accumulated)
    let stateCotangent = try #require(values[pullback.cotangents[0].index])
    #expect(maxAbsDifference(stateCotangent, reference[pullback.cotangents[0].index]) < 1e-13)
    for (slot, id) in accumulated.enumerated() {
      var expected = reference[id.index]
      if pullback.graph[id].isBatched { expected = try expected.sum(along: [0]) }
      #expect(
        maxAbsDifference(totals[slot], try expected.broadcast(to: totals[slot].shape).contiguous())
          < 1e-12, "\(cell) parameter \(slot)")
    }
  }

  @Test func everyOperationAgainstTheReference() throws {
    try expectPlanMatchesReference(try everyOperationGraph(), seed: 9)
  }

  /// Tangent graphs (the exact Jacobians) use the matrix-valued primitives.
  @Test(arguments: PaperCell.allCases)
  func jacobianGraphsMatchTheReferenceEvaluator(_ cell: PaperCell) throws {
    let graph = try cell.graph(hidden: 5, input: 3)
    let inputs = try sampleInputs(graph, batch: 3, seed: 8)
    let primal = try ReferenceEvaluator.evaluate(graph, inputs: inputs)
    let seed = try #require(graph.inputs { $0 == .state(0) }.first)
    for frozen in [false, true] {
      let tangent = try graph.jacobian(wrt: seed, freezingGates: frozen)
      let tangentInputs = derivedInputs(tangent.graph, primalValues: primal, inputs: inputs)
      let reference = try ReferenceEvaluator.evaluate(tangent.graph, inputs: tangentInputs)
      let (values, _) = try runPlan(tangent.graph, inputs: tangentInputs, batch: 3)
      let id = tangent.jacobians[0].index
      #expect(
        maxAbsDifference(try #require(values[id]), reference[id]) < 1e-13,
        "\(cell) frozen: \(frozen)")
    }
  }

  @Test func matrixPrimitivesMatchTheReferenceEvaluator() throws {
    try expectPlanMatchesReference(try matrixPrimitivesGraph(), seed: 2)
  }

  /// Matrix-valued cell values (reshape, block transposition, constant tensors) as plans: the
  /// graphs, their Jacobian graphs and their pullbacks.
  @Test func matrixValuedGraphsAndTheirDerivativesMatchTheReference() throws {
    for (label, graph) in try matrixCases().checks {
      try expectPlanMatchesReference(graph, seed: 3)
      let seed = try #require(graph.inputs { $0 == .state(0) }.first)
      try expectPlanMatchesReference(try graph.jacobian(wrt: seed).graph, seed: 4)
      try expectPlanMatchesReference(try graph.vjp(wrt: [seed]).graph, seed: 5)
      _ = label
    }
  }

  /// Consecutive elementwise operations run as one fused instruction, and values used only
  /// inside it are not kept (the forward results above still match the reference).
  @Test func elementwiseRunsAreFused() throws {
    let graph = try PaperCell.multi.graph(hidden: 4, input: 2)
    let plan = try Plan<Double>.compile(graph, batch: 3)
    let fused = plan.instructions.compactMap { instruction -> Int? in
      if case .fused(let operations, _) = instruction { return operations.count }
      return nil
    }
    #expect(fused.reduce(0, +) >= 4, "\(plan.instructions)")
    #expect(graph.nodes.indices.contains { !plan.holdsValue(NodeID($0)) })
  }

  @Test func unboundInputsAreErrorsNotCrashes() throws {
    let graph = try PaperCell.plain.graph(hidden: 2, input: 1)
    let plan = try Plan<Double>.compile(graph, batch: 2)
    let arena = UnsafeMutablePointer<Double>.allocate(capacity: plan.arenaSize)
    defer { arena.deallocate() }
    #expect(throws: GraphError.self) { try plan.run(arena: arena) }
  }

  /// A weight kept transposed follows what its slot holds once rebound: the product after the
  /// weight changes in place and is rebound is the new weight's, by hand (W = [[1, 2], [3, 4]],
  /// then its double, times h = (1, -1) per sample).
  @Test func reboundWeightsAreTransposedAgain() throws {
    var g = Graph()
    let h = g.input(.state(0), shape: [2])
    let w = g.input(.parameter("W"), shape: [2, 2])
    g.outputs = [try g.add(.matvec, [w, h])]
    let plan = try Plan<Double>.compile(g, batch: 2)
    #expect(plan.transposes.count == 1)
    var weight: [Double] = [1, 2, 3, 4]
    let state: [Double] = [1, -1, 1, -1]
    let arena = UnsafeMutablePointer<Double>.allocate(capacity: plan.arenaSize)
    defer { arena.deallocate() }
    func run() throws -> [Double] {
      try weight.withUnsafeBufferPointer { w in
        try state.withUnsafeBufferPointer { s in
          plan.bind(try #require(plan.slot(of: .parameter("W"))), to: w.baseAddress!)
          plan.bind(try #require(plan.slot(of: .state(0))), to: s.baseAddress!)
          try plan.run(arena: arena)
          return Array(UnsafeBufferPointer(start: plan.pointer(g.outputs[0], in: arena), count: 4))
        }
      }
    }
    #expect(try run() == [-1, -1, -1, -1])
    weight = [2, 4, 6, 8]
    #expect(try run() == [-2, -2, -2, -2])
  }
}
