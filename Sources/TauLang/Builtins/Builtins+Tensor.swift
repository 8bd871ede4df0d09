// Built-ins that make and reshape tensors, and the linear algebra of TauTensor.
import TauTensor

extension BuiltinRegistry {
  static let tensors: [Builtin] = [
    Builtin(
      "tensor", ["values", "dtype=\"f64\""],
      "a tensor from a number, a nested list of numbers or another tensor, in dtype \"f64\" or \"f32\""
    ) { args in
      .tensor(try converted(args.tensor("values"), to: args.dtype("dtype")))
    },
    Builtin("zeros", ["shape", "dtype=\"f64\""], "a tensor of zeros; shape is a number or a list") {
      args in
      try filled(args, 0)
    },
    Builtin("ones", ["shape", "dtype=\"f64\""], "a tensor of ones") { args in try filled(args, 1) },
    Builtin("full", ["shape", "value", "dtype=\"f64\""], "a tensor filled with value") { args in
      try filled(args, try args.number("value"))
    },
    Builtin("eye", ["n", "dtype=\"f64\""], "the n×n identity matrix") { args in
      .tensor(
        try converted(.f64(try Tensor<Double>.eye(try args.integer("n"))), to: args.dtype("dtype")))
    },
    Builtin(
      "linspace", ["start", "stop", "count", "dtype=\"f64\""],
      "count evenly spaced values from start to stop, both included"
    ) { args in
      let t = try Tensor<Double>.linspace(
        from: try args.number("start"), to: try args.number("stop"),
        count: try args.integer("count"))
      return .tensor(try converted(.f64(t), to: args.dtype("dtype")))
    },
    Builtin(
      "logspace", ["start", "stop", "count", "dtype=\"f64\""],
      "count values from 10^start to 10^stop, evenly spaced in the exponent"
    ) { args in
      let t = try Tensor<Double>.logspace(
        from: try args.number("start"), to: try args.number("stop"),
        count: try args.integer("count"))
      return .tensor(try converted(.f64(t), to: args.dtype("dtype")))
    },
    Builtin(
      "rand", ["shape", "seed", "low=0", "high=1", "dtype=\"f64\""],
      "uniform random tensor on [low, high) from an explicit seed"
    ) { args in
      var stream = RandomStream(seed: try seed(args)).substream("rand")
      let shape = try args.shape("shape")
      let (low, high) = (try args.number("low"), try args.number("high"))
      if try args.dtype("dtype") == "f32" {
        return .tensor(
          .f32(try Tensor<Float>.uniform(shape, from: Float(low), to: Float(high), using: &stream)))
      }
      return .tensor(.f64(try Tensor<Double>.uniform(shape, from: low, to: high, using: &stream)))
    },
    Builtin(
      "randn", ["shape", "seed", "mean=0", "std=1", "dtype=\"f64\""],
      "normal random tensor from an explicit seed"
    ) { args in
      var stream = RandomStream(seed: try seed(args)).substream("randn")
      let shape = try args.shape("shape")
      let (mean, std) = (try args.number("mean"), try args.number("std"))
      if try args.dtype("dtype") == "f32" {
        return .tensor(
          .f32(
            try Tensor<Float>.normal(
              shape, mean: Float(mean), standardDeviation: Float(std), using: &stream)))
      }
      return .tensor(
        .f64(try Tensor<Double>.normal(shape, mean: mean, standardDeviation: std, using: &stream)))
    },
    Builtin("shape", ["x"], "the shape of a tensor as a list") { args in
      .list(try args.tensor("x").shape.map { .number(Double($0)) })
    },
    Builtin("reshape", ["x", "shape"], "the elements of x in a new shape (one size may be -1)") {
      args in
      let items: [Value]
      if case .number = args["shape"] {
        items = [args["shape"]]
      } else {
        items = try args.list("shape")
      }
      let shape = try items.map { try args.interpreter.wholeNumber($0, at: args.range("shape")) }
      if case .traced(let t) = args["x"] {
        return .traced(
          TracedValue(
            recorder: t.recorder, id: try t.recorder.reshaped(t.id, to: shape, at: args.callRange)))
      }
      switch try args.tensor("x") {
      case .f32(let t): return .tensor(.f32(try t.reshaped(shape)))
      case .f64(let t): return .tensor(.f64(try t.reshaped(shape)))
      }
    },
    Builtin(
      "transpose", ["x", "axes=none"],
      "x with its last two axes swapped, or its axes in the given order"
    ) { args in
      if case .traced(let t) = args["x"], !args.isGiven("axes") {
        return try t.recorder.emit(.transpose, [t.id], at: args.callRange)
      }
      let axes = try args.axes("axes")
      switch try args.tensor("x") {
      case .f32(let t): return .tensor(.f32(try axes.map { try t.permuted($0) } ?? t.transposed()))
      case .f64(let t): return .tensor(.f64(try axes.map { try t.permuted($0) } ?? t.transposed()))
      }
    },
    Builtin("concat", ["tensors", "axis=0"], "tensors joined along an existing axis") { args in
      try joined(args, stacking: false)
    },
    Builtin("stack", ["tensors", "axis=0"], "tensors of one shape stacked along a new axis") {
      args in
      try joined(args, stacking: true)
    },
  ]

