// The tree-walking interpreter recurses on the native stack; running it on a thread with a large
// stack lets the call-depth limit, not the operating system, end a runaway recursion.
import Foundation

/// Runs `body` on a thread with a 512 MiB stack (address space, committed only as used) and
/// waits for its result.
public func withLargeStack<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
  let slot = ResultSlot<T>()
  let done = DispatchSemaphore(value: 0)
  let thread = Thread {
    slot.value = body()
    done.signal()
  }
  thread.stackSize = 512 << 20
  thread.start()
  done.wait()
  guard let value = slot.value else { return body() }  // unreachable: the thread always sets it
  return value
}

/// Carries a result out of the worker thread; the semaphore orders the write before the read.
private final class ResultSlot<T>: @unchecked Sendable {
  var value: T?
}
