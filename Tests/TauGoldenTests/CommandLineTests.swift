// The command line's contract: exit codes, --version, check, --json, files that cannot be read,
// and the interactive loop on piped input.
import Foundation
import TauTestSupport
import Testing

@Suite struct CommandLineTests {
  @Test func versionAndHelp() throws {
    let version = try runTau(["--version"])
    #expect(version.status == 0 && version.stdout == "0.1.0\n")
    let help = try runTau(["--help"])
    #expect(help.status == 0 && help.stdout.contains("run"))
  }

  @Test func usageErrorsExitWithTwo() throws {
    #expect(try runTau(["run"]).status == 2)
    #expect(try runTau(["run", "a.tau", "--no-such-flag"]).status == 2)
    #expect(try runTau(["frobnicate", "x"]).status == 2)
  }

  @Test func unreadableFilesExitWithOne() throws {
    let missing = try runTau(["run", "no/such/file.tau"])
    #expect(missing.status == 1)
    #expect(missing.stderr == "tau: error: cannot read 'no/such/file.tau': no such file\n")
    #expect(try runTau(["run", "examples"]).stderr.contains("it is a folder"))
  }

  /// A binary copied away from the standard library bundled beside it says so, with the way
  /// out, instead of stopping in the bundle lookup; with TAU_HOME it runs.
  @Test func aBinaryWithoutItsStandardLibraryExplainsItself() throws {
    let scratch = try TemporaryFolder("lonely")
    defer { scratch.remove() }
    let copy = scratch.url.appendingPathComponent("tau")
    try FileManager.default.copyItem(at: TauProcess.executable, to: copy)
    let script = scratch.url.appendingPathComponent("use.tau")
    try "use cells\nprint(1)\n".write(to: script, atomically: true, encoding: .utf8)
    func run(_ environment: [String: String]) throws -> (Int32, String) {
      let process = Process()
      process.executableURL = copy
      process.arguments = ["run", script.path]
      var merged = ProcessInfo.processInfo.environment
      merged.removeValue(forKey: "TAU_HOME")
      process.environment = merged.merging(environment) { $1 }
      let errors = Pipe()
      process.standardError = errors
      process.standardOutput = FileHandle.nullDevice
      try process.run()
      let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      process.waitUntilExit()
      return (process.terminationStatus, text)
    }
    let (status, stderr) = try run([:])
    #expect(status == 1)
    #expect(stderr.contains("set TAU_HOME"))
    #expect(try run(["TAU_HOME": packageRoot.path]).0 == 0)
  }

  @Test func checkParsesWithoutRunning() throws {
    let scratch = try TemporaryFolder("check")
    defer { scratch.remove() }
    let file = scratch.url.appendingPathComponent("check.tau")
    try "print(\"ran\")\nlet x = ".write(to: file, atomically: true, encoding: .utf8)
    let bad = try runTau(["check", file.path])
    #expect(bad.status == 1 && bad.stdout.isEmpty && bad.stderr.contains("2:9: error:"))
    try "print(\"ran\")\n".write(to: file, atomically: true, encoding: .utf8)
    let good = try runTau(["check", file.path])
    #expect(good.status == 0 && good.stdout.isEmpty)
  }

  @Test func jsonDiagnosticsCarryEveryField() throws {
    let scratch = try TemporaryFolder("json")
    defer { scratch.remove() }
    let file = scratch.url.appendingPathComponent("json.tau")
    try "let a = 1\nprint(sigmod(a))\n".write(to: file, atomically: true, encoding: .utf8)
    let run = try runTau(["run", file.path, "--json"])
    #expect(run.status == 1)
    let parsed = try JSONSerialization.jsonObject(with: Data(run.stderr.utf8)) as? [[String: Any]]
    let first = try #require(parsed?.first)
    #expect(first["id"] as? String == "name.unknown")
    #expect(first["line"] as? Int == 2 && first["column"] as? Int == 7)
    #expect(first["endColumn"] as? Int == 13)
    #expect(first["hint"] as? String == "did you mean 'sigmoid'?")
    #expect(first["severity"] as? String == "error")
  }

