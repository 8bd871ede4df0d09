// Running a plan: one pass over its instructions, reading bound inputs and writing the arena.
import TauTensor

extension Plan {
  /// Runs the plan with node values written to `arena` (at least `arenaSize` elements).
  ///
  /// Specialised, so that the instruction loop runs without generic metadata lookups (they
  /// took about 4 % of a training step).
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  public func run(arena: UnsafeMutablePointer<Scalar>) throws(GraphError) {
    for slot in inputKinds.indices where inputPointers[slot] == nil {
      throw GraphError(message: "plan input \(inputKinds[slot]) is not bound", origin: nil)
    }
    for slot in accumulated.indices where accumulatorPointers[slot] == nil {
      throw GraphError(message: "plan accumulator \(slot) is not bound", origin: nil)
    }
    if !transposes.isEmpty { refreshTransposes() }
    // One check per run: profiling off costs nothing per instruction.
    if PlanProfile.isEnabled {
      runTimed(arena: arena)
    } else {
      for instruction in instructions { execute(instruction, arena) }
    }
  }

  private func size(_ id: NodeID) -> Int { graph[id].shape.reduce(1, *) }
  private func rows(_ id: NodeID) -> Int { graph[id].isBatched ? batch : 1 }

  func execute(_ instruction: Instruction, _ arena: UnsafeMutablePointer<Scalar>) {
    func p(_ id: NodeID) -> UnsafeMutablePointer<Scalar> { pointer(id, in: arena) }
    switch instruction {
    case .unary(let op, let x, let y):
      RawKernels.unary(op, p(x), p(y), count: size(y) * rows(y))
    case .binary(let op, let a, let b, let y):
      let columns = size(y)
      let (aRow, aColumn) = strides(a, columns: columns)
      let (bRow, bColumn) = strides(b, columns: columns)
      RawKernels.binary(
        op, p(a), aRow: aRow, aColumn: aColumn, p(b), bRow: bRow, bColumn: bColumn, p(y),
        rows: rows(y), columns: columns)
    case .matvec(let w, let v, let y, let accumulate):
      product(w, v, y, transposingW: true, accumulate: accumulate, arena)  // y = W v
    case .vecmat(let v, let w, let y, let accumulate):
      product(w, v, y, transposingW: false, accumulate: accumulate, arena)  // y = Wᵀ v
    case .outer(let u, let v, let y):
      let (n, m) = (size(u), size(v))
      for b in 0..<rows(y) {
        RawKernels.binary(
          .multiply, p(u) + (graph[u].isBatched ? b * n : 0), aRow: 1, aColumn: 0,
          p(v) + (graph[v].isBatched ? b * m : 0), bRow: 0, bColumn: 1, p(y) + b * n * m,
          rows: n, columns: m)
      }
    case .dot(let a, let b, let y):
      let n = size(a)
      if graph[a].isBatched || !graph[b].isBatched {
        RawKernels.rowDot(
          p(a), p(b), bRow: graph[b].isBatched ? n : 0, p(y), rows: rows(y), columns: n)
      } else {
        RawKernels.rowDot(p(b), p(a), bRow: 0, p(y), rows: rows(y), columns: n)
      }
    case .sum(let a, let y):
      RawKernels.rowSum(p(a), p(y), rows: rows(y), columns: size(a), accumulate: false)
    case .broadcast(let s, let y):
      let n = size(y)
      for b in 0..<rows(y) {
        (p(y) + b * n).update(repeating: p(s)[graph[s].isBatched ? b : 0], count: n)
      }
    case .concat(let pieces, let y):
      let total = size(y)
      for b in 0..<rows(y) {
        var start = 0
        for piece in pieces {
          let n = size(piece)
          (p(y) + b * total + start).update(
            from: p(piece) + (graph[piece].isBatched ? b * n : 0), count: n)
          start += n
        }
      }
    case .slice(let x, let y, let start):
      let (n, count) = (size(x), size(y))
      for b in 0..<rows(y) {
        (p(y) + b * count).update(
          from: p(x) + (graph[x].isBatched ? b * n : 0) + start, count: count)
      }
    case .fused(let operations, let columns):
      runFused(operations, columns: columns, arena)
    case .matrix(let op, let inputs, let y):
      for b in 0..<rows(y) { matrixSample(op, inputs, y, sample: b, arena) }
    case .accumulateOuter(let u, let v, let slot):
      // Σ_b u_b v_bᵀ = Uᵀ V, added to the total.
      let (n, m) = (size(u), size(v))
      guard let total = accumulatorPointers[slot] else { return }
      Scalar.gemm(
        transposeA: true, transposeB: false, m: n, n: m, k: batch, alpha: 1, a: p(u), lda: n,
        b: p(v), ldb: m, beta: 1, c: total, ldc: m)
    case .accumulateSum(let x, let slot):
      guard let total = accumulatorPointers[slot] else { return }
      RawKernels.columnSum(p(x), total, rows: rows(x), columns: size(x))
    }
  }

