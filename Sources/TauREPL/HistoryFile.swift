// The REPL's history on disk: `~/.tau_history`, or the file `TAU_HISTORY` names. Entries may
// span lines (a gate typed over five lines comes back as one entry), so the format is like
// Julia's: a `#` line before each entry, then each of its lines after a tab. Plain lines without a tab (a
// file readline wrote) read as one entry each.
import Foundation

/// A history file: at most `limit` entries, each kept once (a repeated entry moves to the end).
public struct HistoryFile: Sendable {
  public let path: String
  public let limit: Int

  public init(path: String, limit: Int = 1000) {
    self.path = path
    self.limit = Swift.max(1, limit)
  }

  /// `TAU_HISTORY`, else `~/.tau_history`; `TAU_HISTORY_SIZE` overrides the 1000-entry limit.
  public static func standard(
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) -> HistoryFile {
    let path =
      environment["TAU_HISTORY"]
      ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.tau_history"
    let limit = environment["TAU_HISTORY_SIZE"].flatMap { Int($0) } ?? 1000
    return HistoryFile(path: path, limit: limit)
  }

  /// The entries on disk, oldest first; none if the file does not exist or cannot be read.
  public func entries() -> [String] {
    guard let data = FileManager.default.contents(atPath: path) else { return [] }
    return Self.decode(String(decoding: data, as: UTF8.self))
  }

  /// Adds `entry` to the file, merging with what is there now (another session may have
  /// written since this one started), removing its earlier copies and trimming to the limit.
  /// The file is replaced atomically and readable only by its owner.
  public func append(_ entry: String) throws {
    try write(Self.merging(entries(), with: entry, limit: limit))
  }

  /// `entries` followed by `entry`, each entry once (the latest copy kept), at most `limit`.
  public static func merging(_ entries: [String], with entry: String, limit: Int) -> [String] {
    let merged = entries.filter { $0 != entry } + [entry]
    return Array(merged.suffix(limit))
  }

  private func write(_ entries: [String]) throws {
    let text = entries.map(Self.encode).joined()
    let url = URL(fileURLWithPath: path)
    let temporary = url.deletingLastPathComponent()
      .appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
    guard
      FileManager.default.createFile(
        atPath: temporary.path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
    else {
      throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary.path])
    }
    guard rename(temporary.path, path) == 0 else {
      let reason = String(cString: strerror(errno))
      try? FileManager.default.removeItem(at: temporary)
      throw CocoaError(
        .fileWriteUnknown, userInfo: [NSFilePathErrorKey: path, NSLocalizedDescriptionKey: reason])
    }
  }

  /// `#`, then the entry's lines, each after a tab.
  static func encode(_ entry: String) -> String {
    "#\n"
      + entry.split(separator: "\n", omittingEmptySubsequences: false)
      .map { "\t\($0)\n" }.joined()
  }

  static func decode(_ text: String) -> [String] {
    var entries: [String] = []
    var current: [Substring]?
    func finish() {
      if let lines = current, !lines.isEmpty { entries.append(lines.joined(separator: "\n")) }
      current = nil
    }
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      if line.hasPrefix("\t") {
        current = (current ?? []) + [line.dropFirst()]
      } else if line.hasPrefix("#") {
        finish()
        current = []
      } else if !line.isEmpty {
        finish()
        entries.append(String(line))
      }
    }
    finish()
    // Deduplicate as `append` does, in case the file was edited by hand.
    var seen = Set<String>()
    return entries.reversed().filter { seen.insert($0).inserted }.reversed()
  }
}
