// Forward mode: the exact Jacobians dh_t/dh_{t-1} of the paper's four cells against the closed
// forms of the paper's §3 (to 1e-12), the frozen-gate split J = A + B, and forward against reverse
// mode on general graphs.
import Foundation
import Testing

@testable import TauGraph
@testable import TauTensor

/// The paper's cells as graphs, with the pieces the closed forms need.
enum PaperCell: CaseIterable {
  case plain, leaky, scalar, multi

  func graph(hidden n: Int, input m: Int) throws -> Graph {
    var g = Graph()
    let h = g.input(.state(0), shape: [n])
    let x = g.input(.input, shape: [m])
    let wr = g.input(.parameter("Wr"), shape: [n, n])
    let wi = g.input(.parameter("Wi"), shape: [n, m])
    let a = try g.add(.binary(.add), [try g.add(.matvec, [wr, h]), try g.add(.matvec, [wi, x])])
    let phi = try g.add(.unary(.tanh), [a])
    let gate: NodeID
    switch self {
    case .plain:
      g.outputs = [phi]
      return g
    case .leaky:
      gate = try g.add(.constant(0.8))
    case .scalar:
      let wrg = g.input(.parameter("gate.wr"), shape: [n])
      let wig = g.input(.parameter("gate.wi"), shape: [m])
      let z = try g.add(.binary(.add), [try g.add(.dot, [wrg, h]), try g.add(.dot, [wig, x])])
      gate = try g.add(.unary(.sigmoid), [z])
    case .multi:
      let wrg = g.input(.parameter("gate.Wr"), shape: [n, n])
      let wig = g.input(.parameter("gate.Wi"), shape: [n, m])
      let z = try g.add(
        .binary(.add), [try g.add(.matvec, [wrg, h]), try g.add(.matvec, [wig, x])])
      gate = try g.add(.unary(.sigmoid), [z])
    }
    g.markGate(gate)
    let retention = try g.add(.binary(.subtract), [try g.add(.constant(1)), gate])
    g.outputs = [
      try g.add(
        .binary(.add),
        [
          try g.add(.binary(.multiply), [gate, phi]),
          try g.add(.binary(.multiply), [retention, h]),
        ])
    ]
    return g
  }
}

/// Runs the tangent graph of `graph` on `inputs` and returns the Jacobian [B, n, n].
func jacobianValue(
  _ graph: Graph, inputs: [InputKind: Tensor<Double>], freezingGates frozen: Bool = false
) throws -> Tensor<Double> {
  let seed = try #require(graph.inputs { $0 == .state(0) }.first)
  let primal = try ReferenceEvaluator.evaluate(graph, inputs: inputs)
  let tangent = try graph.jacobian(wrt: seed, freezingGates: frozen)
  var tangentInputs: [InputKind: Tensor<Double>] = [:]
  for node in tangent.graph.nodes {
    guard case .input(let kind) = node.op else { continue }
    if case .primal(let id) = kind {
      tangentInputs[kind] = primal[id.index]
    } else {
      tangentInputs[kind] = inputs[kind]
    }
  }
  let values = try ReferenceEvaluator.evaluate(tangent.graph, inputs: tangentInputs)
  return values[tangent.jacobians[0].index]
}

@Suite struct JacobianTests {
  let n = 5
  let m = 3
  let batch = 2

