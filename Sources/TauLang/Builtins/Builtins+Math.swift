// Elementwise math on numbers and tensors, and reductions (sum, mean, max, min, cumsum, median,
// quantile).
import Foundation
import TauTensor

extension BuiltinRegistry {
  static let math: [Builtin] =
    UnaryOperation.allCases.filter { ![.negate, .square, .reciprocal].contains($0) }.map { op in
      Builtin(op.rawValue, ["x"], "\(op.rawValue) of a number, or of every element of a tensor") {
        args in
        switch args["x"] {
        case .number(let x): return .number(op.apply(x))
        case .traced(let t): return try t.recorder.emit(.unary(op), [t.id], at: args.callRange)
        default: return .tensor(try args.tensor("x").applying(op))
        }
      }
    } + [
      Builtin("silu", ["x"], "x · sigmoid(x) (the swish of Mamba and Griffin), elementwise") {
        args in
        let x = args["x"]
        let gate: Value
        switch x {
        case .number(let v): return .number(v * UnaryOperation.sigmoid.apply(v))
        case .traced(let t):
          gate = try t.recorder.emit(.unary(.sigmoid), [t.id], at: args.callRange)
        default: gate = .tensor(try args.tensor("x").applying(.sigmoid))
        }
        return try args.interpreter.binary(.multiply, x, gate, at: args.callRange)
      },
      rounding("floor", .down), rounding("ceil", .up), rounding("round", .toNearestOrAwayFromZero),
      Builtin(
        "sum", ["x", "axis=none"], "sum of all elements, or along axis (a number or a list of axes)"
      ) { args in
        try reduction(args, .sum)
      },
      Builtin("mean", ["x", "axis=none"], "mean of all elements, or along axis") { args in
        try reduction(args, .mean)
      },
      Builtin(
        "max", ["values...", "axis=none"],
        "largest element of one tensor or list (along axis), or the elementwise maximum of several values"
      ) { args in
        try extremum(args, .maximum, pairwise: .maximum)
      },
      Builtin(
        "min", ["values...", "axis=none"],
        "smallest element of one tensor or list (along axis), or the elementwise minimum of several values"
      ) { args in
        try extremum(args, .minimum, pairwise: .minimum)
      },
      Builtin(
        "cumsum", ["x", "axis=0"],
        "running sums along axis, added in order: element i is x₀ + … + xᵢ (the last is a loop's total, which sum's pairwise order need not give bit for bit)"
      ) { args in
        let axis = try args.integer("axis")
        switch try args.tensor("x") {
        case .f32(let t): return .tensor(.f32(try t.cumulativeSum(along: axis)))
        case .f64(let t): return .tensor(.f64(try t.cumulativeSum(along: axis)))
        }
      },
      Builtin(
        "median", ["x", "axis=none"], "median of all elements, or along axis (NaN if any is NaN)"
      ) { args in
        try wrapReduced(args.tensor("x")) {
          try $0.median(along: try args.axes("axis"))
        } f64: {
          try $0.median(along: try args.axes("axis"))
        }
      },
      Builtin(
        "quantile", ["x", "q", "axis=none"],
        "q-quantile (0 ≤ q ≤ 1) with linear interpolation, of all elements or along axis"
      ) { args in
        let q = try args.number("q")
        return try wrapReduced(args.tensor("x")) {
          try $0.quantile(Float(q), along: try args.axes("axis"))
        } f64: {
          try $0.quantile(q, along: try args.axes("axis"))
        }
      },
    ]

  private static func rounding(_ name: String, _ rule: FloatingPointRoundingRule) -> Builtin {
    Builtin(name, ["x"], "\(name) of a number, or of every element of a tensor") { args in
      switch args["x"] {
      case .number(let x): return .number(x.rounded(rule))
      default:
        switch try args.tensor("x") {
        case .f32(let t): return .tensor(.f32(t.map { $0.rounded(rule) }))
        case .f64(let t): return .tensor(.f64(t.map { $0.rounded(rule) }))
        }
      }
    }
  }

  private static func reduction(_ args: CallArguments, _ op: ReductionOperation) throws -> Value {
    if case .traced(let t) = args["x"] {
      let axis = args.isGiven("axis") ? try args.integer("axis") : nil
      let id = try t.recorder.summed(t.id, axis: axis, at: args.callRange)
      let total = Value.traced(TracedValue(recorder: t.recorder, id: id))
      guard op == .mean else { return total }
      let count = t.shape.reduce(1, *) / Swift.max(1, t.recorder.graph[id].shape.reduce(1, *))
      return try args.interpreter.binary(.divide, total, .number(Double(count)), at: args.callRange)
    }
    let axes = try args.axes("axis")
    return try wrapReduced(args.tensor("x")) {
      try $0.reduced(op, along: axes)
    } f64: {
      try $0.reduced(op, along: axes)
    }
  }

  private static func extremum(
    _ args: CallArguments, _ op: ReductionOperation, pairwise: BinaryOperation
  ) throws -> Value {
    let values = try args.list("values")
    guard let first = values.first else {
      throw Diagnostic(
        "call.missingArgument", "\(args.builtin.name) needs at least one value", at: args.callRange)
    }
    if values.count == 2,
      let recorder = values.lazy.compactMap({ value -> GraphRecorder? in
        if case .traced(let t) = value { return t.recorder } else { return nil }
      }).first
    {
      let operands = try values.map { try recorder.operand($0, at: args.range("values")) }
      return try recorder.emit(.binary(pairwise), operands, at: args.callRange)
    }
    if values.count == 1 {
      let axes = try args.axes("axis")
      let tensor = try tensorValue(first, at: args.range("values"), context: args.builtin.name)
      return try wrapReduced(tensor) {
        try $0.reduced(op, along: axes)
      } f64: {
        try $0.reduced(op, along: axes)
      }
    }
    if let numbers = values.asNumbers {
      return .number(numbers.dropFirst().reduce(numbers[0]) { pairwise.apply($0, $1) })
    }
    // Like arithmetic: f32 unless an f64 tensor takes part (plain numbers adopt the precision).
    let tensors = try values.map {
      try tensorValue($0, at: args.range("values"), context: args.builtin.name)
    }
    let inFloat = values.allSatisfy {
      switch $0 {
      case .tensor(.f64), .list, .range: return false
      default: return true
      }
    }
    if inFloat {
      var result = tensors[0].asFloat
      for next in tensors.dropFirst() { result = try result.applying(pairwise, next.asFloat) }
      return .tensor(.f32(result))
    }
    var result = tensors[0].asDouble
    for next in tensors.dropFirst() { result = try result.applying(pairwise, next.asDouble) }
    return .tensor(.f64(result))
  }
}

/// Runs a reduction in the tensor's own precision; a rank-0 result becomes a number.
func wrapReduced(
  _ value: TensorValue, f32: (Tensor<Float>) throws -> Tensor<Float>,
  f64: (Tensor<Double>) throws -> Tensor<Double>
) throws -> Value {
  switch value {
  case .f32(let t):
    let r = try f32(t)
    return r.rank == 0 ? .number(Double(try r.item())) : .tensor(.f32(r))
  case .f64(let t):
    let r = try f64(t)
    return r.rank == 0 ? .number(try r.item()) : .tensor(.f64(r))
  }
}

extension TensorValue {
  /// `op` applied to every element, in the tensor's own precision.
  func applying(_ op: UnaryOperation) -> TensorValue {
    switch self {
    case .f32(let t): return .f32(t.applying(op))
    case .f64(let t): return .f64(t.applying(op))
    }
  }
}
