// Where the package is on disk, for tests that read its files (examples, docs, fixtures) or run
// the `tau` binary from its root.
import Foundation

/// The package root: this file is Tests/TauTestSupport/PackageRoot.swift.
public let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent()