  /// J_t from the paper's §3, computed entry by entry with plain arithmetic.
  func closedForm(
    _ cell: PaperCell, _ inputs: [InputKind: Tensor<Double>], sample b: Int, part: String
  )
    throws -> [[Double]]
  {
    let (n, m) = (self.n, self.m)
    let h = try inputs[.state(0)]![b].scalars
    let x = try inputs[.input]![b].scalars
    let wr = inputs[.parameter("Wr")]!.scalars
    let wi = inputs[.parameter("Wi")]!.scalars
    let a = (0..<n).map { i in
      (0..<n).reduce(0.0) { $0 + wr[i * n + $1] * h[$1] }
        + (0..<m).reduce(0.0) { $0 + wi[i * m + $1] * x[$1] }
    }
    let phi = a.map { Foundation.tanh($0) }
    let d = phi.map { 1 - $0 * $0 }
    func sigmoid(_ z: Double) -> Double { 1 / (1 + Foundation.exp(-z)) }
    var dominant = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
    var correction = dominant
    switch cell {
    case .plain:
      for i in 0..<n { for j in 0..<n { dominant[i][j] = d[i] * wr[i * n + j] } }
    case .leaky:
      for i in 0..<n {
        for j in 0..<n { dominant[i][j] = (i == j ? 0.2 : 0) + 0.8 * d[i] * wr[i * n + j] }
      }
    case .scalar:
      let wrg = inputs[.parameter("gate.wr")]!.scalars
      let wig = inputs[.parameter("gate.wi")]!.scalars
      let z =
        (0..<n).reduce(0.0) { $0 + wrg[$1] * h[$1] } + (0..<m).reduce(0.0) { $0 + wig[$1] * x[$1] }
      let g = sigmoid(z)
      for i in 0..<n {
        for j in 0..<n {
          dominant[i][j] = (i == j ? 1 - g : 0) + g * d[i] * wr[i * n + j]
          correction[i][j] = (phi[i] - h[i]) * g * (1 - g) * wrg[j]
        }
      }
    case .multi:
      let wrg = inputs[.parameter("gate.Wr")]!.scalars
      let wig = inputs[.parameter("gate.Wi")]!.scalars
      for i in 0..<n {
        let z =
          (0..<n).reduce(0.0) { $0 + wrg[i * n + $1] * h[$1] }
          + (0..<m).reduce(0.0) { $0 + wig[i * m + $1] * x[$1] }
        let g = sigmoid(z)
        for j in 0..<n {
          dominant[i][j] = (i == j ? 1 - g : 0) + g * d[i] * wr[i * n + j]
          correction[i][j] = (phi[i] - h[i]) * g * (1 - g) * wrg[i * n + j]
        }
      }
    }
    switch part {
    case "dominant": return dominant
    case "correction": return correction
    default: return zip(dominant, correction).map { zip($0, $1).map(+) }
    }
  }

  @Test(arguments: PaperCell.allCases)
  func fullAndFrozenJacobiansMatchClosedForms(_ cell: PaperCell) throws {
    let graph = try cell.graph(hidden: n, input: m)
    let inputs = try sampleInputs(graph, batch: batch, seed: 12)
    let full = try jacobianValue(graph, inputs: inputs)
    let frozen = try jacobianValue(graph, inputs: inputs, freezingGates: true)
    #expect(full.shape == [batch, n, n])
    for b in 0..<batch {
      for (part, value) in [
        ("full", try full[b]), ("dominant", try frozen[b]), ("correction", try full[b] - frozen[b]),
      ] {
        let expected = try closedForm(cell, inputs, sample: b, part: part)
        let actual = value.scalars
        let error =
          (0..<(n * n)).map { Swift.abs(actual[$0] - expected[$0 / n][$0 % n]) }.max() ?? 0
        #expect(error < 1e-12, "\(cell) \(part), sample \(b): max error \(error)")
      }
    }
  }

