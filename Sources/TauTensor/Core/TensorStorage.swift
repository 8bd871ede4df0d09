// The heap buffer behind a Tensor: 64-byte aligned (one AVX-512 vector), freed when the last
// tensor that views it goes away.
#if canImport(Glibc)
  import Glibc
#endif

/// Reference-counted element buffer. Tensors share one storage until one of them writes, which
/// copies first (copy-on-write, checked with `isKnownUniquelyReferenced`).
@usableFromInline
final class TensorStorage<Scalar: TensorScalar>: @unchecked Sendable {
  // @unchecked: the buffer is only written through a Tensor that holds the sole reference.
  @usableFromInline let base: UnsafeMutablePointer<Scalar>
  @usableFromInline let count: Int

  /// Uninitialised storage for `count` elements (the caller initialises every element).
  @usableFromInline init(uninitializedCount count: Int) {
    self.count = count
    let bytes = Swift.max(1, count) * MemoryLayout<Scalar>.stride
    base = allocateScalars(bytes: bytes).bindMemory(to: Scalar.self, capacity: Swift.max(1, count))
  }

  convenience init(repeating value: Scalar, count: Int) {
    self.init(uninitializedCount: count)
    fill(base, with: value, count: count)
  }

  deinit {
    releaseScalars(
      UnsafeMutableRawPointer(base), bytes: Swift.max(1, count) * MemoryLayout<Scalar>.stride)
  }
}

/// Buffers of at least this many bytes are backed by 2 MiB pages where the kernel allows it.
private let hugePageThreshold = 8 << 20
private let hugePage = 2 << 20

/// 64-byte aligned memory for `bytes` bytes. Large buffers (the operators' Jacobian stacks reach
/// hundreds of MiB, and are touched once per call) are aligned to 2 MiB and marked for huge
/// pages, so the kernel takes one fault per 2 MiB instead of per 4 KiB; the hint is ignored
/// where transparent huge pages are off. They come from `LargeBlockPool` when it holds one of
/// the size.
private func allocateScalars(bytes: Int) -> UnsafeMutableRawPointer {
  guard bytes >= hugePageThreshold else {
    return UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
  }
  let rounded = roundedToHugePages(bytes)
  if let reused = LargeBlockPool.shared.take(bytes: rounded) { return reused }
  let base = UnsafeMutableRawPointer.allocate(byteCount: rounded, alignment: hugePage)
  #if os(Linux)
    _ = madvise(base, rounded, Int32(MADV_HUGEPAGE))
  #endif
  return base
}

/// Uninitialised memory for `count` scalars from the allocator behind tensors (large blocks on
/// huge pages and reused through `LargeBlockPool`), for buffers that are not tensors, such as a
/// forward pass's per-step arenas. Free it with `releaseScalarBuffer(_:count:)`.
public func allocateScalarBuffer<S: TensorScalar>(_: S.Type, count: Int) -> UnsafeMutablePointer<S>
{
  let capacity = Swift.max(1, count)
  return allocateScalars(bytes: capacity * MemoryLayout<S>.stride).bindMemory(
    to: S.self, capacity: capacity)
}

/// Frees a buffer of `allocateScalarBuffer(_:count:)` (the same `count`).
public func releaseScalarBuffer<S: TensorScalar>(_ buffer: UnsafeMutablePointer<S>, count: Int) {
  releaseScalars(
    UnsafeMutableRawPointer(buffer), bytes: Swift.max(1, count) * MemoryLayout<S>.stride)
}

/// Frees what `allocateScalars(bytes:)` gave, large blocks into `LargeBlockPool`.
private func releaseScalars(_ base: UnsafeMutableRawPointer, bytes: Int) {
  guard bytes >= hugePageThreshold else { return base.deallocate() }
  LargeBlockPool.shared.give(base, bytes: roundedToHugePages(bytes))
}

private func roundedToHugePages(_ bytes: Int) -> Int {
  (bytes + hugePage - 1) / hugePage * hugePage
}

/// Writes `value` to `count` elements (specialised: the generic `initialize(repeating:)` goes
/// through value witnesses element by element when called from another module).
@_specialize(where S == Float)
@_specialize(where S == Double)
func fill<S: TensorScalar>(_ base: UnsafeMutablePointer<S>, with value: S, count: Int) {
  for i in 0..<count { base[i] = value }
}
