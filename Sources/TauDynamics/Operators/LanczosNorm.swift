// The exact spectral norm where the power iteration crawls (nearly equal top singular values):
// Golub–Kahan–Lanczos bidiagonalisation with full reorthogonalisation, started from the vector
// the power iteration reached. It is Lanczos on PᵀP without forming it: each step costs what a
// power step costs (P v and Pᵀ u), but the Krylov space separates close top singular values in
// a few steps, and after n steps it holds all of them, so it ends exact. It stops on the residual
// of the top Ritz pair, which Lanczos gives for free. Solving the small projected problem costs a
// few power steps, which is why easy pairs stay with the power iteration.
import TauTensor

/// Buffers for the norms of n×n matrices, reused from call to call (one per thread).
final class LanczosNorm {
  let n: Int
  /// Right vectors v_0 … v_n and left vectors u_0 … u_{n-1}, one row each.
  private let right: UnsafeMutablePointer<Double>
  private let left: UnsafeMutablePointer<Double>
  /// The bidiagonal's α and β, the projected tridiagonal BᵀB (copied for LAPACK, which destroys
  /// it), its top two eigenpairs, and LAPACK's workspace.
  private let alpha: UnsafeMutablePointer<Double>
  private let beta: UnsafeMutablePointer<Double>
  private let diagonal: UnsafeMutablePointer<Double>
  private let offDiagonal: UnsafeMutablePointer<Double>
  private let values: UnsafeMutablePointer<Double>
  private let vectors: UnsafeMutablePointer<Double>
  private let work: UnsafeMutablePointer<Double>
  private let integers: UnsafeMutablePointer<Int32>
  private let coefficients: UnsafeMutablePointer<Double>

  /// Steps between solutions of the projected problem.
  static var checkInterval: Int { 8 }

  init(n: Int) {
    self.n = n
    right = .allocate(capacity: (n + 1) * n)
    left = .allocate(capacity: n * n)
    alpha = .allocate(capacity: n)
    beta = .allocate(capacity: n)
    diagonal = .allocate(capacity: n)
    offDiagonal = .allocate(capacity: n)
    values = .allocate(capacity: n)
    vectors = .allocate(capacity: 2 * n)
    work = .allocate(capacity: 5 * n)
    integers = .allocate(capacity: 6 * n)
    coefficients = .allocate(capacity: n + 1)
  }

  deinit {
    for buffer in [right, left, alpha, beta, diagonal, offDiagonal, values, vectors, work] {
      buffer.deallocate()
    }
    integers.deallocate()
    coefficients.deallocate()
  }

  /// ‖P‖₂ for P = `a` (or aᵀ when `transposed`), row-major n×n, starting from the unit vector
  /// `start`, which is overwritten by the top Ritz vector (P's right singular vector, a warm
  /// start for a similar matrix). nil when the iteration cannot decide: a start vector that P
  /// annihilates, or entries that are not finite; the caller then asks LAPACK.
  ///
  /// With Ritz value θ² of PᵀP, the residual r of its Ritz vector and the gap δ to the next Ritz
  /// value, some eigenvalue lies within r of θ², and the top one within r²/δ (Kato–Temple, with δ
  /// estimated from the Ritz values, hence a 100-fold margin). It stops when either bound is
  /// below 2e-13 θ² (1e-13 relative in ‖P‖), or when the basis spans everything.
  func norm(
    _ a: UnsafePointer<Double>, transposed: Bool, start: UnsafeMutablePointer<Double>
  ) -> Double? {
    right.update(from: start, count: n)
    for j in 0..<n {
      let (u, v, next) = (left + j * n, right + j * n, right + (j + 1) * n)
      Double.gemv(
        transposeA: transposed, m: n, n: n, alpha: 1, a: a, lda: n, x: v, beta: 0, y: u)
      orthogonalize(u, against: left, count: j)
      alpha[j] = euclideanLength(u, count: n)
      guard alpha[j].isFinite, alpha[j] > 0 else { return nil }
      scale(u, by: 1 / alpha[j])
      Double.gemv(
        transposeA: !transposed, m: n, n: n, alpha: 1, a: a, lda: n, x: u, beta: 0, y: next)
      orthogonalize(next, against: right, count: j + 1)
      beta[j] = euclideanLength(next, count: n)
      guard beta[j].isFinite else { return nil }
      // The projected problem costs a few power steps to solve, so it is solved only every
      // `checkInterval` steps, at the last step, and when the basis stops growing.
      let isExhausted = beta[j] <= 1e-15 * alpha[j]
      guard (j + 1) % Self.checkInterval == 0 || j == n - 1 || isExhausted else {
        scale(next, by: 1 / beta[j])
        continue
      }
      guard let ritz = topRitzPair(size: j + 1) else { return nil }
      let residual = alpha[j] * beta[j] * Swift.abs(ritz.last)
      let tolerance = 2e-13 * ritz.top
      if residual <= tolerance || residual * residual <= 1e-2 * tolerance * ritz.gap || j == n - 1 {
        ritzVector(size: j + 1, into: start)
        return ritz.top.squareRoot()
      }
      scale(next, by: 1 / beta[j])
    }
    return nil  // not reached: the last step always returns
  }

  /// The top eigenvalue θ² of the projected BᵀB (size × size), the gap to the next one (zero for
  /// size 1: unknown, so only the absolute bound can stop), and the last component of its unit eigenvector, which sits in `vectors`.
  private func topRitzPair(size: Int) -> (top: Double, gap: Double, last: Double)? {
    for i in 0..<size {
      diagonal[i] = alpha[i] * alpha[i] + (i > 0 ? beta[i - 1] * beta[i - 1] : 0)
      if i + 1 < size { offDiagonal[i] = alpha[i] * beta[i] }
    }
    guard size > 1 else {
      vectors[0] = 1
      return (diagonal[0], 0, 1)
    }
    guard
      Double.largestEigenpairs(
        tridiagonal: size, diagonal: diagonal, offDiagonal: offDiagonal, count: 2, values: values,
        vectors: vectors, work: work, integers: integers) == 2
    else { return nil }
    // Ascending: values[1] is the top, its vector the second column.
    vectors.update(from: vectors + size, count: size)
    return (values[1], values[1] - values[0], vectors[size - 1])
  }

  /// `into` ← Σ_i z_i v_i / ‖·‖ for the top eigenvector z of the projected matrix.
  private func ritzVector(size: Int, into target: UnsafeMutablePointer<Double>) {
    Double.gemv(
      transposeA: true, m: size, n: n, alpha: 1, a: right, lda: n, x: vectors, beta: 0, y: target)
    let norm = euclideanLength(target, count: n)
    if norm > 0 { scale(target, by: 1 / norm) }
  }

  /// Removes from x its components along the first `count` rows of `basis`, twice (classical
  /// Gram–Schmidt run twice is as orthogonal as the basis: "twice is enough").
  private func orthogonalize(
    _ x: UnsafeMutablePointer<Double>, against basis: UnsafePointer<Double>, count: Int
  ) {
    guard count > 0 else { return }
    for _ in 0..<2 {
      Double.gemv(
        transposeA: false, m: count, n: n, alpha: 1, a: basis, lda: n, x: x, beta: 0,
        y: coefficients)
      Double.gemv(
        transposeA: true, m: count, n: n, alpha: -1, a: basis, lda: n, x: coefficients, beta: 1,
        y: x)
    }
  }

  private func scale(_ x: UnsafeMutablePointer<Double>, by factor: Double) {
    for i in 0..<n { x[i] *= factor }
  }
}
