// The pool of freed large buffers: a block comes back only for a request of its exact size, and
// no more than the pool's capacity waits, the oldest blocks leaving first.
import Testing

@testable import TauTensor

@Suite struct LargeBlockPoolTests {
  private func block(_ bytes: Int) -> UnsafeMutableRawPointer {
    UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
  }

  @Test func aBlockIsReusedForItsOwnSizeOnly() {
    let pool = LargeBlockPool(capacity: 1 << 20)
    let first = block(4096)
    pool.give(first, bytes: 4096)
    #expect(pool.take(bytes: 8192) == nil)
    #expect(pool.take(bytes: 4096) == first)
    #expect(pool.take(bytes: 4096) == nil)
    first.deallocate()
  }

  @Test func theOldestBlocksLeaveWhenTheCapacityIsExceeded() {
    let pool = LargeBlockPool(capacity: 10_000)
    let (a, b, c) = (block(4000), block(4000), block(4000))
    pool.give(a, bytes: 4000)
    pool.give(b, bytes: 4000)
    pool.give(c, bytes: 4000)  // 12,000 bytes: `a` is returned to the system
    #expect(pool.waitingBytes == 8000)
    #expect(pool.take(bytes: 4000) == c)
    #expect(pool.take(bytes: 4000) == b)
    #expect(pool.take(bytes: 4000) == nil)
    let huge = block(20_000)
    pool.give(huge, bytes: 20_000)  // larger than the whole pool: freed at once
    #expect(pool.waitingBytes == 0)
    b.deallocate()
    c.deallocate()
  }

  /// Through tensors: a large tensor's storage, once freed, is the next one's of that size (an
  /// odd size, 38 MiB once rounded, that no other test allocates meanwhile).
  @Test func aFreedLargeTensorsStorageServesTheNext() throws {
    let count = (37 << 20) / MemoryLayout<Double>.stride + 1
    var address: UnsafeRawPointer?
    do {
      let first = try Tensor<Double>.zeros([count])
      first.withUnsafeBufferPointer { address = UnsafeRawPointer($0.baseAddress) }
    }
    let second = try Tensor<Double>.zeros([count])
    var reused: UnsafeRawPointer?
    second.withUnsafeBufferPointer { reused = UnsafeRawPointer($0.baseAddress) }
    #expect(reused == address)
    #expect(second.withUnsafeBufferPointer { $0.allSatisfy { $0 == 0 } })
  }
}
