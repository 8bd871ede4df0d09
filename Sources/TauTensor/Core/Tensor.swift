// The dense, row-major, copy-on-write n-dimensional array at the bottom of Tau.

/// A dense n-dimensional array of `Float` or `Double` with value semantics.
///
/// A tensor is a view: a shared storage buffer plus a shape, per-axis strides (in elements) and an
/// offset. Transposes, slices and broadcasts are views that copy nothing; operations produce new
/// contiguous row-major tensors; writing to a tensor whose storage is shared copies it first.
///
/// ```swift
/// let a = try Tensor<Double>([[1, 2], [3, 4]])
/// let b = try a.matmul(a.transposed())     // BLAS sees the transpose; no copy is made
/// print(b)                                 // Tensor<f64>[2×2] …
/// ```
public struct Tensor<Scalar: TensorScalar>: Sendable {
  @usableFromInline var storage: TensorStorage<Scalar>
  /// The size of each axis; `[]` for a scalar.
  public private(set) var shape: [Int]
  /// Elements to skip to move one step along each axis (0 for a broadcast axis).
  public private(set) var strides: [Int]
  @usableFromInline var offset: Int

  @usableFromInline
  init(storage: TensorStorage<Scalar>, shape: [Int], strides: [Int], offset: Int) {
    self.storage = storage
    self.shape = shape
    self.strides = strides
    self.offset = offset
  }

  /// A new contiguous tensor whose elements the caller initialises through `body`.
  @usableFromInline
  init(uninitializedShape shape: [Int], _ body: (UnsafeMutablePointer<Scalar>) throws -> Void)
    rethrows
  {
    let storage = TensorStorage<Scalar>(uninitializedCount: shape.reduce(1, *))
    try body(storage.base)
    self.init(storage: storage, shape: shape, strides: contiguousStrides(shape), offset: 0)
  }

  /// Like `init(uninitializedShape:)` for a tensor that may be larger than its inputs: the shape
  /// and the memory budget are checked before anything is allocated.
  @usableFromInline
  init(
    allocating shape: [Int], operation: String,
    _ body: (UnsafeMutablePointer<Scalar>) throws -> Void
  ) throws {
    _ = try Tensor.allocatableCount(shape, operation: operation)
    try self.init(uninitializedShape: shape, body)
  }

  /// The element count of a new tensor of `shape`, after checking that no size is negative and
  /// that its bytes fit the memory budget (`MemoryBudget`). Every public way to make a tensor
  /// larger than its inputs goes through here.
  static func allocatableCount(_ shape: [Int], operation: String) throws -> Int {
    var count: Int? = 1
    for size in shape {
      guard size >= 0 else {
        throw TensorError.invalidShape(operation: operation, shape: shape, reason: "negative size")
      }
      count = count.flatMap { product(of: $0, and: size) }
    }
    // A count that fits can still hide strides that do not: [0, 2^62, 10] has no elements.
    if count == 0 { _ = try validatedCount(shape, operation: operation) }
    let bytes = count.flatMap { product(of: $0, and: MemoryLayout<Scalar>.stride) }
    try MemoryBudget.check(
      bytes: bytes, operation: operation, shape: shape, dtype: Scalar.dtypeName)
    return count ?? 0
  }

  /// A tensor of `shape` whose elements `body` writes, all of them, through a pointer to the
  /// new storage (in row-major order): no zero-filling pass, no copy.
  public init(shape: [Int], initializingWith body: (UnsafeMutablePointer<Scalar>) throws -> Void)
    throws
  {
    try self.init(allocating: shape, operation: "tensor", body)
  }

  /// A tensor of `shape` filled with `value`.
  public init(repeating value: Scalar, shape: [Int]) throws {
    let count = try Tensor.allocatableCount(shape, operation: "tensor")
    self.init(
      storage: TensorStorage(repeating: value, count: count), shape: shape,
      strides: contiguousStrides(shape), offset: 0)
  }

