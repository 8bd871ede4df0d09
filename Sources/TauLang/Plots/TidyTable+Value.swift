// Flattens a Tau value into the observations of a tidy long table, for `export`: identifier
// columns (seed, step, model, …, and every string field), then index columns (the x field,
// `index`, or tensor coordinates), then `metric` and `value`. TauPlot lays them out in columns.
import TauPlot
import TauTensor

extension TidyTable {
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
    var observations: [TidyObservation] = []
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
        throw PlotArgumentError(
          "export.unsupported", "export cannot write this list: \(diagnostic.message)",
          hint: "export writes tensors, lists of numbers, records and lists of records")
      }
      observations = TidyObservation.elements(TidyTable.cells(of: tensor), shape: tensor.shape)
    default:
      throw PlotArgumentError(
        "export.unsupported", "export cannot write a \(value.typeName)",
        hint: "export writes tensors, lists of numbers, records and lists of records")
    }
    guard !observations.isEmpty else {
      throw PlotArgumentError(
        "export.empty", "nothing to export: the value holds no numbers",
        hint: "export writes numbers, numeric lists and tensors, and the records that hold them")
    }
    self.init(observations)
  }

  // MARK: - Records

  private static func add(
    _ record: Record, prefix: String, identifiers inherited: [TableEntry],
    to observations: inout [TidyObservation]
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
      identifiers.contains { $0.column == name } ? prefix + name : name
    }
    for field in record.fields where !isIdentifier.contains(field.name) {
      let metric = prefix + field.name
      if field.name == xName { continue }
      if let cells = series.first(where: { $0.name == field.name })?.cells {
        for (i, cell) in cells.enumerated() {
          let index: [TableEntry] =
            cells.count == xCells.count && xColumn != nil
            ? [(xColumn ?? "", xCells[i])] : [("index", TableCell.number(Double(i + 1)))]
          observations.append(
            TidyObservation(identifiers: identifiers, indices: index, metric: metric, value: cell))
        }
        continue
      }
      switch field.value {
      case .number(let x):
        observations.append(
          TidyObservation(identifiers: identifiers, metric: metric, value: .number(x)))
      case .tensor(let t):
        observations += TidyObservation.elements(
          cells(of: t), shape: t.shape, identifiers: identifiers, metric: metric)
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
        observations += TidyObservation.elements(
          cells(of: t), shape: t.shape, identifiers: identifiers, metric: metric)
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

  /// A tensor's elements in row-major order, f32 ones kept in single precision.
  private static func cells(of t: TensorValue) -> [TableCell] {
    switch t {
    case .f32(let tensor): return tensor.scalars.map(TableCell.single)
    case .f64(let tensor): return tensor.scalars.map(TableCell.number)
    }
  }

  private static func isRecord(_ value: Value) -> Bool {
    if case .record = value { return true }
    return false
  }

  /// A range for the tensor conversion's own diagnostics, which are rewrapped as
  /// PlotArgumentErrors.
  private static let nowhere = SourceRange(file: SourceFile(name: "", text: ""), start: 0, end: 0)
}
