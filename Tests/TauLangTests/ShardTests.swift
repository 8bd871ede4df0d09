// Sweeps split into shards: `--shard i/N` and a Slurm job array's variables name the same
// shard, `shard(list)` partitions a list into contiguous blocks whatever N is, and the tables of
// shards 1 … N merged by `tau merge` are byte for byte those of the unsharded run; a missing or
// foreign shard is reported and nothing is written.
import Foundation
import Testing

@testable import TauLang

@Suite struct ShardTests {
  @Test func partsAreContiguousBalancedAndCoverTheList() throws {
    for length in 0...12 {
      let items = Array(0..<length)
      for count in 1...5 {
        let parts = try (1...count).map { try Shard(index: $0, count: count).part(of: items) }
        #expect(parts.flatMap { $0 } == items, "\(length) items in \(count) shards")
        let sizes = parts.map(\.count)
        #expect((sizes.max() ?? 0) - (sizes.min() ?? 0) <= 1)
      }
    }
  }

  @Test func slurmVariablesNameTheSameShardAsTheFlag() throws {
    let cases: [([String: String], String)] = [
      (
        ["SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "3"],
        "1/4"
      ),
      (
        ["SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_TASK_MIN": "5", "SLURM_ARRAY_TASK_MAX": "8"],
        "3/4"
      ),
      (
        ["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "20"],
        "2/20"
      ),
      (
        [
          "SLURM_ARRAY_TASK_ID": "6", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "8",
          "SLURM_ARRAY_TASK_STEP": "2",
        ], "4/5"
      ),
    ]
    for (environment, flag) in cases {
      #expect(try Shard.slurm(environment) == Shard(parsing: flag), "\(environment)")
    }
    #expect(try Shard.slurm([:]) == nil)
  }

  @Test(arguments: [
    (["SLURM_ARRAY_TASK_ID": "1"], "SLURM_ARRAY_TASK_MIN is not"),
    (["SLURM_ARRAY_TASK_ID": "x", "SLURM_ARRAY_TASK_MIN": "0"], "is not a number"),
    (["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_MIN": "0"], "neither SLURM_ARRAY_TASK_MAX"),
    (
      [
        "SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "4",
        "SLURM_ARRAY_TASK_STEP": "2",
      ],
      "not on the array's grid"
    ),
  ])
  func badSlurmVariablesAreExplained(_ environment: [String: String], _ message: String) {
    #expect {
      _ = try Shard.slurm(environment)
    } throws: { ($0 as? ShardError)?.message.contains(message) == true }
  }

  @Test(arguments: ["2", "0/3", "4/3", "a/b", "1/2/3"])
  func badFlagsAreRefused(_ text: String) {
    #expect(throws: ShardError.self) { try Shard(parsing: text) }
  }

  @Test func shardedFilesGetTheShardBeforeTheirExtension() throws {
    let shard = try Shard(index: 2, count: 4)
    #expect(shard.fileName("out/s1.csv") == "out/s1.shard-2-of-4.csv")
    #expect(shard.fileName("table") == "table.shard-2-of-4")
  }

  /// Runs the sweep (shard `shard`, or unsharded) with its tables in `folder`.
  private func sweep(_ folder: URL, shard: Shard?, arguments: [String] = []) throws {
    let source = """
      use cells
      var rows = []
      for seed in shard(1..5) {
        let net = rnn(leaky(), hidden: 3, input: 2, seed: seed)
        let e = efflr(net, adding(length: 8, input: 2, seed: seed).batch(2))
        rows = append(rows, {seed: seed, slope: e.slope, empirical: e.empirical})
      }
      export(rows, "\(folder.path)/table.csv")
      export(map(rows, fn(r) { {seed: r.seed, slope: r.slope} }), "\(folder.path)/slopes.json")
      """
    let interpreter = Interpreter()
    interpreter.shard = shard
    let run = runSnippet(source, interpreter: interpreter)
    guard run.diagnostics.isEmpty else { throw DiagnosticList(run.diagnostics) }
    if let shard {
      _ = try ShardManifest.write(
        script: "sweep.tau", source: source, arguments: arguments, shard: shard, tau: "test",
        seconds: 0, files: interpreter.shardFiles)
    }
  }

  private func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "tau-shards-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// 7 shards of 5 items: shards 1 and 4 have empty parts, write empty tables, and merge.
  @Test(arguments: [2, 3, 7])
  func mergedShardsAreTheUnshardedTables(_ count: Int) throws {
    let (whole, parts) = (try temporaryFolder(), try temporaryFolder())
    defer { for url in [whole, parts] { try? FileManager.default.removeItem(at: url) } }
    try sweep(whole, shard: nil)
    for index in 1...count { try sweep(parts, shard: try Shard(index: index, count: count)) }
    let merged = try ShardMerge.merge(folder: parts.path)
    #expect(
      merged.map { URL(fileURLWithPath: $0.path).lastPathComponent } == [
        "table.csv", "slopes.json",
      ])
    let wholeRows =
      try String(contentsOf: whole.appendingPathComponent("table.csv"), encoding: .utf8)
      .split(separator: "\n").count - 1
    #expect(merged.map(\.rows) == [wholeRows, 5])
    for name in ["table.csv", "slopes.json"] {
      let expected = try Data(contentsOf: whole.appendingPathComponent(name))
      #expect(try Data(contentsOf: parts.appendingPathComponent(name)) == expected, "\(name)")
    }
  }

