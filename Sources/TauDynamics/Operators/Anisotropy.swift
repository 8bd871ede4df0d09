// Propagation anisotropy (the paper's §6): the top singular values of transports P_{t,k} sampled at
// fixed lags, summarised as AI = σ₁/σ_r and CE = Σ_{i≤r} σ_i² / Σ_{i≤k} σ_i².
import TauTensor

/// Per-lag medians and interquartile ranges of the anisotropy index and energy concentration.
public struct AnisotropyProfile: Sendable {
  public var lags: [Int]
  public var ai: [Double]
  public var ce: [Double]
  public var aiQuartiles: [(Double, Double)]
  public var ceQuartiles: [(Double, Double)]
  /// Pairs measured at each lag (fewer than asked when the batch has fewer).
  public var pairs: [Int]
}

extension StepJacobians {
  /// For each lag h, up to `pairs` (b, t, k) with t - k = h and 1 ≤ k < t ≤ T, drawn without
  /// replacement from a stream seeded by `seed`; each P_{t,k} is formed by its own product and
  /// its top `k` singular values come from LAPACK. Pairs whose product is not finite are skipped.
  /// `firstState` 0 takes the pairs 0 ≤ k < t ≤ T - 1 instead (the reference's S2, whose pairs
  /// start at h_0 and never end at h_T), candidates in the same order; `order` and `epsilon` (added
  /// to σ_r and to the energy, the reference's 1e-12) as in `Conventions`.
  public func anisotropy(
    lags: [Int], r: Int, k top: Int, pairs: Int, seed: UInt64, order: ProductOrder = .forward,
    firstState: Int = 1, epsilon: Double = 0
  ) throws -> AnisotropyProfile {
    guard firstState == 0 || firstState == 1 else {
      throw TensorError.invalidArgument(
        operation: "anisotropy", message: "the first state must be 0 or 1, got \(firstState)")
    }
    for h in lags where h < 1 || h >= length {
      throw TensorError.invalidArgument(
        operation: "anisotropy", message: "lag \(h) is not in 1 … \(length - 1)")
    }
    guard r >= 1, top >= r, pairs >= 1 else {
      throw TensorError.invalidArgument(
        operation: "anisotropy", message: "needs 1 ≤ r ≤ k and pairs ≥ 1")
    }
    let (n, length, batch) = (size, length, batch)
    let kept = Swift.min(top, n)
    let rank = Swift.min(r, kept)
    // (lag position, b, t) of every sampled pair, spread over the two lanes.
    var work: [(lag: Int, b: Int, t: Int)] = []
    for (position, h) in lags.enumerated() {
      let candidates = batch * (length - h)
      var stream = RandomStream(seed: seed).substream("anisotropy").substream(h)
      let chosen =
        candidates <= pairs
        ? Array(0..<candidates) : Array(stream.permutation(candidates).prefix(pairs))
      for c in chosen {
        work.append((position, c / (length - h), h + firstState + c % (length - h)))
      }
    }
    let work2 = work
    let measured = try concurrentMap(2) { lane -> [(lag: Int, ai: Double, ce: Double)] in
      let scratch = MatrixScratch(n: n)
      var out: [(lag: Int, ai: Double, ce: Double)] = []
      try full.withUnsafeBufferPointer { all in
        guard let base = all.baseAddress else { return }
        for (index, pair) in work2.enumerated() where index % 2 == lane {
          try checkCancellation()
          scratch.setIdentity()
          let steps = Array((pair.t - lags[pair.lag] + 1)...pair.t)
          for j in order == .forward ? steps : steps.reversed() {
            scratch.leftMultiply(by: matrix(base, b: pair.b, t: j))
          }
          let sigma = scratch.singularValues(scratch.product).prefix(kept)
          guard sigma.count == kept, sigma.allSatisfy(\.isFinite) else { continue }
          let energy = sigma.reduce(0) { $0 + $1 * $1 }
          let topEnergy = sigma.prefix(rank).reduce(0) { $0 + $1 * $1 }
          out.append(
            (pair.lag, sigma[0] / (sigma[rank - 1] + epsilon), topEnergy / (energy + epsilon)))
        }
      }
      return out
    }
    let all = measured.flatMap { $0 }
    var profile = AnisotropyProfile(
      lags: lags, ai: [], ce: [], aiQuartiles: [], ceQuartiles: [], pairs: [])
    for position in lags.indices {
      let here = all.filter { $0.lag == position }
      let (ai, ce) = (here.map(\.ai), here.map(\.ce))
      profile.ai.append(median(ai))
      profile.ce.append(median(ce))
      profile.aiQuartiles.append((quantile(ai, 0.25), quantile(ai, 0.75)))
      profile.ceQuartiles.append((quantile(ce, 0.25), quantile(ce, 0.75)))
      profile.pairs.append(here.count)
    }
    return profile
  }
}
