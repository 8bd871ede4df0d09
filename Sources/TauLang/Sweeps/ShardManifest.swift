// What a shard leaves beside its tables: which script, source and arguments it ran, which shard
// it was, and the files it wrote, so that `tau merge` can check the shards belong together.
import Foundation

/// One shard's record, written as `tau-manifest.shard-i-of-N.json` in each folder it exported to.
public struct ShardManifest: Codable, Equatable, Sendable {
  public var script: String
  /// FNV-1a (64-bit) of the script's source, in hex: shards of an edited script do not merge.
  public var sourceHash: String
  public var arguments: [String]
  public var shard: Int
  public var shards: Int
  public var tau: String
  public var seconds: Double
  /// The files the shard exported into this folder (names only).
  public var files: [String]
  /// The file beside it holding the items of the shard's `sweep` calls (SweepRecord), if it
  /// made any: what `tau merge` re-runs the script's figures from.
  public var sweeps: String?

  public init(
    script: String, source: String, arguments: [String], shard: Shard, tau: String,
    seconds: Double, files: [String], sweeps: String? = nil
  ) {
    self.script = script
    sourceHash = Self.hash(source)
    self.arguments = arguments
    (self.shard, shards) = (shard.index, shard.count)
    self.tau = tau
    self.seconds = seconds
    self.files = files
    self.sweeps = sweeps
  }

  /// The manifest's file name for shard `shard`.
  public static func fileName(_ shard: Shard) -> String { "tau-manifest.\(shard).json" }

  /// Whether `source` is the script source this manifest's shard ran.
  public func matches(source: String) -> Bool { sourceHash == Self.hash(source) }

  static func hash(_ text: String) -> String {
    var value: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 {
      value ^= UInt64(byte)
      value = value &* 0x100_0000_01b3
    }
    return String(value, radix: 16)
  }

  /// The path of `shard`'s manifest in `folder` when it records a finished run of the same
  /// script, source and arguments; nil otherwise (none, unreadable, or from another run).
  public static func finished(
    in folder: String, shard: Shard, script: String, source: String, arguments: [String]
  ) -> String? {
    let path = URL(fileURLWithPath: folder).appendingPathComponent(fileName(shard)).path
    guard let data = FileManager.default.contents(atPath: path),
      let manifest = try? JSONDecoder().decode(ShardManifest.self, from: data),
      manifest.script == script, manifest.sourceHash == hash(source),
      manifest.arguments == arguments, manifest.shard == shard.index,
      manifest.shards == shard.count
    else { return nil }
    return path
  }

  /// Writes one manifest into each folder of `files` (the paths the shard exported), listing
  /// the files of that folder, with the shard's sweep record beside it when it made sweep
  /// calls; returns the manifests written.
  public static func write(
    script: String, source: String, arguments: [String], shard: Shard, tau: String,
    seconds: Double, files: [String], sweeps: SweepRecord? = nil
  ) throws -> [String] {
    var byFolder: [String: [String]] = [:]
    for file in files {
      let url = URL(fileURLWithPath: file)
      let folder = url.deletingLastPathComponent().path
      if byFolder[folder]?.contains(url.lastPathComponent) != true {
        byFolder[folder, default: []].append(url.lastPathComponent)
      }
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    return try byFolder.keys.sorted().map { folder in
      let recordName = sweeps.flatMap { $0.isEmpty ? nil : SweepRecord.fileName(shard) }
      if let sweeps, let recordName {
        try sweeps.write(to: URL(fileURLWithPath: folder).appendingPathComponent(recordName).path)
      }
      let manifest = ShardManifest(
        script: script, source: source, arguments: arguments, shard: shard, tau: tau,
        seconds: seconds, files: byFolder[folder] ?? [], sweeps: recordName)
      let path = URL(fileURLWithPath: folder).appendingPathComponent(fileName(shard)).path
      try encoder.encode(manifest).write(to: URL(fileURLWithPath: path), options: .atomic)
      return path
    }
  }
}
