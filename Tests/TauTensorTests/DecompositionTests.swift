// Tests of SVD, symmetric eigen-decomposition, QR, least squares and the matrix norms.
import Foundation
import Testing

@testable import TauTensor

/// A matrix (or stack) of `shape`, uniform on [-1, 1) from `RandomStream(seed:)`.
private func randomMatrix(_ shape: [Int], seed: UInt64) throws -> Tensor<Double> {
  var stream = RandomStream(seed: seed)
  return try Tensor<Double>.uniform(shape, from: -1, to: 1, using: &stream)
}

/// The row-major product of an `m×k` and a `k×n` matrix, by the definition.
private func naiveProduct<S: TensorScalar>(
  _ a: [S], _ b: [S], m: Int, k: Int, n: Int
) -> [Double] {
  var c = [Double](repeating: 0, count: m * n)
  for i in 0..<m {
    for j in 0..<n {
      var total = 0.0
      for p in 0..<k { total += Double(a[i * k + p]) * Double(b[p * n + j]) }
      c[i * n + j] = total
    }
  }
  return c
}

/// U·diag(S)·Vᵀ by a triple loop (U `m×k`, S `k`, Vᵀ `k×n`).
private func reconstruction<S: TensorScalar>(
  u: [S], s: [S], vt: [S], m: Int, k: Int, n: Int
) -> [Double] {
  var a = [Double](repeating: 0, count: m * n)
  for i in 0..<m {
    for j in 0..<n {
      var total = 0.0
      for p in 0..<k { total += Double(u[i * k + p]) * Double(s[p]) * Double(vt[p * n + j]) }
      a[i * n + j] = total
    }
  }
  return a
}

/// max |XᵀX − I| for the columns of a row-major `rows×columns` matrix.
private func columnOrthonormalityError<S: TensorScalar>(
  _ x: [S], rows: Int, columns: Int
) -> Double {
  var worst = 0.0
  for i in 0..<columns {
    for j in 0..<columns {
      var dot = 0.0
      for r in 0..<rows { dot += Double(x[r * columns + i]) * Double(x[r * columns + j]) }
      worst = Swift.max(worst, Swift.abs(dot - (i == j ? 1 : 0)))
    }
  }
  return worst
}

/// max |XXᵀ − I| for the rows of a row-major `rows×columns` matrix.
private func rowOrthonormalityError(_ x: [Double], rows: Int, columns: Int) -> Double {
  var transposed = [Double](repeating: 0, count: x.count)
  for r in 0..<rows { for c in 0..<columns { transposed[c * rows + r] = x[r * columns + c] } }
  return columnOrthonormalityError(transposed, rows: columns, columns: rows)
}

/// Largest |a − b| over matching elements; infinity when the counts differ.
private func maxError<S: TensorScalar>(_ a: [S], _ b: [Double]) -> Double {
  guard a.count == b.count else { return .infinity }
  return zip(a, b).map { Swift.abs(Double($0) - $1) }.max() ?? 0
}

@Suite struct DecompositionTests {
  // MARK: - SVD

  @Test(arguments: [(7, 4, 1), (3, 6, 2), (5, 5, 3)])
  func svdReconstructsRandomMatrix(rows m: Int, columns n: Int, seed: Int) throws {
    let a = try randomMatrix([m, n], seed: UInt64(seed))
    let (u, s, vt) = try a.svd()
    let k = Swift.min(m, n)
    #expect(u.shape == [m, k])
    #expect(s.shape == [k])
    #expect(vt.shape == [k, n])
    let rebuilt = reconstruction(u: u.scalars, s: s.scalars, vt: vt.scalars, m: m, k: k, n: n)
    #expect(maxError(a.scalars, rebuilt) < 1e-12)
    #expect(columnOrthonormalityError(u.scalars, rows: m, columns: k) < 1e-12)
    #expect(rowOrthonormalityError(vt.scalars, rows: k, columns: n) < 1e-12)
    let values = s.scalars
    #expect(values.allSatisfy { $0 >= 0 })
    #expect(zip(values, values.dropFirst()).allSatisfy { $0 >= $1 })
    // singularValues() agrees with the full decomposition.
    #expect(maxError(try a.singularValues().scalars, values) < 1e-12)
  }

