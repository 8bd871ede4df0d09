// How numbers read in captions, legends and the terminal preview's ranges: short, and the same
// every time, so that a figure's text is stable across runs.
import Foundation

/// The text of numbers shown in and beside charts.
public enum PlotLabel {
  /// `x` in at most 4 significant digits: whole numbers below a million without a decimal
  /// point (3, not 3.0), others as `%.4g` (0.1235, 1.5e+20), and nan, inf and -inf by name.
  public static func number(_ x: Double) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x < 0 ? "-inf" : "inf" }
    if x == x.rounded(), Swift.abs(x) < 1e6 { return String(Int(x)) }
    return String(format: "%.4g", x)
  }
}
