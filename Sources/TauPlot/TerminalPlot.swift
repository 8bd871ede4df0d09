// The compact preview of a figure for a terminal: a braille line plot of about 60×12 characters
// with its y range, a block-shade heat map, horizontal bars, or a block histogram. Plain text, no
// colour, so it reads the same in a terminal, a log file and a golden test.
import Foundation

/// The plain-text preview of a figure.
public enum TerminalPlot {
  /// The width and height of the drawing area, in characters.
  static let columns = 60
  static let rows = 12
  static let maxHeatMapRows = 20
  /// Heat-map shades from the lowest value to the highest.
  static let shades: [Character] = [" ", "░", "▒", "▓", "█"]
  private static let eighths: [Character] = ["▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"]
  private static let levels: [Character] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

  /// The preview of `plot` (title, caption, drawing, ranges and legend), ending with a newline.
  public static func render(_ plot: Plot) -> String {
    var lines: [String] = []
    if let title = plot.title { lines.append(title) }
    lines += plot.caption
    switch plot.chart {
    case .lines(let chart): lines += lineChart(chart, plot)
    case .heatMap(let map): lines += heatMap(map, plot)
    case .bars(let chart): lines += bars(chart, plot)
    case .histogram(let h): lines += histogram(h, plot)
    }
    if case .heatMap = plot.chart {
      if plot.isLogY { lines.append("colour: log scale") }
    } else if plot.yLabel != nil || plot.isLogY {
      let scale = plot.isLogY ? "log scale" : nil
      lines.append("y: " + [plot.yLabel, scale].compactMap { $0 }.joined(separator: ", "))
    }
    return lines.map(trimmed).joined(separator: "\n") + "\n"
  }

  // MARK: - Lines

  private static func lineChart(_ chart: LineChart, _ plot: Plot) -> [String] {
    let xScale = AxisScale(spanning: chart.series.flatMap(\.x), isLog: plot.isLogX)
    let yScale = AxisScale(spanning: chart.series.flatMap(\.y), isLog: plot.isLogY)
    var canvas = BrailleCanvas(columns: columns, rows: rows)
    func dot(_ x: Double, _ y: Double) -> (x: Int, y: Int)? {
      guard let fx = xScale.fraction(x), let fy = yScale.fraction(y) else { return nil }
      let px = Int((fx * Double(canvas.dotWidth - 1)).rounded())
      let py = Int(((1 - fy) * Double(canvas.dotHeight - 1)).rounded())
      return (
        Swift.min(canvas.dotWidth - 1, Swift.max(0, px)),
        Swift.min(canvas.dotHeight - 1, Swift.max(0, py))
      )
    }
    for series in chart.series {
      var previous: (x: Int, y: Int)?
      for (x, y) in zip(series.x, series.y) {
        let current = dot(x, y)
        if let current {
          canvas.line(from: previous ?? current, to: current)
        }
        previous = current
      }
    }
    var lines = framed(
      canvas.lines, top: PlotLabel.number(yScale.upper), bottom: PlotLabel.number(yScale.lower),
      left: PlotLabel.number(xScale.lower), right: PlotLabel.number(xScale.upper),
      xLabel: plot.xLabel)
    if chart.showsLegend {
      let names = chart.series.map(\.name).joined(separator: ", ")
      lines.append(gutterPad(lines) + (chart.legendTitle.map { $0 + ": " } ?? "") + names)
    }
    return lines
  }

  /// A drawing with the y range at its left, an axis under it and the x range below that.
  private static func framed(
    _ body: [String], top: String, bottom: String, left: String, right: String,
    xLabel: String?
  ) -> [String] {
    let gutter = Swift.max(top.count, bottom.count)
    let width = body.map(\.count).max() ?? columns
    var lines: [String] = []
    for (index, row) in body.enumerated() {
      let label =
        index == 0 ? top : index == body.count - 1 ? bottom : ""
      let mark = index == 0 || index == body.count - 1 ? " ┤" : " │"
      lines.append(padded(label, gutter, right: true) + mark + row)
    }
    lines.append(
      String(repeating: " ", count: gutter) + " └" + String(repeating: "─", count: width))
    var axis = left
    let middle = xLabel ?? ""
    let room = width - left.count - right.count
    if room >= middle.count + 2 {
      let before = (room - middle.count) / 2
      axis +=
        String(repeating: " ", count: before) + middle
        + String(repeating: " ", count: room - before - middle.count) + right
    } else {
      axis += " " + right + (middle.isEmpty ? "" : "  " + middle)
    }
    lines.append(String(repeating: " ", count: gutter + 2) + axis)
    return lines
  }

  /// Spaces as wide as the gutter and axis mark of a framed drawing.
  private static func gutterPad(_ framedLines: [String]) -> String {
    let axis = framedLines.first { $0.contains("└") } ?? ""
    let gutter = axis.prefix { $0 == " " }.count
    return String(repeating: " ", count: gutter + 1)
  }