  @Test func singularValuesOfHandComputedMatrix() throws {
    // AᵀA = [[25, 20], [20, 25]] has eigenvalues 45 and 5.
    let a = try Tensor<Double>([[3, 0], [4, 5]])
    let s = try a.singularValues()
    #expect(s.shape == [2])
    #expect(maxError(s.scalars, [Foundation.sqrt(45.0), Foundation.sqrt(5.0)]) < 1e-12)
  }

  @Test func singularValuesOfDiagonalMatrixAreSortedMagnitudes() throws {
    let a = try Tensor<Double>([[1, 0, 0], [0, -4, 0], [0, 0, 2]])
    #expect(maxError(try a.singularValues().scalars, [4, 2, 1]) < 1e-14)
    // A rectangular diagonal, and the identity.
    let wide = try Tensor<Double>([[0, 0, 0, 0], [0, 3, 0, 0]])
    #expect(maxError(try wide.singularValues().scalars, [3, 0]) < 1e-14)
    #expect(maxError(try Tensor<Double>.eye(4).singularValues().scalars, [1, 1, 1, 1]) < 1e-14)
  }

  @Test func singularValuesOfRankOneMatrix() throws {
    // [[1, 2], [2, 4]] = [1, 2]ᵀ[1, 2]: one singular value ‖[1, 2]‖² = 5, the other 0.
    let s = try Tensor<Double>([[1, 2], [2, 4]]).singularValues().scalars
    #expect(maxError(s, [5, 0]) < 1e-12)
  }

  @Test func batchedSVDMatchesPerMatrixCalls() throws {
    let batch = try randomMatrix([2, 3, 3], seed: 4)
    let (u, s, vt) = try batch.svd()
    #expect(u.shape == [2, 3, 3])
    #expect(s.shape == [2, 3])
    #expect(vt.shape == [2, 3, 3])
    let batchedValues = try batch.singularValues()
    #expect(batchedValues.shape == [2, 3])
    for i in 0..<2 {
      let matrix = try batch.selecting(i, along: 0)
      let single = try matrix.svd()
      #expect(maxError(try u.selecting(i, along: 0).scalars, single.u.scalars) < 1e-12)
      #expect(maxError(try s.selecting(i, along: 0).scalars, single.s.scalars) < 1e-12)
      #expect(maxError(try vt.selecting(i, along: 0).scalars, single.vt.scalars) < 1e-12)
      #expect(maxError(try batchedValues.selecting(i, along: 0).scalars, single.s.scalars) < 1e-12)
      let rebuilt = reconstruction(
        u: try u.selecting(i, along: 0).scalars, s: try s.selecting(i, along: 0).scalars,
        vt: try vt.selecting(i, along: 0).scalars, m: 3, k: 3, n: 3)
      #expect(maxError(matrix.scalars, rebuilt) < 1e-12)
    }
  }

  @Test func svdOfTransposedViewMatchesContiguousCopy() throws {
    let a = try randomMatrix([4, 6], seed: 5)
    let view = a.transposed()  // [6×4], strided
    #expect(!view.isContiguous)
    let fromView = try view.svd()
    let fromCopy = try view.contiguous().svd()
    #expect(maxError(fromView.s.scalars, fromCopy.s.scalars) < 1e-12)
    let rebuilt = reconstruction(
      u: fromView.u.scalars, s: fromView.s.scalars, vt: fromView.vt.scalars, m: 6, k: 4, n: 4)
    #expect(maxError(view.scalars, rebuilt) < 1e-12)
  }

  @Test func floatSVDReconstructs() throws {
    var stream = RandomStream(seed: 6)
    let a = try Tensor<Float>.uniform([6, 4], from: -1, to: 1, using: &stream)
    let (u, s, vt) = try a.svd()
    let rebuilt = reconstruction(u: u.scalars, s: s.scalars, vt: vt.scalars, m: 6, k: 4, n: 4)
    #expect(maxError(a.scalars, rebuilt) < 1e-4)
    #expect(columnOrthonormalityError(u.scalars, rows: 6, columns: 4) < 1e-4)
    let values = s.scalars
    #expect(zip(values, values.dropFirst()).allSatisfy { $0 >= $1 } && values.last! >= 0)
  }

