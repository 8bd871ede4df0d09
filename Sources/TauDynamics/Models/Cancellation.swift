// Long computations poll for cancellation at each time step, so Ctrl-C stops them promptly.
import Synchronization

/// Set by a front end (the SIGINT handler) to stop the running computation at the next step.
/// It stays set until the front end has finished handling the stop and clears it, so that every
/// lane of a computation split over the cores sees it, not only the first to look.
public let cancellationRequested = Atomic<Bool>(false)

/// Thrown at the next time step after cancellation was requested (and by a front end whose own
/// code, such as a task written in Tau, noticed the request first).
public struct Cancelled: Error {
  public init() {}
}

/// Throws `Cancelled` if cancellation was requested.
@inline(__always)
public func checkCancellation() throws(Cancelled) {
  if cancellationRequested.load(ordering: .relaxed) { throw Cancelled() }
}