  /// A tensor of `shape` holding `scalars` in row-major order.
  public init(shape: [Int], scalars: [Scalar]) throws {
    let count = try Tensor.allocatableCount(shape, operation: "tensor")
    guard count == scalars.count else {
      throw TensorError.invalidShape(
        operation: "tensor", shape: shape,
        reason: "\(scalars.count) elements given for \(count) places")
    }
    self.init(uninitializedShape: shape) { base in
      scalars.withUnsafeBufferPointer { base.initialize(from: $0.baseAddress!, count: count) }
    }
  }

  /// A rank-0 tensor holding one value.
  public init(_ scalar: Scalar) {
    self.init(
      storage: TensorStorage(repeating: scalar, count: 1), shape: [], strides: [], offset: 0)
  }

  /// A vector.
  public init(_ scalars: [Scalar]) {
    // A vector's shape is always valid, so this cannot throw.
    self.init(uninitializedShape: [scalars.count]) { base in
      scalars.withUnsafeBufferPointer { buffer in
        if let source = buffer.baseAddress { base.initialize(from: source, count: buffer.count) }
      }
    }
  }

  /// A matrix from its rows, which must all have the same length.
  public init(_ rows: [[Scalar]]) throws {
    let columns = rows.first?.count ?? 0
    if let bad = rows.firstIndex(where: { $0.count != columns }) {
      throw TensorError.invalidArgument(
        operation: "tensor",
        message: "row \(bad) has \(rows[bad].count) elements, row 0 has \(columns)")
    }
    try self.init(shape: [rows.count, columns], scalars: rows.flatMap { $0 })
  }

  /// Zeros of `shape`.
  public static func zeros(_ shape: [Int]) throws -> Tensor {
    try Tensor(repeating: 0, shape: shape)
  }

  /// Ones of `shape`.
  public static func ones(_ shape: [Int]) throws -> Tensor {
    try Tensor(repeating: 1, shape: shape)
  }

  /// The `n×n` identity matrix.
  public static func eye(_ n: Int) throws -> Tensor {
    var result = try zeros([n, n])
    result.withUnsafeMutableBufferPointer { buffer in
      for i in 0..<n { buffer[i * n + i] = 1 }
    }
    return result
  }

  /// `count` evenly spaced values from `start` to `end`, both included (like NumPy's `linspace`).
  public static func linspace(from start: Scalar, to end: Scalar, count: Int) throws -> Tensor {
    let step = count > 1 ? (end - start) / Scalar(count - 1) : 0
    return try Tensor(allocating: [count], operation: "linspace") { base in
      for i in 0..<count { base[i] = count > 1 && i == count - 1 ? end : start + Scalar(i) * step }
    }
  }

  /// `count` values from 10^`start` to 10^`end`, evenly spaced on a log scale.
  public static func logspace(from start: Scalar, to end: Scalar, count: Int) throws -> Tensor {
    try linspace(from: start, to: end, count: count).map { Scalar.exp10($0) }
  }

  // MARK: - Shape facts

  /// The number of axes.
  public var rank: Int { shape.count }
  /// The number of elements.
  public var count: Int { shape.reduce(1, *) }
  /// Whether the elements lie in row-major order with no gaps, so they can be read as one buffer.
  public var isContiguous: Bool {
    var expected = 1
    for axis in stride(from: rank - 1, through: 0, by: -1) where shape[axis] != 1 {
      if strides[axis] != expected { return false }
      expected *= shape[axis]
    }
    return true
  }

  // MARK: - Elements

  /// The elements in row-major order.
  public var scalars: [Scalar] {
    let source = contiguous()
    return Array(UnsafeBufferPointer(start: source.storage.base + source.offset, count: count))
  }

  /// The element at `index` (one entry per axis; negative entries count from the end).
  public func scalar(at index: [Int]) throws -> Scalar {
    storage.base[try storageOffset(of: index, operation: "scalar(at:)")]
  }

