// Long computations poll for cancellation at each time step, so Ctrl-C stops them promptly.
import Synchronization

/// Set by a front end (the SIGINT handler) to stop the running computation at the next step.
public let cancellationRequested = Atomic<Bool>(false)

/// Thrown at the next time step after cancellation was requested.
public struct Cancelled: Error {}

/// Throws `Cancelled` (and clears the request) if cancellation was requested.
@inline(__always)
public func checkCancellation() throws(Cancelled) {
  if cancellationRequested.exchange(false, ordering: .relaxed) { throw Cancelled() }
}
