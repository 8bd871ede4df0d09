// Turns a Tau value into a chart: a 1-D tensor or list into a line, a 2-D tensor into a heat
// map, a record into named lines (or bars), a list of records into mean ± std lines, and
// anything `kind: "hist"` is given into a histogram. Values it cannot draw are PlotErrors.
import Foundation
import TauTensor

/// What `kind:` asks for.
enum PlotKind: String, CaseIterable {
  case auto, line, heatmap, bar, hist
}

/// Where the x values of a line chart come from.
enum XChoice: Equatable {
  /// 1, 2, …, n, or a record's x field (`lag`, `step`, `eps`, `x`, `t`, `h`).
  case automatic
  /// The record field of this name.
  case field(String)
  /// These values (for a tensor or list: `plot(errors, x: eps)`).
  case values([Double])
}

enum PlotData {
  /// The largest heat map side drawn cell by cell; larger matrices are averaged in blocks.
  static let maxHeatMapSide = 300

  /// The figure for `value`, with the caption notes a log axis needs. Throws when the value
  /// cannot be drawn as asked.
  static func plot(
    _ value: Value, kind: PlotKind = .auto, x: XChoice = .automatic, bins: Int = 20,
    isLogY: Bool = false
  ) throws -> Plot {
    var plot = try chart(value, kind: kind, x: x, bins: bins, isLogY: isLogY)
    plot.isLogY = isLogY
    let finite = plot.chart.primaryValues.filter(\.isFinite)
    guard !plot.chart.primaryValues.isEmpty else {
      throw PlotError("plot.empty", "nothing to plot: the value is empty")
    }
    guard !finite.isEmpty else {
      throw PlotError("plot.empty", "nothing to plot: every value is nan or infinite")
    }
    if isLogY {
      let hidden = finite.filter { $0 <= 0 }.count
      if hidden == finite.count {
        throw PlotError(
          "plot.logScale", "logy: true needs positive values, but every value is zero or negative",
          argument: "logy")
      }
      // Empty histogram bins are not values the reader needs told about.
      let isHistogram: Bool
      if case .histogram = plot.chart { isHistogram = true } else { isHistogram = false }
      if hidden > 0, !isHistogram {
        plot.caption.append(
          "\(hidden) value\(hidden == 1 ? "" : "s") ≤ 0 not shown on the log scale")
      }
    }
    return plot
  }

  /// The chart for `value` with default axis labels and the caption of a record's scalars.
  private static func chart(_ value: Value, kind: PlotKind, x: XChoice, bins: Int, isLogY: Bool)
    throws -> Plot
  {
    if case .field(let name) = x, !isRecordLike(value) {
      throw PlotError(
        "type.mismatch", "x: \"\(name)\" names a field, but the value is a \(value.typeName)",
        argument: "x", hint: "to give x values for a tensor or list, pass them as a list")
    }
    switch kind {
    case .hist:
      let values = try allNumbers(value, for: kind)
      guard let h = Histogram(values: values, bins: bins) else {
        throw PlotError(
          "plot.empty",
          values.isEmpty
            ? "nothing to plot: the value is empty"
            : "nothing to plot: every value is nan or infinite")
      }
      return Plot(chart: .histogram(h), xLabel: "value", yLabel: "count")
    case .bar:
      return try barPlot(value)
    case .heatmap:
      let t = try tensor(value, for: kind)
      guard t.shape.count <= 2 else { throw tooManyAxes(t, kind: kind) }
      return try heatMapPlot(t)
    case .line, .auto:
      break
    }
    switch value {
    case .record(let record):
      if let lines = try RecordLines(record, x: x) {
        return Plot(
          chart: .lines(LineChart(series: lines.series, showsLegend: true)),
          caption: lines.caption.isEmpty ? [] : [lines.caption], xLabel: lines.xName)
      }
      if kind == .auto, let bars = try? barPlot(value) { return bars }
      throw noSeries(record)
    case .list(let items) where !items.isEmpty && items.allSatisfy(isRecord):
      let records = items.compactMap { item -> Record? in
        if case .record(let r) = item { return r } else { return nil }
      }
      if kind == .auto, try RecordLines(records[0], x: x) == nil, (try? barPlot(value)) != nil {
        return try barPlot(value)
      }
      return try meanLines(records, x: x, isGeometric: isLogY)
    default:
      let t = try tensor(value, for: kind)
      if t.shape.count == 2, kind == .auto { return try heatMapPlot(t) }
      guard t.shape.count == 1 else {
        if t.shape.isEmpty {
          throw PlotError(
            "plot.unsupported", "plot needs several numbers, got a single number",
            hint: "a record of numbers, {a: 1, b: 2}, plots as bars")
        }
        throw tooManyAxes(t, kind: kind)
      }
      let y = t.doubles
      return Plot(
        chart: .lines(
          LineChart(
            series: [Series(name: "", x: try xValues(x, count: y.count), y: y)],
            showsLegend: false)))
    }
  }

  // MARK: - Lines

