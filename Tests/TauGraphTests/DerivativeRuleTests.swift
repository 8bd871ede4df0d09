// Every primitive's pullback against central finite differences in float64 (relative error
// below 1e-6), each in a small graph with batched and shared inputs.
import Testing

@testable import TauGraph
@testable import TauTensor

@Suite struct DerivativeRuleTests {
  @Test(arguments: UnaryOperation.allCases)
  func unary(_ op: UnaryOperation) throws {
    var g = Graph()
    let x = g.input(.state(0), shape: [4])
    g.outputs = [try g.add(.unary(op), [x])]
    // log, sqrt and reciprocal need positive inputs; sign is flat (its pullback is zero).
    let positive: Set<UnaryOperation> = [.log, .sqrt, .reciprocal]
    try expectGradientsMatchFiniteDifferences(g, wrt: [x], seed: positive.contains(op) ? 5 : 4)
  }

  @Test(arguments: BinaryOperation.allCases)
  func binary(_ op: BinaryOperation) throws {
    // Vector with vector, and a shared scalar broadcast against a batched vector.
    var g = Graph()
    let a = g.input(.state(0), shape: [3])
    let b = g.input(.input, shape: [3])
    let s = g.input(.parameter("s"), shape: [])
    let y = try g.add(.binary(op), [a, b])
    let z = try g.add(.binary(op), [y, s])
    g.outputs = [z]
    // power needs a positive base for d/db = aᵇ ln a.
    try expectGradientsMatchFiniteDifferences(g, wrt: [a, b, s], seed: op == .power ? 5 : 4)
  }

  @Test func matrixOperations() throws {
    var g = Graph()
    let w = g.input(.parameter("W"), shape: [3, 4])
    let v = g.input(.input, shape: [4])
    let u = g.input(.state(0), shape: [3])
    let mv = try g.add(.matvec, [w, v])  // [3]
    let vm = try g.add(.vecmat, [u, w])  // [4]
    let o = try g.add(.outer, [mv, vm])  // [3×4]
    let back = try g.add(.matvec, [o, v])  // [3]
    g.outputs = [back, try g.add(.dot, [u, mv])]
    try expectGradientsMatchFiniteDifferences(g, wrt: [w, v, u])
  }

  @Test func reductionsAndStructure() throws {
    var g = Graph()
    let u = g.input(.state(0), shape: [5])
    let x = g.input(.input, shape: [2])
    let total = try g.add(.sum, [u])
    let spread = try g.add(.broadcast(2), [total])
    let joined = try g.add(.concat, [u, try g.add(.binary(.multiply), [spread, x])])  // [7]
    let middle = try g.add(.slice(start: 2, count: 4), [joined])
    g.outputs = [try g.add(.unary(.tanh), [middle])]
    try expectGradientsMatchFiniteDifferences(g, wrt: [u, x])
  }

  @Test func sharedSubexpressionsAccumulate() throws {
    var g = Graph()
    let h = g.input(.state(0), shape: [3])
    let t = try g.add(.unary(.tanh), [h])
    let product = try g.add(.binary(.multiply), [t, t])  // t used twice
    g.outputs = [try g.add(.binary(.add), [product, h])]  // h used twice
    try expectGradientsMatchFiniteDifferences(g, wrt: [h])
  }

  @Test func shapeErrorsNameBothShapes() {
    var g = Graph()
    let w = g.input(.parameter("W"), shape: [3, 4])
    let v = g.input(.input, shape: [3])
    #expect(throws: GraphError(message: "shape mismatch in '@': [3×4] @ [3]", origin: 7)) {
      try g.add(.matvec, [w, v], origin: 7)
    }
    #expect(throws: GraphError.self) { try g.add(.binary(.add), [w, v]) }
  }
}

@Suite struct MatrixDerivativeRuleTests {
  @Test func matrixPrimitives() throws {
    var g = Graph()
    let a = g.input(.state(0), shape: [3])
    let x = g.input(.input, shape: [2])
    let w = g.input(.parameter("W"), shape: [3, 2])
    let v = g.input(.parameter("V"), shape: [2, 3])
    let m = try g.add(.outer, [a, x])  // batched [3×2]
    let scaled = try g.add(.scaleRows, [a, try g.add(.binary(.add), [m, w])])
    let columns = try g.add(.scaleColumns, [scaled, x])
    let square = try g.add(.matmat, [columns, v])  // [3×3]
    let shifted = try g.add(.addDiagonal, [try g.add(.transpose, [square]), a])
    let diag = try g.add(.diagonal, [try g.add(.matmat, [shifted, shifted])])
    let stacked = try g.add(.concatRows, [shifted, try g.add(.outer, [x, a])])  // [5×3]
    let rows = try g.add(.sliceRows(start: 1, count: 3), [stacked])
    g.outputs = [diag, try g.add(.matvec, [rows, a])]
    try expectGradientsMatchFiniteDifferences(g, wrt: [a, x, w, v])
  }

  /// A matrix state: reshaped, its row blocks transposed, combined with a constant tensor.
  @Test func matrixStatePrimitives() throws {
    var g = Graph()
    let s = g.input(.state(0), shape: [6])
    let x = g.input(.input, shape: [3])
    let m = try g.add(.reshape([2, 3]), [s])
    let k = try g.add(.tensor(TensorConstant(shape: [2, 3], values: [1, -1, 2, 0.5, 0, 3])))
    let shifted = try g.add(.binary(.multiply), [m, k])
    let blocks = try g.add(
      .transposeBlocks(rows: 2, columns: 3), [try g.add(.reshape([6]), [shifted])])
    let y = try g.add(.matvec, [shifted, x])
    g.outputs = [try g.add(.unary(.tanh), [blocks]), y]
    try expectGradientsMatchFiniteDifferences(g, wrt: [s, x])
  }
}
