// How `plot` and `export` read a record: which fields are numeric series, which one is the x
// axis (the index of a tidy table), and which scalars identify a row rather than measure it.
import TauTensor

enum RecordFields {
  /// Field names taken as the x axis, in order of preference, when `x:` does not name one.
  static let xFieldNames = ["lag", "step", "eps", "x", "t", "h"]

  /// Scalar fields with these names identify an observation (a column of their own in an
  /// export) instead of being a measurement.
  static let identifierNames: Set<String> = [
    "seed", "step", "model", "task", "setting", "arm", "checkpoint",
  ]

  /// The numbers of a 1-D tensor, a list of numbers or a range; nil for anything else.
  static func numbers(_ value: Value) -> [Double]? {
    switch value {
    case .tensor(let t) where t.shape.count == 1: return t.doubles
    case .list(let items): return items.asNumbers
    case .range(let lower, let upper):
      guard lower <= upper else { return [] }
      guard Double(upper) - Double(lower) < Double(maxListLength) else { return nil }
      return (lower...upper).map(Double.init)
    default: return nil
    }
  }

  /// A scalar number: a number or a tensor with one element and no axes.
  static func scalar(_ value: Value) -> Double? {
    switch value {
    case .number(let x): return x
    case .tensor(let t) where t.shape.isEmpty: return t.doubles.first
    default: return nil
    }
  }

  /// The field used as the x axis among the non-empty numeric series `candidates` (name and
  /// length, in field order): the first one named in `xFieldNames` that has a partner series
  /// of the same length. An x axis with nothing to plot against it is no x axis.
  static func xFieldName(among candidates: [(name: String, count: Int)]) -> String? {
    for name in xFieldNames {
      guard let x = candidates.first(where: { $0.name == name }) else { continue }
      if candidates.contains(where: { $0.name != name && $0.count == x.count }) { return name }
    }
    return nil
  }
}
