// The SVG renderer's marks: one <path class="series"> per line (broken at gaps) with optional
// <path class="band"> shading and point markers, <rect class="bar"> bars with whiskers,
// <rect class="bin"> histogram bins, and <rect class="cell"> heat-map cells with a colour bar.
import Foundation

extension SVGPlot {
  /// A series gets a dot at each point when it has at most this many.
  static let maxMarkedPoints = 24
  /// Lines with more points are thinned to the lowest and highest point of each pixel column.
  static let maxDrawnPoints = 2000

  func addMarks(to svg: inout SVGDocument, frame: PlotFrame) {
    svg.add("<g clip-path=\"url(#plot-area)\">")
    switch plot.chart {
    case .lines(let chart): addLines(chart, to: &svg, frame: frame)
    case .bars(let chart): addBars(chart, to: &svg, frame: frame)
    case .histogram(let h): addBins(h, to: &svg, frame: frame)
    case .heatMap(let map): addCells(map, to: &svg, frame: frame)
    }
    svg.add("</g>")
    if case .bars(let chart) = plot.chart { addBarLabels(chart, to: &svg, frame: frame) }
  }

  // MARK: - Lines

  private func addLines(_ chart: LineChart, to svg: inout SVGDocument, frame: PlotFrame) {
    for (index, series) in chart.series.enumerated() {
      guard let band = series.band else { continue }
      let runs = bandRuns(series, band, frame: frame)
      let d = runs.map { run in
        let upper = run.map { point($0.x, $0.upper) }
        let lower = run.reversed().map { point($0.x, $0.lower) }
        return "M" + (upper + lower).joined(separator: " L") + " Z"
      }
      svg.add(
        "<path class=\"band\" d=\"\(d.joined(separator: " "))\" fill=\"\(PlotColors.series(index))\" fill-opacity=\"0.2\" stroke=\"none\"/>"
      )
    }
    for (index, series) in chart.series.enumerated() {
      let color = PlotColors.series(index)
      var runs: [[(x: Double, y: Double)]] = [[]]
      for (x, y) in zip(series.x, series.y) {
        if let p = frame.position(x, y) {
          runs[runs.count - 1].append(p)
        } else if !(runs.last?.isEmpty ?? true) {
          runs.append([])
        }
      }
      let long = runs.joined().count > SVGPlot.maxDrawnPoints
      let d = runs.filter { !$0.isEmpty }.map { run in
        "M" + (long ? thinned(run) : run).map { point($0.x, $0.y) }.joined(separator: " L")
      }
      svg.add(
        "<path class=\"series\" d=\"\(d.joined(separator: " "))\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.75\" stroke-linejoin=\"round\" stroke-linecap=\"round\"><title>\(SVGDocument.escaped(series.name))</title></path>"
      )
      let points = runs.joined()
      guard points.count <= SVGPlot.maxMarkedPoints else { continue }
      for p in points {
        svg.add(
          "<circle cx=\"\(SVGDocument.number(p.x))\" cy=\"\(SVGDocument.number(p.y))\" r=\"2.5\" fill=\"\(color)\"/>"
        )
      }
    }
  }

  /// A long line reduced to what a page can show: in each pixel column, its first, lowest,
  /// highest and last points, in their order along the line.
  private func thinned(_ run: [(x: Double, y: Double)]) -> [(x: Double, y: Double)] {
    var result: [(x: Double, y: Double)] = []
    var start = 0
    while start < run.count {
      let column = run[start].x.rounded(.down)
      var end = start
      while end + 1 < run.count, run[end + 1].x.rounded(.down) == column { end += 1 }
      let slice = run[start...end]
      let low = slice.indices.min { run[$0].y < run[$1].y } ?? start
      let high = slice.indices.max { run[$0].y < run[$1].y } ?? start
      for i in Set([start, low, high, end]).sorted() { result.append(run[i]) }
      start = end + 1
    }
    return result
  }