  @Test func svdOfEmptyMatrix() throws {
    let a = try Tensor<Double>.zeros([0, 3])
    let (u, s, vt) = try a.svd()
    #expect(u.shape == [0, 0])
    #expect(s.shape == [0])
    #expect(vt.shape == [0, 3])
  }

  // MARK: - Symmetric eigen-decomposition

  @Test func symmetricEigenOfTwoByTwo() throws {
    let a = try Tensor<Double>([[2, 1], [1, 2]])
    let (values, vectors) = try a.symmetricEigen()
    #expect(values.shape == [2])
    #expect(vectors.shape == [2, 2])
    #expect(maxError(values.scalars, [1, 3]) < 1e-12)
    let v = vectors.scalars
    let lambda = values.scalars
    let matrix = a.scalars
    for column in 0..<2 {
      for row in 0..<2 {
        let av = matrix[row * 2] * v[column] + matrix[row * 2 + 1] * v[2 + column]
        #expect(Swift.abs(av - lambda[column] * v[row * 2 + column]) < 1e-12)
      }
    }
    #expect(columnOrthonormalityError(v, rows: 2, columns: 2) < 1e-12)
  }

  @Test func symmetricEigenReadsOnlyTheLowerTriangle() throws {
    let lower = try Tensor<Double>([[2, 99], [1, 2]])  // the 99 must be ignored
    #expect(maxError(try lower.symmetricEigen().values.scalars, [1, 3]) < 1e-12)
  }

  @Test func symmetricEigenOfRandomBatch() throws {
    // Symmetrise a random stack: B = (A + Aᵀ) / 2.
    let a = try randomMatrix([3, 4, 4], seed: 7)
    let values = a.scalars
    var symmetric = [Double](repeating: 0, count: values.count)
    for b in 0..<3 {
      for i in 0..<4 {
        for j in 0..<4 {
          symmetric[b * 16 + i * 4 + j] =
            (values[b * 16 + i * 4 + j] + values[b * 16 + j * 4 + i]) / 2
        }
      }
    }
    let (w, v) = try Tensor<Double>(shape: [3, 4, 4], scalars: symmetric).symmetricEigen()
    #expect(w.shape == [3, 4])
    #expect(v.shape == [3, 4, 4])
    for b in 0..<3 {
      let lambda = Array(w.scalars[(b * 4)..<(b * 4 + 4)])
      let vectors = Array(v.scalars[(b * 16)..<(b * 16 + 16)])
      let matrix = Array(symmetric[(b * 16)..<(b * 16 + 16)])
      #expect(zip(lambda, lambda.dropFirst()).allSatisfy { $0 <= $1 })
      #expect(columnOrthonormalityError(vectors, rows: 4, columns: 4) < 1e-12)
      let av = naiveProduct(matrix, vectors, m: 4, k: 4, n: 4)
      var expected = [Double](repeating: 0, count: 16)
      for row in 0..<4 {
        for c in 0..<4 { expected[row * 4 + c] = vectors[row * 4 + c] * lambda[c] }
      }
      #expect(maxError(av, expected) < 1e-12)
    }
  }

  // MARK: - QR

