// What a figure shows, independent of where it is drawn: the SVG renderer and the terminal
// preview both read these values, and TauLang's plot adapter builds them from Tau values.

/// A figure: one chart with its title, caption lines and axis labels.
public struct Plot: Sendable {
  /// What is drawn inside the axes.
  public var chart: Chart
  /// The heading above the chart; nil for none.
  public var title: String?
  /// Lines shown under the title: scalar fields (`slope = 1.23, r2 = 0.98`) and notes.
  public var caption: [String]
  /// The label under the x axis; nil for none.
  public var xLabel: String?
  /// The label beside the y axis; nil for none.
  public var yLabel: String?
  /// A logarithmic y axis (for a heat map: a logarithmic colour scale).
  public var isLogY: Bool
  /// A logarithmic x axis (line charts only: `frechet`'s error against ε is a log-log plot).
  public var isLogX: Bool

  /// A figure of `chart`; everything else is optional.
  public init(
    chart: Chart, title: String? = nil, caption: [String] = [], xLabel: String? = nil,
    yLabel: String? = nil, isLogY: Bool = false, isLogX: Bool = false
  ) {
    self.chart = chart
    self.title = title
    self.caption = caption
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.isLogY = isLogY
    self.isLogX = isLogX
  }
}

/// The four kinds of chart.
public enum Chart: Sendable {
  /// Lines of y against x.
  case lines(LineChart)
  /// A matrix of coloured cells.
  case heatMap(HeatMap)
  /// One bar per label.
  case bars(BarChart)
  /// Counts in equal-width bins.
  case histogram(Histogram)
}

/// Lines of y against x, each with an optional shaded band.
public struct LineChart: Sendable {
  /// The lines, drawn in order with the colours of the series palette.
  public var series: [Series]
  /// Shown before the legend entries, e.g. "mean ± std over 20".
  public var legendTitle: String?
  /// Whether the series' names are shown as a legend (TauLang shows one for a record's named
  /// fields, none for a bare tensor's single line).
  public var showsLegend: Bool

  /// A chart of `series`, with a legend when `showsLegend` is true.
  public init(series: [Series], legendTitle: String? = nil, showsLegend: Bool) {
    self.series = series
    self.legendTitle = legendTitle
    self.showsLegend = showsLegend
  }
}

/// One line of a line chart. Non-finite points are gaps: the line breaks there.
public struct Series: Equatable, Sendable {
  /// The legend entry.
  public var name: String
  /// The x value of each point.
  public var x: [Double]
  /// The y value of each point, as many as `x`.
  public var y: [Double]
  /// A shaded band around the line (mean ± std, or an interquartile range), same length as `y`.
  public var band: Band?

  /// The line through the points (`x[i]`, `y[i]`), shaded by `band` if given.
  public init(name: String, x: [Double], y: [Double], band: Band? = nil) {
    self.name = name
    self.x = x
    self.y = y
    self.band = band
  }
}

/// The lower and upper edges of a shaded band.
public struct Band: Equatable, Sendable {
  /// The lower edge at each point of its series.
  public var lower: [Double]
  /// The upper edge at each point of its series.
  public var upper: [Double]

  /// A band between `lower` and `upper`.
  public init(lower: [Double], upper: [Double]) {
    self.lower = lower
    self.upper = upper
  }
}

/// A matrix drawn as coloured cells: row 0 at the bottom, column 0 at the left (matplotlib's
/// `imshow(origin="lower")`).
public struct HeatMap: Equatable, Sendable {
  /// The number of rows drawn.
  public var rows: Int
  /// The number of columns drawn.
  public var columns: Int
  /// Row-major, `rows × columns` values.
  public var values: [Double]
  /// The original size when the matrix was averaged down to fewer cells.
  public var originalSize: (rows: Int, columns: Int)?

  /// A heat map of `values` as they are, `rows × columns` of them in row-major order.
  public init(
    rows: Int, columns: Int, values: [Double], originalSize: (rows: Int, columns: Int)? = nil
  ) {
    self.rows = rows
    self.columns = columns
    self.values = values
    self.originalSize = originalSize
  }

  /// Equal sizes and values, with nan equal to nan (a cell without a value in both).
  public static func == (a: HeatMap, b: HeatMap) -> Bool {
    a.rows == b.rows && a.columns == b.columns
      && a.values.elementsEqual(b.values) {
        $0 == $1 || ($0.isNaN && $1.isNaN)
      } && a.originalSize?.rows == b.originalSize?.rows
      && a.originalSize?.columns == b.originalSize?.columns
  }

  func value(row: Int, column: Int) -> Double { values[row * columns + column] }
}

/// One bar per label, from zero, with optional whiskers (± std over several records).
public struct BarChart: Equatable, Sendable {
  /// The name under each bar.
  public var labels: [String]
  /// The height of each bar, as many as `labels`.
  public var values: [Double]
  /// The half-length of each bar's whisker, as many as `values`; nil for no whiskers.
  public var errors: [Double]?
  /// Shown above the bars, e.g. "mean ± std over 20".
  public var legendTitle: String?

  /// Bars of `values` named by `labels`, with whiskers of `errors` if given.
  public init(
    labels: [String], values: [Double], errors: [Double]? = nil, legendTitle: String? = nil
  ) {
    self.labels = labels
    self.values = values
    self.errors = errors
    self.legendTitle = legendTitle
  }
}

/// Counts of values in equal-width bins; `edges` has one more element than `counts`.
public struct Histogram: Equatable, Sendable {
  /// The bins' edges, from the left edge of the first to the right edge of the last.
  public var edges: [Double]
  /// How many values fell in each bin.
  public var counts: [Int]

  /// A histogram of given bins.
  public init(edges: [Double], counts: [Int]) {
    self.edges = edges
    self.counts = counts
  }

  /// Bins the finite values into `bins` equal bins from the smallest to the largest value (the
  /// last bin includes its right edge, as NumPy's `histogram`). One distinct value gets the range
  /// value ± 0.5. Returns nil when no value is finite or `bins` is not positive.
  public init?(values: [Double], bins: Int) {
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
  public var primaryValues: [Double] {
    switch self {
    case .lines(let chart): return chart.series.flatMap(\.y)
    case .heatMap(let map): return map.values
    case .bars(let chart): return chart.values
    case .histogram(let h): return h.counts.map(Double.init)
    }
  }
}
