// The arguments a built-in receives, with typed accessors whose errors point at the argument.
import TauTensor

/// Arguments of one built-in call, one slot per parameter, defaults filled in.
struct CallArguments {
  let builtin: Builtin
  let values: [Value]
  let ranges: [SourceRange?]
  let callRange: SourceRange
  let interpreter: Interpreter

  subscript(_ name: String) -> Value { values[slot(name)] }

  private func slot(_ name: String) -> Int {
    // Built-in bodies only ask for their own parameters.
    builtin.parameters.firstIndex { $0.name == name } ?? 0
  }

  /// Where argument `name` was written, or the whole call if it was defaulted.
  func range(_ name: String) -> SourceRange { ranges[slot(name)] ?? callRange }

  func typeError(_ name: String, expected: String) -> Diagnostic {
    Diagnostic(
      "type.mismatch",
      "\(builtin.name) expects \(expected) for '\(name)', got \(self[name].typeName)",
      at: range(name))
  }

  /// Whether the call gives `name` a value other than `none` (false for a name the built-in
  /// does not take, so that helpers shared by several built-ins can ask).
  func isGiven(_ name: String) -> Bool {
    guard builtin.parameters.contains(where: { $0.name == name }) else { return false }
    if case .nothing = self[name] { return false }
    return true
  }

  func number(_ name: String) throws -> Double {
    guard case .number(let x) = self[name] else { throw typeError(name, expected: "a number") }
    return x
  }

  func integer(_ name: String) throws -> Int {
    let x = try number(name)
    guard let n = Int(exactly: x) else {
      throw Diagnostic(
        "value.invalid",
        "\(builtin.name) expects a whole number for '\(name)', got \(describe(.number(x)))",
        at: range(name))
    }
    return n
  }

  func string(_ name: String) throws -> String {
    guard case .string(let s) = self[name] else { throw typeError(name, expected: "a string") }
    return s
  }

  func bool(_ name: String) throws -> Bool {
    guard case .bool(let b) = self[name] else { throw typeError(name, expected: "true or false") }
    return b
  }

  func list(_ name: String) throws -> [Value] {
    switch self[name] {
    case .list(let items): return items
    case .range(let lower, let upper):
      return try rangeElements(lower, upper, at: range(name))
    default: throw typeError(name, expected: "a list")
    }
  }

  func function(_ name: String) throws -> Value {
    switch self[name] {
    case .function: return self[name]
    default: throw typeError(name, expected: "a function")
    }
  }

  /// A shape: a whole number or a list of them, none negative.
  func shape(_ name: String) throws -> [Int] {
    let items: [Value]
    if case .number = self[name] { items = [self[name]] } else { items = try list(name) }
    return try items.map { item in
      guard case .number(let x) = item, let n = Int(exactly: x), n >= 0 else {
        throw Diagnostic(
          "value.invalid", "\(builtin.name) expects a shape (whole numbers ≥ 0) for '\(name)'",
          at: range(name))
      }
      return n
    }
  }

  /// A tensor, converting numbers and (nested) lists of numbers to f64 tensors.
  func tensor(_ name: String) throws -> TensorValue {
    try tensorValue(self[name], at: range(name), context: builtin.name)
  }

  /// `"f32"` or `"f64"`.
  func dtype(_ name: String) throws -> String {
    let value = try string(name)
    guard value == "f32" || value == "f64" else {
      throw Diagnostic(
        "value.invalid", "dtype must be \"f32\" or \"f64\", got \"\(value)\"", at: range(name))
    }
    return value
  }

  /// An axis list: none (all axes), a whole number, or a list of them.
  func axes(_ name: String) throws -> [Int]? {
    if !isGiven(name) { return nil }
    return try shapeLike(name)
  }

  private func shapeLike(_ name: String) throws -> [Int] {
    let items: [Value]
    if case .number = self[name] { items = [self[name]] } else { items = try list(name) }
    return try items.map { item in
      guard case .number(let x) = item, let n = Int(exactly: x) else {
        throw Diagnostic(
          "value.invalid", "\(builtin.name) expects whole numbers for '\(name)'", at: range(name))
      }
      return n
    }
  }
}

/// Converts a number, a tensor or a rectangular nested list of numbers to a tensor.
func tensorValue(_ value: Value, at range: SourceRange, context: String) throws -> TensorValue {
  switch value {
  case .tensor(let t): return t
  case .number(let x): return .f64(Tensor(x))
  case .list, .range:
    var shape: [Int] = []
    var scalars: [Double] = []
    try flatten(value, depth: 0, shape: &shape, into: &scalars, at: range)
    return .f64(try Tensor(shape: shape, scalars: scalars))
  default:
    throw Diagnostic(
      "type.mismatch",
      "\(context) expects a tensor, a number or a list of numbers, got \(value.typeName)",
      at: range)
  }
}

private func flatten(
  _ value: Value, depth: Int, shape: inout [Int], into scalars: inout [Double],
  at range: SourceRange
) throws {
  guard depth <= 32 else {
    throw Diagnostic(
      "value.invalid", "lists nested more than 32 deep cannot form a tensor", at: range)
  }
  let items: [Value]
  switch value {
  case .number(let x):
    guard depth == shape.count else { throw ragged(range) }
    scalars.append(x)
    return
  case .range(let lower, let upper):
    items = try rangeElements(lower, upper, at: range)
  case .list(let list): items = list
  case .tensor(let t):
    let sub = t.shape
    // New axes may only be opened before the first element, so all leaves sit at one depth.
    if depth == shape.count && scalars.isEmpty {
      shape += sub
    } else if depth >= shape.count || Array(shape[depth...]) != sub {
      throw ragged(range)
    }
    scalars += t.doubles
    return
  default:
    throw Diagnostic(
      "type.mismatch", "a tensor can only hold numbers, found \(value.typeName)", at: range)
  }
  if depth == shape.count && scalars.isEmpty {
    shape.append(items.count)
  } else if depth >= shape.count || shape[depth] != items.count {
    throw ragged(range)
  }
  for item in items {
    try flatten(item, depth: depth + 1, shape: &shape, into: &scalars, at: range)
  }
}

private func ragged(_ range: SourceRange) -> Diagnostic {
  Diagnostic(
    "value.ragged", "the nested lists do not form a rectangular tensor (rows of different lengths)",
    at: range)
}

/// The longest list a range or `range(…)` may become (a guard against exhausting memory).
let maxListLength = 100_000_000

/// The numbers of `lower..upper` as a list, refusing ranges too long to hold in memory.
func rangeElements(_ lower: Int, _ upper: Int, at range: SourceRange) throws -> [Value] {
  guard lower <= upper else { return [] }
  let count = Double(upper) - Double(lower) + 1
  guard count <= Double(maxListLength) else {
    throw Diagnostic(
      "value.invalid",
      "the range \(lower)..\(upper) has too many elements to make a list (at most \(maxListLength))",
      at: range)
  }
  return (lower...upper).map { .number(Double($0)) }
}
