// Matrix products against a naive triple loop, on random shapes, transposed views and batches.
import TauTestSupport
import Testing

@testable import TauTensor

/// C = A·B by the definition, over row-major scalars: the independent reference.
private func naiveProduct(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int) -> [Double] {
  var c = [Double](repeating: 0, count: m * n)
  for i in 0..<m {
    for j in 0..<n {
      var total = 0.0
      for p in 0..<k { total += a[i * k + p] * b[p * n + j] }
      c[i * n + j] = total
    }
  }
  return c
}

@Suite struct MatrixMultiplicationTests {
  @Test(arguments: [(1, 1, 1), (3, 5, 2), (7, 4, 9), (16, 33, 8), (64, 64, 64), (2, 0, 3)])
  func matchesNaiveLoop(m: Int, k: Int, n: Int) throws {
    let a: Tensor<Double> = randomTensor([m, k], seed: 11)
    let b: Tensor<Double> = randomTensor([k, n], seed: 12)
    let expected = naiveProduct(a.scalars, b.scalars, m: m, k: k, n: n)
    expectElements(try a.matmul(b), expected, shape: [m, n])
    // The same product with each operand stored transposed (BLAS transpose flags, no copy).
    let aT = a.transposed().contiguous().transposed()
    let bT = b.transposed().contiguous().transposed()
    expectElements(try aT.matmul(b), expected, shape: [m, n])
    expectElements(try a.matmul(bT), expected, shape: [m, n])
    expectElements(try aT.matmul(bT), expected, shape: [m, n])
    let f = try Tensor<Float>(shape: [m, k], scalars: a.scalars.map(Float.init))
      .matmul(Tensor<Float>(shape: [k, n], scalars: b.scalars.map(Float.init)))
    expectElements(f, expected, shape: [m, n], tolerance: 1e-4)
  }

  @Test func transposedOperandsAreNotCopied() throws {
    let a: Tensor<Double> = randomTensor([5, 3])
    let layout = try #require(a.transposed().blasLayout())
    #expect(layout.transposed && layout.leading == 3)
  }

  @Test func stridedSlicesAreCopiedThenMultiplied() throws {
    let a: Tensor<Double> = randomTensor([6, 4])
    let everyOther = try a.slicing(along: 0, by: 2).slicing(along: 1, by: 2)  // [3×2], strided
    let b: Tensor<Double> = randomTensor([2, 3], seed: 3)
    let expected = naiveProduct(everyOther.scalars, b.scalars, m: 3, k: 2, n: 3)
    expectElements(try everyOther.matmul(b), expected, shape: [3, 3])
  }

  @Test func vectorsFollowNumPyRules() throws {
    let m = try Tensor<Double>([[1, 2], [3, 4], [5, 6]])
    let v = Tensor<Double>([1, -1])
    #expect(try m.matmul(v).scalars == [-1, -1, -1])
    #expect(try m.matmul(v).shape == [3])
    #expect(try Tensor<Double>([1, 0, 1]).matmul(m).scalars == [6, 8])
    #expect(try v.dot(Tensor<Double>([3, 4])) == -1)
    #expect(try v.matmul(v).shape == [])
  }

  @Test func batchesBroadcastLikeNumPy() throws {
    let a: Tensor<Double> = randomTensor([2, 1, 3, 4], seed: 5)
    let b: Tensor<Double> = randomTensor([5, 4, 2], seed: 6)
    let c = try a.matmul(b)
    #expect(c.shape == [2, 5, 3, 2])
    for i in 0..<2 {
      for j in 0..<5 {
        let expected = naiveProduct(
          try a[i][0].scalars, try b[j].scalars, m: 3, k: 4, n: 2)
        expectElements(try c[i][j], expected)
      }
    }
    let stack: Tensor<Float> = randomTensor([12, 8, 8])
    let product = try stack.matmul(stack.transposed())
    for i in [0, 11] {
      let s = try stack[i]
      expectElements(try product[i], try s.matmul(s.transposed()).scalars.map(Double.init))
    }
  }

  @Test func mismatchedInnerSizesAreErrors() {
    let a: Tensor<Double> = randomTensor([3, 4])
    let b: Tensor<Double> = randomTensor([3, 4])
    #expect(throws: TensorError.shapeMismatch(operation: "matmul", lhs: [3, 4], rhs: [3, 4])) {
      try a.matmul(b)
    }
    #expect(throws: TensorError.self) { try Tensor<Double>(1).matmul(a) }
    let batchA: Tensor<Double> = randomTensor([2, 3, 4])
    let batchB: Tensor<Double> = randomTensor([3, 4, 5])
    #expect(throws: TensorError.self) { try batchA.matmul(batchB) }
  }
}
