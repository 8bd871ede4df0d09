// SVD, symmetric eigen-decomposition, QR and least squares through LAPACKE, batched over leading
// axes, plus the Frobenius and spectral norms.

extension Tensor {
  /// The thin singular value decomposition `A = U·diag(S)·Vᵀ` of each matrix in the last two axes
  /// (`[…, m, n]` → U `[…, m, k]`, S `[…, k]` descending, Vᵀ `[…, k, n]`, k = min(m, n)).
  public func svd() throws -> (u: Tensor, s: Tensor, vt: Tensor) {
    let (batch, m, n) = try matrixBatch(operation: "svd")
    let k = Swift.min(m, n)
    var u = try Tensor.zeros(batch + [m, k])
    var s = try Tensor.zeros(batch + [k])
    var vt = try Tensor.zeros(batch + [k, n])
    try forEachMatrix(operation: "svd") { index, matrix in
      try s.withUnsafeMutableBufferPointer { sb in
        try u.withUnsafeMutableBufferPointer { ub in
          try vt.withUnsafeMutableBufferPointer { vb in
            let info = Scalar.gesdd(
              m: m, n: n, a: matrix, s: sb.baseAddress! + index * k,
              u: ub.baseAddress! + index * m * k, vt: vb.baseAddress! + index * k * n)
            try check(info, routine: "gesdd")
          }
        }
      }
    }
    return (u, s, vt)
  }

  /// The singular values of each matrix in the last two axes, descending (`[…, min(m, n)]`).
  public func singularValues() throws -> Tensor {
    let (batch, m, n) = try matrixBatch(operation: "singularValues")
    let k = Swift.min(m, n)
    var s = try Tensor.zeros(batch + [k])
    try forEachMatrix(operation: "singularValues") { index, matrix in
      try s.withUnsafeMutableBufferPointer { sb in
        let info = Scalar.gesdd(
          m: m, n: n, a: matrix, s: sb.baseAddress! + index * k, u: nil, vt: nil)
        try check(info, routine: "gesdd")
      }
    }
    return s
  }

  /// Eigenvalues (ascending, `[…, n]`) and eigenvectors (columns, `[…, n, n]`) of each symmetric
  /// matrix in the last two axes. Only the lower triangle is read.
  public func symmetricEigen() throws -> (values: Tensor, vectors: Tensor) {
    let (batch, m, n) = try matrixBatch(operation: "symmetricEigen")
    guard m == n else {
      throw TensorError.invalidShape(
        operation: "symmetricEigen", shape: shape, reason: "the matrices must be square")
    }
    var values = try Tensor.zeros(batch + [n])
    var vectors = try Tensor.zeros(batch + [n, n])
    try forEachMatrix(operation: "symmetricEigen") { index, matrix in
      try values.withUnsafeMutableBufferPointer { wb in
        let info = Scalar.syevd(n: n, a: matrix, w: wb.baseAddress! + index * n)
        try check(info, routine: "syevd")
      }
      vectors.withUnsafeMutableBufferPointer { vb in
        (vb.baseAddress! + index * n * n).update(from: matrix, count: n * n)
      }
    }
    return (values, vectors)
  }

  /// The reduced QR decomposition of each matrix in the last two axes: Q `[…, m, k]` with
  /// orthonormal columns and upper-triangular R `[…, k, n]`, k = min(m, n).
  public func qr() throws -> (q: Tensor, r: Tensor) {
    let (batch, m, n) = try matrixBatch(operation: "qr")
    let k = Swift.min(m, n)
    var q = try Tensor.zeros(batch + [m, k])
    var r = try Tensor.zeros(batch + [k, n])
    var tau = [Scalar](repeating: 0, count: Swift.max(k, 1))
    try forEachMatrix(operation: "qr") { index, matrix in
      try check(Scalar.geqrf(m: m, n: n, a: matrix, tau: &tau), routine: "geqrf")
      r.withUnsafeMutableBufferPointer { rb in
        let out = rb.baseAddress! + index * k * n
        for i in 0..<k { for j in i..<n { out[i * n + j] = matrix[i * n + j] } }
      }
      // orgqr forms Q in place in the first k columns of the m×n buffer (leading dimension n).
      try check(Scalar.orgqr(m: m, n: k, k: k, a: matrix, lda: n, tau: tau), routine: "orgqr")
      q.withUnsafeMutableBufferPointer { qb in
        let out = qb.baseAddress! + index * m * k
        for i in 0..<m { for j in 0..<k { out[i * k + j] = matrix[i * n + j] } }
      }
    }
    return (q, r)
  }