  /// Stretches of consecutive points where the band can be drawn; on a log axis a lower edge at
  /// or below zero is drawn at the bottom of the axis.
  private func bandRuns(_ series: Series, _ band: Band, frame: PlotFrame)
    -> [[(x: Double, upper: Double, lower: Double)]]
  {
    var runs: [[(x: Double, upper: Double, lower: Double)]] = [[]]
    for i in series.x.indices where i < band.lower.count && i < band.upper.count {
      let x = frame.pageX(series.x[i])
      let upper = frame.pageY(band.upper[i])
      let lower =
        frame.pageY(band.lower[i])
        ?? (plot.isLogY && band.lower[i] <= 0 && band.upper[i].isFinite ? frame.bottom : nil)
      if let x, let upper, let lower {
        runs[runs.count - 1].append((x, upper, lower))
      } else if !(runs.last?.isEmpty ?? true) {
        runs.append([])
      }
    }
    return runs.filter { !$0.isEmpty }
  }

  private func point(_ x: Double, _ y: Double) -> String {
    SVGDocument.number(x) + "," + SVGDocument.number(y)
  }

  // MARK: - Bars and bins

  /// The page y that bars grow from: zero, or the bottom of a log axis.
  private func baseline(_ frame: PlotFrame) -> Double {
    guard !plot.isLogY, let zero = frame.pageY(0) else { return frame.bottom }
    return Swift.min(frame.bottom, Swift.max(frame.top, zero))
  }

  private func addBars(_ chart: BarChart, to svg: inout SVGDocument, frame: PlotFrame) {
    let slot = frame.width / Double(Swift.max(1, chart.values.count))
    let base = baseline(frame)
    for (index, value) in chart.values.enumerated() {
      guard let y = frame.pageY(value) else { continue }
      svg.add(
        "<rect class=\"bar\" x=\"\(SVGDocument.number(frame.left + slot * (Double(index) + 0.15)))\" y=\"\(SVGDocument.number(Swift.min(y, base)))\" width=\"\(SVGDocument.number(slot * 0.7))\" height=\"\(SVGDocument.number(Swift.abs(base - y)))\" fill=\"\(PlotColors.series(index))\"><title>\(SVGDocument.escaped(chart.labels[index] + " = " + PlotLabel.number(value)))</title></rect>"
      )
    }
    for (index, (value, error)) in zip(chart.values, chart.errors ?? []).enumerated() {
      guard error > 0, let high = frame.pageY(value + error) else { continue }
      let low = frame.pageY(value - error) ?? frame.bottom
      let x = frame.left + slot * (Double(index) + 0.5)
      svg.add(
        "<path class=\"whisker\" d=\"M\(point(x, low)) L\(point(x, high)) M\(point(x - 5, low)) L\(point(x + 5, low)) M\(point(x - 5, high)) L\(point(x + 5, high))\" stroke=\"#222\" stroke-width=\"1.25\" fill=\"none\"/>"
      )
    }
  }

  /// Category names under the bars (cut to fit their slot) and each value above its bar.
  private func addBarLabels(_ chart: BarChart, to svg: inout SVGDocument, frame: PlotFrame) {
    let slot = frame.width / Double(Swift.max(1, chart.values.count))
    let fits = Swift.max(1, Int(slot / SVGPlot.characterWidth))
    svg.add("<g class=\"bar-labels\" text-anchor=\"middle\" fill=\"#222\">")
    for (index, label) in chart.labels.enumerated() {
      let x = SVGDocument.number(frame.left + slot * (Double(index) + 0.5))
      let text = label.count > fits ? String(label.prefix(Swift.max(1, fits - 1))) + "…" : label
      svg.add(
        "<text x=\"\(x)\" y=\"\(SVGDocument.number(frame.bottom + 18))\">\(SVGDocument.escaped(text))</text>"
      )
      let value = chart.values[index]
      guard chart.values.count <= 12, let y = frame.pageY(value) else { continue }
      let above = value >= 0 || plot.isLogY
      let top = frame.pageY(value + (above ? 1 : -1) * (chart.errors?[index] ?? 0)) ?? y
      svg.add(
        "<text class=\"value\" x=\"\(x)\" y=\"\(SVGDocument.number(above ? Swift.max(frame.top + 12, top - 5) : Swift.min(frame.bottom - 4, top + 14)))\" font-size=\"11\">\(SVGDocument.escaped(PlotLabel.number(value)))</text>"
      )
    }
    svg.add("</g>")
  }

