// The plans the compiler makes, as listings: Fixtures/plan-listings.txt holds the plans the
// compiler made before it was split into passes, so any change to an instruction, an operand or
// a buffer shows here; and the listing format itself, on a graph small enough to check by hand.
import Foundation
import TauTestSupport
import Testing

@testable import TauGraph

/// The plans of Fixtures/plan-listings.txt: each paper cell's forward and backward step as
/// `CompiledStep` compiles them, the tangent graphs of a gated cell, and graphs using every
/// operation.
func listedPlans() throws -> [(name: String, plan: Plan<Double>)] {
  var plans: [(name: String, plan: Plan<Double>)] = []
  for cell in PaperCell.allCases {
    let graph = try cell.graph(hidden: 3, input: 2)
    let h = try #require(graph.inputs { $0 == .state(0) }.first)
    let pullback = try graph.vjp(wrt: [h] + graph.parameters.map(\.id))
    let read = Set(
      pullback.graph.nodes.compactMap { node -> NodeID? in
        if case .input(.primal(let id)) = node.op { return id } else { return nil }
      })
    plans.append(("\(cell) forward", try Plan.compile(graph, batch: 2, preserving: read)))
    plans.append(
      (
        "\(cell) backward",
        try Plan.compile(
          pullback.graph, batch: 2, accumulating: Array(pullback.cotangents.dropFirst()))
      ))
  }
  let gated = try PaperCell.multi.graph(hidden: 3, input: 2)
  let seed = try #require(gated.inputs { $0 == .state(0) }.first)
  for frozen in [false, true] {
    let tangent = try gated.jacobian(wrt: seed, freezingGates: frozen)
    plans.append(("multi tangent frozen \(frozen)", try Plan.compile(tangent.graph, batch: 2)))
  }
  plans.append(("every operation", try Plan.compile(try everyOperationGraph(), batch: 3)))
  plans.append(("matrix primitives", try Plan.compile(try matrixPrimitivesGraph(), batch: 3)))
  return plans
}

/// A graph with every vector operation, shared and batched operands mixed.
func everyOperationGraph() throws -> Graph {
  var g = Graph()
  let h = g.input(.state(0), shape: [4])
  let x = g.input(.input, shape: [3])
  let w = g.input(.parameter("W"), shape: [4, 3])
  let v = g.input(.parameter("v"), shape: [4])
  let s = try g.add(.dot, [v, h])  // shared · batched
  let t = try g.add(.dot, [h, h])
  let y = try g.add(.vecmat, [h, w])  // [3]
  let z = try g.add(.binary(.multiply), [try g.add(.matvec, [w, x]), s])  // scalar per sample
  let joined = try g.add(.concat, [z, y, v])  // batched, batched, shared
  let part = try g.add(.slice(start: 2, count: 6), [joined])
  let spread = try g.add(.broadcast(6), [try g.add(.binary(.add), [t, try g.add(.sum, [part])])])
  let o = try g.add(.outer, [x, y])
  let perSample = try g.add(.matvec, [o, x])  // a batched matrix times a batched vector
  let perSampleT = try g.add(.vecmat, [x, o])
  g.outputs = [
    try g.add(.binary(.add), [perSample, perSampleT]),
    try g.add(.binary(.power), [try g.add(.unary(.softplus), [spread]), try g.add(.constant(2))]),
    try g.add(.binary(.subtract), [v, try g.add(.constant(1))]),  // unbatched only
    o,
  ]
  return g
}

/// A graph with every matrix-valued primitive (those of tangent graphs).
func matrixPrimitivesGraph() throws -> Graph {
  var g = Graph()
  let a = g.input(.state(0), shape: [3])
  let x = g.input(.input, shape: [2])
  let w = g.input(.parameter("W"), shape: [3, 2])
  let v = g.input(.parameter("V"), shape: [2, 3])
  let m = try g.add(.outer, [a, x])
  let scaled = try g.add(
    .scaleColumns, [try g.add(.scaleRows, [a, try g.add(.binary(.add), [m, w])]), x])
  let square = try g.add(.matmat, [scaled, v])
  let shifted = try g.add(.addDiagonal, [try g.add(.transpose, [square]), a])
  let stacked = try g.add(.concatRows, [shifted, try g.add(.outer, [x, a])])
  g.outputs = [
    try g.add(.diagonal, [try g.add(.matmat, [shifted, shifted])]),
    try g.add(.sliceRows(start: 1, count: 3), [stacked]),
    try g.add(.matmat, [v, w]),  // shared only
  ]
  return g
}

