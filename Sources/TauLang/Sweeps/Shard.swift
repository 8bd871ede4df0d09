// Which part of a sweep this run does: shard i of N, from `tau run --shard i/N` or from a Slurm
// job array's variables, so that the engines researchers already use (job arrays, GNU parallel)
// split a script's loops without a scheduler of Tau's own.
import Foundation

/// Shard `index` (1 … count) of `count`.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
  public let index: Int
  public let count: Int

  public init(index: Int, count: Int) throws(ShardError) {
    guard count >= 1, (1...count).contains(index) else {
      throw ShardError("a shard is i/N with 1 ≤ i ≤ N, got \(index)/\(count)")
    }
    self.index = index
    self.count = count
  }

  /// "i/N", as `--shard` takes it.
  public init(parsing text: String) throws(ShardError) {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
      throw ShardError("--shard takes i/N (say 2/4), got '\(text)'")
    }
    try self.init(index: index, count: count)
  }

  /// The shard a Slurm job-array task runs, or nil outside a job array. The task's place in the
  /// array is (SLURM_ARRAY_TASK_ID - MIN) / STEP, and the shards are the array's tasks:
  /// SLURM_ARRAY_TASK_COUNT, or (MAX - MIN) / STEP + 1.
  public static func slurm(_ environment: [String: String]) throws(ShardError) -> Shard? {
    guard let idText = environment["SLURM_ARRAY_TASK_ID"] else { return nil }
    func number(_ name: String) throws(ShardError) -> Int? {
      guard let text = environment[name] else { return nil }
      guard let value = Int(text) else { throw ShardError("\(name)=\(text) is not a number") }
      return value
    }
    guard let id = Int(idText) else {
      throw ShardError("SLURM_ARRAY_TASK_ID=\(idText) is not a number")
    }
    guard let minimum = try number("SLURM_ARRAY_TASK_MIN") else {
      throw ShardError("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_MIN is not")
    }
    let step = try number("SLURM_ARRAY_TASK_STEP") ?? 1
    guard step >= 1, id >= minimum, (id - minimum) % step == 0 else {
      throw ShardError(
        "SLURM_ARRAY_TASK_ID=\(id) is not on the array's grid (MIN \(minimum), STEP \(step))")
    }
    let count: Int
    if let given = try number("SLURM_ARRAY_TASK_COUNT") {
      count = given
    } else if let maximum = try number("SLURM_ARRAY_TASK_MAX") {
      count = (maximum - minimum) / step + 1
    } else {
      throw ShardError(
        "SLURM_ARRAY_TASK_ID is set but neither SLURM_ARRAY_TASK_MAX nor SLURM_ARRAY_TASK_COUNT")
    }
    return try Shard(index: (id - minimum) / step + 1, count: count)
  }

  /// This shard's part of `items`: the i-th of N contiguous blocks, as equal as they can be
  /// (items ⌊(i-1)L/N⌋ ..< ⌊iL/N⌋). An item keeps its own value whatever N is, so a seed is the
  /// same seed in every sharding, and the shards' parts in order are the list.
  public func part<T>(of items: [T]) -> ArraySlice<T> {
    items[(index - 1) * items.count / count..<index * items.count / count]
  }

  /// "shard-i-of-N": what a shard adds to the names of the files it writes.
  public var description: String { "shard-\(index)-of-\(count)" }

  /// `path` with the shard before its extension: `out/s1.csv` → `out/s1.shard-2-of-4.csv`.
  public func fileName(_ path: String) -> String {
    let url = URL(fileURLWithPath: path)
    let ext = url.pathExtension
    guard !ext.isEmpty else { return path + "." + description }
    return String(path.dropLast(ext.count + 1)) + ".\(description).\(ext)"
  }
}

/// A `--shard` argument or Slurm variable that does not name a shard.
public struct ShardError: Error, Equatable {
  public let message: String
  init(_ message: String) { self.message = message }
}
