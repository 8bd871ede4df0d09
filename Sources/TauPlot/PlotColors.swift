// Colours: matplotlib's "tab10" cycle for series and its "viridis" map for heat maps, so Tau's
// figures sit well beside the Python tools' figures.
import Foundation

enum PlotColors {
  /// The series colours, in order; the tenth series after the first wraps around.
  static let palette = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
  ]

  static func series(_ index: Int) -> String { palette[index % palette.count] }

  /// Viridis sampled at 0, 1/8, …, 1 (matplotlib's table); colours in between are interpolated.
  static let viridis: [(r: Double, g: Double, b: Double)] = [
    (68, 1, 84), (72, 40, 120), (62, 73, 137), (49, 104, 142), (38, 130, 142),
    (31, 158, 137), (53, 183, 121), (110, 206, 88), (253, 231, 37),
  ]

  /// The viridis colour at `fraction` (clamped to 0…1) as `#rrggbb`.
  static func heat(_ fraction: Double) -> String {
    let t = Swift.min(1, Swift.max(0, fraction.isFinite ? fraction : 0)) * Double(viridis.count - 1)
    let i = Swift.min(viridis.count - 2, Int(t))
    let w = t - Double(i)
    let a = viridis[i]
    let b = viridis[i + 1]
    func channel(_ x: Double, _ y: Double) -> Int { Int((x + (y - x) * w).rounded()) }
    return String(
      format: "#%02x%02x%02x", channel(a.r, b.r), channel(a.g, b.g), channel(a.b, b.b))
  }
}