  static let linearAlgebra: [Builtin] = [
    Builtin("matmul", ["a", "b"], "matrix product, as a @ b") { args in
      try args.interpreter.binary(
        .matmul, .tensor(try args.tensor("a")), .tensor(try args.tensor("b")), at: args.callRange)
    },
    Builtin("outer", ["a", "b"], "the outer product a bᵀ of two vectors: [n] and [m] give [n×m]") {
      args in
      if let recorder = [args["a"], args["b"]].lazy.compactMap({ value -> GraphRecorder? in
        if case .traced(let t) = value { return t.recorder } else { return nil }
      }).first {
        let a = try recorder.operand(args["a"], at: args.range("a"))
        let b = try recorder.operand(args["b"], at: args.range("b"))
        return try recorder.emit(.outer, [a, b], at: args.callRange)
      }
      let (a, b) = (try args.tensor("a"), try args.tensor("b"))
      guard a.shape.count == 1, b.shape.count == 1 else {
        throw Diagnostic(
          "shape.mismatch",
          "outer needs two vectors, got \(formatShape(a.shape)) and \(formatShape(b.shape))",
          at: args.callRange)
      }
      if case .f32(let x) = a, case .f32(let y) = b {
        return .tensor(.f32(try x.expandingShape(at: -1) * y.expandingShape(at: -2)))
      }
      let (x, y) = (a.asDouble, b.asDouble)
      return .tensor(.f64(try x.expandingShape(at: -1) * y.expandingShape(at: -2)))
    },
    Builtin("dot", ["a", "b"], "dot product of two vectors") { args in
      if case .traced = args["a"] {
        return try args.interpreter.binary(.matmul, args["a"], args["b"], at: args.callRange)
      }
      if case .traced = args["b"] {
        return try args.interpreter.binary(.matmul, args["a"], args["b"], at: args.callRange)
      }
      return .number(try args.tensor("a").asDouble.dot(try args.tensor("b").asDouble))
    },
    Builtin(
      "svd", ["a"],
      "thin SVD of a matrix (or stack): record {u, s, vt} with a = u·diag(s)·vt, s descending"
    ) { args in
      let a = try args.tensor("a")
      let (u, s, vt) = try a.asDouble.svd()
      return .record(
        Record([
          ("u", restored(u, like: a)), ("s", restored(s, like: a)), ("vt", restored(vt, like: a)),
        ]))
    },
    Builtin(
      "norm", ["x", "kind=\"fro\""],
      "\"fro\": √Σx² over all elements (a vector's 2-norm); \"spectral\": largest singular value of each matrix"
    ) { args in
      let x = try args.tensor("x")
      switch try args.string("kind") {
      case "fro": return .number(x.asDouble.frobeniusNorm())
      case "spectral":
        let norms = try x.asDouble.spectralNorm()
        return norms.rank == 0 ? .number(try norms.item()) : .tensor(.f64(norms))
      case let other:
        throw Diagnostic(
          "value.invalid", "norm kind must be \"fro\" or \"spectral\", got \"\(other)\"",
          at: args.range("kind"))
      }
    },
    Builtin(
      "qr", ["a"],
      "reduced QR decomposition: record {q, r} with a = q·r, q orthonormal columns, r upper triangular"
    ) { args in
      let a = try args.tensor("a")
      let (q, r) = try a.asDouble.qr()
      return .record(Record([("q", restored(q, like: a)), ("r", restored(r, like: a))]))
    },
    Builtin(
      "eig", ["a"],
      "eigenvalues (ascending) and eigenvectors (columns) of a symmetric matrix: record {values, vectors}"
    ) { args in
      let a = try args.tensor("a")
      let matrix = a.asDouble
      guard matrix.rank == 2, matrix.shape[0] == matrix.shape[1] else {
        throw Diagnostic(
          "value.invalid", "eig needs a square matrix, got \(formatShape(matrix.shape))",
          at: args.range("a"))
      }
      let symmetric = matrix.transposed()
      guard matrix.rank >= 2, matrix.shape == symmetric.shape,
        maxAbs(try matrix - symmetric) <= 1e-10 * Swift.max(1, maxAbs(matrix))
      else {
        throw Diagnostic(
          "value.invalid",
          "eig needs a symmetric matrix, got \(formatShape(matrix.shape)) that is not symmetric",
          at: args.range("a"),
          hint: "for a general matrix use svd, or eig((a + a.T) / 2) for its symmetric part")
      }
      let (values, vectors) = try matrix.symmetricEigen()
      return .record(
        Record([("values", restored(values, like: a)), ("vectors", restored(vectors, like: a))]))
    },
    Builtin(
      "lstsq", ["a", "b"],
      "minimum-norm least-squares solution x of a·x ≈ b (b a vector or a matrix)"
    ) { args in
      let a = try args.tensor("a")
      return restored(try a.asDouble.leastSquares(try args.tensor("b").asDouble), like: a)
    },
  ]

