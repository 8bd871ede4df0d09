// Transports P_{t,k} = J_t J_{t-1} ⋯ J_{k+1} and the all-pairs sensitivities S_{t,k} = ‖P_{t,k}‖₂
// (the paper's §3 and §5). All pairs reuse prefix products: for each k, P_{t,k} = J_t P_{t-1,k}, one
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
  /// I) and the entries with k > t hold 0. Sequences are split over both cores.
  ///
  /// For each sequence the transports ending at t are kept transposed and stacked, [P_{t,1}ᵀ;
  /// P_{t,2}ᵀ; …; P_{t,t-1}ᵀ], so moving to t + 1 is one tall GEMM, that matrix times J_{t+1}ᵀ,
  /// plus the new block J_{t+1}ᵀ, and every block stays contiguous for its norm. Each k keeps
  /// its power-iteration vector (P's right singular vector, which settles as t grows) from one t
  /// to the next.
  public func sensitivities(method: NormMethod = .exact) throws -> Tensor<Double> {
    let (batch, length, n) = (batch, length, size)
    let stack = n * n * Swift.max(1, length)
    let parts = try concurrentMap(2) { lane -> [Double] in
      var s = [Double](repeating: 0, count: batch * length * length)
      let scratch = MatrixScratch(n: n)
      var current = UnsafeMutablePointer<Double>.allocate(capacity: stack)
      var next = UnsafeMutablePointer<Double>.allocate(capacity: stack)
      let vectors = UnsafeMutablePointer<Double>.allocate(capacity: n * Swift.max(1, length))
      defer {
        current.deallocate()
        next.deallocate()
        vectors.deallocate()
      }
      try full.withUnsafeBufferPointer { all in
        guard let base = all.baseAddress else { return }
        for b in stride(from: lane, to: batch, by: 2) where length >= 2 {
          for t in 2...length {
            try checkCancellation()
            let j = matrix(base, b: b, t: t)
            if t > 2 {  // P_{t,k}ᵀ = P_{t-1,k}ᵀ J_tᵀ for k = 1 … t-2
              Double.gemm(
                transposeA: false, transposeB: true, m: n * (t - 2), n: n, k: n, alpha: 1,
                a: current, lda: n, b: j, ldb: n, beta: 0, c: next, ldc: n)
            }
            let newest = next + (t - 2) * n * n  // P_{t,t-1}ᵀ = J_tᵀ
            for row in 0..<n {
              for column in 0..<n { newest[column * n + row] = j[row * n + column] }
            }
            swap(&current, &next)
            scratch.resetVector(vectors + (t - 2) * n)
            for k in 1..<t {
              let block = UnsafePointer(current + (k - 1) * n * n)
              let norm: Double
              switch method {
              case .exact:
                norm = scratch.spectralNorm(
                  block, transposed: true, vector: vectors + (k - 1) * n)
              case .power(let iterations, let seed):
                var stream = RandomStream(seed: seed).substream(b).substream(t).substream(k)
                let start = (0..<n).map { _ in stream.normal() }
                norm = scratch.powerEstimate(
                  block, transposed: true, iterations: iterations, start: start)
              }
              s[(b * length + t - 1) * length + k - 1] = norm
            }
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
