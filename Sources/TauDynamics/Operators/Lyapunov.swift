// Lyapunov exponents of the trained dynamics along the batch's trajectories, by the QR method:
// Q ← qr(J_t Q), λ_i = (1/T) Σ_t log |R_ii|.
import Foundation
import TauTensor

/// The leading Lyapunov exponents of a batch's trajectories: each sequence's, and their mean.
public struct LyapunovSpectrum: Sendable {
  /// [B][k], largest first as the QR method orders them.
  public var perSequence: [[Double]]
  /// Exponent i averaged over the sequences, [k].
  public var mean: [Double]

  /// The spectrum of `count` exponents per sequence.
  public init(perSequence: [[Double]], count: Int) {
    self.perSequence = perSequence
    mean = (0..<count).map { i in
      perSequence.reduce(0) { $0 + $1[i] } / Double(perSequence.count)
    }
  }
}

extension StepJacobians {
  /// The `count` leading exponents (all N when nil) of each sequence and their batch mean.
  public func lyapunovSpectrum(count: Int? = nil) throws -> LyapunovSpectrum {
    let count = count ?? size
    return LyapunovSpectrum(perSequence: try lyapunovExponents(count: count), count: count)
  }

  /// The `count` leading exponents for each sequence, [B][count], largest first as the QR
  /// method orders them.
  public func lyapunovExponents(count: Int) throws -> [[Double]] {
    let n = size
    guard 1 <= count, count <= n else {
      throw TensorError.invalidArgument(
        operation: "lyapunov", message: "k = \(count) is not in 1 … \(n)")
    }
    let length = length
    let perLane = try concurrentMap(2) { lane -> [(b: Int, exponents: [Double])] in
      var out: [(b: Int, exponents: [Double])] = []
      var q = [Double](repeating: 0, count: n * count)
      var z = [Double](repeating: 0, count: n * count)
      var tau = [Double](repeating: 0, count: count)
      try full.withUnsafeBufferPointer { all in
        guard let base = all.baseAddress else { return }
        for b in stride(from: lane, to: batch, by: 2) {
          try checkCancellation()
          for i in 0..<(n * count) { q[i] = i / count == i % count ? 1 : 0 }
          var sums = [Double](repeating: 0, count: count)
          for t in 1...length {
            let info = q.withUnsafeBufferPointer { qb in
              z.withUnsafeMutableBufferPointer { zb in
                tau.withUnsafeMutableBufferPointer { tb -> Int32 in
                  guard let qp = qb.baseAddress, let zp = zb.baseAddress, let tp = tb.baseAddress
                  else { return -1 }
                  Double.gemm(
                    transposeA: false, transposeB: false, m: n, n: count, k: n, alpha: 1,
                    a: matrix(base, b: b, t: t), lda: n, b: qp, ldb: count, beta: 0, c: zp,
                    ldc: count)
                  return Double.geqrf(m: n, n: count, a: zp, tau: tp)
                }
              }
            }
            guard info == 0 else {
              sums = [Double](repeating: .nan, count: count)
              break
            }
            for i in 0..<count { sums[i] += log(Swift.abs(z[i * count + i])) }
            let formed = z.withUnsafeMutableBufferPointer { zb in
              tau.withUnsafeBufferPointer { tb -> Int32 in
                guard let zp = zb.baseAddress, let tp = tb.baseAddress else { return -1 }
                return Double.orgqr(m: n, n: count, k: count, a: zp, lda: count, tau: tp)
              }
            }
            guard formed == 0 else {
              sums = [Double](repeating: .nan, count: count)
              break
            }
            swap(&q, &z)
          }
          out.append((b, sums.map { $0 / Double(length) }))
        }
      }
      return out
    }
    return perLane.flatMap { $0 }.sorted { $0.b < $1.b }.map(\.exponents)
  }
}
