// What `plot` draws, independent of where it is drawn: the SVG renderer and the terminal preview
// both read these values, and `PlotData` builds them from Tau values.

/// A figure: one chart with its title, caption lines and axis labels.
struct Plot {
  var chart: Chart
  var title: String?
  /// Lines shown under the title: scalar fields (`slope = 1.23, r2 = 0.98`) and notes.
  var caption: [String] = []
  var xLabel: String?
  var yLabel: String?
  /// A logarithmic y axis (for a heat map: a logarithmic colour scale).
  var isLogY = false
  /// A logarithmic x axis (line charts only: `frechet`'s error against ε is a log-log plot).
  var isLogX = false
}

/// The four kinds of chart.
enum Chart {
  case lines(LineChart)
  case heatMap(HeatMap)
  case bars(BarChart)
  case histogram(Histogram)
}

/// Lines of y against x, each with an optional shaded band.
struct LineChart {
  var series: [Series]
  /// Shown before the legend entries, e.g. "mean ± std over 20".
  var legendTitle: String?
  /// Named series (from record fields) get a legend; a bare tensor's single line does not.
  var showsLegend: Bool
}

/// One line of a line chart. Non-finite points are gaps: the line breaks there.
struct Series: Equatable {
  var name: String
  var x: [Double]
  var y: [Double]
  /// A shaded band around the line (mean ± std, or an interquartile range), same length as `y`.
  var band: Band?
}

/// The lower and upper edges of a shaded band.
struct Band: Equatable {
  var lower: [Double]
  var upper: [Double]
}

/// A matrix drawn as coloured cells: row 0 at the bottom, column 0 at the left (matplotlib's
/// `imshow(origin="lower")`).
struct HeatMap: Equatable {
  var rows: Int
  var columns: Int
  /// Row-major, `rows × columns` values.
  var values: [Double]
  /// The original size when the matrix was averaged down to fewer cells.
  var originalSize: (rows: Int, columns: Int)?

  static func == (a: HeatMap, b: HeatMap) -> Bool {
    a.rows == b.rows && a.columns == b.columns
      && a.values.elementsEqual(b.values) {
        $0 == $1 || ($0.isNaN && $1.isNaN)
      } && a.originalSize?.rows == b.originalSize?.rows
      && a.originalSize?.columns == b.originalSize?.columns
  }

  func value(row: Int, column: Int) -> Double { values[row * columns + column] }
}

/// One bar per label, from zero, with optional whiskers (± std over several records).
struct BarChart: Equatable {
  var labels: [String]
  var values: [Double]
  var errors: [Double]?
  /// Shown above the bars, e.g. "mean ± std over 20".
  var legendTitle: String?
}

/// Counts of values in equal-width bins; `edges` has one more element than `counts`.
struct Histogram: Equatable {
  var edges: [Double]
  var counts: [Int]

  init(edges: [Double], counts: [Int]) {
    self.edges = edges
    self.counts = counts
  }

  /// Bins the finite values into `bins` equal bins from the smallest to the largest value (the
  /// last bin includes its right edge, as NumPy's `histogram`). One distinct value gets the range
  /// value ± 0.5. Returns nil when no value is finite.
  init?(values: [Double], bins: Int) {
    let finite = values.filter(\.isFinite)
    guard var lower = finite.min(), var upper = finite.max(), bins > 0 else { return nil }
    if lower == upper {
      lower -= 0.5
      upper += 0.5
    }
    // Half-spans, so that values near ±greatestFiniteMagnitude do not overflow.
    let halfSpan = upper / 2 - lower / 2
    var counts = [Int](repeating: 0, count: bins)
    for v in finite {
      let position = (v / 2 - lower / 2) / halfSpan * Double(bins)
      counts[Swift.min(bins - 1, Swift.max(0, Int(position.isFinite ? position : 0)))] += 1
    }
    self.counts = counts
    edges = (0...bins).map { k in
      let t = Double(k) / Double(bins)
      return lower * (1 - t) + upper * t
    }
  }
}

/// An error from `plot` or `export`, naming the argument at fault; the built-in turns it into a
/// diagnostic pointing at that argument.
struct PlotError: Error, Equatable {
  var id: DiagnosticID
  var message: String
  var argument = "value"
  var hint: String?

  init(_ id: DiagnosticID, _ message: String, argument: String = "value", hint: String? = nil) {
    self.id = id
    self.message = message
    self.argument = argument
    self.hint = hint
  }
}

// MARK: - Values every chart reports

extension Chart {
  /// The values plotted on the y axis (for a heat map: the colour values), for range and
  /// log-scale checks.
  var yValues: [Double] {
    switch self {
    case .lines(let chart):
      return chart.series.flatMap { s in s.y + (s.band.map { $0.lower + $0.upper } ?? []) }
    case .heatMap(let map): return map.values
    case .bars(let chart):
      return chart.values
        + zip(chart.values, chart.errors ?? []).flatMap { [$0 - $1, $0 + $1] }
    case .histogram(let h): return h.counts.map(Double.init)
    }
  }

  /// The main values only (no bands or whiskers): what a log axis must be able to show.
  var primaryValues: [Double] {
    switch self {
    case .lines(let chart): return chart.series.flatMap(\.y)
    case .heatMap(let map): return map.values
    case .bars(let chart): return chart.values
    case .histogram(let h): return h.counts.map(Double.init)
    }
  }
}
