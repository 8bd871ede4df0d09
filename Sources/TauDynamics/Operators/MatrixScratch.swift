// Per-thread scratch for the operators' small dense matrices (n×n products, spectral norms,
// singular values), so the loops over pairs allocate nothing. Everything is row-major Double.
import Foundation
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
  private let lanczos: LanczosNorm

  init(n: Int) {
    self.n = n
    product = .allocate(capacity: n * n)
    next = .allocate(capacity: n * n)
    vector = .allocate(capacity: n)
    image = .allocate(capacity: n)
    back = .allocate(capacity: n)
    copy = .allocate(capacity: n * n)
    singular = .allocate(capacity: n)
    lanczos = LanczosNorm(n: n)
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

  /// A fixed start vector with every component non-zero (a generic direction), in `vector` or
  /// in `v`.
  func resetVector(_ v: UnsafeMutablePointer<Double>? = nil) {
    let v = v ?? vector
    var norm = 0.0
    for i in 0..<n {
      v[i] = 1 + Double((i * 7919) % 97) / 97
      norm += v[i] * v[i]
    }
    for i in 0..<n { v[i] /= norm.squareRoot() }
  }

  /// ‖a‖₂ of an n×n matrix (rows `lda` apart): power iteration on aᵀa from `v` (by default the
  /// scratch's `vector`), which ends as the top right singular vector, a warm start for a
  /// similar matrix. ‖a v‖ grows towards ‖a‖₂ with increments that shrink geometrically; it
  /// stops when the increment, or the remainder extrapolated from the last two increments, is
  /// below 1e-13 of the value. When the increments shrink too slowly (nearly equal top singular
  /// values, where the iteration crawls), Lanczos takes over from the vector reached
  /// (`LanczosNorm`, which separates such values in a few steps), and LAPACK where that cannot
  /// decide.
  ///
  /// With `transposed`, `a` holds Pᵀ and the iteration runs on P, so `v` is P's right singular
  /// vector either way.
  func spectralNorm(
    _ a: UnsafePointer<Double>, transposed: Bool = false,
    vector v: UnsafeMutablePointer<Double>? = nil, limit: Int = 60
  ) -> Double {
    let v = v ?? vector
    var (previous, previousIncrement, previousRatio) = (0.0, 0.0, Double.infinity)
    for iteration in 0..<limit {
      let estimate = powerStep(a, transposed: transposed, v)
      if estimate == 0 { break }  // v in the null space: let the eigensolver decide
      let increment = estimate - previous
      if increment <= 1e-15 * estimate { return estimate }
      let ratio = increment / previousIncrement
      // The slower of the last two rates, and the remainder extrapolated only once they agree:
      // the iteration often settles in phases (quickly onto the top few singular directions,
      // then slowly between them), and a sharp drop between phases would promise a convergence
      // that the next phase does not keep.
      let rate = Swift.max(ratio, previousRatio)
      let isSteady = ratio > 0.8 * previousRatio && ratio < 1.25 * previousRatio
      if previousIncrement > 0, rate < 1 {
        if isSteady, increment * rate / (1 - rate) <= 1e-13 * estimate { return estimate }
        // 1e-13 is more than 20 steps away: Lanczos from here is cheaper than waiting.
        if iteration >= 5, pow(rate, 20) * increment > 1e-13 * estimate { break }
      }
      (previous, previousIncrement) = (estimate, increment)
      previousRatio = ratio
    }
    if let norm = lanczos.norm(a, transposed: transposed, start: v) { return norm }
    resetVector(v)
    return largestSingularValue(a)
  }

  /// σ₁ of an n×n matrix as √λ_max(aᵀa): LAPACK's symmetric eigensolver asked for the top
  /// eigenvalue only takes half the time of a full SVD (`gesdd` finds all n values), and the
  /// Gram matrix loses nothing at the top of the spectrum (relative error ~nε). NaN if a has one.
  func largestSingularValue(_ a: UnsafePointer<Double>) -> Double {
    Double.syrk(n: n, k: n, alpha: 1, a: a, lda: n, beta: 0, c: copy, ldc: n)
    var diagonal = 0.0
    for i in 0..<n { diagonal += copy[i * n + i] }
    guard diagonal.isFinite else { return diagonal.isNaN ? .nan : .infinity }
    if diagonal == 0 { return 0 }  // the zero matrix (LAPACK reports no eigenvalue for it)
    return Double.largestEigenvalue(n: n, a: copy).map { Swift.max($0, 0).squareRoot() } ?? .nan
  }

  /// `NormMethod.power`: `iterations` steps of the power iteration on aᵀa from `start` (a unit
  /// vector is made of it), then ‖a v‖. (The reference code iterates on a itself: `powerOnP`.)
  func powerEstimate(
    _ a: UnsafePointer<Double>, transposed: Bool = false, iterations: Int, start: [Double]
  ) -> Double {
    let norm = start.reduce(0) { $0 + $1 * $1 }.squareRoot()
    for i in 0..<n { vector[i] = norm > 0 ? start[i] / norm : 1 / Double(n).squareRoot() }
    for _ in 0..<iterations { _ = powerStep(a, transposed: transposed, vector) }
    Double.gemv(
      transposeA: transposed, m: n, n: n, alpha: 1, a: a, lda: n, x: vector, beta: 0, y: image)
    return Double.nrm2(n: n, x: image, stride: 1)
  }

  /// One step on P (= a, or aᵀ when `transposed`): w = P v, v ← Pᵀw / ‖Pᵀw‖. Returns ‖P v‖ for
  /// the v it started from.
  private func powerStep(
    _ a: UnsafePointer<Double>, transposed: Bool, _ v: UnsafeMutablePointer<Double>
  ) -> Double {
    Double.gemv(
      transposeA: transposed, m: n, n: n, alpha: 1, a: a, lda: n, x: v, beta: 0, y: image)
    let estimate = euclideanLength(image, count: n)
    Double.gemv(
      transposeA: !transposed, m: n, n: n, alpha: 1, a: a, lda: n, x: image, beta: 0, y: back)
    let backLength = euclideanLength(back, count: n)
    if backLength > 0 { for i in 0..<n { v[i] = back[i] / backLength } }
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

/// ‖x‖ of `count` contiguous elements as √(x·x): `nrm2` rescales to avoid overflow, which costs
/// more and is only needed when the squares overflow or vanish.
func euclideanLength(_ x: UnsafePointer<Double>, count: Int) -> Double {
  let squares = Double.dot(n: count, x: x, y: x)
  return squares.isNormal ? squares.squareRoot() : Double.nrm2(n: count, x: x, stride: 1)
}
