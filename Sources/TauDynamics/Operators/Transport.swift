// Transports P_{t,k} = J_t J_{t-1} ⋯ J_{k+1} and the all-pairs sensitivities S_{t,k} = ‖P_{t,k}‖₂
// (paper.md §3 and §5). All pairs reuse prefix products: for each k, P_{t,k} = J_t P_{t-1,k}, one
// n×n product per pair, and the norm of each is warm-started from the previous pair's.
import TauTensor

/// How a sensitivity's spectral norm is computed.
public enum NormMethod: Sendable, Equatable {
  /// To rounding: a converged power iteration, LAPACK's SVD as the fallback.
  case exact
  /// The reference's estimate: `iterations` power steps from a seeded random start per pair.
  case power(iterations: Int, seed: UInt64)
}

extension StepJacobians {
  /// The address of J[b, t-1] (t = 1 … T) in `jacobians` [B × T × N × N].
  func matrix(_ base: UnsafePointer<Double>, b: Int, t: Int) -> UnsafePointer<Double> {
    base + (b * length + (t - 1)) * size * size
  }

  /// P_{t,k} for every sequence, [B × N × N]; P_{t,t} = I. States are numbered 0 … T (h_0 is the
  /// zero initial state), so 0 ≤ k ≤ t ≤ T.
  public func transport(to t: Int, from k: Int, part: JacobianPart = .full) throws -> Tensor<
    Double
  > {
    guard 0 <= k, k <= t, t <= length else {
      throw TensorError.invalidArgument(
        operation: "transport", message: "needs 0 ≤ k ≤ t ≤ \(length), got t = \(t), k = \(k)")
    }
    let jacobians = try part == .full ? full : self.part(part)
    let n = size
    let scratch = MatrixScratch(n: n)
    var result = [Double](repeating: 0, count: batch * n * n)
    jacobians.withUnsafeBufferPointer { all in
      guard let base = all.baseAddress else { return }
      for b in 0..<batch {
        scratch.setIdentity()
        if t > k {
          for j in (k + 1)...t { scratch.leftMultiply(by: matrix(base, b: b, t: j)) }
        }
        for i in 0..<(n * n) { result[b * n * n + i] = scratch.product[i] }
      }
    }
    return try Tensor(shape: [batch, n, n], scalars: result)
  }

  /// S[b, t-1, k-1] = ‖P_{t,k}‖₂ for 1 ≤ k < t ≤ T, [B × T × T]; the diagonal holds 1 (P_{t,t} =
  /// I) and the entries with k > t hold 0. Work is split over both cores by (sequence, k).
  public func sensitivities(method: NormMethod = .exact) throws -> Tensor<Double> {
    let (batch, length, n) = (batch, length, size)
    let items = (0..<batch).flatMap { b in (1..<Swift.max(1, length)).map { k in (b, k) } }
    let parts = try concurrentMap(2) { lane -> [Double] in
      var s = [Double](repeating: 0, count: batch * length * length)
      let scratch = MatrixScratch(n: n)
      try full.withUnsafeBufferPointer { all in
        guard let base = all.baseAddress else { return }
        for (index, (b, k)) in items.enumerated() where index % 2 == lane {
          try checkCancellation()
          var stream = RandomStream(seed: 0)
          if case .power(_, let seed) = method {
            stream = RandomStream(seed: seed).substream(b).substream(k)
          }
          scratch.resetVector()
          scratch.setIdentity()
          for t in (k + 1)...length {
            scratch.leftMultiply(by: matrix(base, b: b, t: t))
            let norm: Double
            switch method {
            case .exact:
              norm = scratch.spectralNorm(scratch.product)
            case .power(let iterations, _):
              let start = (0..<n).map { _ in stream.normal() }
              norm = scratch.powerEstimate(scratch.product, iterations: iterations, start: start)
            }
            s[(b * length + t - 1) * length + k - 1] = norm
          }
        }
      }
      return s
    }
    var s = zip(parts[0], parts[1]).map(+)
    for b in 0..<batch {
      for t in 0..<length { s[(b * length + t) * length + t] = 1 }
    }
    return try Tensor(shape: [batch, length, length], scalars: s)
  }
}
