// Elementwise arithmetic and math on tensors, with NumPy broadcasting.

extension Tensor {
  // MARK: - Unary

  /// `op` applied to every element, e.g. `x.applying(.tanh)`.
  public func applying(_ op: UnaryOperation) -> Tensor {
    Tensor(uninitializedShape: shape) { output in
      let loop = StridedLoop(shape: shape, strides: [contiguousStrides(shape), strides])
      unaryKernel(op, loop, output: output, input: storage.base, inputOffset: offset)
    }
  }

  /// `transform` applied to every element (a closure; prefer `applying(_:)` in hot code).
  public func map(_ transform: (Scalar) throws -> Scalar) rethrows -> Tensor {
    var values: [Scalar] = []
    values.reserveCapacity(count)
    var failure: Error?
    forEachElementOffset { position in
      guard failure == nil else { return }
      do { values.append(try transform(storage.base[position])) } catch { failure = error }
    }
    if let failure { try { throw failure }() }
    return Tensor(uninitializedShape: shape) { output in
      values.withUnsafeBufferPointer { output.initialize(from: $0.baseAddress!, count: $0.count) }
    }
  }

  public func exp() -> Tensor { applying(.exp) }
  public func log() -> Tensor { applying(.log) }
  public func sqrt() -> Tensor { applying(.sqrt) }
  public func abs() -> Tensor { applying(.abs) }
  public func tanh() -> Tensor { applying(.tanh) }
  public func sigmoid() -> Tensor { applying(.sigmoid) }
  public func relu() -> Tensor { applying(.relu) }
  public func softplus() -> Tensor { applying(.softplus) }
  public func squared() -> Tensor { applying(.square) }
  public func sin() -> Tensor { applying(.sin) }
  public func cos() -> Tensor { applying(.cos) }

  /// Every element raised to `exponent`.
  public func pow(_ exponent: Scalar) -> Tensor {
    // Broadcasting a scalar against any shape cannot fail.
    (try? applying(.power, Tensor(exponent))) ?? self
  }

  // MARK: - Binary

  /// `op(self, other)` elementwise, broadcasting both to their common shape.
  public func applying(_ op: BinaryOperation, _ other: Tensor) throws -> Tensor {
    let shape = try broadcastShape(self.shape, other.shape, operation: op.rawValue)
    return try Tensor(allocating: shape, operation: op.rawValue) { output in
      let loop = StridedLoop(
        shape: shape,
        strides: [
          contiguousStrides(shape), broadcastStrides(to: shape), other.broadcastStrides(to: shape),
        ])
      binaryKernel(
        op, loop, output: output, a: storage.base, aOffset: offset, b: other.storage.base,
        bOffset: other.offset)
    }
  }

  /// Every element raised to the matching element of `exponent` (broadcast).
  public func pow(_ exponent: Tensor) throws -> Tensor { try applying(.power, exponent) }

  /// The larger of the two elements, broadcast; NaN if either is NaN.
  public func maximum(_ other: Tensor) throws -> Tensor { try applying(.maximum, other) }

  /// The smaller of the two elements, broadcast; NaN if either is NaN.
  public func minimum(_ other: Tensor) throws -> Tensor { try applying(.minimum, other) }

  // MARK: - Fused multiply-add

  /// `a·b + c` elementwise in one pass, broadcasting all three.
  public static func multiplyAdd(_ a: Tensor, _ b: Tensor, _ c: Tensor) throws -> Tensor {
    let ab = try broadcastShape(a.shape, b.shape, operation: "multiplyAdd")
    var result = try Tensor(
      allocating: broadcastShape(ab, c.shape, operation: "multiplyAdd"), operation: "multiplyAdd"
    ) { _ in }
    try multiplyAdd(a, b, c, into: &result)
    return result
  }

  /// `out = a·b + c` in one pass into existing storage (no allocation when `out` is unshared).
  /// `out` must already have the broadcast shape of the operands.
  public static func multiplyAdd(_ a: Tensor, _ b: Tensor, _ c: Tensor, into out: inout Tensor)
    throws
  {
    let ab = try broadcastShape(a.shape, b.shape, operation: "multiplyAdd")
    let shape = try broadcastShape(ab, c.shape, operation: "multiplyAdd")
    guard out.shape == shape else {
      throw TensorError.shapeMismatch(operation: "multiplyAdd", lhs: out.shape, rhs: shape)
    }
    out.makeUniqueAndContiguous()
    let loop = StridedLoop(
      shape: shape,
      strides: [
        out.strides, a.broadcastStrides(to: shape), b.broadcastStrides(to: shape),
        c.broadcastStrides(to: shape),
      ])
    multiplyAddKernel(
      loop, output: out.storage.base, a: a.storage.base, aOffset: a.offset, b: b.storage.base,
      bOffset: b.offset, c: c.storage.base, cOffset: c.offset)
  }

  // MARK: - Operators

  public static func + (lhs: Tensor, rhs: Tensor) throws -> Tensor { try lhs.applying(.add, rhs) }
  public static func - (lhs: Tensor, rhs: Tensor) throws -> Tensor {
    try lhs.applying(.subtract, rhs)
  }
  public static func * (lhs: Tensor, rhs: Tensor) throws -> Tensor {
    try lhs.applying(.multiply, rhs)
  }
  public static func / (lhs: Tensor, rhs: Tensor) throws -> Tensor {
    try lhs.applying(.divide, rhs)
  }
  public static prefix func - (operand: Tensor) -> Tensor { operand.applying(.negate) }

  // A scalar operand broadcasts against any shape, so these cannot fail.
  public static func + (lhs: Tensor, rhs: Scalar) -> Tensor { scalarOperation(.add, lhs, rhs) }
  public static func + (lhs: Scalar, rhs: Tensor) -> Tensor { scalarOperation(.add, lhs, rhs) }
  public static func - (lhs: Tensor, rhs: Scalar) -> Tensor { scalarOperation(.subtract, lhs, rhs) }
  public static func - (lhs: Scalar, rhs: Tensor) -> Tensor { scalarOperation(.subtract, lhs, rhs) }
  public static func * (lhs: Tensor, rhs: Scalar) -> Tensor { scalarOperation(.multiply, lhs, rhs) }
  public static func * (lhs: Scalar, rhs: Tensor) -> Tensor { scalarOperation(.multiply, lhs, rhs) }
  public static func / (lhs: Tensor, rhs: Scalar) -> Tensor { scalarOperation(.divide, lhs, rhs) }
  public static func / (lhs: Scalar, rhs: Tensor) -> Tensor { scalarOperation(.divide, lhs, rhs) }

  private static func scalarOperation(_ op: BinaryOperation, _ lhs: Tensor, _ rhs: Scalar) -> Tensor
  {
    (try? lhs.applying(op, Tensor(rhs))) ?? lhs
  }
  private static func scalarOperation(_ op: BinaryOperation, _ lhs: Scalar, _ rhs: Tensor) -> Tensor
  {
    (try? Tensor(lhs).applying(op, rhs)) ?? rhs
  }
}
