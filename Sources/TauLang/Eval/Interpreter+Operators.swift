// Operators, indexing and field access on values.
import Foundation
import TauTensor

/// One evaluated position inside `x[…]`.
enum IndexValue {
  case index(Int)
  case slice(lower: Int?, upper: Int?)
}

extension Interpreter {
  func unary(_ op: UnaryOperator, _ value: Value, at range: SourceRange) throws -> Value {
    switch (op, value) {
    case (.negate, .traced(let t)): return try t.recorder.emit(.unary(.negate), [t.id], at: range)
    case (.negate, .number(let x)): return .number(-x)
    case (.negate, .tensor(.f32(let t))): return .tensor(.f32(-t))
    case (.negate, .tensor(.f64(let t))): return .tensor(.f64(-t))
    case (.not, .bool(let b)): return .bool(!b)
    default:
      throw Diagnostic(
        "type.mismatch", "'\(op.rawValue)' cannot be applied to a \(value.typeName)", at: range)
    }
  }

  func binary(_ op: BinaryOperator, _ lhs: Value, _ rhs: Value, at range: SourceRange) throws
    -> Value
  {
    if case .traced(let t) = lhs { return try tracedBinary(op, lhs, rhs, t.recorder, at: range) }
    if case .traced(let t) = rhs { return try tracedBinary(op, lhs, rhs, t.recorder, at: range) }
    switch (lhs, rhs) {
    case (.number(let x), .number(let y)):
      return try numberOperation(op, x, y, at: range)
    case (.string(let x), .string(let y)):
      switch op {
      case .add:
        try checkStringSize(x.utf8.count, plus: y.utf8.count, at: range)
        return .string(x + y)
      case .less: return .bool(x < y)
      case .lessEqual: return .bool(x <= y)
      case .greater: return .bool(x > y)
      case .greaterEqual: return .bool(x >= y)
      default: break
      }
    case (.list(let x), .list(let y)) where op == .add:
      try checkListSize(x.count, plus: y.count, operation: "+", at: range)
      return .list(x + y)
    default:
      break
    }
    if op == .equal || op == .notEqual {
      let same = try valuesEqual(lhs, rhs, at: range)
      return .bool(op == .equal ? same : !same)
    }
    if isTensorLike(lhs) && isTensorLike(rhs) && (isTensor(lhs) || isTensor(rhs) || op == .matmul) {
      let result = try tensorOperation(op, lhs, rhs, at: range)
      // A product of two vectors has no axes left: like indexing, it gives a number.
      if result.shape.isEmpty, let number = result.doubles.first { return .number(number) }
      return .tensor(result)
    }
    throw Diagnostic(
      "type.mismatch",
      "'\(op.rawValue)' cannot be applied to a \(lhs.typeName) and a \(rhs.typeName)", at: range)
  }

  private func numberOperation(
    _ op: BinaryOperator, _ x: Double, _ y: Double, at range: SourceRange
  )
    throws -> Value
  {
    switch op {
    case .add: return .number(x + y)
    case .subtract: return .number(x - y)
    case .multiply: return .number(x * y)
    case .divide: return .number(x / y)
    case .remainder: return .number(y == 0 ? .nan : x - y * (x / y).rounded(.down))  // floored
    case .power: return .number(Foundation.pow(x, y))
    case .equal: return .bool(x == y)
    case .notEqual: return .bool(x != y)
    case .less: return .bool(x < y)
    case .lessEqual: return .bool(x <= y)
    case .greater: return .bool(x > y)
    case .greaterEqual: return .bool(x >= y)
    case .matmul:
      throw Diagnostic("type.mismatch", "'@' needs tensors, not two numbers", at: range)
    case .and, .or:
      throw Diagnostic("type.mismatch", "'\(op.rawValue)' needs true or false", at: range)
    }
  }

  private func isTensor(_ value: Value) -> Bool {
    if case .tensor = value { return true }
    return false
  }

  private func isTensorLike(_ value: Value) -> Bool {
    switch value {
    case .tensor, .number, .list, .range: return true
    default: return false
    }
  }

