// Writing what `plot` and `export` produce: the file name's extension is checked first, the
// parent folder is created if it is missing (only that one folder), and the bytes are written
// to a temporary file that is renamed into place, so a failure never leaves half a file.
import Foundation

enum OutputFile {
  /// The lower-cased extension of `path` if it is one of `allowed` (without dots); otherwise a
  /// `file.extension` error naming the extension found.
  static func checkExtension(
    _ path: String, allowed: [String], builtin: String, argument: String
  ) throws -> String {
    let found = URL(fileURLWithPath: path).pathExtension.lowercased()
    if allowed.contains(found) { return found }
    let wanted = allowed.map { "." + $0 }.joined(separator: " or ")
    throw PlotError(
      "file.extension",
      found.isEmpty
        ? "\(builtin) writes \(wanted) files, but '\(path)' has no extension"
        : "\(builtin) writes \(wanted) files, not .\(found) ('\(path)')",
      argument: argument)
  }

  /// Writes `data` to `path` atomically, creating its folder (and the folders above it, as
  /// `mkdir -p` does) if missing: `--out results/s1` works in a fresh checkout.
  static func write(_ data: Data, to path: String, argument: String) throws {
    let manager = FileManager.default
    let url = URL(fileURLWithPath: path)
    let parent = url.deletingLastPathComponent()
    var isFolder: ObjCBool = false
    if path.hasSuffix("/")
      || (manager.fileExists(atPath: url.path, isDirectory: &isFolder) && isFolder.boolValue)
    {
      throw unwritable(path, "it is a folder", argument: argument)
    }
    if !manager.fileExists(atPath: parent.path, isDirectory: &isFolder) {
      do {
        try manager.createDirectory(at: parent, withIntermediateDirectories: true)
      } catch {
        throw unwritable(
          path, "cannot create the folder '\(parent.path)': \(reason(error))", argument: argument)
      }
    } else if !isFolder.boolValue {
      throw unwritable(path, "'\(parent.path)' is not a folder", argument: argument)
    }
    do {
      try data.write(to: url, options: .atomic)
    } catch {
      throw unwritable(path, reason(error), argument: argument)
    }
  }

  private static func unwritable(_ path: String, _ why: String, argument: String) -> PlotError {
    PlotError("file.unwritable", "cannot write '\(path)': \(why)", argument: argument)
  }

  /// The operating system's reason ("permission denied"), lower-cased like Tau's messages.
  private static func reason(_ error: Error) -> String {
    let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
    let text: String
    if let underlying, underlying.domain == NSPOSIXErrorDomain {
      text = String(cString: strerror(Int32(underlying.code)))
    } else {
      text = error.localizedDescription
    }
    return text.prefix(1).lowercased() + text.dropFirst()
  }
}
