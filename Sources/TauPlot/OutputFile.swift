// Writing figures and tables: the file name's extension is checked first, missing folders are
// created (as `mkdir -p` does), and the bytes are written to a temporary file that is renamed
// into place, so a failure never leaves half a file.
import Foundation

/// The files that figures and tables are written to.
public enum OutputFile {
  /// The lower-cased extension of `path` if it is one of `allowed` (lower-case, without dots);
  /// otherwise a `.wrongExtension` error naming `writer` (the tool that writes such files, as
  /// in "plot writes .svg files") and the extension found.
  public static func checkedExtension(
    of path: String, allowed: [String], writer: String
  ) throws(PlotError) -> String {
    let found = URL(fileURLWithPath: path).pathExtension.lowercased()
    if allowed.contains(found) { return found }
    let wanted = allowed.map { "." + $0 }.joined(separator: " or ")
    throw PlotError(
      .wrongExtension,
      found.isEmpty
        ? "\(writer) writes \(wanted) files, but '\(path)' has no extension"
        : "\(writer) writes \(wanted) files, not .\(found) ('\(path)')")
  }

  /// Writes `data` to `path` atomically, creating its folder (and the folders above it, as
  /// `mkdir -p` does) if missing: `--out results/s1` works in a fresh checkout. Throws an
  /// `.unwritable` error when `path` is a folder or cannot be written, with the system's reason.
  public static func write(_ data: Data, to path: String) throws(PlotError) {
    let manager = FileManager.default
    let url = URL(fileURLWithPath: path)
    let parent = url.deletingLastPathComponent()
    var isFolder: ObjCBool = false
    if path.hasSuffix("/")
      || (manager.fileExists(atPath: url.path, isDirectory: &isFolder) && isFolder.boolValue)
    {
      throw unwritable(path, "it is a folder")
    }
    if !manager.fileExists(atPath: parent.path, isDirectory: &isFolder) {
      do {
        try manager.createDirectory(at: parent, withIntermediateDirectories: true)
      } catch {
        throw unwritable(
          path, "cannot create the folder '\(parent.path)': \(reason(error))")
      }
    } else if !isFolder.boolValue {
      throw unwritable(path, "'\(parent.path)' is not a folder")
    }
    do {
      try data.write(to: url, options: .atomic)
    } catch {
      throw unwritable(path, reason(error))
    }
  }

  private static func unwritable(_ path: String, _ why: String) -> PlotError {
    PlotError(.unwritable, "cannot write '\(path)': \(why)")
  }

  /// The operating system's reason ("permission denied"), lower-cased like the other messages.
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
