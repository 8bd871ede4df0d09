// The SVG renderer's frame: page layout, title, caption, legend, grid, axes, ticks and labels.
// The marks inside the frame (lines, bands, bars, cells) are in SVGPlot+Marks.swift. The output
// depends only on the plot, so the same input always gives the same bytes.
import Foundation

/// The plotting area on the page and the scales that map data into it.
struct PlotFrame: Equatable {
  var left: Double
  var top: Double
  var width: Double
  var height: Double
  var x: AxisScale
  var y: AxisScale

  var right: Double { left + width }
  var bottom: Double { top + height }

  /// The page position of data point (x, y), or nil if either axis cannot show it.
  func position(_ x: Double, _ y: Double) -> (x: Double, y: Double)? {
    guard let fx = self.x.fraction(x), let fy = self.y.fraction(y) else { return nil }
    return (left + fx * width, top + (1 - fy) * height)
  }

  /// The page x of data x, unclipped.
  func pageX(_ x: Double) -> Double? { self.x.fraction(x).map { left + $0 * width } }

  /// The page y of data y, unclipped.
  func pageY(_ y: Double) -> Double? { self.y.fraction(y).map { top + (1 - $0) * height } }
}

/// Renders a `Plot` as a standalone SVG document of 640×420.
public struct SVGPlot {
  var plot: Plot
  /// The document's `<title>` when the plot has no title of its own.
  var fallbackTitle: String
  var width = 640.0
  var height = 420.0

  /// A renderer of `plot`; `fallbackTitle` is the document's `<title>` when the plot has no
  /// title (TauLang passes the file name without its extension).
  public init(plot: Plot, fallbackTitle: String = "Tau plot") {
    self.plot = plot
    self.fallbackTitle = fallbackTitle
  }

  static let fontSize = 12.0
  /// An estimate of a character's width at `fontSize` in a sans-serif font, for layout.
  static let characterWidth = 7.0
  static let titleSize = 15.0
  static let lineHeight = 16.0

