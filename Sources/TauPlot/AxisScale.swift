// Axes: the map from data to a 0…1 fraction of the axis, linear or logarithmic, with "nice"
// ticks (1-2-5 steps on a linear axis, decades on a log axis) and their labels.
import Foundation

/// One axis: its data range, its kind and where its ticks go.
struct AxisScale: Equatable {
  var lower: Double
  var upper: Double
  var isLog: Bool

  /// Spans `values` (the finite ones; on a log axis the positive ones), widened by `padding`
  /// of the span on each side (in decades on a log axis). A single value gets a unit-wide range
  /// around it (a decade each way on a log axis).
  init(spanning values: [Double], isLog: Bool = false, padding: Double = 0) {
    self.isLog = isLog
    let usable = values.filter { $0.isFinite && (!isLog || $0 > 0) }
    var low = usable.min() ?? (isLog ? 1 : 0)
    var high = usable.max() ?? (isLog ? 10 : 1)
    if isLog {
      low = log10(low)
      high = log10(high)
    }
    if low == high {
      let half = isLog || low == 0 ? 1 : Swift.abs(low) * 0.1
      low -= half
      high += half
    } else {
      // Half-spans, so that values near ±greatestFiniteMagnitude do not overflow.
      let margin = (high / 2 - low / 2) * 2 * padding
      if (low - margin).isFinite && (high + margin).isFinite {
        low -= margin
        high += margin
      }
    }
    // Padding in decades can step past the largest or smallest double; stop at them.
    lower = isLog ? Swift.max(pow(10, low), .leastNonzeroMagnitude) : low
    upper = isLog ? Swift.min(pow(10, high), .greatestFiniteMagnitude) : high
  }

  /// An axis from `lower` to `upper` exactly.
  init(lower: Double, upper: Double, isLog: Bool = false) {
    self.lower = lower
    self.upper = upper
    self.isLog = isLog
  }

  /// Where `value` falls: 0 at `lower`, 1 at `upper`; nil for a value the axis cannot show
  /// (nan, infinite, or not positive on a log axis).
  func fraction(_ value: Double) -> Double? {
    guard value.isFinite, !isLog || value > 0 else { return nil }
    let fraction =
      isLog
      ? (log10(value) - log10(lower)) / (log10(upper) - log10(lower))
      : (value / 2 - lower / 2) / (upper / 2 - lower / 2)
    return fraction.isFinite ? fraction : nil
  }

  /// Tick positions inside the axis: at most `maxCount` 1-2-5 steps, or decades on a log axis.
  func ticks(maxCount: Int = 6) -> [Double] {
    isLog
      ? AxisScale.logTicks(lower: lower, upper: upper, maxCount: maxCount)
      : AxisScale.niceTicks(lower: lower, upper: upper, maxCount: maxCount)
  }

  /// The label of each tick of `ticks`, all with the same number of decimals.
  func labels(for ticks: [Double]) -> [String] {
    if isLog { return ticks.map { String(format: "%g", $0) } }
    return AxisScale.linearLabels(ticks)
  }

  // MARK: - Tick rules

  /// Multiples of the smallest step 1, 2 or 5 × 10^k that gives at most `maxCount` ticks in
  /// `lower…upper`. 0…0.97 with 6 gives 0, 0.2, 0.4, 0.6, 0.8. Ticks are computed as integer
  /// multiples divided by powers of ten, so 0.6 is the double nearest 0.6, not 3 × 0.2.
  static func niceTicks(lower: Double, upper: Double, maxCount: Int = 6) -> [Double] {
    let span = upper / 2 - lower / 2
    guard lower.isFinite, upper.isFinite, span > 0, maxCount >= 2 else {
      return lower.isFinite ? [lower] : []
    }
    var exponent = Int(floor(log10(span) + log10(2 / Double(maxCount))))
    // Each round multiplies the step by ten, so a few rounds always suffice.
    for _ in 0..<4 {
      for mantissa in [1, 2, 5] {
        let step = scaled(Double(mantissa), exponent)
        let first = (lower / step - 1e-9).rounded(.up)
        let last = (upper / step + 1e-9).rounded(.down)
        guard last - first + 1 <= Double(maxCount) else { continue }
        return stride(from: first, through: last, by: 1).map { k in
          scaled(k * Double(mantissa), exponent)
        }
      }
      exponent += 1
    }
    return [lower, upper]
  }

  /// The decades 10^k inside `lower…upper` (every second, third, … when there are more than
  /// `maxCount`); 1e-3…20 gives 0.001, 0.01, 0.1, 1, 10. A range spanning fewer than three
  /// decades gets 1, 2 and 5 times powers of ten, and failing two of those, linear ticks.
  static func logTicks(lower: Double, upper: Double, maxCount: Int = 6) -> [Double] {
    guard lower > 0, upper > lower, lower.isFinite, upper.isFinite else { return [] }
    let first = Int((log10(lower) - 1e-9).rounded(.up))
    let last = Int((log10(upper) + 1e-9).rounded(.down))
    if last - first + 1 >= 3 {
      let every = Swift.max(1, Int((Double(last - first + 1) / Double(maxCount)).rounded(.up)))
      return stride(from: first, through: last, by: every).map { scaled(1, $0) }
    }
    var within: [Double] = []
    for k in (first - 1)...last {
      for mantissa in [1.0, 2, 5] {
        let tick = scaled(mantissa, k)
        if tick >= lower * (1 - 1e-12) && tick <= upper * (1 + 1e-12) { within.append(tick) }
      }
    }
    if within.count >= 2 { return within }
    return niceTicks(lower: lower, upper: upper, maxCount: maxCount)
  }

  /// `value` × 10^exponent, exact for the integers and powers of ten involved.
  private static func scaled(_ value: Double, _ exponent: Int) -> Double {
    exponent >= 0 ? value * pow(10, Double(exponent)) : value / pow(10, Double(-exponent))
  }

  /// Labels with as many decimals as the step between ticks needs (0, 0.2, 0.4 → "0", "0.2",
  /// "0.4"; 0, 0.25 → "0.00", "0.25" is never produced since steps are 1-2-5), in scientific
  /// notation when the numbers are very large or very small.
  static func linearLabels(_ ticks: [Double]) -> [String] {
    let step = ticks.count >= 2 ? Swift.abs(ticks[1] / 2 - ticks[0] / 2) * 2 : 0
    guard step > 0, step.isFinite else { return ticks.map(PlotLabel.number) }
    let largest = ticks.map(Swift.abs).max() ?? 0
    let decimals = Swift.max(0, -Int(floor(log10(step) + 1e-9)))
    if largest >= 1e6 || decimals > 5 {
      return ticks.map { $0 == 0 ? "0" : String(format: "%.2g", $0) }
    }
    return ticks.map { tick in
      let text = String(format: "%.\(decimals)f", tick)
      return text.hasPrefix("-") && Double(text) == 0 ? String(text.dropFirst()) : text
    }
  }
}
