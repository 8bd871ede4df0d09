// Elementwise loops over raw buffers for compiled plans (TauGraph): no Tensor, no allocation,
// specialised for Float and Double like the tensor kernels.

/// The loops a compiled plan runs between its matrix products.
public enum RawKernels {
  /// `y[i] = op(x[i])` for `i < count`.
  public static func unary<S: TensorScalar>(
    _ op: UnaryOperation, _ x: UnsafePointer<S>, _ y: UnsafeMutablePointer<S>, count: Int
  ) {
    rawUnary(op, x, y, count)
  }

  /// `out[r·columns + c] = op(a[r·aRow + c·aColumn], b[r·bRow + c·bColumn])` for `r < rows`,
  /// `c < columns`. Strides of 0 broadcast (a shared parameter, a per-sample scalar, a constant).
  public static func binary<S: TensorScalar>(
    _ op: BinaryOperation, _ a: UnsafePointer<S>, aRow: Int, aColumn: Int, _ b: UnsafePointer<S>,
    bRow: Int, bColumn: Int, _ out: UnsafeMutablePointer<S>, rows: Int, columns: Int
  ) {
    rawBinary(op, a, aRow, aColumn, b, bRow, bColumn, out, rows, columns)
  }

  /// `out[r] = Σ_c a[r·columns + c] · b[r·bRow + c]` (per-sample dot products; bRow 0 shares b).
  public static func rowDot<S: TensorScalar>(
    _ a: UnsafePointer<S>, _ b: UnsafePointer<S>, bRow: Int, _ out: UnsafeMutablePointer<S>,
    rows: Int, columns: Int
  ) {
    rawRowDot(a, b, bRow, out, rows, columns)
  }

  /// `out[r] = Σ_c a[r·columns + c]` (beta = 1 adds to out instead).
  public static func rowSum<S: TensorScalar>(
    _ a: UnsafePointer<S>, _ out: UnsafeMutablePointer<S>, rows: Int, columns: Int, accumulate: Bool
  ) {
    rawRowSum(a, out, rows, columns, accumulate)
  }

  /// `out[c] += Σ_r a[r·columns + c]` (a batch of per-sample values summed into one).
  public static func columnSum<S: TensorScalar>(
    _ a: UnsafePointer<S>, _ out: UnsafeMutablePointer<S>, rows: Int, columns: Int
  ) {
    rawColumnSum(a, out, rows, columns)
  }
}

@_specialize(where S == Float)
@_specialize(where S == Double)
func rawUnary<S: TensorScalar>(
  _ op: UnaryOperation, _ x: UnsafePointer<S>, _ y: UnsafeMutablePointer<S>, _ count: Int
) {
  switch op {
  case .negate: for i in 0..<count { y[i] = -x[i] }
  case .square: for i in 0..<count { y[i] = x[i] * x[i] }
  // A constant operation per loop lets the compiler drop the switch and vectorise.
  case .tanh: for i in 0..<count { y[i] = UnaryOperation.tanh.apply(x[i]) }
  case .sigmoid: for i in 0..<count { y[i] = UnaryOperation.sigmoid.apply(x[i]) }
  default: for i in 0..<count { y[i] = op.apply(x[i]) }
  }
}

@_specialize(where S == Float)
@_specialize(where S == Double)
func rawBinary<S: TensorScalar>(
  _ op: BinaryOperation, _ a: UnsafePointer<S>, _ aRow: Int, _ aColumn: Int,
  _ b: UnsafePointer<S>, _ bRow: Int, _ bColumn: Int, _ out: UnsafeMutablePointer<S>,
  _ rows: Int, _ columns: Int
) {
  switch op {
  case .add: rawBinaryRows(a, aRow, aColumn, b, bRow, bColumn, out, rows, columns) { $0 + $1 }
  case .subtract: rawBinaryRows(a, aRow, aColumn, b, bRow, bColumn, out, rows, columns) { $0 - $1 }
  case .multiply: rawBinaryRows(a, aRow, aColumn, b, bRow, bColumn, out, rows, columns) { $0 * $1 }
  case .divide: rawBinaryRows(a, aRow, aColumn, b, bRow, bColumn, out, rows, columns) { $0 / $1 }
  default:
    rawBinaryRows(a, aRow, aColumn, b, bRow, bColumn, out, rows, columns) { op.apply($0, $1) }
  }
}

@inline(__always)
private func rawBinaryRows<S: TensorScalar>(
  _ a: UnsafePointer<S>, _ aRow: Int, _ aColumn: Int, _ b: UnsafePointer<S>, _ bRow: Int,
  _ bColumn: Int, _ out: UnsafeMutablePointer<S>, _ rows: Int, _ columns: Int, _ f: (S, S) -> S
) {
  // The common cases get loops the compiler vectorises: both contiguous, or one operand a
  // scalar (per row or shared).
  if aRow == columns && aColumn == 1 && bRow == columns && bColumn == 1 {
    for i in 0..<(rows * columns) { out[i] = f(a[i], b[i]) }
    return
  }
  for r in 0..<rows {
    let (x, y, z) = (a + r * aRow, b + r * bRow, out + r * columns)
    if aColumn == 1 && bColumn == 1 {
      for c in 0..<columns { z[c] = f(x[c], y[c]) }
    } else if aColumn == 1 && bColumn == 0 {
      let s = y[0]
      for c in 0..<columns { z[c] = f(x[c], s) }
    } else if aColumn == 0 && bColumn == 1 {
      let s = x[0]
      for c in 0..<columns { z[c] = f(s, y[c]) }
    } else {
      for c in 0..<columns { z[c] = f(x[c * aColumn], y[c * bColumn]) }
    }
  }
}

@_specialize(where S == Float)
@_specialize(where S == Double)
func rawRowDot<S: TensorScalar>(
  _ a: UnsafePointer<S>, _ b: UnsafePointer<S>, _ bRow: Int, _ out: UnsafeMutablePointer<S>,
  _ rows: Int, _ columns: Int
) {
  for r in 0..<rows {
    let (x, y) = (a + r * columns, b + r * bRow)
    var total = S.zero
    for c in 0..<columns { total += x[c] * y[c] }
    out[r] = total
  }
}

@_specialize(where S == Float)
@_specialize(where S == Double)
func rawRowSum<S: TensorScalar>(
  _ a: UnsafePointer<S>, _ out: UnsafeMutablePointer<S>, _ rows: Int, _ columns: Int,
  _ accumulate: Bool
) {
  for r in 0..<rows {
    let total = pairwiseSum(a + r * columns, columns)
    out[r] = accumulate ? out[r] + total : total
  }
}

@_specialize(where S == Float)
@_specialize(where S == Double)
func rawColumnSum<S: TensorScalar>(
  _ a: UnsafePointer<S>, _ out: UnsafeMutablePointer<S>, _ rows: Int, _ columns: Int
) {
  for r in 0..<rows {
    let x = a + r * columns
    for c in 0..<columns { out[c] += x[c] }
  }
}