  /// A fused run, `chunkRows` samples at a time through every operation.
  private func runFused(
    _ operations: [FusedOperation], columns: Int, _ arena: UnsafeMutablePointer<Scalar>
  ) {
    let chunk = Plan.chunkRows(columns: columns, batch: batch)
    // Pointer, row stride and column stride of a value for the chunk starting at row `first`.
    func locate(_ value: FusedValue, _ first: Int) -> (UnsafeMutablePointer<Scalar>, Int, Int) {
      switch value {
      case .scratch(let slot): return (scratch + slot * chunk * columns, columns, 1)
      case .node(let id):
        let n = size(id)
        let columnStride = n == 1 && columns > 1 ? 0 : 1
        return graph[id].isBatched
          ? (pointer(id, in: arena) + first * n, n, columnStride)
          : (pointer(id, in: arena), 0, columnStride)
      }
    }
    var first = 0
    while first < batch {
      let rows = Swift.min(chunk, batch - first)
      for operation in operations {
        switch operation {
        case .unary(let op, let x, let y):
          let (px, _, _) = locate(x, first)
          let (py, _, _) = locate(y, first)
          RawKernels.unary(op, px, py, count: rows * columns)
        case .binary(let op, let a, let b, let y):
          let (pa, aRow, aColumn) = locate(a, first)
          let (pb, bRow, bColumn) = locate(b, first)
          let (py, _, _) = locate(y, first)
          RawKernels.binary(
            op, pa, aRow: aRow, aColumn: aColumn, pb, bRow: bRow, bColumn: bColumn, py, rows: rows,
            columns: columns)
        }
      }
      first += rows
    }
  }

