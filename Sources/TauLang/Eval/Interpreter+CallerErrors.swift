// Errors that are the caller's mistake, `error(message, caller: true)`: a library function
// written in Tau reports a bad argument at the call that passed it, as a built-in does, not at
// the line inside the library that noticed.

extension Diagnostic {
  /// The error as it passes, on its way up, the call of `callee` at `site`. It moves to the
  /// first call of a Tau function (the one that raised it), then to the innermost call written
  /// in another file than the one that raised it (the user's call of a library), where it
  /// stays. The frames of the calls it moves out of are dropped: the error is now reported
  /// outside them.
  mutating func passCall(of callee: Value, at site: SourceRange) {
    guard var search = callerSearch else { return }
    var callsTauFunction = false
    if case .function(.closure) = callee { callsTauFunction = true }
    if site.file !== search.file {
      callerSearch = nil
    } else if callsTauFunction, !search.movedToCaller {
      search.movedToCaller = true
      callerSearch = search
    } else {
      return
    }
    range = site
    stack = []
  }
}
