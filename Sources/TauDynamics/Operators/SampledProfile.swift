// The effective-learning-rate profile from sampled pairs, with how precise it is: a percentile
// bootstrap that resamples whole (sequence, origin) clusters, since one origin's pairs at
// different lags share its transports and are not independent.
import TauTensor

/// A two-sided interval at `SampledSensitivities`' confidence level.
public struct ConfidenceInterval: Sendable, Equatable {
  public var low: Double
  public var high: Double

  public init(low: Double, high: Double) {
    self.low = low
    self.high = high
  }

  public func contains(_ value: Double) -> Bool { low <= value && value <= high }
}

/// The profile of sampled sensitivities against the gate predictor at the same pairs (nil
/// without a gate), as `effectiveLearningRate(sensitivities:…)` computes it over all pairs, plus
/// `level` intervals from `resamples` bootstrap draws seeded by `seed`. The lags' medians divide
/// by the first sampled lag's.
public func effectiveLearningRate(
  sampled s: SampledSensitivities, predictor: Tensor<Double>?, trim: Double,
  median rule: MedianRule = .mean, epsilon: Double = 0, minimumPairs: Int = 2,
  level: Double = 0.95, resamples: Int = 1000, seed: UInt64 = 0
) throws -> EffectiveLearningRateProfile {
  guard 0 < level, level < 1, resamples >= 1 else {
    throw TensorError.invalidArgument(
      operation: "efflr",
      message: "needs a level in (0, 1) and at least one resample, got \(level) and \(resamples)")
  }
  let sample = s.sample
  let (origins, lags) = (sample.origins.count, sample.lags.count)
  let values = s.values.contiguous().scalars
  let gate = predictor?.contiguous().scalars
  // Cluster c = b · O + o; the pairs that exist at lag l are those with k_o + h_l ≤ T.
  let clusters = s.batch * origins
  let present = (0..<lags).map { l in
    (0..<clusters).filter { sample.contains(origin: $0 % origins, lag: l) }
  }
  func atLag(_ x: [Double], _ l: Int) -> [Double] { present[l].map { x[$0 * lags + l] } }
  var profile = try lagProfile(
    lags: sample.lags, sensitivities: (0..<lags).map { atLag(values, $0) },
    predictor: gate.map { gate in (0..<lags).map { atLag(gate, $0) } }, trim: trim,
    median: rule, epsilon: epsilon, minimumPairs: minimumPairs)
  let draws = try bootstrapMedians(
    values, lags: lags, present: present, clusters: clusters, rule: rule,
    resamples: resamples, seed: seed)
  let tail = (1 - level) / 2
  func interval(_ series: [Double]) -> ConfidenceInterval {
    ConfidenceInterval(low: quantile(series, tail), high: quantile(series, 1 - tail))
  }
  // A draw without a pair at some lag (possible when few origins reach it) says nothing there.
  profile.medianIntervals = (0..<lags).map { l in interval(draws.compactMap { $0[l] }) }
  profile.empiricalIntervals = (0..<lags).map { l in
    interval(
      draws.compactMap { draw in draw[l].flatMap { m in draw[0].map { m / ($0 + epsilon) } } })
  }
  return profile
}

/// Per-lag medians of `resamples` bootstrap draws of the clusters (with replacement), nil where
/// a draw has no pair at that lag. A draw is a count per cluster, so each lag's median walks that lag's values sorted once, weighted by
/// the counts: O(resamples · lags · clusters), no sorting per draw.
private func bootstrapMedians(
  _ values: [Double], lags: Int, present: [[Int]], clusters: Int, rule: MedianRule,
  resamples: Int, seed: UInt64
) throws -> [[Double?]] {
  // NaN sorts last, as a value above every other.
  let sorted = (0..<lags).map { l in
    present[l].map { (cluster: $0, value: values[$0 * lags + l]) }.sorted {
      $0.value < $1.value || (!$0.value.isNaN && $1.value.isNaN)
    }
  }
  var stream = RandomStream(seed: seed).substream("bootstrap")
  var counts = [Int](repeating: 0, count: clusters)
  var draws: [[Double?]] = []
  draws.reserveCapacity(resamples)
  for _ in 0..<resamples {
    try checkCancellation()
    for c in 0..<clusters { counts[c] = 0 }
    for _ in 0..<clusters { counts[Int(stream.next() % UInt64(clusters))] += 1 }
    draws.append(sorted.map { weightedMedian($0, counts, rule) })
  }
  return draws
}

/// The median of `entries` (sorted by value) with each repeated `counts[cluster]` times; nil
/// when none is drawn.
func weightedMedian(
  _ entries: [(cluster: Int, value: Double)], _ counts: [Int], _ rule: MedianRule
) -> Double? {
  let total = entries.reduce(0) { $0 + counts[$1.cluster] }
  guard total > 0 else { return nil }
  // The order statistics the rule takes: positions (total - 1) / 2 rounded down and up.
  let lower = (total - 1) / 2
  let upper = rule == .lower ? lower : total / 2
  var (seen, low) = (0, Double.nan)
  for entry in entries {
    let count = counts[entry.cluster]
    guard count > 0 else { continue }
    if seen <= lower, lower < seen + count { low = entry.value }
    if seen <= upper, upper < seen + count { return (low + entry.value) / 2 }
    seen += count
  }
  return low
}