  /// Sample `b` of a matrix-valued primitive (shared operands are read at offset 0).
  private func matrixSample(
    _ op: Op, _ inputs: [NodeID], _ y: NodeID, sample b: Int, _ arena: UnsafeMutablePointer<Scalar>
  ) {
    func at(_ id: NodeID) -> UnsafeMutablePointer<Scalar> {
      pointer(id, in: arena) + (graph[id].isBatched ? b * size(id) : 0)
    }
    let out = at(y)
    let shape = graph[y].shape
    switch op {
    case .transpose:
      let (n, p) = (graph[inputs[0]].shape[0], graph[inputs[0]].shape[1])
      let m = at(inputs[0])
      for i in 0..<n { for j in 0..<p { out[j * n + i] = m[i * p + j] } }
    case .matmat:
      let (n, k, p) = (graph[inputs[0]].shape[0], graph[inputs[0]].shape[1], shape[1])
      Scalar.gemm(
        transposeA: false, transposeB: false, m: n, n: p, k: k, alpha: 1, a: at(inputs[0]), lda: k,
        b: at(inputs[1]), ldb: p, beta: 0, c: out, ldc: p)
    case .scaleRows:  // diag(d)·M
      RawKernels.binary(
        .multiply, at(inputs[0]), aRow: 1, aColumn: 0, at(inputs[1]), bRow: shape[1], bColumn: 1,
        out, rows: shape[0], columns: shape[1])
    case .scaleColumns:  // M·diag(d)
      RawKernels.binary(
        .multiply, at(inputs[0]), aRow: shape[1], aColumn: 1, at(inputs[1]), bRow: 0, bColumn: 1,
        out, rows: shape[0], columns: shape[1])
    case .addDiagonal:
      let n = shape[0]
      out.update(from: at(inputs[0]), count: n * n)
      let d = at(inputs[1])
      for i in 0..<n { out[i * n + i] += d[i] }
    case .diagonal:
      let n = shape[0]
      let m = at(inputs[0])
      for i in 0..<n { out[i] = m[i * n + i] }
    case .concatRows:
      var start = 0
      for piece in inputs {
        out.advanced(by: start).update(from: at(piece), count: size(piece))
        start += size(piece)
      }
    case .sliceRows(let start, _):
      out.update(from: at(inputs[0]) + start * shape[1], count: size(y))
    case .reshape:
      out.update(from: at(inputs[0]), count: size(y))
    case .transposeBlocks(let rows, let columns):
      let width = shape.count == 2 ? shape[1] : 1
      let m = at(inputs[0])
      for i in 0..<rows {
        for j in 0..<columns {
          (out + (j * rows + i) * width).update(from: m + (i * columns + j) * width, count: width)
        }
      }
    default:
      break
    }
  }

  /// Rows of Y = V·Wᵀ (`transposingW`) or V·W: for a shared W the whole batch is one GEMM;
  /// a per-sample W (tangent graphs) takes one small GEMM per sample. Beta = 1 adds to Y.
  private func product(
    _ w: NodeID, _ v: NodeID, _ y: NodeID, transposingW: Bool, accumulate: Bool,
    _ arena: UnsafeMutablePointer<Scalar>
  ) {
    let (rows, columns) = (graph[w].shape[0], graph[w].shape[1])
    let (inner, outer) = transposingW ? (columns, rows) : (rows, columns)
    let (pw, pv, py) = (pointer(w, in: arena), pointer(v, in: arena), pointer(y, in: arena))
    let beta: Scalar = accumulate ? 1 : 0
    if !graph[w].isBatched, transposingW, transposedOffsets[w.index] >= 0 {
      // V·Wᵀ as V·(stored Wᵀ), [columns × rows] (Plan+Transposes.swift).
      Scalar.gemm(
        transposeA: false, transposeB: false, m: self.rows(v), n: outer, k: inner, alpha: 1,
        a: pv, lda: inner, b: transposed + transposedOffsets[w.index], ldb: rows, beta: beta,
        c: py, ldc: outer)
      return
    }
    if !graph[w].isBatched {
      Scalar.gemm(
        transposeA: false, transposeB: transposingW, m: self.rows(v), n: outer, k: inner, alpha: 1,
        a: pv, lda: inner, b: pw, ldb: columns, beta: beta, c: py, ldc: outer)
      return
    }
    for b in 0..<batch {
      Scalar.gemm(
        transposeA: false, transposeB: transposingW, m: 1, n: outer, k: inner, alpha: 1,
        a: pv + (graph[v].isBatched ? b * inner : 0), lda: inner, b: pw + b * rows * columns,
        ldb: columns, beta: beta, c: py + b * outer, ldc: outer)
    }
  }

  /// Row and column strides of operand `id` in a binary instruction with `columns` per row.
  private func strides(_ id: NodeID, columns: Int) -> (Int, Int) {
    let n = size(id)
    let columnStride = n == 1 && columns > 1 ? 0 : 1
    return (graph[id].isBatched ? n : 0, columnStride)
  }
}
