// Forward mode: the exact Jacobians dh_t/dh_{t-1} of the paper's four cells against the closed
// forms of the paper's §3 (to 1e-12), the frozen-gate split J = A + B, and forward against reverse
// mode on general graphs.
import Foundation
import TauTestSupport
import Testing

@testable import TauGraph
@testable import TauTensor

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
    let full = try stateJacobian(graph, inputs: inputs)
    let frozen = try stateJacobian(graph, inputs: inputs, freezingGates: true)
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
    let jacobian = try stateJacobian(g, inputs: inputs)
    for row in 0..<4 {
      var seed = try Tensor<Double>.zeros([2, 4])
      for b in 0..<2 { try seed.setScalar(1, at: [b, row]) }
      let reverse = try reverseCotangents(g, wrt: [h], inputs: inputs, outputSeeds: [seed])[0]
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
        try stateJacobian(graph, inputs: inputs),
        try stateJacobian(graph, inputs: inputs, freezingGates: true)) == 0)
  }
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
