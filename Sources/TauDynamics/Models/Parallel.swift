// Work split over the machine's cores. Each lane gets its own plans and workspaces, so lanes
// never share mutable state; the split itself is fixed (not derived from the core count), so
// results are the same on every machine.
import Dispatch
import Synchronization
import TauTensor

/// `body(0) … body(count - 1)`, run concurrently with OpenBLAS on one thread per lane; the
/// results in order. The first error thrown (by lane order) is rethrown after every lane has
/// finished.
func concurrentMap<T: Sendable>(
  _ count: Int, _ body: @Sendable (Int) throws -> T
) throws -> [T] {
  let results = Mutex<[Int: Result<T, any Error>]>([:])
  withSingleThreadedBLAS {
    DispatchQueue.concurrentPerform(iterations: count) { lane in
      let result = Result { try body(lane) }
      results.withLock { $0[lane] = result }
    }
  }
  return try results.withLock { finished in
    try (0..<count).map { lane in
      guard let result = finished[lane] else { throw Cancelled() }
      return try result.get()
    }
  }
}
