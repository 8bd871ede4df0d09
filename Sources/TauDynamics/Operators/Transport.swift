// Transports P_{t,k} = J_t J_{t-1} ⋯ J_{k+1} and the all-pairs sensitivities S_{t,k} = ‖P_{t,k}‖₂
// (the paper's §3 and §5). All pairs reuse prefix products: for each k, P_{t,k} = J_t P_{t-1,k}, one
// n×n product per pair, and the norm of each is warm-started from the previous pair's.
import TauTensor

/// How a sensitivity's spectral norm is computed.
public enum NormMethod: Sendable, Equatable {
  /// To rounding: a converged power iteration, LAPACK's SVD as the fallback.
  case exact
  /// `iterations` steps of the power iteration on PᵀP from a seeded random start per pair, then
  /// ‖P v‖: a lower bound that converges to ‖P‖₂.
  case power(iterations: Int, seed: UInt64)
  /// The reference code's estimate (s1_effective_lr.py, `product_sensitivities`): from a seeded
  /// random start, v ← v / (‖v‖ + ε), then `iterations` times v ← P v, v ← v / (‖v‖ + ε), and
  /// ‖P v‖. An iteration on P itself, which heads for the dominant eigenvector, so this
  /// estimates something close to the spectral radius, not the norm; with ε, a pair whose norm is
  /// far below ε shrinks towards 0 (to 0 in float32).
  case powerOnP(iterations: Int, epsilon: Double, seed: UInt64)
}

extension StepJacobians {
  /// The address of J[b, t-1] (t = 1 … T) in `jacobians` [B × T × N × N].
  func matrix<S>(_ base: UnsafePointer<S>, b: Int, t: Int) -> UnsafePointer<S> {
    base + (b * length + (t - 1)) * size * size
  }

  /// P_{t,k} for every sequence, [B × N × N]; P_{t,t} = I. States are numbered 0 … T (h_0 is the
  /// zero initial state), so 0 ≤ k ≤ t ≤ T. `.reverse` multiplies J_{k+1} ⋯ J_t instead.
  public func transport(
    to t: Int, from k: Int, part: JacobianPart = .full, order: ProductOrder = .forward
  ) throws -> Tensor<Double> {
    guard 0 <= k, k <= t, t <= length else {
      throw TensorError.invalidArgument(
        operation: "transport", message: "needs 0 ≤ k ≤ t ≤ \(length), got t = \(t), k = \(k)")
    }
    let jacobians = try part == .full ? full : self.part(part)
    let n = size
    let scratch = MatrixScratch(n: n)
    var result = [Double](repeating: 0, count: batch * n * n)
    // Left-multiplying by J_{k+1} … J_t gives the forward product, by J_t … J_{k+1} the reverse.
    let steps = t > k ? Array((k + 1)...t) : []
    jacobians.withUnsafeBufferPointer { all in
      guard let base = all.baseAddress else { return }
      for b in 0..<batch {
        scratch.setIdentity()
        for j in order == .forward ? steps : steps.reversed() {
          scratch.leftMultiply(by: matrix(base, b: b, t: j))
        }
        for i in 0..<(n * n) { result[b * n * n + i] = scratch.product[i] }
      }
    }
    return try Tensor(shape: [batch, n, n], scalars: result)
  }

  /// Every J_tᵀ, [B × T × N × N]: J_{k+1} ⋯ J_t = (J_tᵀ ⋯ J_{k+1}ᵀ)ᵀ, so the reverse products
  /// are the transposed forward products of these.
  func transposedSteps(_ jacobians: Tensor<Double>) throws -> Tensor<Double> {
    let n = size
    let source = jacobians.contiguous().scalars
    var result = source
    for matrix in 0..<(batch * length) {
      let offset = matrix * n * n
      for row in 0..<n {
        for column in 0..<n {
          result[offset + column * n + row] = source[offset + row * n + column]
        }
      }
    }
    return try Tensor(shape: jacobians.shape, scalars: result)
  }

