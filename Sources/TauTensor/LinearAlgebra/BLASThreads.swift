// OpenBLAS runs large products on threads of its own. Code that already keeps every core busy
// with threads of its own (Tau's split batches, its operators) turns that off meanwhile: two
// lanes each spawning BLAS threads spend their time in sched_yield.
import CBLAS

/// Runs `body` with OpenBLAS limited to one thread, then restores its thread count.
public func withSingleThreadedBLAS<R>(_ body: () throws -> R) rethrows -> R {
  let threads = openblas_get_num_threads()
  guard threads > 1 else { return try body() }
  openblas_set_num_threads(1)
  defer { openblas_set_num_threads(threads) }
  return try body()
}
