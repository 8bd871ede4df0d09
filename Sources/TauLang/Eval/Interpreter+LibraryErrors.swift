// Where an error the standard library raises on purpose is reported: at the user's call.
//
// A standard-library function written in Tau stands where a built-in would, and its `error` or
// `assert` is about what it was given (`stepwise(0.1, at: [800.5])`, an unknown `--flag` for
// `options`), so it is reported like a built-in's error: at the call from outside the standard
// library, with the caret there. The place inside stdlib/ would say nothing to the user, and its
// path depends on where Tau is installed. Other errors in the standard library (its own bugs)
// keep their place and their stack.

extension Interpreter {
  /// Moves `diagnostic`, raised by `error` or `assert` inside the standard library, to
  /// `callSite`, a call into the standard library from outside it, dropping the frames inside
  /// the library. Returns whether it moved, so the caller adds no frame for this call.
  func reportAtCallIntoStandardLibrary(_ diagnostic: inout Diagnostic, callSite: SourceRange)
    -> Bool
  {
    guard diagnostic.id == "runtime.error" || diagnostic.id == "runtime.assertion",
      isStandardLibrary(diagnostic.range.file), !isStandardLibrary(callSite.file)
    else { return false }
    diagnostic.range = callSite
    diagnostic.stack.removeAll()
    return true
  }

  /// Whether `file` is a module of the standard library (not a plugin that shares its name).
  private func isStandardLibrary(_ file: SourceFile) -> Bool {
    guard let folder = standardModules.searchPath.directories.first else { return false }
    return ModuleLoader.folder(of: file) == folder
  }
}