  /// S[b, t-1, k-1] = ‖P_{t,k}‖₂ for 1 ≤ k < t ≤ T, [B × T × T]; the diagonal holds 1 (P_{t,t} =
  /// I) and the entries with k > t hold 0. Sequences are split over both cores.
  ///
  /// `order: .reverse` measures J_{k+1} ⋯ J_t. `precision: .f32` rounds the step Jacobians to
  /// float32 and forms the products (and runs `.powerOnP`) in float32. `starts` [B × T × T × N]
  /// gives the power iterations' start vectors, pair (t, k) of sequence b at [b, t-1, k-1]
  /// (a replay of a run whose start vectors were exported); without it they are drawn from the
  /// method's seed.
  ///
  /// For each sequence the transports ending at t are kept transposed and stacked, [P_{t,1}ᵀ;
  /// P_{t,2}ᵀ; …; P_{t,t-1}ᵀ], so moving to t + 1 is one tall GEMM, that matrix times J_{t+1}ᵀ,
  /// plus the new block J_{t+1}ᵀ, and every block stays contiguous for its norm. Each k keeps
  /// its power-iteration vector (P's right singular vector, which settles as t grows) from one t
  /// to the next.
  ///
  /// When every J_t is diagonal (`structure`) and the norm is exact in float64, the products are
  /// never formed: ‖P_{t,k}‖₂ = max_i |∏_{j=k+1}^{t} (J_j)_ii|, O(n) per pair, in either order.
  /// When the Jacobians' zeros split the state into blocks that no step couples
  /// (`CouplingBlocks`), each block's transports are multiplied on their own and the norm is the
  /// largest block's. `dense: true` takes the general path regardless (to compare).
  public func sensitivities(
    method: NormMethod = .exact, order: ProductOrder = .forward, precision: Precision = .f64,
    starts: Tensor<Double>? = nil, dense: Bool = false
  ) throws -> Tensor<Double> {
    if let starts, starts.shape != [batch, length, length, size] {
      throw TensorError.invalidShape(
        operation: "sensitivity", shape: starts.shape,
        reason:
          "start vectors must be [B × T × T × N] = [\(batch) × \(length) × \(length) × \(size)]")
    }
    if structure == .diagonal, method == .exact, precision == .f64, !dense {
      return try diagonalSensitivities()
    }
    if method == .exact, precision == .f64, !dense,
      let blockwise = try blockwiseSensitivities(order: order)
    {
      return blockwise
    }
    // The stack holds Pᵀ of the product of `steps`: Pᵀ for the forward order and, for the
    // reverse order (steps transposed), the reverse product itself.
    let steps = order == .forward ? full : try transposedSteps(full)
    let startScalars = starts?.contiguous().scalars
    var s: [Double]
    // A warm start is a singular vector of the previous pair. When every J_t is diagonal it is a
    // unit vector, which a diagonal product never turns towards another unit that overtakes it:
    // such steps restart every pair from a generic vector.
    let cold = structure == .diagonal
    switch precision {
    case .f64:
      s = try stackedNorms(steps, method: method, order: order, starts: startScalars, cold: cold)
    case .f32:
      let single = try Tensor<Float>(shape: steps.shape, scalars: steps.scalars.map { Float($0) })
      s = try stackedNorms(single, method: method, order: order, starts: startScalars, cold: cold)
    }
    for b in 0..<batch {
      for t in 0..<length { s[(b * length + t) * length + t] = 1 }
    }
    return try Tensor(shape: [batch, length, length], scalars: s)
  }