  /// Elementwise (broadcast) arithmetic and `@`. A plain number adopts the tensor's precision;
  /// f32 with f64 computes in f64.
  private func tensorOperation(
    _ op: BinaryOperator, _ lhs: Value, _ rhs: Value, at range: SourceRange
  )
    throws -> TensorValue
  {
    let a = try tensorValue(lhs, at: range, context: "'\(op.rawValue)'")
    let b = try tensorValue(rhs, at: range, context: "'\(op.rawValue)'")
    let inFloat: Bool
    switch (lhs, rhs) {
    case (.tensor(.f32), .tensor(.f32)), (.tensor(.f32), .number), (.number, .tensor(.f32)):
      inFloat = true
    default: inFloat = false
    }
    do {
      if inFloat { return .f32(try applyTensor(op, a.asFloat, b.asFloat, at: range)) }
      return .f64(try applyTensor(op, a.asDouble, b.asDouble, at: range))
    } catch TensorError.shapeMismatch(_, let lhs, let rhs) {
      // Name the operator as written, not the runtime's operation.
      throw Diagnostic(
        "shape.mismatch",
        "shape mismatch in '\(op.rawValue)': \(formatShape(lhs)) and \(formatShape(rhs))", at: range
      )
    } catch let error as TensorError {
      // A refused allocation names the operator as written too; other errors keep the
      // runtime's operation, which says more (`broadcast`, `matmul`).
      let named = tensorErrorID(error) == "memory.budget" ? error.named(op.rawValue) : error
      throw Diagnostic(tensorErrorID(error), named.description, at: range)
    }
  }

  private func applyTensor<S: TensorScalar>(
    _ op: BinaryOperator, _ a: Tensor<S>, _ b: Tensor<S>, at range: SourceRange
  ) throws -> Tensor<S> {
    switch op {
    case .add: return try a + b
    case .subtract: return try a - b
    case .multiply: return try a * b
    case .divide: return try a / b
    case .power: return try a.pow(b)
    case .matmul: return try a.matmul(b)
    case .remainder:
      // Floored, like numbers: a - b·⌊a/b⌋.
      let quotient = try (a / b).map { $0.rounded(.down) }
      return try a - b * quotient
    default:
      throw Diagnostic(
        "type.mismatch",
        "'\(op.rawValue)' is not defined for tensors",
        at: range)
    }
  }

  /// Structural equality; tensors are equal when shapes and elements are (a list of numbers
  /// compares as the tensor it converts to); functions are equal when they are the same one.
  func valuesEqual(_ a: Value, _ b: Value, at range: SourceRange, depth: Int = 0) throws -> Bool {
    try stackGuard?.check(at: range, callDepth: callDepth)  // 14 KiB a level in a debug build
    guard depth <= 1000 else {
      throw Diagnostic(
        "value.invalid", "values nested more than 1000 deep cannot be compared", at: range)
    }
    switch (a, b) {
    case (.nothing, .nothing): return true
    case (.number(let x), .number(let y)): return x == y
    case (.bool(let x), .bool(let y)): return x == y
    case (.string(let x), .string(let y)): return x == y
    case (.range(let a1, let b1), .range(let a2, let b2)): return a1 == a2 && b1 == b2
    case (.list(let x), .list(let y)):
      guard x.count == y.count else { return false }
      for (p, q) in zip(x, y) where !(try valuesEqual(p, q, at: range, depth: depth + 1)) {
        return false
      }
      return true
    case (.record(let x), .record(let y)):
      guard x.names == y.names else { return false }
      for (field, other) in zip(x.fields, y.fields)
      where !(try valuesEqual(field.value, other.value, at: range, depth: depth + 1)) {
        return false
      }
      return true
    case (.tensor(let x), .tensor(let y)): return x.shape == y.shape && x.doubles == y.doubles
    case (.tensor(let x), .list), (.tensor(let x), .range):
      guard let y = try? tensorValue(b, at: range, context: "==") else { return false }
      return x.shape == y.shape && x.doubles == y.doubles
    case (.list, .tensor), (.range, .tensor):
      return try valuesEqual(b, a, at: range, depth: depth)
    case (.function(.builtin(let f)), .function(.builtin(let g))): return f.name == g.name
    case (.function(.closure(let f)), .function(.closure(let g))): return f === g
    default: return false
    }
  }

