// Ctrl-C: the signal handler only sets a flag; long-running loops poll it at safe points
// (each loop iteration, each call), so an interrupted session keeps all its bindings.
import Synchronization

/// Set by the SIGINT handler (an atomic store is async-signal-safe), cleared when polled.
public let interruptRequested = Atomic<Bool>(false)

/// Thrown at the next safe point after Ctrl-C.
public struct Interrupted: Error {}

/// Throws `Interrupted` if Ctrl-C was pressed since the last poll.
@inline(__always)
public func checkInterrupt() throws(Interrupted) {
  if interruptRequested.load(ordering: .relaxed) {
    interruptRequested.store(false, ordering: .relaxed)
    throw Interrupted()
  }
}