  private static func xValues(_ x: XChoice, count: Int) throws -> [Double] {
    guard case .values(let values) = x else { return (1...Swift.max(1, count)).map(Double.init) }
    guard values.count == count else {
      throw PlotError(
        "plot.length", "x: has \(values.count) values but the value to plot has \(count)",
        argument: "x")
    }
    return values
  }

  /// The mean and ±1 std band (population std, NumPy's default) of every series over the
  /// records, point by point over the finite values; scalar fields become `name = mean ± std`.
  /// `isGeometric` (for a log axis) takes both in log space over the positive values: the
  /// geometric mean, times or divided by the geometric std, a band that a log axis can draw
  /// (mean − std goes below zero there as soon as the values spread over decades).
  static func meanLines(_ records: [Record], x: XChoice, isGeometric: Bool = false) throws -> Plot {
    var all: [RecordLines] = []
    for (index, record) in records.enumerated() {
      guard let lines = try RecordLines(record, x: x, pairsQuantiles: false) else {
        if index == 0 { throw noSeries(record) }
        throw PlotError(
          "plot.mismatch", "record \(index) of the list has no numeric series, unlike record 0")
      }
      all.append(lines)
    }
    let first = all[0]
    for (index, lines) in all.enumerated().dropFirst() {
      guard lines.xName == first.xName, lines.x.count == first.x.count,
        lines.x.elementsEqual(first.x, by: sameNumber)
      else {
        throw PlotError(
          "plot.mismatch",
          "record \(index) of the list has a different \(first.xName.map { "'\($0)'" } ?? "length") from record 0",
          hint: "records averaged together must share their x values")
      }
      for s in first.series where !lines.series.contains(where: { $0.name == s.name }) {
        throw PlotError(
          "plot.mismatch", "record \(index) of the list lacks the series '\(s.name)' of record 0")
      }
    }
    let series = first.series.map { s -> Series in
      let rows = all.compactMap { lines in lines.series.first { $0.name == s.name }?.y }
      if isGeometric {
        let stats = (0..<s.y.count).map { i in
          meanAndStd(rows.map { $0[i] > 0 ? Foundation.log($0[i]) : .nan })
        }
        return Series(
          name: s.name, x: s.x, y: stats.map { Foundation.exp($0.mean) },
          band: Band(
            lower: stats.map { Foundation.exp($0.mean - $0.std) },
            upper: stats.map { Foundation.exp($0.mean + $0.std) }))
      }
      let stats = (0..<s.y.count).map { i in meanAndStd(rows.map { $0[i] }) }
      let mean = stats.map(\.mean)
      let std = stats.map(\.std)
      return Series(
        name: s.name, x: s.x, y: mean,
        band: Band(lower: zip(mean, std).map(-), upper: zip(mean, std).map(+)))
    }
    let caption = first.scalars.map { name, _ -> String in
      let values = records.compactMap { $0[name].flatMap(RecordFields.scalar) }
      let (mean, std) = meanAndStd(values)
      return "\(name) = \(short(mean)) ± \(short(std))"
    }
    return Plot(
      chart: .lines(
        LineChart(
          series: series,
          legendTitle: isGeometric
            ? "geometric mean ×/÷ std over \(records.count)" : "mean ± std over \(records.count)",
          showsLegend: true)),
      caption: caption.isEmpty ? [] : [caption.joined(separator: ", ")], xLabel: first.xName)
  }

  // MARK: - Bars, heat maps

  /// One bar per number field of a record (identifiers such as `seed` left out), the means and
  /// stds of those fields over a list of records, or one bar per number of a list.
  private static func barPlot(_ value: Value) throws -> Plot {
    switch value {
    case .record(let record):
      let fields = barFields(record)
      guard !fields.isEmpty else { throw noSeries(record) }
      return Plot(chart: .bars(BarChart(labels: fields.map(\.0), values: fields.map(\.1))))
    case .list(let items) where !items.isEmpty && items.allSatisfy(isRecord):
      var names: [String] = []
      var columns: [String: [Double]] = [:]
      for case .record(let record) in items {
        for (name, x) in barFields(record) {
          if columns[name] == nil { names.append(name) }
          columns[name, default: []].append(x)
        }
      }
      guard !names.isEmpty else {
        throw PlotError("plot.unsupported", "the records of the list have no number fields")
      }
      let stats = names.map { meanAndStd(columns[$0] ?? []) }
      return Plot(
        chart: .bars(
          BarChart(
            labels: names, values: stats.map(\.mean), errors: stats.map(\.std),
            legendTitle: "mean ± std over \(items.count)")))
    default:
      let y = try tensor(value, for: .bar)
      guard y.shape.count == 1 else { throw tooManyAxes(y, kind: .bar) }
      let values = y.doubles
      return Plot(
        chart: .bars(BarChart(labels: values.indices.map { String($0 + 1) }, values: values)))
    }
  }

  private static func barFields(_ record: Record) -> [(String, Double)] {
    record.fields.compactMap { field in
      guard !RecordFields.identifierNames.contains(field.name),
        let x = RecordFields.scalar(field.value)
      else { return nil }
      return (field.name, x)
    }
  }

