// Large tensor buffers, kept for reuse: an operator's Jacobian stack (251 MB at the paper's S2
// sizes) is allocated once per call, and a fresh block costs the kernel a zeroed page for every
// 2 MiB of it on first touch, about 5 % of the S2 script. Freed large blocks wait here for the
// next request of the same size instead of going back to the system.
import Synchronization

/// Recently freed large blocks, by rounded size; at most `capacity` bytes wait at any time, the
/// oldest returned to the system first.
final class LargeBlockPool: Sendable {
  static let shared = LargeBlockPool(capacity: 512 << 20)

  // @unchecked: a waiting block belongs to the pool alone; `take` hands it to one caller.
  private struct Block: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    let bytes: Int
  }
  private let blocks = Mutex<[Block]>([])
  private let capacity: Int

  init(capacity: Int) { self.capacity = capacity }

  /// A waiting block of exactly `bytes` bytes, if there is one.
  func take(bytes: Int) -> UnsafeMutableRawPointer? {
    blocks.withLock { blocks in
      guard let index = blocks.lastIndex(where: { $0.bytes == bytes }) else { return nil }
      return blocks.remove(at: index).base
    }
  }

  /// Keeps `base` (a block of `bytes` bytes) for reuse, returning older blocks
  /// to the system while more than `capacity` bytes wait; a block larger than that is freed.
  func give(_ base: UnsafeMutableRawPointer, bytes: Int) {
    guard bytes <= capacity else { return base.deallocate() }
    let evicted = blocks.withLock { blocks -> [Block] in
      blocks.append(Block(base: base, bytes: bytes))
      var total = blocks.reduce(0) { $0 + $1.bytes }
      var evicted: [Block] = []
      while total > capacity {
        let oldest = blocks.removeFirst()
        total -= oldest.bytes
        evicted.append(oldest)
      }
      return evicted
    }
    for block in evicted { block.base.deallocate() }
  }

  /// Bytes waiting for reuse (tests).
  var waitingBytes: Int { blocks.withLock { $0.reduce(0) { $0 + $1.bytes } } }
}
