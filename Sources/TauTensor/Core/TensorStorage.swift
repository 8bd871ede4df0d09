// The heap buffer behind a Tensor: 64-byte aligned (one AVX-512 vector), freed when the last
// tensor that views it goes away.

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
    base = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
      .bindMemory(to: Scalar.self, capacity: Swift.max(1, count))
  }

  convenience init(repeating value: Scalar, count: Int) {
    self.init(uninitializedCount: count)
    fill(base, with: value, count: count)
  }

  deinit { UnsafeMutableRawPointer(base).deallocate() }
}

/// Writes `value` to `count` elements (specialised: the generic `initialize(repeating:)` goes
/// through value witnesses element by element when called from another module).
@_specialize(where S == Float)
@_specialize(where S == Double)
func fill<S: TensorScalar>(_ base: UnsafeMutablePointer<S>, with value: S, count: Int) {
  for i in 0..<count { base[i] = value }
}