  /// Replaces the element at `index`.
  public mutating func setScalar(_ value: Scalar, at index: [Int]) throws {
    _ = try storageOffset(of: index, operation: "setScalar(_:at:)")
    makeUniqueAndContiguous()
    storage.base[try storageOffset(of: index, operation: "setScalar(_:at:)")] = value
  }

  /// The elements at the positions listed one after another in `positions` (rank entries each;
  /// negative entries count from the end): a gather.
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  public func scalars(atPositions positions: [Int]) throws -> [Scalar] {
    let offsets = try storageOffsets(ofPositions: positions, operation: "scalars(atPositions:)")
    return offsets.map { storage.base[$0] }
  }

  /// Replaces the elements at the positions listed one after another in `positions` (as for
  /// `scalars(atPositions:)`) with `values`, in order (a later position wins), copying a shared
  /// storage once; nothing changes if a position is out of range.
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  public mutating func setScalars(_ values: [Scalar], atPositions positions: [Int]) throws {
    _ = try storageOffsets(ofPositions: positions, operation: "setScalars(_:atPositions:)")
    makeUniqueAndContiguous()
    let offsets = try storageOffsets(
      ofPositions: positions, operation: "setScalars(_:atPositions:)")
    for i in 0..<Swift.min(offsets.count, values.count) { storage.base[offsets[i]] = values[i] }
  }

  /// The storage offsets of rank-entry positions listed one after another.
  private func storageOffsets(ofPositions positions: [Int], operation: String) throws -> [Int] {
    let width = Swift.max(rank, 1)
    guard positions.count % width == 0 else {
      throw TensorError.invalidArgument(
        operation: operation,
        message: "\(positions.count) entries are not whole positions of \(rank) entries each")
    }
    if rank == 0 { return positions.isEmpty ? [] : [offset] }
    var offsets: [Int] = []
    offsets.reserveCapacity(positions.count / width)
    var start = 0
    while start < positions.count {
      var position = offset
      for axis in 0..<rank {
        let i = positions[start + axis]
        let resolved = i < 0 ? i + shape[axis] : i
        guard resolved >= 0, resolved < shape[axis] else {
          throw TensorError.indexOutOfRange(
            operation: operation, index: Array(positions[start..<(start + rank)]), shape: shape)
        }
        position += resolved * strides[axis]
      }
      offsets.append(position)
      start += rank
    }
    return offsets
  }

  /// The only element of a one-element tensor.
  public func item() throws -> Scalar {
    guard count == 1 else {
      throw TensorError.invalidShape(
        operation: "item", shape: shape, reason: "only a one-element tensor has an item")
    }
    return storage.base[offset]
  }

  func storageOffset(of index: [Int], operation: String) throws -> Int {
    guard index.count == rank else {
      throw TensorError.indexOutOfRange(operation: operation, index: index, shape: shape)
    }
    var position = offset
    for (axis, i) in index.enumerated() {
      let resolved = i < 0 ? i + shape[axis] : i
      guard resolved >= 0, resolved < shape[axis] else {
        throw TensorError.indexOutOfRange(operation: operation, index: index, shape: shape)
      }
      position += resolved * strides[axis]
    }
    return position
  }

  // MARK: - Buffers