  @Test func aTableEveryShardLeftEmptyIsReported() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let source = "export(shard([]), \"\(folder.path)/empty.csv\")"
    for index in 1...2 {
      let (interpreter, shard) = (Interpreter(), try Shard(index: index, count: 2))
      interpreter.shard = shard
      let run = runSnippet(source, interpreter: interpreter)
      #expect(run.diagnostics.isEmpty, "a shard exports an empty part")
      _ = try ShardManifest.write(
        script: "empty.tau", source: source, arguments: [], shard: shard, tau: "test",
        seconds: 0, files: interpreter.shardFiles)
    }
    #expect {
      _ = try ShardMerge.merge(folder: folder.path)
    } throws: { ($0 as? MergeError)?.message.contains("every shard's table is empty") == true }
  }

  @Test func aFinishedShardIsRecognisedOnlyForTheSameRun() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let shard = try Shard(index: 2, count: 3)
    #expect(
      ShardManifest.finished(
        in: folder.path, shard: shard, script: "sweep.tau", source: "", arguments: []) == nil)
    _ = try ShardManifest.write(
      script: "sweep.tau", source: "print(1)", arguments: ["--seeds", "4"], shard: shard,
      tau: "test", seconds: 1, files: [folder.appendingPathComponent("t.shard-2-of-3.csv").path])
    func finished(_ source: String, _ arguments: [String], _ other: Shard? = nil) -> Bool {
      ShardManifest.finished(
        in: folder.path, shard: other ?? shard, script: "sweep.tau", source: source,
        arguments: arguments) != nil
    }
    #expect(finished("print(1)", ["--seeds", "4"]))
    #expect(!finished("print(2)", ["--seeds", "4"]))
    #expect(!finished("print(1)", ["--seeds", "5"]))
    #expect(!finished("print(1)", ["--seeds", "4"], try Shard(index: 1, count: 3)))
  }

  @Test func aRunThatFailsAfterExportingLeavesNoOldManifest() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let shard = try Shard(index: 1, count: 2)
    try sweep(folder, shard: shard)
    let manifest = folder.appendingPathComponent(ShardManifest.fileName(shard)).path
    #expect(FileManager.default.fileExists(atPath: manifest))
    let interpreter = Interpreter()
    interpreter.shard = shard
    let run = runSnippet(
      "export([{a: 1}], \"\(folder.path)/table.csv\")\nerror(\"killed\")",
      interpreter: interpreter)
    #expect(!run.diagnostics.isEmpty, "the snippet stops with its error")
    #expect(!FileManager.default.fileExists(atPath: manifest))
  }

  @Test func aMissingOrForeignShardIsReportedAndNothingIsWritten() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    try sweep(folder, shard: try Shard(index: 1, count: 3))
    try sweep(folder, shard: try Shard(index: 3, count: 3))
    #expect {
      _ = try ShardMerge.merge(folder: folder.path)
    } throws: { ($0 as? MergeError)?.message.contains("shard 2 of 3 is missing") == true }
    try sweep(folder, shard: try Shard(index: 2, count: 3), arguments: ["--seeds", "9"])
    #expect {
      _ = try ShardMerge.merge(folder: folder.path)
    } throws: { ($0 as? MergeError)?.message.contains("differ in their arguments") == true }
    #expect(
      !FileManager.default.fileExists(atPath: folder.appendingPathComponent("table.csv").path))
  }
}
