// Typed errors of the tensor runtime: every misuse of the public API ends here, never in a trap.

/// An error thrown by a tensor operation. The description names the operation and the shapes
/// involved, e.g. `shape mismatch in 'matmul': [64×64] and [4]`.
public enum TensorError: Error, Equatable, Sendable, CustomStringConvertible {
  /// Two operands whose shapes cannot be combined by `operation`.
  case shapeMismatch(operation: String, lhs: [Int], rhs: [Int])
  /// A shape that `operation` cannot accept or produce (negative sizes, wrong rank, …).
  case invalidShape(operation: String, shape: [Int], reason: String)
  /// An axis outside `-rank..<rank`.
  case invalidAxis(operation: String, axis: Int, rank: Int)
  /// An index outside the tensor.
  case indexOutOfRange(operation: String, index: [Int], shape: [Int])
  /// Any other bad argument, e.g. a quantile outside [0, 1].
  case invalidArgument(operation: String, message: String)
  /// A LAPACK routine reported failure (`info` as returned by LAPACKE).
  case lapackFailure(routine: String, info: Int)
  /// A tensor file that is truncated, corrupt, or not in the expected format.
  case invalidFile(path: String, reason: String)
  /// A new tensor larger than the memory budget (`bytes` nil: more than `Int.max`), refused
  /// before anything was allocated.
  case outOfMemory(operation: String, shape: [Int], dtype: String, bytes: Int?, budget: Int)

  public var description: String {
    switch self {
    case .shapeMismatch(let op, let lhs, let rhs):
      return "shape mismatch in '\(op)': \(formatShape(lhs)) and \(formatShape(rhs))"
    case .invalidShape(let op, let shape, let reason):
      return "invalid shape \(formatShape(shape)) in '\(op)': \(reason)"
    case .invalidAxis(let op, let axis, let rank):
      return "axis \(axis) is out of range in '\(op)' for a tensor of rank \(rank)"
    case .indexOutOfRange(let op, let index, let shape):
      let shown = index.map(String.init).joined(separator: ", ")
      return "index [\(shown)] is out of range in '\(op)' for shape \(formatShape(shape))"
    case .invalidArgument(let op, let message):
      return "invalid argument to '\(op)': \(message)"
    case .invalidFile(let path, let reason):
      return "cannot read '\(path)': \(reason)"
    case .outOfMemory(let op, let shape, let dtype, let bytes, let budget):
      return MemoryBudget.refusal(
        "'\(op)' of a \(formatShape(shape)) \(dtype) tensor", bytes: bytes, budget: budget)
    case .lapackFailure(let routine, let info):
      let cause = info < 0 ? "argument \(-info) was illegal" : "did not converge (info \(info))"
      return "LAPACK \(routine) failed: \(cause)"
    }
  }
}

/// `[12×80×64]`, the way shapes appear in headers and messages; `[]` for a scalar.
public func formatShape(_ shape: [Int]) -> String {
  "[" + shape.map(String.init).joined(separator: "×") + "]"
}