  /// An operator inside a body being lowered: records a graph node.
  private func tracedBinary(
    _ op: BinaryOperator, _ lhs: Value, _ rhs: Value, _ recorder: GraphRecorder,
    at range: SourceRange
  ) throws -> Value {
    let a = try recorder.operand(lhs, at: range)
    let b = try recorder.operand(rhs, at: range)
    let elementwise: [BinaryOperator: BinaryOperation] = [
      .add: .add, .subtract: .subtract, .multiply: .multiply, .divide: .divide, .power: .power,
    ]
    if let operation = elementwise[op] {
      let (left, right) = try recorder.broadcast(a, b, op.rawValue, at: range)
      return try recorder.emit(.binary(operation), [left, right], at: range)
    }
    guard op == .matmul else {
      throw Diagnostic(
        "lowering.unsupported", "'\(op.rawValue)' is not available inside a gate or cell body",
        at: range)
    }
    switch (recorder.graph[a].shape.count, recorder.graph[b].shape.count) {
    case (2, 1): return try recorder.emit(.matvec, [a, b], at: range)
    case (1, 2): return try recorder.emit(.vecmat, [a, b], at: range)
    case (1, 1): return try recorder.emit(.dot, [a, b], at: range)
    case (2, 2): return try recorder.emit(.matmat, [a, b], at: range)
    default:
      throw Diagnostic(
        "shape.mismatch",
        "shape mismatch in '@': \(formatShape(recorder.graph[a].shape)) and \(formatShape(recorder.graph[b].shape))",
        at: range)
    }
  }

  // MARK: - Indexing

  func evaluateIndex(_ item: IndexItem, in env: Environment) throws -> IndexValue {
    switch item {
    case .single(let expression):
      return .index(try wholeNumber(try evaluate(expression, in: env), at: expression.range))
    case .slice(let lower, let upper, _):
      let low = try lower.map { try wholeNumber(try evaluate($0, in: env), at: $0.range) }
      let high = try upper.map { try wholeNumber(try evaluate($0, in: env), at: $0.range) }
      return .slice(lower: low, upper: high)
    }
  }

  func index(_ value: Value, _ indices: [IndexValue], at range: SourceRange) throws -> Value {
    switch value {
    case .traced(let t) where t.shape.count == 1 && indices.count == 1:
      // Parts of a traced vector (an LSTM's four gates from one product): slices.
      let size = t.shape[0]
      switch indices[0] {
      case .index(let i):
        let resolved = i < 0 ? i + size : i
        guard resolved >= 0, resolved < size else {
          throw Diagnostic(
            "index.outOfRange", "index \(i) is out of range for a vector of size \(size)", at: range
          )
        }
        let element = try t.recorder.emit(.slice(start: resolved, count: 1), [t.id], at: range)
        guard case .traced(let one) = element else { return element }
        return try t.recorder.emit(.sum, [one.id], at: range)
      case .slice(let lower, let upper):
        let (start, end) = clampedBounds(lower, upper, count: size)
        return try t.recorder.emit(.slice(start: start, count: end - start), [t.id], at: range)
      }
    case .tensor(let t):
      return try indexTensor(t, indices, at: range)
    case .range(let lower, let upper) where indices.count == 1:
      // Index a range arithmetically; only slices build a list.
      if case .index(let i) = indices[0] {
        let count = upper >= lower ? Double(upper) - Double(lower) + 1 : 0
        let resolved = Double(i < 0 ? Double(i) + count : Double(i))
        guard resolved >= 0, resolved < count else {
          throw Diagnostic(
            "index.outOfRange",
            "index \(i) is out of range for a range of length \(formatNumber(count))",
            at: range)
        }
        return .number(Double(lower) + resolved)
      }
      // A slice of a range is the sub-range's elements; only those are made.
      guard case .slice(let from, let to) = indices[0] else { return .nothing }
      let count = upper >= lower ? upper - lower + 1 : 0
      let (start, end) = clampedBounds(from, to, count: count)
      return end > start
        ? .list(try rangeElements(lower + start, lower + end - 1, at: range)) : .list([])
    case .list, .string, .range:
      let items: [Value]
      switch value {
      case .list(let list): items = list
      case .string(let s): items = s.map { .string(String($0)) }
      default: items = []
      }
      guard indices.count == 1, let first = indices.first else {
        throw Diagnostic(
          "index.invalid", "a \(value.typeName) takes one index, got \(indices.count)", at: range)
      }
      switch first {
      case .index(let i):
        let resolved = i < 0 ? i + items.count : i
        guard resolved >= 0, resolved < items.count else {
          throw Diagnostic(
            "index.outOfRange",
            "index \(i) is out of range for a \(value.typeName) of length \(items.count)",
            at: range)
        }
        return items[resolved]
      case .slice(let lower, let upper):
        let (start, end) = clampedBounds(lower, upper, count: items.count)
        let slice = Array(items[start..<end])
        if case .string = value { return .string(slice.map(displayText).joined()) }
        return .list(slice)
      }
    default:
      throw Diagnostic("type.mismatch", "a \(value.typeName) cannot be indexed", at: range)
    }
  }