  private static func seed(_ args: CallArguments) throws -> UInt64 {
    let seed = try args.integer("seed")
    guard seed >= 0 else {
      throw Diagnostic("value.invalid", "seed must be ≥ 0, got \(seed)", at: args.range("seed"))
    }
    return UInt64(seed)
  }

  private static func filled(_ args: CallArguments, _ value: Double) throws -> Value {
    let t = try Tensor<Double>(repeating: value, shape: try args.shape("shape"))
    return .tensor(try converted(.f64(t), to: args.dtype("dtype")))
  }

  private static func joined(_ args: CallArguments, stacking: Bool) throws -> Value {
    let items = try args.list("tensors")
    if !stacking,
      let recorder = items.lazy.compactMap({ value -> GraphRecorder? in
        if case .traced(let t) = value { return t.recorder } else { return nil }
      }).first
    {
      let operands = try items.map { try recorder.operand($0, at: args.range("tensors")) }
      return try recorder.emit(.concat, operands, at: args.callRange)
    }
    let parts = try items.map {
      try tensorValue($0, at: args.range("tensors"), context: args.builtin.name)
    }
    let axis = try args.integer("axis")
    if parts.allSatisfy({ $0.dtype == "f32" }) && !parts.isEmpty {
      let tensors = parts.map(\.asFloat)
      return .tensor(
        .f32(
          stacking ? try .stacking(tensors, along: axis) : try .concatenating(tensors, along: axis))
      )
    }
    let tensors = parts.map(\.asDouble)
    return .tensor(
      .f64(
        stacking ? try .stacking(tensors, along: axis) : try .concatenating(tensors, along: axis)))
  }
}

/// `value` in `dtype` (`"f32"` or `"f64"`).
func converted(_ value: TensorValue, to dtype: String) throws -> TensorValue {
  dtype == "f32" ? .f32(value.asFloat) : .f64(value.asDouble)
}

/// A Double result returned in the precision of the input it came from.
private func restored(_ result: Tensor<Double>, like input: TensorValue) -> Value {
  if case .f32 = input { return .tensor(.f32(TensorValue.f64(result).asFloat)) }
  return .tensor(.f64(result))
}

private func maxAbs(_ t: Tensor<Double>) -> Double {
  t.scalars.reduce(0) { Swift.max($0, Swift.abs($1)) }
}
