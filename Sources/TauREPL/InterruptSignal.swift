// Ctrl-C in the REPL. At the prompt it clears the line; during a computation it asks the
// interpreter to stop at its next step (the runtime polls between time steps), a second press
// says so, and a third ends the process for a computation that does not reach a step.
import Glibc
import Synchronization
import TauLang

public enum InterruptSignal {
  /// Presses since the prompt was last shown.
  static let presses = Atomic<Int>(0)
  static let isComputing = Atomic<Bool>(false)
  /// With standard input not a terminal there is no line to clear: Ctrl-C while waiting for
  /// input ends the process, as it does for `cat`.
  static let exitsWhenIdle = Atomic<Bool>(false)
  /// A self-pipe: the handler writes a byte, so a `poll` on the reading thread wakes up even
  /// when the signal was delivered to another thread.
  static let wakeUp: (read: Int32, write: Int32) = {
    var descriptors: [Int32] = [-1, -1]
    guard pipe(&descriptors) == 0 else { return (-1, -1) }
    for descriptor in descriptors {
      _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
      _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
    }
    return (descriptors[0], descriptors[1])
  }()

  /// Installs the handler (without SA_RESTART, so a blocked `poll` returns).
  static func install(exitingWhenIdle: Bool) {
    exitsWhenIdle.store(exitingWhenIdle, ordering: .relaxed)
    _ = wakeUp  // create the pipe before the handler can need it
    var action = sigaction()
    action.__sigaction_handler.sa_handler = { _ in
      // Only async-signal-safe work here: atomics, write(2), _exit(2).
      let count = InterruptSignal.presses.add(1, ordering: .relaxed).newValue
      if InterruptSignal.isComputing.load(ordering: .relaxed) {
        _ = requestInterrupt()
        if count == 2 {
          let message: StaticString =
            "\ntau: stopping at the next step; press Ctrl-C again to end the session\n"
          _ = write(2, message.utf8Start, message.utf8CodeUnitCount)
        } else if count >= 3 {
          _exit(130)
        }
      } else if InterruptSignal.exitsWhenIdle.load(ordering: .relaxed) {
        _exit(130)
      }
      var byte: UInt8 = 1
      _ = write(InterruptSignal.wakeUp.write, &byte, 1)
    }
    sigemptyset(&action.sa_mask)
    action.sa_flags = exitingWhenIdle ? SA_RESTART : 0
    sigaction(SIGINT, &action, nil)
    unblockSignals()
  }

  /// A parent may have started us with signals blocked (the threads of a test runner do): then
  /// the SIGINT handler never runs and SIGTERM does not end the process. Threads created
  /// afterwards inherit this thread's mask.
  public static func unblockSignals() {
    var none = sigset_t()
    sigemptyset(&none)
    pthread_sigmask(SIG_SETMASK, &none, nil)
  }

  /// Runs `body` as a computation that Ctrl-C interrupts. A press between Enter and the start
  /// counts: the computation stops at its first step.
  static func computing<T>(_ body: () -> T) -> T {
    clearInterrupt()  // a request left over from the previous computation is spent
    isComputing.store(true, ordering: .relaxed)
    if wasPressed { _ = requestInterrupt() }
    defer { isComputing.store(false, ordering: .relaxed) }
    return body()
  }

  /// Forgets presses and empties the wake-up pipe (before showing a prompt).
  static func reset() {
    presses.store(0, ordering: .relaxed)
    drainWakeUp()
  }

  static func drainWakeUp() {
    var buffer = [UInt8](repeating: 0, count: 64)
    while read(wakeUp.read, &buffer, buffer.count) > 0 {}
  }

  static var wasPressed: Bool { presses.load(ordering: .relaxed) > 0 }
}
