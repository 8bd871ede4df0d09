// Work split over the machine's cores. Each lane gets its own plans and workspaces, so lanes
// never share mutable state; the split itself is fixed (not derived from the core count), so
// results are the same on every machine.
import Dispatch
import Synchronization
import TauTensor

/// Whether lanes run one after another on the calling thread instead of concurrently: for a
/// process that is one of several sharing the cores (a sweep's worker), where threads of its
/// own would only contend with the others. The lanes and their split stay the same, and so do
/// the results.
public enum Lanes {
  private static let sequential = Atomic<Bool>(false)

  public static var runSequentially: Bool {
    get { sequential.load(ordering: .relaxed) }
    set { sequential.store(newValue, ordering: .relaxed) }
  }
}

/// `body(0) … body(count - 1)`, run concurrently with OpenBLAS on one thread per lane (or one
/// after another, `Lanes.runSequentially`); the results in order. The first error thrown (by
/// lane order) is rethrown after every lane has finished.
func concurrentMap<T: Sendable>(
  _ count: Int, _ body: @Sendable (Int) throws -> T
) throws -> [T] {
  if Lanes.runSequentially {
    let results = (0..<count).map { lane in Result { try body(lane) } }
    return try results.map { try $0.get() }
  }
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

/// `body` on the two halves of a batch (axis 0 of `x` and `y`), one per core, with the lane
/// number; each result comes with its half's size.
func splittingBatch<S: TensorScalar, T: Sendable>(
  _ x: Tensor<S>, _ y: Tensor<S>, _ body: @Sendable (Tensor<S>, Tensor<S>, Int) throws -> T
) throws -> [(result: T, size: Int)] {
  try splittingBatch(x.shape.first ?? 0) { start, end, lane in
    try body(
      x.slicing(along: 0, from: start, to: end).contiguous(),
      y.slicing(along: 0, from: start, to: end).contiguous(), lane)
  }
}

/// `body(start, end, lane)` on the two halves `start ..< end` of a batch of `batch`, one per
/// core; each result comes with its half's size.
func splittingBatch<T: Sendable>(
  _ batch: Int, _ body: @Sendable (Int, Int, Int) throws -> T
) throws -> [(result: T, size: Int)] {
  let bounds = [0, batch / 2, batch]
  return try concurrentMap(2) { lane in
    let (start, end) = (bounds[lane], bounds[lane + 1])
    return (try body(start, end, lane), end - start)
  }
}