  @Test(arguments: [(6, 4, 8), (3, 5, 9), (4, 4, 10)])
  func qrOfRandomMatrix(rows m: Int, columns n: Int, seed: Int) throws {
    let a = try randomMatrix([m, n], seed: UInt64(seed))
    let (q, r) = try a.qr()
    let k = Swift.min(m, n)
    #expect(q.shape == [m, k])
    #expect(r.shape == [k, n])
    #expect(columnOrthonormalityError(q.scalars, rows: m, columns: k) < 1e-12)
    let rValues = r.scalars
    for i in 0..<k {
      for j in 0..<Swift.min(i, n) { #expect(rValues[i * n + j] == 0, "R[\(i)][\(j)]") }
    }
    let product = naiveProduct(q.scalars, rValues, m: m, k: k, n: n)
    #expect(maxError(a.scalars, product) < 1e-12)
  }

  @Test func batchedQRMatchesPerMatrixCalls() throws {
    let batch = try randomMatrix([2, 5, 3], seed: 11)
    let (q, r) = try batch.qr()
    #expect(q.shape == [2, 5, 3])
    #expect(r.shape == [2, 3, 3])
    for i in 0..<2 {
      let single = try batch.selecting(i, along: 0).qr()
      #expect(maxError(try q.selecting(i, along: 0).scalars, single.q.scalars) < 1e-12)
      #expect(maxError(try r.selecting(i, along: 0).scalars, single.r.scalars) < 1e-12)
    }
  }

  // MARK: - Least squares

  @Test func leastSquaresRecoversConsistentVectorSolution() throws {
    let a = try randomMatrix([8, 3], seed: 12)
    let x: [Double] = [1.5, -2, 0.25]
    let b = naiveProduct(a.scalars, x, m: 8, k: 3, n: 1)
    let solution = try a.leastSquares(Tensor<Double>(b))
    #expect(solution.shape == [3])
    #expect(maxError(solution.scalars, x) < 1e-10)
  }

  @Test func leastSquaresRecoversConsistentMatrixSolution() throws {
    let a = try randomMatrix([9, 4], seed: 13)
    let x = try randomMatrix([4, 2], seed: 14)
    let b = naiveProduct(a.scalars, x.scalars, m: 9, k: 4, n: 2)
    let solution = try a.leastSquares(Tensor<Double>(shape: [9, 2], scalars: b))
    #expect(solution.shape == [4, 2])
    #expect(maxError(solution.scalars, x.scalars) < 1e-10)
  }

  @Test func leastSquaresFitsALineExactly() throws {
    // Points (0, 1), (1, 3), (2, 5) lie on y = 1 + 2x.
    let design = try Tensor<Double>([[1, 0], [1, 1], [1, 2]])
    let fit = try design.leastSquares(Tensor<Double>([1, 3, 5]))
    #expect(maxError(fit.scalars, [1, 2]) < 1e-12)
  }

  @Test func leastSquaresFitsInconsistentLine() throws {
    // Points (0, 0), (1, 1), (2, 1): normal equations [[3, 3], [3, 5]]·x = [2, 3] give
    // x = [1/6, 1/2].
    let design = try Tensor<Double>([[1, 0], [1, 1], [1, 2]])
    let fit = try design.leastSquares(Tensor<Double>([0, 1, 1]))
    #expect(maxError(fit.scalars, [1.0 / 6, 0.5]) < 1e-12)
  }

  @Test func leastSquaresGivesMinimumNormSolution() throws {
    // x + y = 2 has many solutions; the shortest is (1, 1).
    let underdetermined = try Tensor<Double>([[1, 1]])
    #expect(
      maxError(try underdetermined.leastSquares(Tensor<Double>([2])).scalars, [1, 1]) < 1e-12)
    // Rank-deficient: two equal columns, and x₀ + x₁ = 3 solves every row; the shortest
    // solution is (1.5, 1.5), as numpy.linalg.lstsq gives (rounding must not raise the rank).
    let repeated = try Tensor<Double>([[1, 1], [2, 2], [3, 3]])
    let fit = try repeated.leastSquares(Tensor<Double>([3, 6, 9])).scalars
    #expect(maxError(fit, [1.5, 1.5]) < 1e-12)
  }

  @Test func leastSquaresWithEmptyMatrix() throws {
    let a = try Tensor<Double>.zeros([0, 2])
    let x = try a.leastSquares(Tensor<Double>([Double]()))
    #expect(x.shape == [2])
    #expect(x.scalars == [0, 0])
  }

  // MARK: - Norms

  @Test func frobeniusNorm() throws {
    #expect(try Tensor<Double>([[1, 2], [2, 4]]).frobeniusNorm() == 5)
    #expect(Tensor<Double>([3, 4]).frobeniusNorm() == 5)
    #expect(Tensor<Double>([Double]()).frobeniusNorm() == 0)
    // No overflow for large elements.
    #expect(Swift.abs(Tensor<Double>([3e200, 4e200]).frobeniusNorm() / 5e200 - 1) < 1e-15)
    // A strided view is read in logical order.
    let view = try Tensor<Float>([[1, 2], [2, 4]]).transposed()
    #expect(view.frobeniusNorm() == 5)
  }