/// The sections of Fixtures/plan-listings.txt by name (`## name` starts one).
func recordedListings() throws -> [String: String] {
  let text = try String(
    contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("Fixtures/plan-listings.txt"), encoding: .utf8)
  var sections: [String: String] = [:]
  for section in text.components(separatedBy: "## ").dropFirst() {
    let lines = section.split(separator: "\n", omittingEmptySubsequences: false)
    let body = lines.dropFirst().joined(separator: "\n")
    sections[String(lines[0])] = body.trimmingCharacters(in: .newlines)
  }
  return sections
}

@Suite struct PlanListingTests {
  @Test func thePassesMakeThePlansTheCompilerMadeBefore() throws {
    let recorded = try recordedListings()
    let plans = try listedPlans()
    #expect(recorded.count == plans.count)
    for (name, plan) in plans {
      #expect(plan.listing(showingPasses: false) == recorded[name], "\(name)")
    }
  }

  /// tanh(x) + W h, halved and squashed, with a dead exp(h): every pass has something to say.
  /// Worked by hand: W h is folded into the sum, which takes tanh(x)'s buffer (arena 0); the
  /// halving and the sigmoid are one fused run, the halved value in scratch (1 slot × 2 rows ×
  /// 2 columns); the halved value still has arena 4, the output arena 8; W (2 × 2) is also kept
  /// transposed.
  @Test func theListingOfATinyGraph() throws {
    var g = Graph()
    let h = g.input(.state(0), shape: [2])
    let x = g.input(.input, shape: [2])
    let w = g.input(.parameter("W"), shape: [2, 2])
    let product = try g.add(.matvec, [w, h])
    let sum = try g.add(.binary(.add), [product, try g.add(.unary(.tanh), [x])])
    let half = try g.add(.binary(.multiply), [sum, try g.add(.constant(0.5))])
    g.outputs = [try g.add(.unary(.sigmoid), [half])]
    _ = try g.add(.unary(.exp), [h])
    let expected = """
      plan for batch 2: 3 instructions, arena 12 elements, scratch 4 elements, 3 inputs, \
      1 constant, 0 accumulators
      passes
        liveness       9 of 10 nodes live
        accumulation   0 accumulators: 0 outer products as GEMMs, 0 column sums
        product sums   1 sum in place, 1 product folded into them
        buffer layout  arena 12 elements, 3 inputs, 1 constant
        emission       4 instructions
        fusion         1 fused run of 2 operations, 1 value in scratch (4 elements); 3 instructions
        weight layout  1 shared weight also kept transposed (4 elements)
      instructions
         0  tanh        %4 [2]×B arena 0  ←  %1 [2]×B input
         1  matvec+=    %5 [2]×B arena 0  ←  %2 [2×2] param W, %0 [2]×B state 0
         2  fused       2 operations on 2 columns, 2 rows at a time
              multiply    scratch 0  ←  %5 [2]×B arena 0, %6 [] constant 0.5
              sigmoid     %8 [2]×B arena 8  ←  scratch 0
      """
    #expect(try Plan<Double>.compile(g, batch: 2).listing() == expected)
  }

  /// Timing on, a run adds one count per instruction to its kind.
  /// (Other suites may run plans meanwhile, so counts are at least, not exactly, these.)
  @Test func profilingCountsEveryInstructionOfARun() throws {
    let graph = try PaperCell.multi.graph(hidden: 3, input: 2)
    let inputs = try sampleInputs(graph, batch: 2, seed: 3)
    PlanProfile.setEnabled(true)
    defer { PlanProfile.setEnabled(false) }
    _ = PlanProfile.takeReport()
    for _ in 0..<3 { _ = try runPlan(graph, inputs: inputs, batch: 2) }
    let report = try #require(PlanProfile.takeReport())
    let lines = report.split(separator: "\n").map(String.init)
    #expect(lines[0].hasPrefix("# plan times (TAU_DEBUG=3): "))
    #expect(lines[1].split(separator: " ") == ["instruction", "count", "total", "ms", "share"])
    func count(_ kind: String) -> Int {
      lines.dropFirst(2).first { $0.hasPrefix(kind + " ") }
        .flatMap { Int($0.split(separator: " ")[1]) } ?? 0
    }
    // The multi cell's plan: two matvec, two matvec+=, a tanh and one fused run, run 3 times.
    #expect(count("matvec") >= 6)
    #expect(count("matvec+=") >= 6)
    #expect(count("fused") >= 3)
    #expect(count("tanh") >= 3)
  }

  @Test func reportNumbersAreRoundedAsPrinted() {
    #expect(PlanProfile.milliseconds(1_250_000) == "1.250")
    #expect(PlanProfile.milliseconds(499) == "0.000")
    #expect(PlanProfile.milliseconds(12_345_678) == "12.346")
    #expect(PlanProfile.share(560, of: 1000) == "56.0%")
    #expect(PlanProfile.share(1, of: 3) == "33.3%")
    #expect(PlanProfile.share(0, of: 0) == "0.0%")
  }
}
