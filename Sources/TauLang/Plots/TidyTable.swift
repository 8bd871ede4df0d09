// Flattens a Tau value into a tidy long table, one row per observation, for `export`:
// identifier columns (seed, step, model, …, and every string field), then index columns (the x
// field, `index`, or tensor coordinates), then `metric` and `value`.
import TauTensor

/// One cell of a tidy table.
enum TableCell: Equatable {
  case empty
  case text(String)
  case bool(Bool)
  case number(Double)
  /// An f32 element, kept in single precision so it is written with Float's shortest digits
  /// (0.1, not 0.10000000149011612).
  case single(Float)
}

/// A table with named columns; every row has one cell per column.
struct TidyTable: Equatable {
  var columns: [String]
  var rows: [[TableCell]]

  /// One observation before the columns are known.
  private struct Observation {
    var identifiers: [(String, TableCell)]
    var indices: [(String, TableCell)]
    var metric: String?
    var value: TableCell

    init(
      _ identifiers: [(String, TableCell)], _ indices: [(String, TableCell)], _ metric: String?,
      _ value: TableCell
    ) {
      self.identifiers = identifiers
      self.indices = indices
      self.metric = metric
      self.value = value
    }
  }

  /// The table of `value`:
  /// - a record: its identifier fields (strings, booleans, and numbers named in
  ///   `RecordFields.identifierNames`) repeated on each of its rows; each 1-D numeric field one
  ///   row per element, indexed by the x field (`lag`, `step`, …) when it has the x field's
  ///   length, else by `index` (from 1); each other number one row with no index; tensors of 2
  ///   or more axes one row per element with `row`, `column` or `i0`, `i1`, … (from 0); nested
  ///   records and lists of records flattened with dotted metric names; other fields left out;
  /// - a list of records: the rows of each record, one after the other;
  /// - a tensor or list of numbers: `index` (1-D, from 1), `row`/`column` (2-D, from 0) or
  ///   `i0`, `i1`, … (from 0), then `value`.
  init(_ value: Value) throws {
    var observations: [Observation] = []
    switch value {
    case .record(let record):
      TidyTable.add(record, prefix: "", identifiers: [], to: &observations)
    case .list(let items) where !items.isEmpty && items.allSatisfy(TidyTable.isRecord):
      for case .record(let record) in items {
        TidyTable.add(record, prefix: "", identifiers: [], to: &observations)
      }
    case .tensor, .number, .list, .range:
      let tensor: TensorValue
      do {
        tensor = try tensorValue(value, at: TidyTable.nowhere, context: "export")
      } catch let diagnostic as Diagnostic {
        throw PlotError(
          "export.unsupported", "export cannot write this list: \(diagnostic.message)",
          hint: "export writes tensors, lists of numbers, records and lists of records")
      }
      observations = TidyTable.elements(of: tensor).map { index, cell in
        Observation([], index, nil, cell)
      }
    default:
      throw PlotError(
        "export.unsupported", "export cannot write a \(value.typeName)",
        hint: "export writes tensors, lists of numbers, records and lists of records")
    }
    guard !observations.isEmpty else {
      throw PlotError(
        "export.empty", "nothing to export: the value holds no numbers",
        hint: "export writes numbers, numeric lists and tensors, and the records that hold them")
    }
    self = TidyTable.assemble(observations)
  }

  init(columns: [String], rows: [[TableCell]]) {
    self.columns = columns
    self.rows = rows
  }

  // MARK: - Records

