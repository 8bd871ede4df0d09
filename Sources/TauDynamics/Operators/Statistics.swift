// The few statistics the operators report: NumPy-style quantiles and ordinary least squares of
// one variable on another.

/// The `q`-quantile of `values`, interpolating linearly between order statistics (NumPy's
/// default); NaN for an empty list.
public func quantile(_ values: [Double], _ q: Double) -> Double {
  guard !values.isEmpty else { return .nan }
  let sorted = values.sorted()
  let position = q * Double(sorted.count - 1)
  let lower = Int(position.rounded(.down))
  let upper = Swift.min(lower + 1, sorted.count - 1)
  return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
}

/// The median of `values` (NaN when empty).
public func median(_ values: [Double]) -> Double { quantile(values, 0.5) }

/// The least-squares line y ≈ intercept + slope·x and its R²; NaN when x does not vary.
public struct LineFit: Sendable, Equatable {
  public var slope: Double
  public var intercept: Double
  public var r2: Double

  public init(x: [Double], y: [Double]) {
    let count = Double(Swift.min(x.count, y.count))
    let meanX = x.reduce(0, +) / count
    let meanY = y.reduce(0, +) / count
    var (sxx, sxy, syy) = (0.0, 0.0, 0.0)
    for (a, b) in zip(x, y) {
      sxx += (a - meanX) * (a - meanX)
      sxy += (a - meanX) * (b - meanY)
      syy += (b - meanY) * (b - meanY)
    }
    guard count >= 2, sxx > 0 else {
      (slope, intercept, r2) = (.nan, .nan, .nan)
      return
    }
    slope = sxy / sxx
    intercept = meanY - slope * meanX
    // SS_res = syy - slope·sxy for the least-squares line.
    r2 = syy > 0 ? 1 - (syy - slope * sxy) / syy : .nan
  }
}