  /// Calls `body` with the elements in row-major order (copying only if this is not contiguous).
  public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Scalar>) throws -> R)
    rethrows -> R
  {
    let source = contiguous()
    return try body(UnsafeBufferPointer(start: source.storage.base + source.offset, count: count))
  }

  /// Calls `body` with writable row-major elements, first copying a shared or strided storage.
  public mutating func withUnsafeMutableBufferPointer<R>(
    _ body: (UnsafeMutableBufferPointer<Scalar>) throws -> R
  ) rethrows -> R {
    makeUniqueAndContiguous()
    return try body(UnsafeMutableBufferPointer(start: storage.base + offset, count: count))
  }

  /// The same elements in fresh contiguous storage, or `self` if already contiguous.
  public func contiguous() -> Tensor {
    isContiguous ? self : copied()
  }

  /// A contiguous copy that shares nothing with `self`.
  func copied() -> Tensor {
    if isContiguous {
      let source = storage.base + offset
      return Tensor(uninitializedShape: shape) { copyElements(from: source, to: $0, count: count) }
    }
    var result = Tensor(uninitializedShape: shape) { _ in }
    let output = result.storage.base
    var position = 0
    forEachElementOffset { source in
      (output + position).initialize(to: storage.base[source])
      position += 1
    }
    result.offset = 0
    return result
  }

  /// Ensures the storage is owned by this tensor alone and laid out contiguously from offset 0.
  @usableFromInline mutating func makeUniqueAndContiguous() {
    if !isKnownUniquelyReferenced(&storage) || !isContiguous || offset != 0
      || storage.count != count
    {
      self = copied()
    }
  }

  /// Visits the storage offset of every element in row-major order.
  func forEachElementOffset(_ body: (Int) -> Void) {
    let n = count
    if n == 0 { return }
    if rank == 0 { return body(offset) }
    var index = [Int](repeating: 0, count: rank)
    var position = offset
    let last = rank - 1
    let innerStride = strides[last]
    let innerCount = shape[last]
    while true {
      for i in 0..<innerCount { body(position + i * innerStride) }
      // Odometer over the outer axes.
      var axis = last - 1
      while axis >= 0 {
        index[axis] += 1
        position += strides[axis]
        if index[axis] < shape[axis] { break }
        position -= strides[axis] * shape[axis]
        index[axis] = 0
        axis -= 1
      }
      if axis < 0 { return }
    }
  }
}

extension Tensor: Equatable {
  /// Same shape and the same elements (IEEE equality, so NaN ≠ NaN).
  public static func == (lhs: Tensor, rhs: Tensor) -> Bool {
    lhs.shape == rhs.shape && lhs.scalars == rhs.scalars
  }
}

/// Row-major strides of a contiguous tensor of `shape`.
func contiguousStrides(_ shape: [Int]) -> [Int] {
  var strides = [Int](repeating: 1, count: shape.count)
  var running = 1
  for axis in stride(from: shape.count - 1, through: 0, by: -1) {
    strides[axis] = running
    running *= shape[axis]
  }
  return strides
}

/// `a·b`, or nil if it overflows `Int`.
func product(of a: Int, and b: Int) -> Int? {
  let (result, overflow) = a.multipliedReportingOverflow(by: b)
  return overflow ? nil : result
}

/// The element count of `shape`, after checking that no size is negative or overflows (for views,
/// which allocate nothing; new tensors are checked by `allocatableCount`).
func validatedCount(_ shape: [Int], operation: String) throws -> Int {
  var count = 1
  // The strides multiply the sizes whatever the count: [0, 2^62, 10] has no elements, but its
  // strides overflowed (found by fuzzing the .npy reader). Zero sizes count as one here.
  var extent = 1
  for size in shape {
    guard size >= 0 else {
      throw TensorError.invalidShape(operation: operation, shape: shape, reason: "negative size")
    }
    let (product, overflow) = count.multipliedReportingOverflow(by: size)
    let (span, spanOverflow) = extent.multipliedReportingOverflow(by: Swift.max(size, 1))
    extent = span
    guard !overflow, !spanOverflow, span <= Int(Int32.max) * 64 else {
      throw TensorError.invalidShape(
        operation: operation, shape: shape, reason: "too many elements")
    }
    count = product
  }
  return count
}

/// `count` elements copied into uninitialised memory (specialised: generic code from another
/// module copies through value witnesses, element by element).
@_specialize(where S == Float)
@_specialize(where S == Double)
func copyElements<S: TensorScalar>(
  from source: UnsafePointer<S>, to output: UnsafeMutablePointer<S>, count: Int
) {
  output.initialize(from: source, count: count)
}