  /// Indexes axis by axis: an index removes its axis, a slice keeps it. A result with no axes
  /// left is a number.
  func indexTensor(_ value: TensorValue, _ indices: [IndexValue], at range: SourceRange) throws
    -> Value
  {
    func apply<S: TensorScalar>(_ tensor: Tensor<S>) throws -> Tensor<S> {
      guard indices.count <= tensor.rank else {
        throw Diagnostic(
          "index.invalid",
          "\(indices.count) indices given for a tensor of rank \(tensor.rank) \(formatShape(tensor.shape))",
          at: range)
      }
      var result = tensor
      var axis = 0  // in `result`, whose indexed axes are gone
      for (originalAxis, item) in indices.enumerated() {
        switch item {
        case .index(let i):
          let size = result.shape[axis]
          guard (i < 0 ? i + size : i) >= 0, (i < 0 ? i + size : i) < size else {
            throw Diagnostic(
              "index.outOfRange",
              "index \(i) is out of range for axis \(originalAxis) of size \(size) (shape \(formatShape(tensor.shape)))",
              at: range)
          }
          result = try result.selecting(i, along: axis)
        case .slice(let lower, let upper):
          result = try result.slicing(along: axis, from: lower ?? 0, to: upper)
          axis += 1
        }
      }
      return result
    }
    switch value {
    case .f32(let t):
      let r = try apply(t)
      return r.rank == 0 ? .number(Double(try r.item())) : .tensor(.f32(r))
    case .f64(let t):
      let r = try apply(t)
      return r.rank == 0 ? .number(try r.item()) : .tensor(.f64(r))
    }
  }

  private func clampedBounds(_ lower: Int?, _ upper: Int?, count: Int) -> (Int, Int) {
    func clamp(_ i: Int) -> Int { Swift.min(Swift.max(i < 0 ? i + count : i, 0), count) }
    let start = clamp(lower ?? 0)
    return (start, Swift.max(start, clamp(upper ?? count)))
  }

  // MARK: - Fields

  static let tensorFields = ["shape", "dtype", "rank", "count", "T"]

  func field(_ value: Value, _ name: String, at range: SourceRange) throws -> Value {
    switch value {
    case .model(let model):
      return try modelField(model, name, at: range)
    case .record(let record):
      if let field = record[name] { return field }
      throw Diagnostic(
        "field.unknown", "the record has no field '\(name)'", at: range,
        hint: nearestName(to: name, in: record.names).map { "did you mean '\($0)'?" }
          ?? "its fields are: \(record.names.joined(separator: ", "))")
    case .tensor(let t):
      switch name {
      case "shape": return .list(t.shape.map { .number(Double($0)) })
      case "dtype": return .string(t.dtype)
      case "rank": return .number(Double(t.shape.count))
      case "count": return .number(Double(t.shape.reduce(1, *)))
      case "T":
        switch t {
        case .f32(let x): return .tensor(.f32(x.transposed()))
        case .f64(let x): return .tensor(.f64(x.transposed()))
        }
      default:
        throw Diagnostic(
          "field.unknown", "a tensor has no field '\(name)'", at: range,
          hint: "tensors have: " + Interpreter.tensorFields.joined(separator: ", "))
      }
    default:
      throw Diagnostic("field.unknown", "a \(value.typeName) has no field '\(name)'", at: range)
    }
  }
}

/// The fields `value.name` can read: a record's names, a model's or a tensor's fixed fields.
public func fieldNames(of value: Value) -> [String] {
  switch value {
  case .record(let record): return record.names
  case .model: return Interpreter.modelFields
  case .tensor: return Interpreter.tensorFields
  default: return []
  }
}