  @Test func scriptArgumentsReachTheScript() throws {
    let scratch = try TemporaryFolder("args")
    defer { scratch.remove() }
    let file = scratch.url.appendingPathComponent("args.tau")
    try "print(args())\n".write(to: file, atomically: true, encoding: .utf8)
    let run = try runTau(["run", file.path, "--", "--out", "/tmp/x", "3"])
    #expect(run.status == 0 && run.stdout == "[\"--out\", \"/tmp/x\", \"3\"]\n")
  }

  /// Scripts that run long at their last line, and what Ctrl-C there reports (after `tau: `,
  /// before ` at FILE:LINE:COLUMN`). The operator splits its work over both cores, and both
  /// lanes must stop: the whole call takes about 30 s in a debug build.
  @Test(arguments: [
    ("var n = 0", "for i in 1..1000000000 { n = n + 1 }", "interrupted before iteration ", 1),
    (
      "use cells\nlet net = rnn(leaky(gate: multi), hidden: 64, input: 2)\n"
        + "let batch = adding(length: 400, input: 2).batch(8)",
      "let S = sensitivity(net, batch)", "'sensitivity' interrupted", 9
    ),
  ])
  func ctrlCStopsAScriptPromptlyAndSaysWhere(
    _ setup: String, _ longLine: String, _ message: String, _ column: Int
  ) throws {
    let scratch = try TemporaryFolder("interrupt")
    defer { scratch.remove() }
    let folder = scratch.url
    let file = folder.appendingPathComponent("long.tau")
    let marker = folder.appendingPathComponent("started.csv")
    // The marker file tells the test that the long line is next.
    let script = "\(setup)\nexport({started: 1}, \"\(marker.path)\")\n\(longLine)\n"
    try script.write(to: file, atomically: true, encoding: .utf8)
    let line = script.split(separator: "\n").count
    let process = try TauProcess(["run", file.path])
    let deadline = ContinuousClock.now + .seconds(60)
    while !FileManager.default.fileExists(atPath: marker.path), ContinuousClock.now < deadline {
      Thread.sleep(forTimeInterval: 0.02)
    }
    // Into the long line: for `sensitivity`, past the Jacobians (~0.5 s) into the norms, where
    // both cores work on their own sequences.
    Thread.sleep(forTimeInterval: 1.5)
    process.interrupt()
    let interrupted = ContinuousClock.now
    let run = try process.finish(within: .seconds(30))
    #expect(ContinuousClock.now - interrupted < .seconds(10))
    #expect(run.status == 130)
    #expect(run.stderr.hasPrefix("tau: " + message), "\(run.stderr)")
    #expect(run.stderr.hasSuffix(" at \(file.path):\(line):\(column)\n"), "\(run.stderr)")
  }

  @Test func pipedLinesRunAsOneSession() throws {
    let lines = "let a = [1,\n2]\nlen(a)\nprint(nope)\na[1] + 1;\na[1] * 10\n_ + 1\n"
    let run = try runTau([], input: lines)
    // `;` suppresses the value; the error keeps `a`; `_` is 20.
    #expect(run.stdout == "2\n20\n21\n")
    #expect(run.stderr.contains("<repl>:1:7: error: unknown name 'nope'"))
  }
}

