// Per-thread scratch for the operators' small dense matrices (n×n products, spectral norms,
// singular values), so the loops over pairs allocate nothing. Everything is row-major Double.
import TauTensor

/// Buffers for one thread's work on n×n matrices.
final class MatrixScratch {
  let n: Int
  /// Two product buffers that alternate (P and the next P).
  var product: UnsafeMutablePointer<Double>
  var next: UnsafeMutablePointer<Double>
  /// The power iteration's vector (kept between calls for warm starts) and its work vectors.
  let vector: UnsafeMutablePointer<Double>
  private let image: UnsafeMutablePointer<Double>
  private let back: UnsafeMutablePointer<Double>
  /// A copy that LAPACK may destroy, and its singular values.
  private let copy: UnsafeMutablePointer<Double>
  let singular: UnsafeMutablePointer<Double>

  init(n: Int) {
    self.n = n
    product = .allocate(capacity: n * n)
    next = .allocate(capacity: n * n)
    vector = .allocate(capacity: n)
    image = .allocate(capacity: n)
    back = .allocate(capacity: n)
    copy = .allocate(capacity: n * n)
    singular = .allocate(capacity: n)
    resetVector()
  }

  deinit {
    for buffer in [product, next, vector, image, back, copy, singular] { buffer.deallocate() }
  }

  /// Swaps `product` and `next` (after writing the new product into `next`).
  func swap() { (product, next) = (next, product) }

  /// `next ← a · product` for an n×n `a`; then swaps, so `product` holds the result.
  func leftMultiply(by a: UnsafePointer<Double>) {
    Double.gemm(
      transposeA: false, transposeB: false, m: n, n: n, k: n, alpha: 1, a: a, lda: n,
      b: product, ldb: n, beta: 0, c: next, ldc: n)
    swap()
  }

  /// `leftMultiply(by:)` for a matrix held in an array of n×n elements.
  func leftMultiply(by a: [Double]) {
    a.withUnsafeBufferPointer { if let base = $0.baseAddress { leftMultiply(by: base) } }
  }

  /// `spectralNorm(_:)` of a matrix held in an array of n×n elements.
  func spectralNorm(of a: [Double]) -> Double {
    a.withUnsafeBufferPointer { $0.baseAddress.map { spectralNorm($0) } ?? 0 }
  }

  /// Sets `product` to the identity.
  func setIdentity() {
    product.update(repeating: 0, count: n * n)
    for i in 0..<n { product[i * n + i] = 1 }
  }

  /// A fixed start vector with every component non-zero (a generic direction).
  func resetVector() {
    var norm = 0.0
    for i in 0..<n {
      vector[i] = 1 + Double((i * 7919) % 97) / 97
      norm += vector[i] * vector[i]
    }
    for i in 0..<n { vector[i] /= norm.squareRoot() }
  }

  /// ‖a‖₂ of an n×n matrix to rounding: power iteration on aᵀa from the current `vector`
  /// (which ends as the top right singular vector, a warm start for a similar matrix), until
  /// ‖a v‖ stops growing; LAPACK's SVD if it has not converged after `limit` iterations. (On the
  /// S1 probe 85 % of the pairs converge within 20 iterations; the rest have nearly equal top
  /// singular values, where the power iteration crawls and one SVD, about 100 power steps'
  /// worth, is cheaper.)
  func spectralNorm(_ a: UnsafePointer<Double>, limit: Int = 60) -> Double {
    var previous = 0.0
    for _ in 0..<limit {
      let estimate = powerStep(a)
      if estimate == 0 { break }  // v in the null space: let the SVD decide
      if estimate - previous <= 1e-15 * estimate { return estimate }
      previous = estimate
    }
    resetVector()
    return singularValues(a).first ?? 0
  }

  /// The reference's estimate: `iterations` steps of the power iteration on aᵀa from `start`
  /// (a unit vector is made of it), then ‖a v‖.
  func powerEstimate(_ a: UnsafePointer<Double>, iterations: Int, start: [Double]) -> Double {
    let norm = start.reduce(0) { $0 + $1 * $1 }.squareRoot()
    for i in 0..<n { vector[i] = norm > 0 ? start[i] / norm : 1 / Double(n).squareRoot() }
    for _ in 0..<iterations { _ = powerStep(a) }
    Double.gemv(
      transposeA: false, m: n, n: n, alpha: 1, a: a, lda: n, x: vector, beta: 0, y: image)
    return Double.nrm2(n: n, x: image, stride: 1)
  }

  /// One step: w = a v, v ← aᵀw / ‖aᵀw‖. Returns ‖a v‖ for the v it started from.
  private func powerStep(_ a: UnsafePointer<Double>) -> Double {
    Double.gemv(
      transposeA: false, m: n, n: n, alpha: 1, a: a, lda: n, x: vector, beta: 0, y: image)
    let estimate = Double.nrm2(n: n, x: image, stride: 1)
    Double.gemv(transposeA: true, m: n, n: n, alpha: 1, a: a, lda: n, x: image, beta: 0, y: back)
    let length = Double.nrm2(n: n, x: back, stride: 1)
    if length > 0 { for i in 0..<n { vector[i] = back[i] / length } }
    return estimate
  }

  /// The singular values of an n×n matrix, largest first (LAPACK `gesdd`, values only). Empty
  /// if LAPACK fails (a NaN in the matrix).
  func singularValues(_ a: UnsafePointer<Double>) -> [Double] {
    copy.update(from: a, count: n * n)
    guard Double.gesdd(m: n, n: n, a: copy, s: singular, u: nil, vt: nil) == 0 else { return [] }
    return Array(UnsafeBufferPointer(start: singular, count: n))
  }
}
