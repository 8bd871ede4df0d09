// `get(x, index)` and `set(x, index, value)`: elements of a tensor read and replaced by position,
// one or many at a time. Values are immutable, so `set` makes a copy, once per call however
// many elements it sets: set many positions in one call. Positions may be a tensor, so a
// program can compute them for a whole batch at once (stdlib/tasks.tau does).
import TauTensor

extension BuiltinRegistry {
  static let tensorUpdates: [Builtin] = [
    Builtin(
      "get", ["x", "index"],
      "the element of tensor x at index (one position per axis), or a vector of the elements at several: a list of positions or a [k×rank] tensor"
    ) { args in
      let x = try args.tensor("x")
      let (flat, isOne) = try positions(args, rank: x.shape.count, shape: x.shape)
      switch x {
      case .f32(let t):
        let values = try t.scalars(atPositions: flat)
        if isOne, let value = values.first { return .number(Double(value)) }
        return .tensor(.f32(Tensor(values)))
      case .f64(let t):
        let values = try t.scalars(atPositions: flat)
        if isOne, let value = values.first { return .number(value) }
        return .tensor(.f64(Tensor(values)))
      }
    },
    Builtin(
      "set", ["x", "index", "value"],
      "a copy of tensor x with the element at index set to value; with several positions (as for get), each is set to value or to its entry of a vector of values"
    ) { args in
      let x = try args.tensor("x")
      let (flat, _) = try positions(args, rank: x.shape.count, shape: x.shape)
      let count = x.shape.isEmpty ? 0 : flat.count / x.shape.count
      let values: [Double]
      if case .number(let v) = args["value"] {
        values = Array(repeating: v, count: count)
      } else {
        let given = try args.tensor("value").asDouble
        guard given.rank == 1, given.count == count else {
          throw Diagnostic(
            "value.invalid",
            "set needs a number or one value for each of the \(count) positions, got a \(formatShape(given.shape)) tensor",
            at: args.range("value"))
        }
        values = given.scalars
      }
      switch x {
      case .f32(var t):
        try t.setScalars(values.map(Float.init), atPositions: flat)
        return .tensor(.f32(t))
      case .f64(var t):
        try t.setScalars(values, atPositions: flat)
        return .tensor(.f64(t))
      }
    },
  ]

  /// The positions `index` names, listed one after another, and whether it is a single one:
  /// `[i, j]` (or a vector) is one position; `[[i, j], [k, l]]` (or a [k×rank] tensor, one
  /// position per row) several; `[]` none. Each position has one entry per axis of x.
  private static func positions(_ args: CallArguments, rank: Int, shape: [Int]) throws -> (
    flat: [Int], isOne: Bool
  ) {
    let range = args.range("index")
    guard rank > 0 else {
      throw Diagnostic(
        "value.invalid", "\(args.builtin.name) needs a tensor with at least one axis",
        at: args.range("x"))
    }
    func whole(_ numbers: [Double]) throws -> [Int] {
      try numbers.map { x in
        guard let n = Int(exactly: x) else {
          throw Diagnostic(
            "type.mismatch",
            "\(args.builtin.name) expects whole numbers in 'index', got \(formatNumber(x))",
            at: range)
        }
        return n
      }
    }
    func checked(_ position: [Int]) throws -> [Int] {
      guard position.count == rank else {
        throw TensorError.indexOutOfRange(operation: "index", index: position, shape: shape)
      }
      return position
    }
    if case .tensor(let t) = args["index"] {
      let entries = try whole(t.doubles)
      switch t.shape.count {
      case 1: return (try checked(entries), true)
      case 2:
        guard t.shape[1] == rank || t.shape[0] == 0 else {
          throw TensorError.indexOutOfRange(
            operation: "index", index: Array(entries.prefix(t.shape[1])), shape: shape)
        }
        return (t.shape[0] == 0 ? [] : entries, false)
      default:
        throw Diagnostic(
          "value.invalid",
          "\(args.builtin.name) expects a position or a [k×rank] tensor of positions for 'index', got a \(formatShape(t.shape)) tensor",
          at: range)
      }
    }
    let items = try args.list("index")
    if !items.isEmpty, let numbers = items.asNumbers { return (try checked(whole(numbers)), true) }
    var flat: [Int] = []
    for item in items {
      guard case .list(let inner) = item, let numbers = inner.asNumbers else {
        throw Diagnostic(
          "type.mismatch",
          "\(args.builtin.name) expects a position (a list of whole numbers) or a list of positions for 'index'",
          at: range)
      }
      flat += try checked(whole(numbers))
    }
    return (flat, false)
  }
}
