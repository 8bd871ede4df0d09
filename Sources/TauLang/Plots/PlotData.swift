// Turns a Tau value into a TauPlot chart: a 1-D tensor or list into a line, a 2-D tensor into a
// heat map, a record into named lines (or bars), a list of records into mean ± std lines, and
// anything `kind: "hist"` is given into a histogram. Values it cannot draw are
// PlotArgumentErrors.
import TauPlot
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
      throw PlotArgumentError("plot.empty", "nothing to plot: the value is empty")
    }
    guard !finite.isEmpty else {
      throw PlotArgumentError("plot.empty", "nothing to plot: every value is nan or infinite")
    }
    if isLogY {
      let hidden = finite.filter { $0 <= 0 }.count
      if hidden == finite.count {
        throw PlotArgumentError(
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
      throw PlotArgumentError(
        "type.mismatch", "x: \"\(name)\" names a field, but the value is a \(value.typeName)",
        argument: "x", hint: "to give x values for a tensor or list, pass them as a list")
    }
    switch kind {
    case .hist:
      let values = try allNumbers(value, for: kind)
      guard let h = Histogram(values: values, bins: bins) else {
        throw PlotArgumentError(
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
          throw PlotArgumentError(
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
      throw PlotArgumentError(
        "plot.length", "x: has \(values.count) values but the value to plot has \(count)",
        argument: "x")
    }
    return values
  }

  /// The mean and ±1 std band of every series over the records (`Series(meanOf:)`: point by
  /// point, geometric with `isGeometric`, for a log axis); scalar fields become
  /// `name = mean ± std`. The records must share their x values and series.
  static func meanLines(_ records: [Record], x: XChoice, isGeometric: Bool = false) throws -> Plot {
    var all: [RecordLines] = []
    for (index, record) in records.enumerated() {
      guard let lines = try RecordLines(record, x: x, pairsQuantiles: false) else {
        if index == 0 { throw noSeries(record) }
        throw PlotArgumentError(
          "plot.mismatch", "record \(index) of the list has no numeric series, unlike record 0")
      }
      all.append(lines)
    }
    let first = all[0]
    for (index, lines) in all.enumerated().dropFirst() {
      guard lines.xName == first.xName, lines.x.count == first.x.count,
        lines.x.elementsEqual(first.x, by: sameNumber)
      else {
        throw PlotArgumentError(
          "plot.mismatch",
          "record \(index) of the list has a different \(first.xName.map { "'\($0)'" } ?? "length") from record 0",
          hint: "records averaged together must share their x values")
      }
      for s in first.series where !lines.series.contains(where: { $0.name == s.name }) {
        throw PlotArgumentError(
          "plot.mismatch", "record \(index) of the list lacks the series '\(s.name)' of record 0")
      }
    }
    let series = first.series.map { s in
      Series(
        meanOf: all.compactMap { lines in lines.series.first { $0.name == s.name }?.y },
        name: s.name, x: s.x, isGeometric: isGeometric)
    }
    let caption = first.scalars.map { name, _ -> String in
      let values = records.compactMap { $0[name].flatMap(RecordFields.scalar) }
      let stats = MeanAndStd(of: values)
      return "\(name) = \(PlotLabel.number(stats.mean)) ± \(PlotLabel.number(stats.std))"
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
        throw PlotArgumentError("plot.unsupported", "the records of the list have no number fields")
      }
      let stats = names.map { MeanAndStd(of: columns[$0] ?? []) }
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
      throw PlotArgumentError(
        "plot.empty", "nothing to plot: the tensor \(formatShape(t.shape)) is empty")
    }
    let map = HeatMap(t.doubles, rows: rows, columns: columns)
    let caption = map.originalSize.map { size in
      ["averaged from \(size.rows)×\(size.columns) to \(map.rows)×\(map.columns) cells"]
    }
    return Plot(
      chart: .heatMap(map), caption: caption ?? [], xLabel: "column", yLabel: "row")
  }

  // MARK: - Helpers

  /// A range for the tensor conversion's own diagnostics, which are rewrapped as
  /// PlotArgumentErrors.
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
        throw PlotArgumentError(
          "plot.unsupported", "plot cannot draw this list: \(diagnostic.message)",
          hint: "plot draws a list of numbers, of equal-length lists of numbers, or of records")
      }
    default:
      throw PlotArgumentError(
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

  private static func tooManyAxes(_ t: TensorValue, kind: PlotKind) -> PlotArgumentError {
    let wanted: String
    switch kind {
    case .heatmap: wanted = "a heat map needs 1 or 2 axes"
    case .bar: wanted = "bars need 1 axis"
    default: wanted = "plot draws 1 axis as a line and 2 as a heat map"
    }
    return PlotArgumentError(
      "plot.unsupported", "cannot plot a tensor of shape \(formatShape(t.shape)): \(wanted)",
      hint: "index or reduce it first, e.g. t[0] or mean(t, axis: 0)")
  }

  private static func noSeries(_ record: Record) -> PlotArgumentError {
    let described = record.fields.map { "\($0.name) (\(describeShort($0.value)))" }
    return PlotArgumentError(
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