  private static func heatMapPlot(_ t: TensorValue) throws -> Plot {
    let rows = t.shape.count == 2 ? t.shape[0] : 1
    let columns = t.shape.last ?? 1
    guard rows > 0, columns > 0 else {
      throw PlotError("plot.empty", "nothing to plot: the tensor \(formatShape(t.shape)) is empty")
    }
    let map = blockMeans(t.doubles, rows: rows, columns: columns)
    let caption = map.originalSize.map { size in
      ["averaged from \(size.rows)×\(size.columns) to \(map.rows)×\(map.columns) cells"]
    }
    return Plot(
      chart: .heatMap(map), caption: caption ?? [], xLabel: "column", yLabel: "row")
  }

  /// The matrix as a heat map, averaged over blocks (of the finite values) when it has more
  /// than `maxRows` rows or `maxColumns` columns.
  static func blockMeans(
    _ values: [Double], rows: Int, columns: Int, maxRows: Int = maxHeatMapSide,
    maxColumns: Int = maxHeatMapSide
  ) -> HeatMap {
    let newRows = Swift.max(1, Swift.min(rows, maxRows))
    let newColumns = Swift.max(1, Swift.min(columns, maxColumns))
    guard newRows != rows || newColumns != columns else {
      return HeatMap(rows: rows, columns: columns, values: values)
    }
    var means: [Double] = []
    for r in 0..<newRows {
      for c in 0..<newColumns {
        var block: [Double] = []
        for i in (r * rows / newRows)..<((r + 1) * rows / newRows) {
          for j in (c * columns / newColumns)..<((c + 1) * columns / newColumns) {
            block.append(values[i * columns + j])
          }
        }
        means.append(meanAndStd(block).mean)
      }
    }
    return HeatMap(
      rows: newRows, columns: newColumns, values: means, originalSize: (rows, columns))
  }

  // MARK: - Helpers

  /// A range for the tensor conversion's own diagnostics, which are rewrapped as PlotErrors.
  private static let nowhere = SourceRange(file: SourceFile(name: "", text: ""), start: 0, end: 0)

  private static func isRecord(_ value: Value) -> Bool {
    if case .record = value { return true }
    return false
  }

  private static func isRecordLike(_ value: Value) -> Bool {
    if case .list(let items) = value { return !items.isEmpty && items.allSatisfy(isRecord) }
    return isRecord(value)
  }

  private static func tensor(_ value: Value, for kind: PlotKind) throws -> TensorValue {
    switch value {
    case .tensor(let t): return t
    case .number, .list, .range:
      do {
        return try tensorValue(value, at: nowhere, context: "plot")
      } catch let diagnostic as Diagnostic {
        throw PlotError(
          "plot.unsupported", "plot cannot draw this list: \(diagnostic.message)",
          hint: "plot draws a list of numbers, of equal-length lists of numbers, or of records")
      }
    default:
      throw PlotError(
        "plot.unsupported",
        "plot cannot draw a \(value.typeName)"
          + (kind == .auto ? "" : " as kind: \"\(kind.rawValue)\""),
        hint: "plot draws tensors, lists of numbers, records of numeric fields and lists of records"
      )
    }
  }

  private static func allNumbers(_ value: Value, for kind: PlotKind) throws -> [Double] {
    try tensor(value, for: kind).doubles
  }

  private static func tooManyAxes(_ t: TensorValue, kind: PlotKind) -> PlotError {
    let wanted: String
    switch kind {
    case .heatmap: wanted = "a heat map needs 1 or 2 axes"
    case .bar: wanted = "bars need 1 axis"
    default: wanted = "plot draws 1 axis as a line and 2 as a heat map"
    }
    return PlotError(
      "plot.unsupported", "cannot plot a tensor of shape \(formatShape(t.shape)): \(wanted)",
      hint: "index or reduce it first, e.g. t[0] or mean(t, axis: 0)")
  }

  private static func noSeries(_ record: Record) -> PlotError {
    let described = record.fields.map { "\($0.name) (\(describeShort($0.value)))" }
    return PlotError(
      "plot.unsupported",
      "the record has no 1-D numeric fields or numbers to plot",
      hint: described.isEmpty
        ? "the record is empty" : "its fields: " + described.joined(separator: ", "))
  }

  /// NaN equals NaN here: two records with a gap at the same x agree.
  private static func sameNumber(_ a: Double, _ b: Double) -> Bool {
    a == b || (a.isNaN && b.isNaN)
  }
}

/// The mean and population standard deviation of the finite values (nan, nan if there are none).
func meanAndStd(_ values: [Double]) -> (mean: Double, std: Double) {
  let finite = values.filter(\.isFinite)
  guard !finite.isEmpty else { return (.nan, .nan) }
  let n = Double(finite.count)
  let mean = finite.reduce(0, +) / n
  let variance = finite.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
  return (mean, variance.squareRoot())
}

/// A number in 4 significant digits, for captions and labels.
func short(_ x: Double) -> String {
  if x.isNaN { return "nan" }
  if x.isInfinite { return x < 0 ? "-inf" : "inf" }
  if x == x.rounded(), Swift.abs(x) < 1e6 { return String(Int(x)) }
  return String(format: "%.4g", x)
}
