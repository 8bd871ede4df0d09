// Where `use NAME` looks for NAME.tau: $TAU_PATH, ./plugins, the standard library, then the folder
// of the file that says `use`.
import Foundation

/// The ordered folders searched for modules.
public struct SearchPath: Sendable {
  public var directories: [String]

  public init(directories: [String]) { self.directories = directories }

  /// `$TAU_PATH` (colon-separated), `./plugins`, then the stdlib folder: `$TAU_HOME/stdlib`,
  /// else the copy bundled with the build (`tau_TauLang.resources` beside the executable), else
  /// `<executable>/../share/tau/stdlib`.
  public static func standard(
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) -> SearchPath {
    var directories: [String] = []
    if let path = environment["TAU_PATH"] {
      directories += path.split(separator: ":").map(String.init).filter { !$0.isEmpty }
    }
    directories.append("./plugins")
    if let stdlib = standardLibraryDirectory(environment: environment) {
      directories.append(stdlib)
    }
    return SearchPath(directories: directories)
  }

  /// The folder of the shipped `.tau` standard library, if one can be found.
  public static func standardLibraryDirectory(environment: [String: String]) -> String? {
    let fileManager = FileManager.default
    var candidates: [String] = []
    if let home = environment["TAU_HOME"] { candidates.append(home + "/stdlib") }
    // The copy SwiftPM bundles beside the executable, looked up by hand: `Bundle.module` stops
    // the program (a fatalError in the generated accessor) when a binary was copied away from
    // its bundle, where a missing standard library should be a diagnostic.
    let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "")
      .resolvingSymlinksInPath().deletingLastPathComponent()
    for folder in [Bundle.main.bundleURL, executable] {
      candidates.append(folder.appendingPathComponent("tau_TauLang.resources/stdlib").path)
    }
    candidates.append(executable.appendingPathComponent("../share/tau/stdlib").path)
    return candidates.first { fileManager.fileExists(atPath: $0) }
  }

  /// The file that `use name` loads, or the list of every path tried. `folder` (the folder of
  /// the file that says `use`, so a script finds the modules beside it) is searched last, so a
  /// script named like a standard module (examples/optimizers.tau) still gets the standard one.
  public func resolve(_ name: String, besides folder: String? = nil) -> Result<
    String, ModuleNotFound
  > {
    var tried: [String] = []
    let folders = directories + (folder.map { directories.contains($0) ? [] : [$0] } ?? [])
    for directory in folders {
      let path = directory + "/" + name + ".tau"
      if FileManager.default.isReadableFile(atPath: path) { return .success(path) }
      tried.append(path)
    }
    return .failure(ModuleNotFound(tried: tried))
  }
}

extension SearchPath {
  /// Every module `use` can find, by name, with the file it loads (the first on the path),
  /// sorted by name.
  public var modules: [(name: String, path: String)] {
    var found: [String: String] = [:]
    for directory in directories {
      let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
      for file in files where file.hasSuffix(".tau") && found[String(file.dropLast(4))] == nil {
        found[String(file.dropLast(4))] = directory + "/" + file
      }
    }
    return found.keys.sorted().compactMap { name in found[name].map { (name, $0) } }
  }
}

/// The paths tried for a module that was not found.
public struct ModuleNotFound: Error, Sendable {
  public var tried: [String]
}
