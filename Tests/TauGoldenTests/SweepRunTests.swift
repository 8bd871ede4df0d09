// `sweep` through the real binary: worker processes give what one process gives (output, tables,
// figures, and the first error), and shards merged by `tau merge` re-draw the unsharded run's
// figures and print its output; an edited script is not re-run.
import Foundation
import TauTestSupport
import Testing

@Suite struct SweepRunTests {
  private let script = "Tests/Sweeps/sweep.tau"
  private let files = ["efflr.csv", "slopes.json", "profiles.svg"]

  private func contents(_ folder: TemporaryFolder, _ name: String) throws -> Data {
    try Data(contentsOf: folder.url.appendingPathComponent(name))
  }

  @Test func workersGiveWhatOneProcessGives() throws {
    let (one, two) = (try TemporaryFolder("sweep-1"), try TemporaryFolder("sweep-2"))
    defer { for folder in [one, two] { folder.remove() } }
    let sequential = try runTau([
      "run", script, "--jobs", "1", "--", "--out", one.path, "--seeds", "4",
    ])
    let parallel = try runTau([
      "run", script, "--jobs", "3", "--", "--out", two.path, "--seeds", "4",
    ])
    #expect(sequential.status == 0 && parallel.status == 0, "\(parallel.stderr)")
    #expect(sequential.stdout.hasPrefix("seed 1 slope"))
    #expect(parallel.stdout == sequential.stdout)
    #expect(!parallel.stderr.contains("did not deliver"), "every worker delivered its item")
    for name in files { #expect(try contents(two, name) == contents(one, name), "\(name)") }
  }

  @Test func aFailingItemIsReportedAsASequentialRunReportsIt() throws {
    let scratch = try TemporaryFolder("sweep-error")
    defer { scratch.remove() }
    let file = scratch.url.appendingPathComponent("fails.tau")
    try """
    let r = sweep(1..4, fn(i) {
      print("item", i)
      if i >= 3 { error("item " + str(i) + " fails") }
      i
    })
    """.write(to: file, atomically: true, encoding: .utf8)
    let runs = try ["1", "2"].map { try runTau(["run", file.path, "--jobs", $0, "--quiet"]) }
    #expect(runs.map(\.status) == [1, 1])
    #expect(runs[0].stdout == "item 1\nitem 2\nitem 3\n")
    #expect(runs[0].stderr.contains("error: item 3 fails"))
    #expect(runs[1].stdout == runs[0].stdout && runs[1].stderr == runs[0].stderr)
  }

  @Test func workersPassOnWhatTheirItemsReportAndDraw() throws {
    let scratch = try TemporaryFolder("sweep-notes")
    defer { scratch.remove() }
    let file = scratch.url.appendingPathComponent("notes.tau")
    try """
    use cells
    gate two { 2 }
    let r = sweep(1..3, fn(i) {
      print("item", i)
      let net = rnn(leaky(gate: two), hidden: 2, input: 1, seed: i)
      plot({x: tensor([1, 2, 3]), y: tensor([1, 2, 3]) * i}, title: "item " + str(i))
      print("after", i)
      i
    })
    """.write(to: file, atomically: true, encoding: .utf8)
    let runs = try ["1", "2"].map { try runTau(["run", file.path, "--jobs", $0, "--quiet"]) }
    #expect(runs.map(\.status) == [0, 0], "\(runs[1].stderr)")
    #expect(runs[0].stderr.components(separatedBy: "warning: gate 'two'").count == 4)
    #expect(runs[0].stdout.components(separatedBy: "item 2").count == 3, "printed and charted")
    #expect(runs[1].stdout == runs[0].stdout && runs[1].stderr == runs[0].stderr)
  }

  @Test func workersThatDieAreReplacedAndTheirItemsComputedHere() throws {
    let (one, two) = (try TemporaryFolder("sweep-dies-1"), try TemporaryFolder("sweep-dies-2"))
    defer { for folder in [one, two] { folder.remove() } }
    let sequential = try runTau([
      "run", script, "--jobs", "1", "--", "--out", one.path, "--seeds", "5",
    ])
    // Each worker delivers one item and dies holding its second: those items run in the
    // script's process, and every worker that delivered is replaced.
    let dying = try runTau(
      ["run", script, "--jobs", "2", "--", "--out", two.path, "--seeds", "5"],
      environment: ["TAU_TEST_WORKER_EXITS_AFTER": "1", "TAU_DEBUG": "1"])
    #expect(sequential.status == 0 && dying.status == 0, "\(dying.stderr)")
    #expect(dying.stdout == sequential.stdout)
    #expect(dying.stderr.components(separatedBy: "did not deliver").count == 2, "warned once")
    // How the sweep went (TAU_DEBUG=1): some items here, and at least one worker replaced.
    let summary = try #require(
      dying.stderr.split(separator: "\n").first { $0.hasPrefix("sweep: 5 items on 2 workers") })
    let counts = summary.split(separator: " ").compactMap { Int($0) }
    #expect(counts.count == 4 && counts[2] >= 1 && counts[3] >= 1, "\(summary)")
    for name in files { #expect(try contents(two, name) == contents(one, name), "\(name)") }
  }

  @Test func mergedShardsRedrawTheUnshardedFigures() throws {
    let (whole, parts) = (try TemporaryFolder("sweep-whole"), try TemporaryFolder("sweep-parts"))
    defer { for folder in [whole, parts] { folder.remove() } }
    let unsharded = try runTau(["run", script, "--", "--out", whole.path, "--seeds", "3"])
    for shard in ["1/2", "2/2"] {
      let run = try runTau(
        ["run", script, "--shard", shard, "--", "--out", parts.path, "--seeds", "3"])
      #expect(run.status == 0 && !run.stdout.contains("mean slope"), "\(run.stderr)")
    }
    let merged = try runTau(["merge", parts.path])
    #expect(merged.status == 0, "\(merged.stderr)")
    #expect(merged.stdout == unsharded.stdout)
    for name in files { #expect(try contents(parts, name) == contents(whole, name), "\(name)") }
  }

  @Test func filesAWorkerExportsAreInTheShardsManifest() throws {
    let parts = try TemporaryFolder("sweep-files")
    defer { parts.remove() }
    let file = parts.url.appendingPathComponent("files.tau")
    try """
    let r = sweep(1..2, fn(i) { export([{i: i}], "\(parts.path)/item" + str(i) + ".csv") })
    """.write(to: file, atomically: true, encoding: .utf8)
    let run = try runTau(["run", file.path, "--shard", "1/1", "--jobs", "2"])
    #expect(run.status == 0, "\(run.stderr)")
    let manifest = try String(
      contentsOf: parts.url.appendingPathComponent("tau-manifest.shard-1-of-1.json"),
      encoding: .utf8)
    #expect(
      manifest.contains("item1.shard-1-of-1.csv") && manifest.contains("item2.shard-1-of-1.csv"))
  }

  @Test func aMergeReRunWritesOnlyInsideTheMergedFolder() throws {
    let (parts, elsewhere) = (try TemporaryFolder("sweep-own"), try TemporaryFolder("sweep-away"))
    defer { for folder in [parts, elsewhere] { folder.remove() } }
    for shard in ["1/2", "2/2"] {
      let run = try runTau(
        ["run", script, "--shard", shard, "--", "--out", parts.path, "--seeds", "2"])
      #expect(run.status == 0, "\(run.stderr)")
    }
    // Manifests from someone else: the same script, arguments that write elsewhere.
    for index in 1...2 {
      let url = parts.url.appendingPathComponent("tau-manifest.shard-\(index)-of-2.json")
      let text = try String(contentsOf: url, encoding: .utf8)
      let escaped = { (path: String) in path.replacingOccurrences(of: "/", with: "\\/") }
      let forged = text.replacingOccurrences(of: escaped(parts.path), with: escaped(elsewhere.path))
      #expect(forged != text, "the manifest records the arguments")
      try forged.write(to: url, atomically: true, encoding: .utf8)
    }
    let merged = try runTau(["merge", parts.path])
    #expect(
      merged.status == 1 && merged.stderr.contains("outside \(parts.path)"), "\(merged.stderr)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path).isEmpty)
  }

  @Test func anEditedScriptIsNotReRun() throws {
    let parts = try TemporaryFolder("sweep-edited")
    defer { parts.remove() }
    let file = parts.url.appendingPathComponent("edited.tau")
    let source = "let r = sweep(1..2, fn(i) { i })\nexport([{r: r}], \"\(parts.path)/t.csv\")\n"
    try source.write(to: file, atomically: true, encoding: .utf8)
    for shard in ["1/2", "2/2"] {
      #expect(try runTau(["run", file.path, "--shard", shard]).status == 0)
    }
    try (source + "print(1)\n").write(to: file, atomically: true, encoding: .utf8)
    let merged = try runTau(["merge", parts.path])
    #expect(merged.status == 1 && merged.stderr.contains("changed since the shards ran it"))
    #expect(!FileManager.default.fileExists(atPath: parts.url.appendingPathComponent("t.csv").path))
    #expect(try runTau(["merge", "--tables-only", parts.path]).status == 0)
  }
}