  // MARK: - Heat maps

  private static func heatMap(_ map: HeatMap, _ plot: Plot) -> [String] {
    let shownRows = Swift.min(map.rows, maxHeatMapRows)
    let shownColumns = Swift.min(map.columns, columns)
    let cellWidth = Swift.max(1, Swift.min(4, columns / shownColumns))
    let shrunk = HeatMap(
      map.values, rows: map.rows, columns: map.columns, maxRows: shownRows, maxColumns: shownColumns
    )
    let scale = AxisScale(spanning: map.values, isLog: plot.isLogY)
    var body: [String] = []
    for row in stride(from: shrunk.rows - 1, through: 0, by: -1) {
      var text = ""
      for column in 0..<shrunk.columns {
        let shade: Character
        if let f = scale.fraction(shrunk.value(row: row, column: column)) {
          shade = shades[Swift.min(shades.count - 1, Swift.max(0, Int(f * Double(shades.count))))]
        } else {
          shade = "·"
        }
        text += String(repeating: shade, count: cellWidth)
      }
      body.append(text)
    }
    var lines = framed(
      body, top: String(map.rows - 1), bottom: "0", left: "0", right: String(map.columns - 1),
      xLabel: plot.xLabel)
    lines.append(
      gutterPad(lines) + "shades \"" + String(shades) + "\" from " + PlotLabel.number(scale.lower)
        + " to "
        + PlotLabel.number(scale.upper))
    return lines
  }

  // MARK: - Bars and histograms

  private static func bars(_ chart: BarChart, _ plot: Plot) -> [String] {
    let labelWidth = Swift.min(16, chart.labels.map(\.count).max() ?? 1)
    let barWidth = 40
    let finite = chart.values.filter(\.isFinite)
    let largest = finite.map(Swift.abs).max() ?? 1
    let logScale = AxisScale(
      lower: (finite.filter { $0 > 0 }.min() ?? 1) / 10, upper: finite.max() ?? 10, isLog: true)
    var lines: [String] = chart.legendTitle.map { [$0 + ":"] } ?? []
    for (index, label) in chart.labels.enumerated() {
      let value = chart.values[index]
      let fraction =
        plot.isLogY
        ? (logScale.fraction(value) ?? 0) : (largest > 0 ? Swift.abs(value) / largest : 0)
      let clamped = Swift.min(1, Swift.max(0, fraction.isFinite ? fraction : 0))
      let eighthsLong = value.isFinite ? Int((clamped * Double(barWidth * 8)).rounded()) : 0
      var bar = String(repeating: "█", count: eighthsLong / 8)
      if eighthsLong % 8 > 0 { bar.append(eighths[eighthsLong % 8 - 1]) }
      let error = chart.errors.map { " ± " + PlotLabel.number($0[index]) } ?? ""
      let name = label.count > labelWidth ? String(label.prefix(labelWidth - 1)) + "…" : label
      lines.append(
        padded(name, labelWidth, right: false) + " " + padded(bar, barWidth, right: false) + " "
          + PlotLabel.number(value) + error)
    }
    return lines
  }

  private static func histogram(_ h: Histogram, _ plot: Plot) -> [String] {
    let group = Swift.max(1, Int((Double(h.counts.count) / Double(columns)).rounded(.up)))
    let counts = stride(from: 0, to: h.counts.count, by: group).map { start in
      h.counts[start..<Swift.min(h.counts.count, start + group)].reduce(0, +)
    }
    let width = Swift.max(1, columns / counts.count)
    let height = 8
    let top = counts.max() ?? 1
    func fill(_ count: Int) -> Double {
      guard top > 0 else { return 0 }
      if plot.isLogY { return log10(Double(count) + 1) / log10(Double(top) + 1) }
      return Double(count) / Double(top)
    }
    var body: [String] = []
    for row in stride(from: height - 1, through: 0, by: -1) {
      var text = ""
      for count in counts {
        let level = Int((fill(count) * Double(height * 8)).rounded()) - row * 8
        text += String(
          repeating: levels[Swift.min(8, Swift.max(0, level))], count: width)
      }
      body.append(text)
    }
    return framed(
      body, top: String(top), bottom: "0", left: PlotLabel.number(h.edges.first ?? 0),
      right: PlotLabel.number(h.edges.last ?? 0), xLabel: plot.xLabel)
  }

  // MARK: - Text

  private static func padded(_ text: String, _ width: Int, right: Bool) -> String {
    let pad = String(repeating: " ", count: Swift.max(0, width - text.count))
    return right ? pad + text : text + pad
  }

  private static func trimmed(_ line: String) -> String {
    var line = line
    while line.last == " " { line.removeLast() }
    return line
  }
}
