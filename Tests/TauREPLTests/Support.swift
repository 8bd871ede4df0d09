// Helpers shared by the REPL tests.
import Foundation
import TauLang

/// An interpreter whose modules come from the standard library and `directory` only (not the
/// developer's TAU_PATH or ./plugins), running relative files from `directory`.
func testInterpreter(directory: URL) -> Interpreter {
  var folders = [directory.path]
  if let stdlib = SearchPath.standardLibraryDirectory(environment: [:]) { folders.append(stdlib) }
  return Interpreter(searchPath: SearchPath(directories: folders))
}