/// TAU_MEMORY_LIMIT as the user sets it: read by the real binary at start.
@Suite struct MemoryLimitTests {
  @Test func theEnvironmentSetsTheBudget() throws {
    let scratch = try TemporaryFolder("budget")
    defer { scratch.remove() }
    let file = scratch.url.appendingPathComponent("budget.tau")
    try "let t = zeros([1000, 1000])\nprint(len(t))\n".write(
      to: file, atomically: true, encoding: .utf8)
    let refused = try runTau(["run", file.path], environment: ["TAU_MEMORY_LIMIT": "1M"])
    #expect(refused.status == 1 && refused.stdout.isEmpty)
    #expect(
      refused.stderr.contains(
        "1:9: error: 'zeros' of a [1000×1000] f64 tensor needs 7.6 MiB (8000000 bytes), more than "
          + "the memory budget of 1.0 MiB (1048576 bytes); set TAU_MEMORY_LIMIT"),
      "\(refused.stderr)")
    let allowed = try runTau(["run", file.path], environment: ["TAU_MEMORY_LIMIT": "8M"])
    #expect(allowed.status == 0 && allowed.stdout == "1000\n" && allowed.stderr.isEmpty)
    let invalid = try runTau(["run", file.path], environment: ["TAU_MEMORY_LIMIT": "lots"])
    #expect(invalid.status == 0 && invalid.stdout == "1000\n")
    #expect(invalid.stderr.hasPrefix("tau: warning: TAU_MEMORY_LIMIT=lots is not a size"))
  }

  @Test func aListDoubledFortyTimesIsRefused() throws {
    let scratch = try TemporaryFolder("double")
    defer { scratch.remove() }
    let file = scratch.url.appendingPathComponent("double.tau")
    try "var l = [1]\nfor i in 1..40 { l = l + l }\nprint(len(l))\n".write(
      to: file, atomically: true, encoding: .utf8)
    let run = try runTau(["run", file.path], environment: ["TAU_MEMORY_LIMIT": "64M"])
    #expect(run.status == 1 && run.stdout.isEmpty)
    #expect(run.stderr.contains("2:22: error: '+' of a list of"), "\(run.stderr)")
  }
}

/// Ctrl-C in `tau run` ends the script, even inside `train` (which in the REPL returns the steps
/// done and lets the entry go on).
@Suite struct RunInterruptTests {
  @Test func ctrlCDuringTrainingEndsTheScriptAndKeepsWhatWasWritten() throws {
    let scratch = try TemporaryFolder("train-interrupt")
    defer { scratch.remove() }
    let folder = scratch.url
    let (file, marker) = (
      folder.appendingPathComponent("two.tau"), folder.appendingPathComponent("started.csv")
    )
    let (before, after) = (
      folder.appendingPathComponent("before.safetensors"),
      folder.appendingPathComponent("after.safetensors")
    )
    let training =
      "train(net, adding(length: 20, input: 2), sgd(lr: 0.01), steps: 100000000, batch: 4)"
    let script = """
      use cells
      use optimizers
      let net = rnn(leaky(gate: multi), hidden: 8, input: 2)
      save(net, "\(before.path)")
      export({started: 1}, "\(marker.path)")
      let first = \(training)
      save(first.model, "\(after.path)")
      let second = \(training)
      print("after")

      """
    try script.write(to: file, atomically: true, encoding: .utf8)
    let process = try TauProcess(["run", file.path])
    let deadline = ContinuousClock.now + .seconds(60)
    while !FileManager.default.fileExists(atPath: marker.path), ContinuousClock.now < deadline {
      Thread.sleep(forTimeInterval: 0.02)
    }
    Thread.sleep(forTimeInterval: 1)  // into the first training
    process.interrupt()
    let interrupted = ContinuousClock.now
    // A script that went on to the second training would run for hours: the time limit ends
    // it, and the test fails.
    let run = try process.finish(within: .seconds(20))
    #expect(ContinuousClock.now - interrupted < .seconds(10))
    #expect(run.status == 130)
    #expect(run.stderr.hasPrefix("tau: 'train' interrupted before step "), "\(run.stderr)")
    #expect(run.stderr.hasSuffix(" at \(file.path):6:13\n"), "\(run.stderr)")
    // Nothing after the interrupted line ran; the file saved before it loads as a model.
    #expect(run.stdout.isEmpty && !FileManager.default.fileExists(atPath: after.path))
    let check = folder.appendingPathComponent("check.tau")
    try "print(type(load(\"\(before.path)\")))\n".write(
      to: check, atomically: true, encoding: .utf8)
    let loaded = try runTau(["run", check.path])
    #expect(loaded.status == 0 && loaded.stdout == "model\n", "\(loaded.stderr)")
  }
}
