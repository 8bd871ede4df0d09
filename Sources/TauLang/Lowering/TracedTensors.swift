// Tensors inside a cell body: constants, shapes of traced values, and the broadcasting rule, so
// that matrix-valued states (DeltaNet's S, Mamba's per-channel h) are written as on paper.
import TauGraph
import TauTensor

extension GraphRecorder {
  /// Records `op` and returns its node (a shape error is a diagnostic at `range`).
  func node(_ op: Op, _ inputs: [NodeID], at range: SourceRange) throws -> NodeID {
    guard case .traced(let t) = try emit(op, inputs, at: range) else { return inputs[0] }
    return t.id
  }

  /// A constant tensor (a vector or a matrix) written in a body: `eye(hidden)`, `ones([k])`.
  func constant(_ tensor: TensorValue, at range: SourceRange) throws -> NodeID {
    let values = tensor.asDouble.contiguous()
    guard values.rank <= 2 else {
      throw Diagnostic(
        "lowering.unsupported",
        "a cell computes with scalars, vectors and matrices; this constant is \(formatShape(values.shape))",
        at: range)
    }
    if values.rank == 0 { return try constant(values.scalars[0]) }
    return try node(
      .tensor(TensorConstant(shape: values.shape, values: values.scalars)), [], at: range)
  }

  /// `value` with the new `shape` (one size may be -1), entries in row-major order.
  func reshaped(_ value: NodeID, to requested: [Int], at range: SourceRange) throws -> NodeID {
    let count = graph[value].shape.reduce(1, *)
    var shape = requested
    if let free = shape.firstIndex(of: -1) {
      let known = shape.enumerated().filter { $0.offset != free }.reduce(1) { $0 * $1.element }
      if known > 0, count % known == 0 { shape[free] = count / known }
    }
    if shape == graph[value].shape { return value }
    return try node(.reshape(shape), [value], at: range)
  }

  /// The sum of a matrix's entries along `axis` (0: over rows, giving [m]; 1: over columns,
  /// giving [k]), or of all its entries.
  func summed(_ value: NodeID, axis: Int?, at range: SourceRange) throws -> NodeID {
    let shape = graph[value].shape
    switch (shape.count, axis) {
    case (1, nil), (1, 0), (1, -1):
      return try node(.sum, [value], at: range)
    case (2, nil):
      return try node(.sum, [try reshaped(value, to: [shape[0] * shape[1]], at: range)], at: range)
    case (2, 0), (2, -2):
      return try node(.vecmat, [try ones(shape[0], at: range), value], at: range)
    case (2, 1), (2, -1):
      return try node(.matvec, [value, try ones(shape[1], at: range)], at: range)
    default:
      throw Diagnostic(
        "value.invalid",
        "axis \(axis.map(String.init) ?? "none") does not exist in \(formatShape(shape))", at: range
      )
    }
  }

  func ones(_ n: Int, at range: SourceRange) throws -> NodeID {
    try node(.broadcast(n), [try constant(1)], at: range)
  }

  /// The operands of an elementwise operation brought to one shape, by the rule of NumPy for
  /// scalars, [1]-sized values and [m] against [k×m] (a row), plus one extension: a vector
  /// [k] against [k×m] with k ≠ m is a column (one value per row, as a per-channel step size
  /// against a [channels × N] state). For a square matrix the vector's role is ambiguous and
  /// must be said with reshape(v, [k, 1]) or reshape(v, [1, k]).
  func broadcast(_ a: NodeID, _ b: NodeID, _ symbol: String, at range: SourceRange) throws
    -> (NodeID, NodeID)
  {
    let (sa, sb) = (graph[a].shape, graph[b].shape)
    if sa == sb || sa.isEmpty || sb.isEmpty { return (a, b) }
    // A single entry is a scalar.
    if sa.reduce(1, *) == 1 { return (try reshaped(a, to: [], at: range), b) }
    if sb.reduce(1, *) == 1 { return (a, try reshaped(b, to: [], at: range)) }
    let mismatch = Diagnostic(
      "shape.mismatch",
      "shape mismatch in '\(symbol)': \(formatShape(sa)) and \(formatShape(sb))", at: range)
    switch (sa.count, sb.count) {
    case (2, 1): return (a, try spread(b, against: sa, mismatch, at: range))
    case (1, 2): return (try spread(a, against: sb, mismatch, at: range), b)
    case (2, 2):
      // NumPy's rule: each size equal, or 1 and repeated.
      guard sa[0] == sb[0] || sa[0] == 1 || sb[0] == 1, sa[1] == sb[1] || sa[1] == 1 || sb[1] == 1
      else { throw mismatch }
      let target = [Swift.max(sa[0], sb[0]), Swift.max(sa[1], sb[1])]
      return (try repeated(a, to: target, at: range), try repeated(b, to: target, at: range))
    default:
      throw mismatch
    }
  }

  /// A vector against a matrix [k×m]: a row when its size is m, a column when it is k.
  private func spread(
    _ vector: NodeID, against matrix: [Int], _ mismatch: Diagnostic, at range: SourceRange
  ) throws -> NodeID {
    let (n, k, m) = (graph[vector].shape[0], matrix[0], matrix[1])
    if n == k && n == m {
      throw Diagnostic(
        "shape.mismatch",
        "a vector [\(n)] against a square \(formatShape(matrix)) could be a row or a column: write reshape(v, [\(n), 1]) for a column or reshape(v, [1, \(n)]) for a row",
        at: range)
    }
    if n == m { return try node(.outer, [try ones(k, at: range), vector], at: range) }
    if n == k { return try node(.outer, [vector, try ones(m, at: range)], at: range) }
    throw mismatch
  }

  /// A [k×1] column or [1×m] row repeated to `target`.
  private func repeated(_ value: NodeID, to target: [Int], at range: SourceRange) throws -> NodeID {
    let shape = graph[value].shape
    if shape == target { return value }
    if shape[1] == 1 {
      let column = try reshaped(value, to: [shape[0]], at: range)
      return try node(.outer, [column, try ones(target[1], at: range)], at: range)
    }
    let row = try reshaped(value, to: [shape[1]], at: range)
    return try node(.outer, [try ones(target[0], at: range), row], at: range)
  }
}
