// The native stack as a resource. `callDepth` bounds recursion by count, which suits the 512 MiB
// stack `tau` runs on (LargeStack.swift), but a REPL session in a test or a program embedding the
// interpreter runs on an ordinary 8 MiB thread, where a debug build's evaluator needs tens of
// KiB per Tau call: there a runaway recursion would end in SIGSEGV long before 2000 calls. The
// guard measures the thread's stack when a run starts and stops evaluation, with a diagnostic,
// while a reserve for the deepest work between two evaluations (a module's parse and check, a
// comparison of values nested to the limit) is still free.
import CStack
import Foundation

struct StackGuard {
  /// The thread that was measured; evaluation on any other thread is not checked.
  let thread: pthread_t
  /// Evaluation stops when the stack reaches below this address (stacks grow downwards).
  let floor: UInt

  /// Stack kept free below the deepest evaluation: parsing and checking a module nested to the
  /// parser's limit takes about 3 MiB in a debug build, a tenth of that in a release build.
  static let reserve = 3 << 20

  /// The calling thread's stack, or nil where its bounds cannot be read.
  static func current() -> StackGuard? {
    var low: UInt = 0
    var size = 0
    guard cstack_current_bounds(&low, &size) == 0, size > 0 else { return nil }
    // A small stack keeps half of itself in reserve rather than failing at once.
    return StackGuard(thread: pthread_self(), floor: low + UInt(min(reserve, size / 2)))
  }

  /// Throws `runtime.callDepth` at `range` when less than the reserve is left.
  func check(at range: SourceRange, callDepth: Int) throws {
    guard pthread_equal(thread, pthread_self()) != 0 else { return }
    var marker: UInt8 = 0
    let address = withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
    guard address < floor else { return }
    throw Diagnostic(
      "runtime.callDepth",
      "the native stack is nearly exhausted (\(callDepth) nested calls): is a recursion missing its base case?",
      at: range)
  }
}