  @Test func spectralNormOfHandComputedMatrix() throws {
    let norm = try Tensor<Double>([[3, 0], [4, 5]]).spectralNorm()
    #expect(norm.shape == [])
    #expect(Swift.abs(try norm.item() - Foundation.sqrt(45.0)) < 1e-12)
  }

  @Test func spectralNormOfBatchHasOneValuePerMatrix() throws {
    let batch = try Tensor<Double>(
      shape: [3, 2, 2], scalars: [3, 0, 4, 5, 2, 0, 0, -7, 1, 2, 2, 4])
    let norms = try batch.spectralNorm()
    #expect(norms.shape == [3])
    #expect(maxError(norms.scalars, [Foundation.sqrt(45.0), 7, 5]) < 1e-12)
  }

  @Test func spectralNormOfEmptyMatrices() throws {
    let norms = try Tensor<Double>.zeros([2, 0, 3]).spectralNorm()
    #expect(norms.shape == [2])
    #expect(norms.scalars == [0, 0])
  }

  // MARK: - Errors

  @Test func decompositionsOfVectorsThrowInvalidShape() {
    let vector = Tensor<Double>([1, 2, 3])
    let reason = "expected a matrix or a stack of matrices"
    #expect(throws: TensorError.invalidShape(operation: "svd", shape: [3], reason: reason)) {
      try vector.svd()
    }
    #expect(
      throws: TensorError.invalidShape(operation: "singularValues", shape: [3], reason: reason)
    ) { try vector.singularValues() }
    #expect(throws: TensorError.invalidShape(operation: "qr", shape: [3], reason: reason)) {
      try vector.qr()
    }
    #expect(throws: TensorError.self) { try Tensor<Double>(2).spectralNorm() }
  }

  @Test func symmetricEigenOfNonSquareThrows() throws {
    let a = try Tensor<Double>([[1, 2, 3], [4, 5, 6]])
    #expect(
      throws: TensorError.invalidShape(
        operation: "symmetricEigen", shape: [2, 3], reason: "the matrices must be square")
    ) { try a.symmetricEigen() }
  }

  @Test func nonFiniteInputsThrowInvalidArgument() throws {
    let message = "the input contains NaN or infinity"
    let nan = try Tensor<Double>([[1, .nan], [0, 1]])
    #expect(throws: TensorError.invalidArgument(operation: "svd", message: message)) {
      try nan.svd()
    }
    #expect(throws: TensorError.invalidArgument(operation: "singularValues", message: message)) {
      try nan.singularValues()
    }
    #expect(throws: TensorError.invalidArgument(operation: "symmetricEigen", message: message)) {
      try nan.symmetricEigen()
    }
    #expect(throws: TensorError.invalidArgument(operation: "qr", message: message)) {
      try nan.qr()
    }
    let infinite = try Tensor<Float>([[1, 0], [0, -.infinity]])
    #expect(throws: TensorError.invalidArgument(operation: "svd", message: message)) {
      try infinite.svd()
    }
    let good = try Tensor<Double>([[1, 0], [0, 1]])
    #expect(throws: TensorError.invalidArgument(operation: "leastSquares", message: message)) {
      try nan.leastSquares(Tensor<Double>([1, 2]))
    }
    #expect(throws: TensorError.invalidArgument(operation: "leastSquares", message: message)) {
      try good.leastSquares(Tensor<Double>([1, .nan]))
    }
  }

  @Test func leastSquaresWithMismatchedRowsThrows() throws {
    let a = try Tensor<Double>([[1, 0], [0, 1], [1, 1], [2, 1]])
    #expect(
      throws: TensorError.shapeMismatch(operation: "leastSquares", lhs: [4, 2], rhs: [3])
    ) { try a.leastSquares(Tensor<Double>([1, 2, 3])) }
    #expect(
      throws: TensorError.shapeMismatch(operation: "leastSquares", lhs: [4, 2], rhs: [5, 2])
    ) { try a.leastSquares(Tensor<Double>.zeros([5, 2])) }
    // A batch on the left is not supported either.
    #expect(throws: TensorError.self) {
      try Tensor<Double>.zeros([2, 4, 2]).leastSquares(Tensor<Double>.zeros([4]))
    }
  }
}