  /// The minimum-norm least-squares solution X of `self · X ≈ b` (`self` `[m, n]`, `b` `[m]` or
  /// `[m, r]`), by SVD, so rank-deficient systems are handled.
  public func leastSquares(_ b: Tensor) throws -> Tensor {
    guard rank == 2, b.rank == 1 || b.rank == 2, b.shape[0] == shape[0] else {
      throw TensorError.shapeMismatch(operation: "leastSquares", lhs: shape, rhs: b.shape)
    }
    try requireFinite(operation: "leastSquares")
    try b.requireFinite(operation: "leastSquares")
    let (m, n) = (shape[0], shape[1])
    let nrhs = b.rank == 1 ? 1 : b.shape[1]
    let rows = Swift.max(m, n)
    if m == 0 || n == 0 || nrhs == 0 {
      return try Tensor.zeros(b.rank == 1 ? [n] : [n, nrhs])
    }
    var a = scalars
    var rhs = [Scalar](repeating: 0, count: rows * nrhs)
    let bValues = b.scalars
    for i in 0..<(m * nrhs) { rhs[i] = bValues[i] }
    var singular = [Scalar](repeating: 0, count: Swift.min(m, n))
    var effectiveRank: Int32 = 0
    // NumPy's cutoff: singular values below ε·max(m, n)·σ₁ are treated as zero, so an exactly
    // rank-deficient system gets its minimum-norm solution despite rounding.
    let rcond = Scalar.ulpOfOne * Scalar(Swift.max(m, n))
    let info = Scalar.gelsd(
      m: m, n: n, nrhs: nrhs, a: &a, b: &rhs, s: &singular, rcond: rcond, rank: &effectiveRank)
    try check(info, routine: "gelsd")
    return try Tensor(shape: b.rank == 1 ? [n] : [n, nrhs], scalars: Array(rhs[0..<(n * nrhs)]))
  }

  // MARK: - Norms

  /// √(Σ x²) over all elements (the 2-norm of a vector), computed without overflow.
  public func frobeniusNorm() -> Scalar {
    withUnsafeBufferPointer { buffer in
      guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
      // nrm2 takes a 32-bit count: split very large tensors into chunks.
      let chunk = Int(Int32.max)
      var partial: [Scalar] = []
      var start = 0
      while start < buffer.count {
        let length = Swift.min(chunk, buffer.count - start)
        partial.append(Scalar.nrm2(n: length, x: base + start, stride: 1))
        start += length
      }
      return partial.count == 1 ? partial[0] : Scalar.nrm2(n: partial.count, x: partial, stride: 1)
    }
  }

  /// The largest singular value of each matrix in the last two axes (`[…]`).
  public func spectralNorm() throws -> Tensor {
    let values = try singularValues()
    if values.shape.last == 0 { return try Tensor.zeros(Array(values.shape.dropLast())) }
    return try values.selecting(0, along: -1).contiguous()
  }

  // MARK: - Batching

  /// The batch shape and matrix size of a tensor of rank ≥ 2.
  func matrixBatch(operation: String) throws -> (batch: [Int], rows: Int, columns: Int) {
    guard rank >= 2 else {
      throw TensorError.invalidShape(
        operation: operation, shape: shape, reason: "expected a matrix or a stack of matrices")
    }
    return (Array(shape.dropLast(2)), shape[rank - 2], shape[rank - 1])
  }

  /// Calls `body(index, matrix)` with a scratch row-major copy of each matrix in the batch,
  /// which LAPACK may overwrite. Rejects NaN and infinities, on which LAPACK's results are
  /// undefined.
  func forEachMatrix(
    operation: String, _ body: (Int, UnsafeMutablePointer<Scalar>) throws -> Void
  ) throws {
    try requireFinite(operation: operation)
    let (_, m, n) = try matrixBatch(operation: operation)
    let size = m * n
    guard size > 0 else { return }
    let source = contiguous()
    var scratch = [Scalar](repeating: 0, count: size)
    try scratch.withUnsafeMutableBufferPointer { buffer in
      let matrix = buffer.baseAddress!
      for index in 0..<(count / size) {
        matrix.update(from: source.storage.base + source.offset + index * size, count: size)
        try body(index, matrix)
      }
    }
  }

  /// Throws unless every element is finite.
  func requireFinite(operation: String) throws {
    guard isFinite else {
      throw TensorError.invalidArgument(
        operation: operation, message: "the input contains NaN or infinity")
    }
  }
}

/// Turns a LAPACKE status into a thrown error.
private func check(_ info: Int32, routine: String) throws {
  guard info == 0 else { throw TensorError.lapackFailure(routine: routine, info: Int(info)) }
}
