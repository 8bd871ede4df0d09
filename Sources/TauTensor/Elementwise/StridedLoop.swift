// The iteration space of an elementwise operation: the output shape plus one stride vector per
// operand, with broadcast axes at stride 0 and mergeable axes merged so inner loops run long.

/// Walks a (possibly broadcast, possibly strided) set of operands in row-major output order,
/// one innermost row at a time.
struct StridedLoop {
  /// Axis sizes after merging; never empty (a scalar loop has one axis of size 1).
  private(set) var shape: [Int]
  /// `strides[operand][axis]`; operand 0 is by convention the output.
  private(set) var strides: [[Int]]

  /// - Parameters:
  ///   - shape: the output shape.
  ///   - strides: one stride vector per operand, already broadcast to `shape.count` axes.
  init(shape: [Int], strides: [[Int]]) {
    // Drop size-1 axes, then merge axis pairs that are contiguous in every operand.
    var mergedShape: [Int] = []
    var mergedStrides = [[Int]](repeating: [], count: strides.count)
    for axis in shape.indices where shape[axis] != 1 {
      if let last = mergedShape.indices.last,
        strides.indices.allSatisfy({ mergedStrides[$0][last] == strides[$0][axis] * shape[axis] })
      {
        mergedShape[last] *= shape[axis]
        for k in strides.indices { mergedStrides[k][last] = strides[k][axis] }
      } else {
        mergedShape.append(shape[axis])
        for k in strides.indices { mergedStrides[k].append(strides[k][axis]) }
      }
    }
    if mergedShape.isEmpty {
      mergedShape = [1]
      for k in strides.indices { mergedStrides[k] = [0] }
    }
    self.shape = mergedShape
    self.strides = mergedStrides
  }

  var innerCount: Int { shape[shape.count - 1] }
  func innerStride(_ operand: Int) -> Int { strides[operand][shape.count - 1] }

  /// Calls `body(offsets, count)` for every innermost row, where `offsets[k]` is operand k's
  /// offset (relative to its base) at the row's first element.
  func forEachRow(startingAt base: [Int], _ body: ([Int]) -> Void) {
    if shape.contains(0) { return }
    let outer = shape.count - 1
    var index = [Int](repeating: 0, count: outer)
    var offsets = base
    while true {
      body(offsets)
      var axis = outer - 1
      while axis >= 0 {
        index[axis] += 1
        for k in offsets.indices { offsets[k] += strides[k][axis] }
        if index[axis] < shape[axis] { break }
        for k in offsets.indices { offsets[k] -= strides[k][axis] * shape[axis] }
        index[axis] = 0
        axis -= 1
      }
      if axis < 0 { return }
    }
  }
}

/// The shape that `lhs` and `rhs` broadcast to (NumPy rules: align trailing axes; sizes must be
/// equal or 1).
public func broadcastShape(_ lhs: [Int], _ rhs: [Int], operation: String) throws -> [Int] {
  let rank = Swift.max(lhs.count, rhs.count)
  var result = [Int](repeating: 1, count: rank)
  for i in 0..<rank {
    let a = i < rank - lhs.count ? 1 : lhs[i - (rank - lhs.count)]
    let b = i < rank - rhs.count ? 1 : rhs[i - (rank - rhs.count)]
    guard a == b || a == 1 || b == 1 else {
      throw TensorError.shapeMismatch(operation: operation, lhs: lhs, rhs: rhs)
    }
    result[i] = a == 1 ? b : a
  }
  return result
}

extension Tensor {
  /// This tensor's strides for reading it as if it had `target` shape (broadcast axes get 0).
  /// `target` must be a valid broadcast of `shape`.
  func broadcastStrides(to target: [Int]) -> [Int] {
    let lead = target.count - rank
    return (0..<target.count).map { axis in
      axis < lead || shape[axis - lead] == 1 ? 0 : strides[axis - lead]
    }
  }
}
