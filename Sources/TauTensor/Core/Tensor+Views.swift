// Views: reshapes, transposes, slices and broadcasts that share storage instead of copying.

extension Tensor {
  /// Resolves a possibly negative axis against `rank`.
  func resolvedAxis(_ axis: Int, operation: String, rank: Int? = nil) throws -> Int {
    let rank = rank ?? self.rank
    let resolved = axis < 0 ? axis + rank : axis
    guard resolved >= 0, resolved < rank else {
      throw TensorError.invalidAxis(operation: operation, axis: axis, rank: rank)
    }
    return resolved
  }

  /// The same elements with a new shape; one size may be `-1` and is inferred. A view when the
  /// layout allows, a copy otherwise.
  public func reshaped(_ newShape: [Int]) throws -> Tensor {
    var target = newShape
    if let hole = newShape.firstIndex(of: -1) {
      let known = newShape.enumerated().filter { $0.offset != hole }.map(\.element)
      let knownCount = try validatedCount(known, operation: "reshape")
      guard newShape.filter({ $0 == -1 }).count == 1, knownCount > 0, count % knownCount == 0 else {
        throw TensorError.shapeMismatch(operation: "reshape", lhs: shape, rhs: newShape)
      }
      target[hole] = count / knownCount
    }
    guard try validatedCount(target, operation: "reshape") == count else {
      throw TensorError.shapeMismatch(operation: "reshape", lhs: shape, rhs: newShape)
    }
    let source = contiguous()
    return Tensor(
      storage: source.storage, shape: target, strides: contiguousStrides(target),
      offset: source.offset)
  }

  /// The axes reordered: axis `i` of the result is axis `axes[i]` of `self`. A view.
  public func permuted(_ axes: [Int]) throws -> Tensor {
    let resolved = try axes.map { try resolvedAxis($0, operation: "permute") }
    guard resolved.count == rank, Set(resolved).count == rank else {
      throw TensorError.invalidArgument(
        operation: "permute", message: "\(axes) is not a permutation of the \(rank) axes")
    }
    return Tensor(
      storage: storage, shape: resolved.map { shape[$0] }, strides: resolved.map { strides[$0] },
      offset: offset)
  }

  /// The last two axes swapped (a matrix transpose, batched over leading axes); a vector is
  /// returned unchanged. A view: `matmul` hands the transpose to BLAS without copying.
  public func transposed() -> Tensor {
    guard rank >= 2 else { return self }
    var newShape = shape
    var newStrides = strides
    newShape.swapAt(rank - 1, rank - 2)
    newStrides.swapAt(rank - 1, rank - 2)
    return Tensor(storage: storage, shape: newShape, strides: newStrides, offset: offset)
  }

  /// The sub-tensor at position `index` along the first axis (negative counts from the end).
  public subscript(index: Int) -> Tensor {
    get throws { try selecting(index, along: 0) }
  }

  /// The sub-tensor at position `index` along `axis`, with that axis removed. A view.
  public func selecting(_ index: Int, along axis: Int) throws -> Tensor {
    let axis = try resolvedAxis(axis, operation: "select")
    let resolved = index < 0 ? index + shape[axis] : index
    guard resolved >= 0, resolved < shape[axis] else {
      throw TensorError.indexOutOfRange(operation: "select", index: [index], shape: shape)
    }
    var newShape = shape
    var newStrides = strides
    newShape.remove(at: axis)
    newStrides.remove(at: axis)
    return Tensor(
      storage: storage, shape: newShape, strides: newStrides,
      offset: offset + resolved * strides[axis])
  }

  /// Elements `start, start+step, …` before `end` along `axis` (Python slice semantics for
  /// negative bounds; out-of-range bounds are clamped). A view.
  public func slicing(
    along axis: Int, from start: Int = 0, to end: Int? = nil, by step: Int = 1
  ) throws -> Tensor {
    let axis = try resolvedAxis(axis, operation: "slice")
    guard step > 0 else {
      throw TensorError.invalidArgument(operation: "slice", message: "step \(step) must be > 0")
    }
    let size = shape[axis]
    func clamp(_ i: Int) -> Int { Swift.min(Swift.max(i < 0 ? i + size : i, 0), size) }
    let lower = clamp(start)
    let upper = Swift.max(lower, clamp(end ?? size))
    var newShape = shape
    var newStrides = strides
    newShape[axis] = (upper - lower + step - 1) / step
    newStrides[axis] = strides[axis] * step
    return Tensor(
      storage: storage, shape: newShape, strides: newStrides, offset: offset + lower * strides[axis]
    )
  }

