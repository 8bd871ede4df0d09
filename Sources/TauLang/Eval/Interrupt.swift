// Ctrl-C: the signal handler only sets TauDynamics' cancellation flag; the interpreter polls it
// at safe points (each loop iteration, each call) and the runtime at each time step, so an
// interrupted session keeps all its bindings.
import TauDynamics

/// Thrown at the next safe point after Ctrl-C.
public struct Interrupted: Error {}

/// Throws `Interrupted` if Ctrl-C was pressed and the stop is not yet handled.
@inline(__always)
public func checkInterrupt() throws(Interrupted) {
  do { try checkCancellation() } catch { throw Interrupted() }
}

/// Asks the running computation to stop at its next safe point (for signal handlers).
public func requestInterrupt() -> Bool {
  cancellationRequested.exchange(true, ordering: .relaxed)
}

/// Forgets the request: it has been handled (the run it stopped has ended, or training returned
/// the steps done), or it came between computations.
public func clearInterrupt() { cancellationRequested.store(false, ordering: .relaxed) }

extension Diagnostic {
  /// Where a Ctrl-C stopped the program: the innermost call or loop that noticed it.
  /// A note rather than an error: the user asked for the stop.
  static func interrupted(_ message: String, at range: SourceRange) -> Diagnostic {
    Diagnostic("runtime.interrupted", message, at: range, severity: .note)
  }

  /// Whether this is the report of a Ctrl-C rather than an error.
  public var isInterruption: Bool { id == "runtime.interrupted" }
}

extension Interpreter {
  /// How a callee is named in an interruption message.
  func calleeName(_ callee: Value) -> String {
    switch callee {
    case .function(let function): return function.name
    case .declaration(let value): return value.declaration.name
    default: return callee.typeName
    }
  }
}
