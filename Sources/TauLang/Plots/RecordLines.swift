// A record read as a line chart: its x field, the series of the same length and the scalars
// shown as a caption. The operators' results (`efflr`, `anisotropy`, `frechet`) all read so.
import TauPlot

/// The lines of one record.
struct RecordLines {
  /// The x field's name, nil when x is 1, 2, …, n or given as values.
  var xName: String?
  var x: [Double]
  var series: [Series]
  /// The number fields, in field order (`slope`, `r2`).
  var scalars: [(name: String, value: Double)]

  /// `slope = 1.23, r2 = 0.98`.
  var caption: String {
    scalars.map { "\($0.name) = \(PlotLabel.number($0.value))" }.joined(separator: ", ")
  }

  /// Reads `record`; nil when it has no non-empty 1-D numeric field. The x field is the one
  /// `x` names, else the first of `RecordFields.xFieldNames` with a partner of its length;
  /// every other numeric field of that length is a series. Fields `NAME_q25` and `NAME_q75`
  /// beside a series `NAME` become its shaded band (with `pairsQuantiles: false` they are
  /// dropped, for averaging over records, where the band is the spread over records).
  init?(_ record: Record, x: XChoice, pairsQuantiles: Bool = true) throws {
    var candidates: [(name: String, values: [Double])] = []
    scalars = []
    for field in record.fields {
      if let values = RecordFields.numbers(field.value), !values.isEmpty {
        candidates.append((field.name, values))
      } else if let value = RecordFields.scalar(field.value) {
        scalars.append((field.name, value))
      }
    }
    guard let first = candidates.first else { return nil }
    let named = candidates.map { (name: $0.name, count: $0.values.count) }
    let xField: String?
    let xs: [Double]
    switch x {
    case .field(let name):
      guard let field = candidates.first(where: { $0.name == name }) else {
        throw PlotArgumentError(
          "plot.unknownField", "the record has no numeric series named '\(name)'",
          argument: "x", hint: "its series are: " + named.map(\.name).joined(separator: ", "))
      }
      xField = name
      xs = field.values
    case .values(let values):
      xField = nil
      xs = values
    case .automatic:
      xField = RecordFields.xFieldName(among: named)
      xs =
        candidates.first { $0.name == xField }?.values
        ?? (1...first.values.count).map(Double.init)
    }
    let lines = candidates.filter { $0.name != xField && $0.values.count == xs.count }
    guard !lines.isEmpty else {
      if case .values = x {
        throw PlotArgumentError(
          "plot.length", "x: has \(xs.count) values but no series of the record has that length",
          argument: "x")
      }
      throw PlotArgumentError(
        "plot.length",
        "the record has no series of the length of '\(xField ?? "")' (\(xs.count))",
        argument: "x")
    }
    let names = Set(lines.map(\.name))
    let quantiles = Set(
      names.filter { name in
        for suffix in ["_q25", "_q75"] where name.hasSuffix(suffix) {
          let base = String(name.dropLast(suffix.count))
          return names.contains(base) && names.contains(base + "_q25")
            && names.contains(base + "_q75")
        }
        return false
      })
    let values = Dictionary(lines.map { ($0.name, $0.values) }, uniquingKeysWith: { a, _ in a })
    xName = xField
    self.x = xs
    series = lines.filter { !quantiles.contains($0.name) }.map { line in
      var series = Series(name: line.name, x: xs, y: line.values)
      if pairsQuantiles, quantiles.contains(line.name + "_q25"),
        let lower = values[line.name + "_q25"], let upper = values[line.name + "_q75"]
      {
        series.band = Band(lower: lower, upper: upper)
      }
      return series
    }
  }
}