  /// A view of this tensor repeated (without copying) along new leading axes and size-1 axes
  /// to `target`, following NumPy's broadcasting rules.
  /// The view must fit the memory budget, as if materialised: `contiguous()` may copy it.
  public func broadcast(to target: [Int]) throws -> Tensor {
    _ = try Tensor.allocatableCount(target, operation: "broadcast")
    guard try broadcastShape(shape, target, operation: "broadcast") == target else {
      throw TensorError.shapeMismatch(operation: "broadcast", lhs: shape, rhs: target)
    }
    return Tensor(
      storage: storage, shape: target, strides: broadcastStrides(to: target), offset: offset)
  }

  /// A new axis of size 1 inserted at `axis` (which may equal `rank`). A view.
  public func expandingShape(at axis: Int) throws -> Tensor {
    let axis = try resolvedAxis(axis, operation: "expandingShape", rank: rank + 1)
    var newShape = shape
    var newStrides = strides
    newShape.insert(1, at: axis)
    newStrides.insert(0, at: axis)
    return Tensor(storage: storage, shape: newShape, strides: newStrides, offset: offset)
  }

  /// Tensors of equal shape but for `axis`, joined along `axis`.
  public static func concatenating(_ parts: [Tensor], along axis: Int = 0) throws -> Tensor {
    guard let first = parts.first else {
      throw TensorError.invalidArgument(operation: "concatenate", message: "no tensors given")
    }
    let axis = try first.resolvedAxis(axis, operation: "concatenate")
    for part in parts.dropFirst() {
      var expected = first.shape
      if part.rank == first.rank { expected[axis] = part.shape[axis] }
      guard part.shape == expected else {
        throw TensorError.shapeMismatch(operation: "concatenate", lhs: first.shape, rhs: part.shape)
      }
    }
    var shape = first.shape
    shape[axis] = parts.reduce(0) { $0 &+ $1.shape[axis] }  // wraps negative: refused below
    let outer = first.shape[..<axis].reduce(1, *)
    // Each part contributes one contiguous block per outer index.
    let sources = parts.map { $0.contiguous() }
    let blocks = parts.map { $0.shape[axis...].reduce(1, *) }
    return try Tensor(allocating: shape, operation: "concatenate") { output in
      withExtendedLifetime(sources) {
        interleaveBlocks(
          sources.map { UnsafePointer($0.storage.base + $0.offset) }, blocks: blocks, rows: outer,
          into: output)
      }
    }
  }

  /// Tensors of equal shape stacked along a new axis.
  public static func stacking(_ parts: [Tensor], along axis: Int = 0) throws -> Tensor {
    if let first = parts.first, let other = parts.first(where: { $0.shape != first.shape }) {
      throw TensorError.shapeMismatch(operation: "stack", lhs: first.shape, rhs: other.shape)
    }
    return try concatenating(parts.map { try $0.expandingShape(at: axis) }, along: axis)
  }
}

/// Row by row, block `blocks[p]` of each source p in turn: the rows of a concatenation.
/// Specialised, so a part's block of one element (joining along the last axis) costs a copy,
/// not a generic call.
@_specialize(where S == Float)
@_specialize(where S == Double)
func interleaveBlocks<S: TensorScalar>(
  _ sources: [UnsafePointer<S>], blocks: [Int], rows: Int, into output: UnsafeMutablePointer<S>
) {
  var position = 0
  for row in 0..<rows {
    for p in 0..<sources.count {
      let block = blocks[p]
      let source = sources[p] + row * block
      for i in 0..<block { (output + position + i).initialize(to: source[i]) }
      position += block
    }
  }
}
