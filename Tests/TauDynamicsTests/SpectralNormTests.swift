// The exact spectral norm behind the sensitivities: the warm power iteration and the
// eigensolver fallback for nearly equal top singular values, against LAPACK's full SVD.
import Testing

@testable import TauDynamics
@testable import TauTensor

@Suite struct SpectralNormTests {
  /// U·diag(sigma)·Vᵀ with random orthogonal U and V (from QR), row-major n×n.
  private func matrix(singularValues sigma: [Double], seed: UInt64) throws -> [Double] {
    let n = sigma.count
    var stream = RandomStream(seed: seed)
    let u = try Tensor<Double>.normal([n, n], using: &stream).qr().q
    let v = try Tensor<Double>.normal([n, n], using: &stream).qr().q
    let scaled = try u * Tensor(shape: [1, n], scalars: sigma)
    return try scaled.matmul(v.transposed()).contiguous().scalars
  }

  /// The largest singular values, and how close the iteration must come. Within a cluster of
  /// top values (here 2e-7 wide) the iteration may stop anywhere inside it: the increments
  /// shrink below rounding before it has separated the cluster, and no test on them can tell
  /// (the Gram fallback, used when they shrink slowly, is exact).
  @Test(arguments: [
    ([3.0, 2.0, 1.0, 0.5], 1e-12), ([1.0, 1.0 - 1e-3, 0.5, 0.1], 1e-12),
    ([1.0, 1.0 - 1e-7, 1.0 - 2e-7, 0.3], 2e-7), ([2.0, 2.0, 2.0, 2.0], 1e-12),
    ([5.0, 4.999, 1e-9, 0], 1e-12),
  ])
  func normsMatchTheSVD(_ top: [Double], _ tolerance: Double) throws {
    let n = 32
    let sigma = top + (0..<(n - top.count)).map { 0.2 * Double($0) / Double(n) }
    let a = try matrix(singularValues: sigma, seed: 7)
    let scratch = MatrixScratch(n: n)
    let reference = try #require(
      a.withUnsafeBufferPointer { scratch.singularValues($0.baseAddress!).first })
    let viaGram = a.withUnsafeBufferPointer { scratch.largestSingularValue($0.baseAddress!) }
    #expect(abs(viaGram - reference) <= 1e-13 * reference, "Gram: \(viaGram) vs \(reference)")
    let iterated = scratch.spectralNorm(of: a)
    #expect(iterated <= reference * (1 + 1e-14))  // ‖P v‖ never exceeds ‖P‖
    #expect(reference - iterated <= tolerance * reference, "iterated: \(iterated) vs \(reference)")
    #expect(abs(reference - top[0]) <= 1e-12 * top[0])
  }

  @Test func notFiniteEntriesGiveNotFiniteNorms() {
    let scratch = MatrixScratch(n: 3)
    var a = [Double](repeating: 0.5, count: 9)
    a[4] = .nan
    #expect(a.withUnsafeBufferPointer { scratch.largestSingularValue($0.baseAddress!) }.isNaN)
    a[4] = .infinity
    #expect(
      a.withUnsafeBufferPointer { scratch.largestSingularValue($0.baseAddress!) } == .infinity)
    let zero = [Double](repeating: 0, count: 9)
    #expect(zero.withUnsafeBufferPointer { scratch.largestSingularValue($0.baseAddress!) } == 0)
  }
}