  /// The document text, the same bytes for the same plot.
  public func render() -> String {
    var svg = SVGDocument()
    let frame = self.frame()
    let w = SVGDocument.number(width)
    let h = SVGDocument.number(height)
    svg.add("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
    svg.add(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\" font-family=\"sans-serif\" font-size=\"\(SVGDocument.number(SVGPlot.fontSize))\">"
    )
    svg.add("<title>\(SVGDocument.escaped(plot.title ?? fallbackTitle))</title>")
    svg.add("<rect width=\"\(w)\" height=\"\(h)\" fill=\"white\"/>")
    svg.add("<defs>")
    svg.add(
      "<clipPath id=\"plot-area\"><rect x=\"\(SVGDocument.number(frame.left))\" y=\"\(SVGDocument.number(frame.top))\" width=\"\(SVGDocument.number(frame.width))\" height=\"\(SVGDocument.number(frame.height))\"/></clipPath>"
    )
    if case .heatMap = plot.chart { addColorGradient(to: &svg) }
    svg.add("</defs>")
    addHeader(to: &svg, frame: frame)
    addGrid(to: &svg, frame: frame)
    addMarks(to: &svg, frame: frame)
    svg.add(
      "<rect class=\"frame\" x=\"\(SVGDocument.number(frame.left))\" y=\"\(SVGDocument.number(frame.top))\" width=\"\(SVGDocument.number(frame.width))\" height=\"\(SVGDocument.number(frame.height))\" fill=\"none\" stroke=\"#444\"/>"
    )
    addAxes(to: &svg, frame: frame)
    if case .heatMap(let map) = plot.chart { addColorBar(to: &svg, frame: frame, map: map) }
    svg.add("</svg>")
    return svg.text
  }

  // MARK: - Layout

  /// The scales of the chart, before the frame is placed.
  func scales() -> (x: AxisScale, y: AxisScale) {
    switch plot.chart {
    case .lines(let chart):
      let xs = chart.series.flatMap(\.x)
      // A little room at the ends, so the end points' markers are not cut in half.
      let x = AxisScale(spanning: xs, isLog: plot.isLogX, padding: 0.02)
      return (x, AxisScale(spanning: plot.chart.yValues, isLog: plot.isLogY, padding: 0.05))
    case .heatMap(let map):
      return (
        AxisScale(lower: -0.5, upper: Double(map.columns) - 0.5),
        AxisScale(lower: -0.5, upper: Double(map.rows) - 0.5)
      )
    case .bars(let chart):
      var y = AxisScale(
        spanning: plot.chart.yValues + (plot.isLogY ? [] : [0]), isLog: plot.isLogY,
        padding: 0.05)
      if !plot.isLogY, y.lower < 0, plot.chart.yValues.allSatisfy({ $0 >= 0 || !$0.isFinite }) {
        y.lower = 0
      }
      return (AxisScale(lower: 0, upper: Double(chart.values.count)), y)
    case .histogram(let h):
      let top = Double(h.counts.max() ?? 1)
      let y =
        plot.isLogY
        ? AxisScale(spanning: h.counts.map(Double.init), isLog: true, padding: 0.05)
        : AxisScale(lower: 0, upper: top * 1.05)
      return (AxisScale(lower: h.edges.first ?? 0, upper: h.edges.last ?? 1), y)
    }
  }

  /// Header lines: title, caption, then legend rows.
  private func headerHeight(legendRows: Int) -> Double {
    (plot.title == nil ? 0 : SVGPlot.titleSize + 8)
      + Double(plot.caption.count) * SVGPlot.lineHeight + Double(legendRows) * SVGPlot.lineHeight
  }

  /// The plotting area: margins leave room for the header, the tick labels, the axis labels and
  /// (for a heat map) the colour bar.
  func frame() -> PlotFrame {
    let (x, y) = scales()
    let yLabels = yTickLabels(y).map(\.label)
    let widest = Double(yLabels.map(\.count).max() ?? 1)
    let left = 10 + (plot.yLabel == nil ? 0 : 18) + widest * SVGPlot.characterWidth + 8
    var right = width - 20
    if case .heatMap = plot.chart { right -= 80 }
    let legendRows = legendLayout(left: left, right: right).rows
    let top = 12 + headerHeight(legendRows: legendRows) + 6
    let bottom = height - (10 + 18 + (plot.xLabel == nil ? 0 : 18))
    return PlotFrame(
      left: left, top: top, width: Swift.max(10, right - left),
      height: Swift.max(10, bottom - top), x: x, y: y)
  }

  // MARK: - Header

  private struct LegendItem {
    var label: String
    var color: String
    var hasBand: Bool
    var x: Double
    var row: Int
  }

  /// Legend entries placed left to right from `left`, wrapping before `right`; the legend title
  /// (e.g. "mean ± std over 20") comes first.
  private func legendLayout(left: Double, right: Double) -> (items: [LegendItem], rows: Int) {
    guard case .lines(let chart) = plot.chart, chart.showsLegend else {
      if case .bars(let bars) = plot.chart, bars.legendTitle != nil { return ([], 1) }
      return ([], 0)
    }
    var items: [LegendItem] = []
    var x = left
    var row = 0
    if let title = chart.legendTitle {
      x += Double(title.count + 1) * SVGPlot.characterWidth + 6
    }
    for (index, series) in chart.series.enumerated() {
      let width = 26 + Double(series.name.count) * SVGPlot.characterWidth
      if x + width > right, x > left {
        row += 1
        x = left
      }
      items.append(
        LegendItem(
          label: series.name, color: PlotColors.series(index), hasBand: series.band != nil, x: x,
          row: row))
      x += width + 14
    }
    return (items, row + 1)
  }

  private func addHeader(to svg: inout SVGDocument, frame: PlotFrame) {
    var y = 12.0
    let center = SVGDocument.number(frame.left + frame.width / 2)
    if let title = plot.title {
      y += SVGPlot.titleSize
      svg.add(
        "<text class=\"title\" x=\"\(center)\" y=\"\(SVGDocument.number(y))\" text-anchor=\"middle\" font-size=\"\(SVGDocument.number(SVGPlot.titleSize))\" font-weight=\"bold\">\(SVGDocument.escaped(title))</text>"
      )
      y += 8
    }
    for line in plot.caption {
      y += SVGPlot.lineHeight
      svg.add(
        "<text class=\"caption\" x=\"\(center)\" y=\"\(SVGDocument.number(y - 4))\" text-anchor=\"middle\" fill=\"#444\">\(SVGDocument.escaped(line))</text>"
      )
    }
    var legendTitle: String?
    switch plot.chart {
    case .lines(let chart) where chart.showsLegend: legendTitle = chart.legendTitle
    case .bars(let chart): legendTitle = chart.legendTitle
    default: break
    }
    let (items, rows) = legendLayout(left: frame.left, right: frame.right)
    guard rows > 0 else { return }
    let firstBaseline = y + SVGPlot.lineHeight - 4
    if let legendTitle {
      svg.add(
        "<text class=\"legend-title\" x=\"\(SVGDocument.number(frame.left))\" y=\"\(SVGDocument.number(firstBaseline))\" fill=\"#444\">\(SVGDocument.escaped(legendTitle)):</text>"
      )
    }
    for item in items {
      let baseline = firstBaseline + Double(item.row) * SVGPlot.lineHeight
      let middle = SVGDocument.number(baseline - 4)
      if item.hasBand {
        svg.add(
          "<rect x=\"\(SVGDocument.number(item.x))\" y=\"\(SVGDocument.number(baseline - 10))\" width=\"20\" height=\"12\" fill=\"\(item.color)\" fill-opacity=\"0.2\"/>"
        )
      }
      svg.add(
        "<line x1=\"\(SVGDocument.number(item.x))\" y1=\"\(middle)\" x2=\"\(SVGDocument.number(item.x + 20))\" y2=\"\(middle)\" stroke=\"\(item.color)\" stroke-width=\"2\"/>"
      )
      svg.add(
        "<text class=\"legend\" x=\"\(SVGDocument.number(item.x + 26))\" y=\"\(SVGDocument.number(baseline))\">\(SVGDocument.escaped(item.label))</text>"
      )
    }
  }

  // MARK: - Grid and axes

  /// Ticks of the x axis with their labels (a heat map's at whole cell indices; bars have none).
  func xTickLabels(_ scale: AxisScale) -> [(value: Double, label: String)] {
    switch plot.chart {
    case .bars: return []
    case .heatMap: return integerTicks(scale)
    default:
      let ticks = scale.ticks(maxCount: 7)
      return Array(zip(ticks, scale.labels(for: ticks)))
    }
  }

  /// Ticks of the y axis with their labels.
  func yTickLabels(_ scale: AxisScale) -> [(value: Double, label: String)] {
    if case .heatMap = plot.chart { return integerTicks(scale) }
    let ticks = scale.ticks(maxCount: 6)
    return Array(zip(ticks, scale.labels(for: ticks)))
  }

  private func integerTicks(_ scale: AxisScale) -> [(value: Double, label: String)] {
    let ticks = AxisScale.niceTicks(lower: scale.lower, upper: scale.upper, maxCount: 7)
      .filter { $0 == $0.rounded() }
    return ticks.map { ($0, String(Int($0))) }
  }

  private func addGrid(to svg: inout SVGDocument, frame: PlotFrame) {
    if case .heatMap = plot.chart { return }
    svg.add("<g class=\"grid\" stroke=\"#e6e6e6\" stroke-width=\"1\">")
    for tick in xTickLabels(frame.x) {
      guard let x = frame.pageX(tick.value) else { continue }
      let page = SVGDocument.number(x)
      svg.add(
        "<line x1=\"\(page)\" y1=\"\(SVGDocument.number(frame.top))\" x2=\"\(page)\" y2=\"\(SVGDocument.number(frame.bottom))\"/>"
      )
    }
    for tick in yTickLabels(frame.y) {
      guard let y = frame.pageY(tick.value) else { continue }
      let page = SVGDocument.number(y)
      svg.add(
        "<line x1=\"\(SVGDocument.number(frame.left))\" y1=\"\(page)\" x2=\"\(SVGDocument.number(frame.right))\" y2=\"\(page)\"/>"
      )
    }
    svg.add("</g>")
  }

  private func addAxes(to svg: inout SVGDocument, frame: PlotFrame) {
    svg.add("<g class=\"axes\" fill=\"#222\">")
    let bottom = SVGDocument.number(frame.bottom)
    for tick in xTickLabels(frame.x) {
      guard let x = frame.pageX(tick.value) else { continue }
      let page = SVGDocument.number(x)
      svg.add(
        "<line x1=\"\(page)\" y1=\"\(bottom)\" x2=\"\(page)\" y2=\"\(SVGDocument.number(frame.bottom + 5))\" stroke=\"#444\"/>"
      )
      svg.add(
        "<text x=\"\(page)\" y=\"\(SVGDocument.number(frame.bottom + 18))\" text-anchor=\"middle\">\(SVGDocument.escaped(tick.label))</text>"
      )
    }
    let left = SVGDocument.number(frame.left)
    for tick in yTickLabels(frame.y) {
      guard let y = frame.pageY(tick.value) else { continue }
      let page = SVGDocument.number(y)
      svg.add(
        "<line x1=\"\(SVGDocument.number(frame.left - 5))\" y1=\"\(page)\" x2=\"\(left)\" y2=\"\(page)\" stroke=\"#444\"/>"
      )
      svg.add(
        "<text x=\"\(SVGDocument.number(frame.left - 8))\" y=\"\(SVGDocument.number(y + 4))\" text-anchor=\"end\">\(SVGDocument.escaped(tick.label))</text>"
      )
    }
    if let label = plot.xLabel {
      svg.add(
        "<text class=\"xlabel\" x=\"\(SVGDocument.number(frame.left + frame.width / 2))\" y=\"\(SVGDocument.number(frame.bottom + 36))\" text-anchor=\"middle\">\(SVGDocument.escaped(label))</text>"
      )
    }
    if let label = plot.yLabel {
      let x = SVGDocument.number(14)
      let y = SVGDocument.number(frame.top + frame.height / 2)
      svg.add(
        "<text class=\"ylabel\" x=\"\(x)\" y=\"\(y)\" text-anchor=\"middle\" transform=\"rotate(-90 \(x) \(y))\">\(SVGDocument.escaped(label))</text>"
      )
    }
    svg.add("</g>")
  }
}
