// The exact spectral norm behind the sensitivities: the warm power iteration, Lanczos where it
// crawls (nearly equal top singular values) and the eigensolver fallback, against LAPACK's SVD.
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

  /// Lanczos alone, from a generic start: exact on every spectrum, a tight cluster included
  /// (where the power iteration stops inside it), for P and for Pᵀ, and it leaves the top right
  /// singular vector behind.
  @Test(arguments: [
    [3.0, 2.0, 1.0, 0.5], [1.0, 1.0 - 1e-3, 0.5, 0.1], [1.0, 1.0 - 1e-7, 1.0 - 2e-7, 0.3],
    [2.0, 2.0, 2.0, 2.0], [5.0, 4.999, 1e-9, 0],
  ])
  func lanczosIsExact(_ top: [Double]) throws {
    let n = 32
    try expectLanczosExact(top + (0..<(n - top.count)).map { 0.2 * Double($0) / Double(n) })
  }

  /// Evenly spaced singular values: no step before the 30th or so is converged, so a stopping
  /// rule that trusted its bounds too early would show here.
  @Test func lanczosIsExactOnAnEvenlySpacedSpectrum() throws {
    try expectLanczosExact((0..<64).map { 1 - Double($0) / 64 })
  }

  private func expectLanczosExact(_ sigma: [Double]) throws {
    let n = sigma.count
    let a = try matrix(singularValues: sigma, seed: 11)
    let scratch = MatrixScratch(n: n)
    let reference = try #require(
      a.withUnsafeBufferPointer { scratch.singularValues($0.baseAddress!).first })
    let lanczos = LanczosNorm(n: n)
    for transposed in [false, true] {
      scratch.resetVector()
      let norm = try #require(
        a.withUnsafeBufferPointer {
          lanczos.norm($0.baseAddress!, transposed: transposed, start: scratch.vector)
        })
      #expect(abs(norm - reference) <= 1e-13 * reference, "\(sigma[0]) \(transposed): \(norm)")
      // ‖P v‖ of the vector left behind is the norm too.
      let p = try Tensor<Double>(shape: [n, n], scalars: a)
      let v = try Tensor<Double>(
        shape: [n], scalars: Array(UnsafeBufferPointer(start: scratch.vector, count: n)))
      let image = try (transposed ? p.transposed() : p).matmul(v)
      let length = image.scalars.reduce(0) { $0 + $1 * $1 }.squareRoot()
      #expect(abs(length - reference) <= 1e-10 * reference)
    }
  }

  @Test func lanczosDefersWhatItCannotDecide() {
    let lanczos = LanczosNorm(n: 2)
    // P = [[1, 0], [0, 0]] annihilates the start e₂; a NaN entry.
    let start = UnsafeMutablePointer<Double>.allocate(capacity: 2)
    defer { start.deallocate() }
    start.update(from: [0, 1], count: 2)
    #expect(
      [1.0, 0, 0, 0].withUnsafeBufferPointer {
        lanczos.norm($0.baseAddress!, transposed: false, start: start)
      } == nil)
    start.update(from: [0.6, 0.8], count: 2)
    #expect(
      [1.0, .nan, 0, 0].withUnsafeBufferPointer {
        lanczos.norm($0.baseAddress!, transposed: false, start: start)
      } == nil)
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
