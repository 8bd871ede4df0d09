// A tidy long table, one row per observation: identifier columns (seed, step, model, …), then
// index columns (an x field, `index`, or array coordinates), then `metric` and `value`. The
// caller says what each observation is; this file lays the observations out in columns.

/// One cell of a tidy table.
public enum TableCell: Equatable, Sendable {
  /// No value in this column for this row.
  case empty
  /// A string.
  case text(String)
  /// `true` or `false`.
  case bool(Bool)
  /// A double-precision number.
  case number(Double)
  /// A single-precision number, kept so that it is written with Float's shortest digits (0.1,
  /// not 0.10000000149011612).
  case single(Float)
}

/// A named cell of an observation: the column it goes in and its content.
public typealias TableEntry = (column: String, cell: TableCell)

/// One row of a tidy table before the columns are known.
public struct TidyObservation: Sendable {
  /// The cells that say whose measurement this is (`seed`, `model`, …).
  public var identifiers: [TableEntry]
  /// The cells that say where in a series or array it is (`lag`, `index`, `row`, …).
  public var indices: [TableEntry]
  /// What is measured (`ai`, `fit.slope`); nil when the table holds a single bare array.
  public var metric: String?
  /// The measurement.
  public var value: TableCell

  /// An observation of `value`.
  public init(
    identifiers: [TableEntry] = [], indices: [TableEntry] = [], metric: String? = nil,
    value: TableCell
  ) {
    self.identifiers = identifiers
    self.indices = indices
    self.metric = metric
    self.value = value
  }

  /// One observation per element of a row-major array of `shape` whose elements are `cells`,
  /// indexed by its coordinates: `index` from 1 for one axis, `row` and `column` from 0 for
  /// two, `i0`, `i1`, … from 0 for more, none for a scalar.
  public static func elements(
    _ cells: [TableCell], shape: [Int], identifiers: [TableEntry] = [], metric: String? = nil
  ) -> [TidyObservation] {
    let names: [String]
    switch shape.count {
    case 0: names = []
    case 1: names = ["index"]
    case 2: names = ["row", "column"]
    default: names = shape.indices.map { "i\($0)" }
    }
    var coordinates = [Int](repeating: 0, count: shape.count)
    return cells.map { cell in
      let index = zip(names, coordinates).map { name, k -> TableEntry in
        (name, TableCell.number(Double(shape.count == 1 ? k + 1 : k)))
      }
      // Advance the row-major counter.
      var axis = shape.count - 1
      while axis >= 0 {
        coordinates[axis] += 1
        if coordinates[axis] < shape[axis] { break }
        coordinates[axis] = 0
        axis -= 1
      }
      return TidyObservation(
        identifiers: identifiers, indices: index, metric: metric, value: cell)
    }
  }
}

/// A table with named columns; every row has one cell per column.
public struct TidyTable: Equatable, Sendable {
  /// The column names, each once.
  public var columns: [String]
  /// The rows, each with one cell per column.
  public var rows: [[TableCell]]

  /// A table of the given columns and rows.
  public init(columns: [String], rows: [[TableCell]]) {
    self.columns = columns
    self.rows = rows
  }

  /// The observations laid out in columns: identifier columns, then index columns, each in
  /// order of first appearance, then `metric` (when any observation has one) and `value`.
  /// Repeated names get `_2`, `_3`, … so each is unique; a row leaves the columns of the other
  /// observations `.empty`.
  public init(_ observations: [TidyObservation]) {
    var identifierNames: [String] = []
    var indexNames: [String] = []
    var seen: Set<String> = []
    var seenIndex: Set<String> = []
    for observation in observations {
      for (name, _) in observation.identifiers where seen.insert(name).inserted {
        identifierNames.append(name)
      }
      for (name, _) in observation.indices where seenIndex.insert(name).inserted {
        indexNames.append(name)
      }
    }
    let hasMetric = observations.contains { $0.metric != nil }
    var columns = identifierNames + indexNames + (hasMetric ? ["metric"] : []) + ["value"]
    var used: [String: Int] = [:]
    for (position, name) in columns.enumerated() {
      used[name, default: 0] += 1
      if let count = used[name], count > 1 { columns[position] = "\(name)_\(count)" }
    }
    let identifierSlot = Dictionary(
      identifierNames.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
    let indexSlot = Dictionary(
      indexNames.enumerated().map { ($1, identifierNames.count + $0) },
      uniquingKeysWith: { a, _ in a })
    let rows = observations.map { observation -> [TableCell] in
      var row = [TableCell](repeating: .empty, count: columns.count)
      for (name, cell) in observation.identifiers {
        if let slot = identifierSlot[name] { row[slot] = cell }
      }
      for (name, cell) in observation.indices {
        if let slot = indexSlot[name] { row[slot] = cell }
      }
      if hasMetric { row[columns.count - 2] = observation.metric.map(TableCell.text) ?? .empty }
      row[columns.count - 1] = observation.value
      return row
    }
    self.init(columns: columns, rows: rows)
  }
}