  private func addBins(_ h: Histogram, to svg: inout SVGDocument, frame: PlotFrame) {
    let base = baseline(frame)
    for (index, count) in h.counts.enumerated() where count > 0 {
      guard let x0 = frame.pageX(h.edges[index]), let x1 = frame.pageX(h.edges[index + 1]),
        let y = frame.pageY(Double(count))
      else { continue }
      svg.add(
        "<rect class=\"bin\" x=\"\(SVGDocument.number(x0))\" y=\"\(SVGDocument.number(y))\" width=\"\(SVGDocument.number(x1 - x0))\" height=\"\(SVGDocument.number(base - y))\" fill=\"\(PlotColors.series(0))\" stroke=\"white\" stroke-width=\"0.5\"/>"
      )
    }
  }

  // MARK: - Heat maps

  /// The colour scale of a heat map: its values' range (log10 with `logy: true`).
  func colorScale(_ map: HeatMap) -> AxisScale {
    AxisScale(spanning: map.values, isLog: plot.isLogY)
  }

  private func addCells(_ map: HeatMap, to svg: inout SVGDocument, frame: PlotFrame) {
    let scale = colorScale(map)
    let width = SVGDocument.number(frame.width / Double(map.columns))
    let height = SVGDocument.number(frame.height / Double(map.rows))
    // Crisp edges: anti-aliased neighbouring cells would show hairline seams between them.
    svg.add("<g class=\"cells\" shape-rendering=\"crispEdges\">")
    defer { svg.add("</g>") }
    for row in 0..<map.rows {
      for column in 0..<map.columns {
        let value = map.value(row: row, column: column)
        guard let fraction = scale.fraction(value), let x = frame.pageX(Double(column) - 0.5),
          let y = frame.pageY(Double(row) + 0.5)
        else { continue }
        svg.add(
          "<rect class=\"cell\" x=\"\(SVGDocument.number(x))\" y=\"\(SVGDocument.number(y))\" width=\"\(width)\" height=\"\(height)\" fill=\"\(PlotColors.heat(fraction))\"/>"
        )
      }
    }
  }

  func addColorGradient(to svg: inout SVGDocument) {
    svg.add("<linearGradient id=\"colorbar\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">")
    let last = PlotColors.viridis.count - 1
    for k in 0...last {
      let offset = Double(k) / Double(last)
      svg.add(
        "<stop offset=\"\(SVGDocument.number(offset))\" stop-color=\"\(PlotColors.heat(offset))\"/>"
      )
    }
    svg.add("</linearGradient>")
  }

  func addColorBar(to svg: inout SVGDocument, frame: PlotFrame, map: HeatMap) {
    let scale = colorScale(map)
    let x = frame.right + 16
    svg.add(
      "<rect class=\"colorbar\" x=\"\(SVGDocument.number(x))\" y=\"\(SVGDocument.number(frame.top))\" width=\"14\" height=\"\(SVGDocument.number(frame.height))\" fill=\"url(#colorbar)\" stroke=\"#444\"/>"
    )
    let ticks = scale.ticks(maxCount: 6)
    svg.add("<g class=\"colorbar-ticks\" fill=\"#222\">")
    for (tick, label) in zip(ticks, scale.labels(for: ticks)) {
      guard let fraction = scale.fraction(tick) else { continue }
      let y = frame.top + (1 - fraction) * frame.height
      svg.add(
        "<line x1=\"\(SVGDocument.number(x + 14))\" y1=\"\(SVGDocument.number(y))\" x2=\"\(SVGDocument.number(x + 18))\" y2=\"\(SVGDocument.number(y))\" stroke=\"#444\"/>"
      )
      svg.add(
        "<text x=\"\(SVGDocument.number(x + 21))\" y=\"\(SVGDocument.number(y + 4))\">\(SVGDocument.escaped(label))</text>"
      )
    }
    svg.add("</g>")
  }
}