  /// The norms of every pair's product of `steps` (the stacking above), in `S`.
  private func stackedNorms<S: TensorScalar>(
    _ steps: Tensor<S>, method: NormMethod, order: ProductOrder, starts: [Double]?, cold: Bool
  ) throws -> [Double] {
    let (batch, length, n) = (batch, length, size)
    let stack = n * n * Swift.max(1, length)
    // The stored blocks are Pᵀ (forward) or the product itself (reverse): an iteration "on P"
    // reads them transposed in the first case only.
    let onP = order == .forward
    let parts = try concurrentMap(2) { lane -> [Double] in
      var s = [Double](repeating: 0, count: batch * length * length)
      let scratch = MatrixScratch(n: n)
      var current = UnsafeMutablePointer<S>.allocate(capacity: stack)
      var next = UnsafeMutablePointer<S>.allocate(capacity: stack)
      let vectors = UnsafeMutablePointer<Double>.allocate(capacity: n * Swift.max(1, length))
      let widened = UnsafeMutablePointer<Double>.allocate(capacity: n * n)
      let work = UnsafeMutablePointer<S>.allocate(capacity: 2 * n)
      defer {
        current.deallocate()
        next.deallocate()
        vectors.deallocate()
        widened.deallocate()
        work.deallocate()
      }
      /// Pair (b, t, k)'s start vector: given, or drawn from the seed.
      func start(_ b: Int, _ t: Int, _ k: Int, seed: UInt64) -> [Double] {
        if let starts {
          let offset = ((b * length + t - 1) * length + k - 1) * n
          return Array(starts[offset..<(offset + n)])
        }
        var stream = RandomStream(seed: seed).substream(b).substream(t).substream(k)
        return (0..<n).map { _ in stream.normal() }
      }
      try steps.withUnsafeBufferPointer { all in
        guard let base = all.baseAddress else { return }
        for b in stride(from: lane, to: batch, by: 2) where length >= 2 {
          for t in 2...length {
            try checkCancellation()
            let j = matrix(base, b: b, t: t)
            if t > 2 {  // P_{t,k}ᵀ = P_{t-1,k}ᵀ J_tᵀ for k = 1 … t-2
              S.gemm(
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
                if cold { scratch.resetVector(vectors + (k - 1) * n) }
                norm = scratch.spectralNorm(
                  doubles(block, count: n * n, into: widened), transposed: true,
                  vector: vectors + (k - 1) * n)
              case .power(let iterations, let seed):
                norm = scratch.powerEstimate(
                  doubles(block, count: n * n, into: widened), transposed: onP,
                  iterations: iterations, start: start(b, t, k, seed: seed))
              case .powerOnP(let iterations, let epsilon, let seed):
                norm = powerOnP(
                  block, n: n, transposed: onP, iterations: iterations, epsilon: S(epsilon),
                  start: start(b, t, k, seed: seed), work: work)
              }
              s[(b * length + t - 1) * length + k - 1] = norm
            }
          }
        }
      }
      return s
    }
    return zip(parts[0], parts[1]).map(+)
  }
}

/// `block` as Doubles: itself when `S` is Double, else widened into `buffer`.
private func doubles<S: TensorScalar>(
  _ block: UnsafePointer<S>, count: Int, into buffer: UnsafeMutablePointer<Double>
) -> UnsafePointer<Double> {
  if let same = block as? UnsafePointer<Double> { return same }
  for i in 0..<count { buffer[i] = Double(block[i]) }
  return UnsafePointer(buffer)
}

/// The reference code's estimate, in `S` (s1_effective_lr.py, `product_sensitivities`):
/// v ← v / (‖v‖ + ε), then `iterations` times v ← P v, v ← v / (‖v‖ + ε); returns ‖P v‖. P is
/// the n×n `a`, or its transpose when `transposed`. `work` holds 2n scalars. The norms are
/// √(v·v) without rescaling, as torch's `norm` computes them, so a float32 vector far below
/// ε underflows to 0 as it does there.
func powerOnP<S: TensorScalar>(
  _ a: UnsafePointer<S>, n: Int, transposed: Bool, iterations: Int, epsilon: S, start: [Double],
  work: UnsafeMutablePointer<S>
) -> Double {
  let (v, w) = (work, work + n)
  for i in 0..<n { v[i] = S(start[i]) }
  var length = S.dot(n: n, x: v, y: v).squareRoot()
  for i in 0..<n { v[i] /= length + epsilon }
  for _ in 0..<iterations {
    S.gemv(transposeA: transposed, m: n, n: n, alpha: 1, a: a, lda: n, x: v, beta: 0, y: w)
    length = S.dot(n: n, x: w, y: w).squareRoot()
    for i in 0..<n { v[i] = w[i] / (length + epsilon) }
  }
  S.gemv(transposeA: transposed, m: n, n: n, alpha: 1, a: a, lda: n, x: v, beta: 0, y: w)
  return Double(S.dot(n: n, x: w, y: w).squareRoot())
}
