// The first-order (Fréchet) expansion of the transport around the frozen-gate Jacobians
// (the paper's §4): F(ε) = ∏ (A_j + ε B_j), T₁(ε) = F(0) + ε L[B], and how fast F - T₁ vanishes.
import Foundation
import TauTensor

/// The truncation error of the first-order expansion over a grid of ε.
public struct FrechetCheck: Sendable {
  public var eps: [Double]
  /// E(ε) = ‖F(ε) - T₁(ε)‖_F, the median over the batch's sequences.
  public var error: [Double]
  /// E(ε) for each sequence, [B][ε].
  public var errors: [[Double]]
  /// Slope of log E against log ε over the five smallest ε (expected 2).
  public var slope: Double
  /// r_j = ‖B_j‖₂ / ‖A_j‖₂ for every sequence and step, sequence-major.
  public var ratios: [Double]

  /// E(ε)/ε², which a second-order remainder keeps bounded as ε → 0.
  public var c2: [Double] { zip(error, eps).map { $0 / ($1 * $1) } }

  /// The ε grid of the check when none is given: 10^-5, 10^-4.5, …, 1.
  public static let defaultEps = (0...10).map { pow(10, -5 + 0.5 * Double($0)) }
}

extension StepJacobians {
  /// Runs the check on every sequence of the batch over the whole trajectory (P_{T,0}). Needs
  /// the dominant part (`stepJacobians(_:dominant: true)`). `order: .reverse` expands
  /// ∏ in the order (A_1 + ε B_1) ⋯ (A_T + ε B_T), as appendixA_check.py's `product` does: that
  /// is the transpose of the forward product of the transposed factors, and transposing changes
  /// neither a Frobenius nor a spectral norm, so it runs on those.
  public func frechet(eps: [Double], order: ProductOrder = .forward) throws -> FrechetCheck {
    guard let frozen = dominant else {
      throw TensorError.invalidArgument(
        operation: "frechet", message: "needs the frozen-gate Jacobians")
    }
    guard !eps.isEmpty, eps.allSatisfy({ $0 > 0 && $0.isFinite }) else {
      throw TensorError.invalidArgument(operation: "frechet", message: "ε must be positive")
    }
    let (full, dominant) =
      order == .forward
      ? (self.full, frozen) : (try transposedSteps(self.full), try transposedSteps(frozen))
    let n = size
    let perSequence = try concurrentMap(2) {
      lane -> [(b: Int, errors: [Double], ratios: [Double])] in
      var out: [(b: Int, errors: [Double], ratios: [Double])] = []
      let scratch = MatrixScratch(n: n)
      try full.withUnsafeBufferPointer { fullBuffer in
        try dominant.withUnsafeBufferPointer { dominantBuffer in
          guard let j = fullBuffer.baseAddress, let a = dominantBuffer.baseAddress else { return }
          for b in stride(from: lane, to: batch, by: 2) {
            try checkCancellation()
            out.append(check(b: b, full: j, dominant: a, eps: eps, scratch: scratch))
          }
        }
      }
      return out
    }
    let sequences = perSequence.flatMap { $0 }.sorted { $0.b < $1.b }
    let errors = sequences.map(\.errors)
    let error = eps.indices.map { e in median(errors.map { $0[e] }) }
    let smallest = eps.indices.sorted { eps[$0] < eps[$1] }.prefix(5).filter { error[$0] > 0 }
    let fit = LineFit(x: smallest.map { log(eps[$0]) }, y: smallest.map { log(error[$0]) })
    return FrechetCheck(
      eps: eps, error: error, errors: errors, slope: fit.slope,
      ratios: sequences.flatMap(\.ratios))
  }

  /// One sequence: prefix products of A, then L[B] = Σ_i (A_T ⋯ A_{i+1}) B_i (A_{i-1} ⋯ A_1)
  /// by a backward sweep, then F(ε) for each ε.
  private func check(
    b: Int, full: UnsafePointer<Double>, dominant: UnsafePointer<Double>, eps: [Double],
    scratch: MatrixScratch
  ) -> (b: Int, errors: [Double], ratios: [Double]) {
    let (n, length) = (size, length)
    let count = n * n
    var correction = [Double](repeating: 0, count: count)  // B_j
    var prefixes = [[Double]]()  // A_{i-1} ⋯ A_1 for i = 1 … T
    var ratios: [Double] = []
    scratch.setIdentity()
    for i in 1...length {
      prefixes.append(Array(UnsafeBufferPointer(start: scratch.product, count: count)))
      scratch.leftMultiply(by: matrix(dominant, b: b, t: i))
    }
    var suffix = identity(n)  // A_T ⋯ A_{i+1}
    var first = [Double](repeating: 0, count: count)  // L[B]
    var work = [Double](repeating: 0, count: count)
    var next = [Double](repeating: 0, count: count)
    for i in stride(from: length, through: 1, by: -1) {
      let a = matrix(dominant, b: b, t: i)
      let j = matrix(full, b: b, t: i)
      for e in 0..<count { correction[e] = j[e] - a[e] }
      let dominantStep = Array(UnsafeBufferPointer(start: a, count: count))
      // L += suffix · (B_i · prefix_i)
      multiply(correction, prefixes[i - 1], into: &work, n: n)
      multiply(suffix, work, into: &first, n: n, accumulate: true)
      multiply(suffix, dominantStep, into: &next, n: n)
      swap(&suffix, &next)
      scratch.resetVector()
      let normA = scratch.spectralNorm(a)
      scratch.resetVector()
      let normB = scratch.spectralNorm(of: correction)
      ratios.insert(normA > 0 ? normB / normA : .nan, at: 0)
    }
    let frozen = suffix  // F(0) = A_T ⋯ A_1
    var errors: [Double] = []
    for epsilon in eps {
      scratch.setIdentity()
      for t in 1...length {
        let a = matrix(dominant, b: b, t: t)
        let j = matrix(full, b: b, t: t)
        for e in 0..<count { work[e] = a[e] + epsilon * (j[e] - a[e]) }
        scratch.leftMultiply(by: work)
      }
      var sum = 0.0
      for e in 0..<count {
        let difference = scratch.product[e] - frozen[e] - epsilon * first[e]
        sum += difference * difference
      }
      errors.append(sum.squareRoot())
    }
    return (b, errors, ratios)
  }
}

private func identity(_ n: Int) -> [Double] {
  var m = [Double](repeating: 0, count: n * n)
  for i in 0..<n { m[i * n + i] = 1 }
  return m
}

/// c ← a·b (or c += a·b) for n×n row-major matrices.
private func multiply(
  _ a: [Double], _ b: [Double], into c: inout [Double], n: Int, accumulate: Bool = false
) {
  a.withUnsafeBufferPointer { a in
    b.withUnsafeBufferPointer { b in
      c.withUnsafeMutableBufferPointer { c in
        guard let a = a.baseAddress, let b = b.baseAddress, let c = c.baseAddress else { return }
        Double.gemm(
          transposeA: false, transposeB: false, m: n, n: n, k: n, alpha: 1, a: a, lda: n, b: b,
          ldb: n, beta: accumulate ? 1 : 0, c: c, ldc: n)
      }
    }
  }
}
