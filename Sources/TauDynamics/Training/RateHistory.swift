// The optimizer's effective rates over a run, summarised: one number per parameter and
// checkpoint (the `rates` built-in). A checkpoint holds each parameter's rate per coordinate
// (lr / (√v̂ + ε) for Adam); a statistic of those makes the series that `rates` returns.

/// How a parameter's per-coordinate rates at one checkpoint become one number.
public enum RateStatistic: String, CaseIterable, Sendable {
  case median, mean, min, max

  /// The statistic of `values`. Of no values: NaN, except the mean, which is 0 (the sum over
  /// at least one).
  public func of(_ values: [Double]) -> Double {
    switch self {
    case .median: return TauDynamics.median(values)
    case .mean: return values.reduce(0, +) / Double(Swift.max(1, values.count))
    case .min: return values.min() ?? .nan
    case .max: return values.max() ?? .nan
    }
  }
}

/// The summarised rates of a run's checkpoints: their steps, and one series per parameter with
/// a value per checkpoint, in the order the parameters first appear.
public struct RateHistory: Sendable {
  public let statistic: RateStatistic
  public private(set) var steps: [Double] = []
  /// Each parameter's dotted path (`cell.gate.Wr`) and its summaries. A path first met at a
  /// later checkpoint starts its series there (a run's checkpoints all hold the same ones).
  public private(set) var series: [(path: String, values: [Double])] = []

  public init(statistic: RateStatistic) { self.statistic = statistic }

  /// Adds a checkpoint at `step` with each parameter's rates; nil rates (not a tensor of
  /// numbers) are summarised as NaN.
  public mutating func append(step: Double, rates: [(path: String, values: [Double]?)]) {
    steps.append(step)
    for (path, values) in rates {
      let summary = values.map(statistic.of) ?? .nan
      if let index = series.firstIndex(where: { $0.path == path }) {
        series[index].values.append(summary)
      } else {
        series.append((path, [summary]))
      }
    }
  }
}
