// Matrix products through cblas_?gemm: vectors, matrices and broadcast batches of matrices.
// Transposed views go to BLAS as transpose flags, so `a.transposed().matmul(b)` copies nothing.

extension Tensor {
  /// The matrix product with NumPy's `matmul` rules: two vectors give their dot product (rank 0);
  /// a vector operand is treated as a row (left) or column (right) and that axis is dropped;
  /// operands of rank > 2 are stacks of matrices whose leading axes broadcast.
  public func matmul(_ other: Tensor) throws -> Tensor {
    guard rank >= 1, other.rank >= 1 else {
      throw TensorError.shapeMismatch(operation: "matmul", lhs: shape, rhs: other.shape)
    }
    let lhs = rank == 1 ? try expandingShape(at: 0) : self
    let rhs = other.rank == 1 ? try other.expandingShape(at: 1) : other
    let (m, k) = (lhs.shape[lhs.rank - 2], lhs.shape[lhs.rank - 1])
    let (k2, n) = (rhs.shape[rhs.rank - 2], rhs.shape[rhs.rank - 1])
    guard k == k2 else {
      throw TensorError.shapeMismatch(operation: "matmul", lhs: shape, rhs: other.shape)
    }
    let batch: [Int]
    do {
      batch = try broadcastShape(
        Array(lhs.shape.dropLast(2)), Array(rhs.shape.dropLast(2)), operation: "matmul")
    } catch {
      throw TensorError.shapeMismatch(operation: "matmul", lhs: shape, rhs: other.shape)
    }
    let outputCount = try Tensor.allocatableCount(batch + [m, n], operation: "matmul")
    var result: Tensor
    if outputCount > 0 && k > 0 {
      // gemm with beta = 0 writes every element, so the output needs no zero fill.
      result = Tensor(uninitializedShape: batch + [m, n]) { _ in }
      try gemmBatch(lhs, rhs, into: &result, batch: batch, m: m, n: n, k: k)
    } else {
      result = try Tensor.zeros(batch + [m, n])  // an empty sum is 0
    }
    // Drop the axes that stood in for vector operands.
    var outShape = batch
    if rank > 1 { outShape.append(m) }
    if other.rank > 1 { outShape.append(n) }
    return try result.reshaped(outShape)
  }

  /// The dot product of two vectors of equal length, as a scalar.
  public func dot(_ other: Tensor) throws -> Scalar {
    guard rank == 1, other.rank == 1, shape == other.shape else {
      throw TensorError.shapeMismatch(operation: "dot", lhs: shape, rhs: other.shape)
    }
    return try matmul(other).item()
  }
}

/// One gemm per batch element (batch axes of the operands broadcast to `batch`).
private func gemmBatch<S: TensorScalar>(
  _ a: Tensor<S>, _ b: Tensor<S>, into c: inout Tensor<S>, batch: [Int], m: Int, n: Int, k: Int
) throws {
  let a = a.blasCompatible()
  let b = b.blasCompatible()
  guard let layoutA = a.blasLayout(), let layoutB = b.blasLayout() else {
    // blasCompatible() always yields a layout; this guard only protects against a logic error.
    throw TensorError.invalidArgument(operation: "matmul", message: "unsupported operand layout")
  }
  if batch.isEmpty {
    // One matrix product: skip the batch bookkeeping, which costs as much as a 16×16 gemm.
    S.gemm(
      transposeA: layoutA.transposed, transposeB: layoutB.transposed, m: m, n: n, k: k, alpha: 1,
      a: a.storage.base + a.offset, lda: layoutA.leading, b: b.storage.base + b.offset,
      ldb: layoutB.leading, beta: 0, c: c.storage.base, ldc: n)
    return
  }
  let batchStridesA = Array(a.broadcastStrides(to: batch + [m, k]).dropLast(2))
  let batchStridesB = Array(b.broadcastStrides(to: batch + [k, n]).dropLast(2))
  let batchStridesC = Array(c.strides.dropLast(2))
  let loop = StridedLoop(shape: batch, strides: [batchStridesC, batchStridesA, batchStridesB])
  let output = c.storage.base
  let (sc, sa, sb) = (loop.innerStride(0), loop.innerStride(1), loop.innerStride(2))
  loop.forEachRow(startingAt: [0, a.offset, b.offset]) { offsets in
    for i in 0..<loop.innerCount {
      S.gemm(
        transposeA: layoutA.transposed, transposeB: layoutB.transposed, m: m, n: n, k: k,
        alpha: 1, a: a.storage.base + offsets[1] + i * sa, lda: layoutA.leading,
        b: b.storage.base + offsets[2] + i * sb, ldb: layoutB.leading, beta: 0,
        c: output + offsets[0] + i * sc, ldc: n)
    }
  }
}

extension Tensor {
  /// How BLAS can read the last two axes in place: row-major (`transposed == false`) or as the
  /// transpose of a row-major matrix, with its leading dimension; nil if neither fits.
  func blasLayout() -> (transposed: Bool, leading: Int)? {
    let (rows, columns) = (shape[rank - 2], shape[rank - 1])
    let (rowStride, columnStride) = (strides[rank - 2], strides[rank - 1])
    if (columnStride == 1 || columns == 1) && (rows == 1 || rowStride >= Swift.max(1, columns)) {
      return (false, rows == 1 ? Swift.max(1, columns) : rowStride)
    }
    if (rowStride == 1 || rows == 1) && (columns == 1 || columnStride >= Swift.max(1, rows)) {
      return (true, columns == 1 ? Swift.max(1, rows) : columnStride)
    }
    return nil
  }

  /// `self` if BLAS can read its matrices in place, else a contiguous copy.
  func blasCompatible() -> Tensor { blasLayout() == nil ? copied() : self }
}