  private static func add(
    _ record: Record, prefix: String, identifiers inherited: [(String, TableCell)],
    to observations: inout [Observation]
  ) {
    var identifiers = inherited
    var isIdentifier: Set<String> = []
    var series: [(name: String, cells: [TableCell])] = []
    for field in record.fields {
      let column = prefix + field.name
      switch field.value {
      case .string(let s): identifiers.append((column, .text(s)))
      case .bool(let b): identifiers.append((column, .bool(b)))
      case .number(let x) where RecordFields.identifierNames.contains(field.name):
        identifiers.append((column, .number(x)))
      default:
        if let cells = seriesCells(field.value), !cells.isEmpty {
          series.append((field.name, cells))
        }
        continue
      }
      isIdentifier.insert(field.name)
    }
    let xName = RecordFields.xFieldName(among: series.map { ($0.name, $0.cells.count) })
    let xCells = series.first { $0.name == xName }?.cells ?? []
    // A nested x field named like an identifier column is told apart by its path.
    let xColumn = xName.map { name in
      identifiers.contains { $0.0 == name } ? prefix + name : name
    }
    for field in record.fields where !isIdentifier.contains(field.name) {
      let metric = prefix + field.name
      if field.name == xName { continue }
      if let cells = series.first(where: { $0.name == field.name })?.cells {
        for (i, cell) in cells.enumerated() {
          let index =
            cells.count == xCells.count && xColumn != nil
            ? [(xColumn ?? "", xCells[i])] : [("index", TableCell.number(Double(i + 1)))]
          observations.append(Observation(identifiers, index, metric, cell))
        }
        continue
      }
      switch field.value {
      case .number(let x):
        observations.append(Observation(identifiers, [], metric, .number(x)))
      case .tensor(let t):
        for (index, cell) in elements(of: t) {
          observations.append(Observation(identifiers, index, metric, cell))
        }
      case .record(let inner):
        add(inner, prefix: metric + ".", identifiers: identifiers, to: &observations)
      case .list(let items) where !items.isEmpty && items.allSatisfy(isRecord):
        for case .record(let inner) in items {
          add(inner, prefix: metric + ".", identifiers: identifiers, to: &observations)
        }
      case .list:
        guard let t = try? tensorValue(field.value, at: nowhere, context: "export") else {
          continue
        }
        for (index, cell) in elements(of: t) {
          observations.append(Observation(identifiers, index, metric, cell))
        }
      default:
        continue
      }
    }
  }

  /// The cells of a 1-D numeric field (1-D tensor, list of numbers, range), else nil.
  private static func seriesCells(_ value: Value) -> [TableCell]? {
    if case .tensor(let t) = value {
      guard t.shape.count == 1 else { return nil }
      return cells(of: t)
    }
    return RecordFields.numbers(value)?.map(TableCell.number)
  }

  // MARK: - Tensors

  private static func cells(of t: TensorValue) -> [TableCell] {
    switch t {
    case .f32(let tensor): return tensor.scalars.map(TableCell.single)
    case .f64(let tensor): return tensor.scalars.map(TableCell.number)
    }
  }

  /// Every element with its coordinates: `index` from 1 for one axis, `row` and `column` from 0
  /// for two, `i0`, `i1`, … from 0 for more, none for a scalar.
  private static func elements(of t: TensorValue) -> [([(String, TableCell)], TableCell)] {
    let shape = t.shape
    let names: [String]
    switch shape.count {
    case 0: names = []
    case 1: names = ["index"]
    case 2: names = ["row", "column"]
    default: names = shape.indices.map { "i\($0)" }
    }
    var coordinates = [Int](repeating: 0, count: shape.count)
    return cells(of: t).map { cell in
      let index = zip(names, coordinates).map { name, k in
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
      return (index, cell)
    }
  }

  // MARK: - Columns

  /// Identifier columns, then index columns, each in order of first appearance, then `metric`
  /// (when any row has one) and `value`. Repeated names get `_2`, `_3`, … so each is unique.
  private static func assemble(_ observations: [Observation]) -> TidyTable {
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
    return TidyTable(columns: columns, rows: rows)
  }

  private static func isRecord(_ value: Value) -> Bool {
    if case .record = value { return true }
    return false
  }

  /// A range for the tensor conversion's own diagnostics, which are rewrapped as PlotErrors.
  private static let nowhere = SourceRange(file: SourceFile(name: "", text: ""), start: 0, end: 0)
}
