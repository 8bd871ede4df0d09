// The items of a run's `sweep` calls as a file: a shard leaves one beside its manifest, so that
// `tau merge` can re-run the script with every shard's items in place of computing them, and a
// sweep hands one to its workers, so that they replay the calls before theirs.
import Foundation

/// Every `sweep` call of a run, in call order, with its items (what each printed and returned).
public struct SweepRecord: Codable, Sendable {
  var calls: [[SweepItem]]

  /// The file a shard's record has beside its manifest.
  public static func fileName(_ shard: Shard) -> String { "tau-sweeps.\(shard).json" }

  /// Whether the run made any `sweep` call.
  public var isEmpty: Bool { calls.isEmpty }

  static func read(_ path: String) throws -> SweepRecord {
    try StoredValue.decoder.decode(
      SweepRecord.self, from: try Data(contentsOf: URL(fileURLWithPath: path)))
  }

  /// Writes the record to `path`, atomically.
  public func write(to path: String) throws {
    try StoredValue.encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
  }

  /// The shards' records (in shard order) as one run's: each call's items, shard after shard,
  /// which is the unsharded list's order since a shard's part is a contiguous block.
  static func joined(_ shards: [SweepRecord]) throws(MergeError) -> SweepRecord {
    guard let first = shards.first else { return SweepRecord(calls: []) }
    var calls = first.calls
    for (index, shard) in shards.enumerated().dropFirst() {
      guard shard.calls.count == first.calls.count else {
        throw MergeError(
          "shard \(index + 1) made \(shard.calls.count) sweep calls and shard 1 made \(first.calls.count); they are not one sweep"
        )
      }
      for call in calls.indices { calls[call] += shard.calls[call] }
    }
    return SweepRecord(calls: calls)
  }
}

extension Interpreter {
  /// What this run's `sweep` calls computed (its shard's part under a shard), for its manifest.
  public var sweepRecord: SweepRecord { SweepRecord(calls: sweeps.record) }

  /// Makes the run's `sweep` calls return `record`'s items, and what they printed, in place of
  /// computing them: how `tau merge` re-draws a sharded script's figures.
  public func replaySweeps(_ record: SweepRecord) { sweeps.replay = record.calls }
}
