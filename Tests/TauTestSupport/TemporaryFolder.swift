// Scratch folders for tests that write files: each test gets its own, so tests running in
// parallel (and test runs of other checkouts on the same machine) never share a path, and the
// test removes it when it ends.
import Foundation

/// A new empty folder under the system's temporary directory, named `tau-PREFIX-UUID`:
///
///     let scratch = try TemporaryFolder("plot")
///     defer { scratch.remove() }
public struct TemporaryFolder: Sendable {
  public let url: URL
  public var path: String { url.path }

  public init(_ prefix: String) throws {
    url = FileManager.default.temporaryDirectory
      .appendingPathComponent("tau-\(prefix)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }

  /// Removes the folder and everything in it.
  public func remove() { try? FileManager.default.removeItem(at: url) }
}