  /// Forward mode against reverse mode: row i of J is the VJP of the unit cotangent eᵢ.
  @Test func forwardMatchesReverseOnAGeneralGraph() throws {
    var g = Graph()
    let h = g.input(.state(0), shape: [4])
    let x = g.input(.input, shape: [2])
    let w = g.input(.parameter("W"), shape: [3, 4])
    let s = try g.add(.dot, [h, h])  // scalar
    let y = try g.add(.matvec, [w, try g.add(.unary(.softplus), [h])])  // [3]
    let joined = try g.add(.concat, [try g.add(.binary(.multiply), [y, s]), x])  // [5]
    let part = try g.add(.slice(start: 1, count: 4), [joined])
    let scaled = try g.add(
      .binary(.divide), [part, try g.add(.broadcast(4), [try g.add(.sum, [h])])])
    g.outputs = [
      try g.add(.binary(.power), [try g.add(.unary(.exp), [scaled]), try g.add(.constant(2))])
    ]
    let inputs = try sampleInputs(g, batch: 2, seed: 5)
    let jacobian = try jacobianValue(g, inputs: inputs)
    let primal = try ReferenceEvaluator.evaluate(g, inputs: inputs)
    let pullback = try g.vjp(wrt: [h])
    for row in 0..<4 {
      var seed = try Tensor<Double>.zeros([2, 4])
      for b in 0..<2 { try seed.setScalar(1, at: [b, row]) }
      var backwardInputs: [InputKind: Tensor<Double>] = [:]
      for node in pullback.graph.nodes {
        guard case .input(let kind) = node.op else { continue }
        switch kind {
        case .primal(let id): backwardInputs[kind] = primal[id.index]
        case .seed: backwardInputs[kind] = seed
        default: backwardInputs[kind] = inputs[kind]
        }
      }
      let reverse = try ReferenceEvaluator.evaluate(pullback.graph, inputs: backwardInputs)[
        pullback.cotangents[0].index]
      let forward = try jacobian.selecting(row, along: 1)
      #expect(maxAbsDifference(forward, reverse) < 1e-12)
    }
  }

  /// The multi gate's J = diag(1-g) + diag(g)·D·W_r + diag((φ - h)·σ')·W_rg is formed with two
  /// row scalings, one sum and one diagonal addition: scalings, negations and sums of matrices
  /// are folded into vector arithmetic (forward mode alone builds ten n×n values).
  @Test func rowScalingsAreFoldedInTangentGraphs() throws {
    let graph = try PaperCell.multi.graph(hidden: n, input: m)
    let seed = try #require(graph.inputs { $0 == .state(0) }.first)
    for frozen in [false, true] {
      let tangent = try graph.jacobian(wrt: seed, freezingGates: frozen)
      let plan = try Plan<Double>.compile(tangent.graph, batch: 2)
      let matrices = plan.instructions.filter { instruction in
        switch instruction {
        case .matrix, .binary: return true
        default: return false
        }
      }.filter { instruction in
        if case .binary(_, _, _, let y) = instruction { return tangent.graph[y].shape.count == 2 }
        return true
      }
      #expect(matrices.count <= (frozen ? 2 : 4), "\(matrices)")
    }
  }

  @Test func constantGateHasNoCorrection() throws {
    let graph = try PaperCell.leaky.graph(hidden: n, input: m)
    let inputs = try sampleInputs(graph, batch: 1, seed: 2)
    #expect(
      maxAbsDifference(
        try jacobianValue(graph, inputs: inputs),
        try jacobianValue(graph, inputs: inputs, freezingGates: true)) == 0)
  }
}

func maxAbsDifference(_ a: Tensor<Double>, _ b: Tensor<Double>) -> Double {
  guard a.shape == b.shape else { return .infinity }
  return zip(a.scalars, b.scalars).map { Swift.abs($0 - $1) }.max() ?? 0
}

@Suite struct GraphPrintingTests {
  @Test func graphsPrintOneNodePerLine() throws {
    let graph = try PaperCell.leaky.graph(hidden: 2, input: 1)
    let lines = graph.description.split(separator: "\n").map(String.init)
    #expect(lines[0] == "%0 = state 0  [2]")
    #expect(lines[2] == "%2 = param Wr  [2×2]  shared")
    #expect(lines.contains("%4 = matvec %2, %0  [2]"))
    #expect(lines.contains { $0.hasSuffix("gate") })
    #expect(lines.last == "outputs \(graph.outputs[0])")
  }
}
