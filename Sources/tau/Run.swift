// `tau run FILE`: parse, check and run a script.
import ArgumentParser
import Foundation
import TauDynamics
import TauLang

struct Run: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run a Tau script.",
    discussion: "Arguments after -- are passed to the script.")

  @Argument(help: "The .tau file to run.")
  var file: String

  @Flag(help: "Print diagnostics as JSON (on standard error).")
  var json = false

  @Flag(help: "Print no progress lines on standard error.")
  var quiet = false

  @Option(
    help: ArgumentHelp(
      "Run shard i of N of the script's shard(list) loops (i/N); without it, a Slurm job array's SLURM_ARRAY_TASK_* variables choose the shard.",
      valueName: "i/N"))
  var shard: String?

  @Option(
    help: ArgumentHelp(
      "With a shard: skip the run when FOLDER holds this shard's manifest from the same script, source and arguments (a finished shard).",
      valueName: "FOLDER"))
  var resume: String?

  @Option(
    help: ArgumentHelp(
      "Compute this many of a sweep(items, fn)'s items at once, each in a process of its own (default: one per core).",
      valueName: "N"))
  var jobs: Int?

  // A worker process of a sweep (SweepWorkers.swift): the task file says which item it computes.
  @Option(help: .hidden)
  var sweepWorker: String?

  @Argument(parsing: .postTerminator, help: "Arguments for the script.")
  var scriptArguments: [String] = []

  func run() throws {
    if let sweepWorker { try runWorker(sweepWorker) }
    let source = try Console.readSource(file)
    let json = json
    let scriptArguments = scriptArguments
    let quiet = quiet
    let chosen: Shard?
    do throws(ShardError) {
      if let shard {
        chosen = try Shard(parsing: shard)
      } else {
        chosen = try Shard.slurm(ProcessInfo.processInfo.environment)
      }
    } catch {
      Console.writeError("tau: error: \(error.message)\n")
      throw ExitCode(2)
    }
    if let resume {
      guard let chosen else {
        Console.writeError(
          "tau: error: --resume needs a shard (--shard i/N or a Slurm job array)\n")
        throw ExitCode(2)
      }
      if let done = ShardManifest.finished(
        in: resume, shard: chosen, script: file, source: source.text, arguments: scriptArguments)
      {
        Console.writeError(
          "tau: shard \(chosen.index)/\(chosen.count) finished already (\(done)); skipped\n")
        return
      }
    }
    let jobs = jobs ?? ProcessInfo.processInfo.activeProcessorCount
    guard jobs >= 1 else {
      Console.writeError("tau: error: --jobs takes a count of at least 1, got \(jobs)\n")
      throw ExitCode(2)
    }
    let file = file
    let workerCommand = workerCommand(shard: chosen)
    Console.installInterruptHandler()
    let started = Date()
    let status = withLargeStack { () -> Int32 in
      let interpreter = Interpreter(host: Console.host(json: json, quiet: quiet))
      interpreter.scriptArguments = scriptArguments
      interpreter.shard = chosen
      interpreter.sweepWorkers = SweepWorkers(
        jobs: jobs, source: source.text, command: workerCommand)
      // Ctrl-C ends a script where it is: the rest of it would run on a half-done result.
      interpreter.interruptEndsProgram = true
      do throws(DiagnosticList) {
        try interpreter.run(source)
        guard let chosen else { return 0 }
        // Written last, so a manifest says the shard finished.
        do {
          _ = try ShardManifest.write(
            script: file, source: source.text, arguments: scriptArguments, shard: chosen,
            tau: tauVersion, seconds: Date().timeIntervalSince(started),
            files: interpreter.shardFiles, sweeps: interpreter.sweepRecord)
        } catch {
          Console.writeError("tau: error: cannot write the shard's manifest: \(error)\n")
          return 1
        }
        return 0
      } catch {
        if let stop = error.diagnostics.first(where: \.isInterruption) {
          Console.writeError("tau: \(stop.message) at \(stop.location)\n")
          return 130
        }
        Console.report(error.diagnostics, json: json)
        return 1
      }
    }
    if status != 0 { throw ExitCode(status) }
  }

  /// How a sweep of this run starts a worker: this binary, on this script and its arguments,
  /// with the worker's task file (and this run's shard, which the script's `shard` calls see).
  private func workerCommand(shard: Shard?) -> @Sendable (String) -> [String] {
    let executable =
      (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
      ?? CommandLine.arguments[0]
    let head =
      [executable, "run", file, "--quiet"]
      + (shard.map { ["--shard", "\($0.index)/\($0.count)"] } ?? [])
    let tail = ["--"] + scriptArguments
    return { taskFile in head + ["--sweep-worker", taskFile] + tail }
  }

  /// A sweep's worker: runs the script silently up to its sweep, computes its item, writes it
  /// and exits 0 (SweepWorkerTask.finished); any other end is a failure the parent recovers
  /// from by computing the item itself.
  private func runWorker(_ taskFile: String) throws -> Never {
    guard let (task, earlier) = try? SweepWorkerTask.read(taskFile) else { throw ExitCode(2) }
    let source = SourceFile(name: file, text: task.source)
    let scriptArguments = scriptArguments
    let shard = try? shard.map { text throws(ShardError) in try Shard(parsing: text) }
    // The cores are the sweep's: one worker per core, each on one thread.
    Lanes.runSequentially = true
    Console.installInterruptHandler()
    let status = withLargeStack { () -> Int32 in
      let interpreter = Interpreter()
      interpreter.scriptArguments = scriptArguments
      interpreter.shard = shard
      interpreter.interruptEndsProgram = true
      interpreter.runAsSweepWorker(task, replaying: earlier)
      do throws(DiagnosticList) {
        try interpreter.run(source)
        return 3  // the script ended before it reached the worker's sweep
      } catch {
        return 1
      }
    }
    throw ExitCode(status)
  }
}

/// `tau check FILE`: parse and check without running; `--validate` also builds and checks every
/// gate and cell the file declares.
struct Check: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Parse and check a Tau script without running it.",
    discussion: """
      With --validate, every gate and cell of the file (a plugin, say) is built at two sizes \
      and checked: shapes, gate values in their range, no NaN, and the derived Jacobian (full \
      and gates frozen) against finite differences. One line per declaration; exit status 1 \
      when a check fails. None of the file's statements run, only its declarations are bound.
      """)

  @Argument(help: "The .tau file to check.")
  var file: String

  @Flag(help: "Build and check every gate and cell the file declares.")
  var validate = false

  @Flag(help: "Print diagnostics as JSON (on standard error).")
  var json = false

  func run() throws {
    let source = try Console.readSource(file)
    let (json, validate) = (json, validate)
    let failed = withLargeStack { () -> Bool in
      let interpreter = Interpreter()  // silent: the checks report what they find themselves
      do throws(DiagnosticList) {
        guard validate else {
          try interpreter.check(source)
          return false
        }
        let checks = try interpreter.validateDeclarations(in: source)
        for check in checks { print(check.line) }
        if checks.isEmpty { print("no gate or cell declared in \(source.name)") }
        let problems = checks.flatMap(\.diagnostics)
        if !problems.isEmpty { Console.report(problems, json: json) }
        return !problems.isEmpty
      } catch {
        Console.report(error.diagnostics, json: json)
        return true
      }
    }
    if failed { throw ExitCode(1) }
  }
}

/// `tau merge DIR`: a sharded sweep's tables put back together.
struct Merge: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Merge the tables the shards of a sweep wrote into a folder.",
    discussion: """
      Every NAME.shard-i-of-N.csv (or .json) in DIR becomes NAME.csv, the shards' rows in \
      order: exactly what one unsharded run writes. When the script computed its results \
      with sweep(items, fn), it is then run again with every shard's items in place of \
      computing them, so that it prints and draws what the unsharded run does. The shards' \
      manifests \
      (tau-manifest.shard-i-of-N.json) must all be there and agree on the script, its source \
      and its arguments; otherwise nothing is written and the missing or mismatched shards \
      are named.
      """)

  @Argument(help: "The folder the shards exported their tables to.")
  var folder: String

  @Flag(help: "Merge the tables only; do not re-run the script's figures from its sweeps.")
  var tablesOnly = false

  func run() throws {
    let replay: (script: SourceFile, manifest: ShardManifest, record: SweepRecord)?
    do {
      replay = try tablesOnly ? nil : scriptToReplay()
      for table in try ShardMerge.merge(folder: folder) {
        Console.writeError("\(table.path): \(table.rows) rows from \(table.shards) shards\n")
      }
    } catch {
      Console.writeError("tau: error: \(error.message)\n")
      throw ExitCode(1)
    }
    guard let replay else { return }
    Console.writeError("re-running \(replay.manifest.script) on the shards' sweep results\n")
    Console.installInterruptHandler()
    let status = withLargeStack { () -> Int32 in
      let interpreter = Interpreter(host: Console.host(json: false, quiet: false))
      interpreter.scriptArguments = replay.manifest.arguments
      interpreter.writableFolder = folder
      interpreter.interruptEndsProgram = true
      interpreter.replaySweeps(replay.record)
      do throws(DiagnosticList) {
        try interpreter.run(replay.script)
        return 0
      } catch {
        Console.report(error.diagnostics, json: false)
        return 1
      }
    }
    if status != 0 { throw ExitCode(status) }
  }

  /// The script the shards ran, when they made sweep calls: checked before anything is written,
  /// so that an edited or missing script stops the merge rather than drawing other figures.
  private func scriptToReplay() throws(MergeError) -> (
    script: SourceFile, manifest: ShardManifest, record: SweepRecord
  )? {
    guard let (manifest, record) = try ShardMerge.sweepReplay(folder: folder) else { return nil }
    guard let data = FileManager.default.contents(atPath: manifest.script),
      let text = String(data: data, encoding: .utf8)
    else {
      throw MergeError(
        "the shards ran \(manifest.script), which cannot be read from here to re-draw its figures (run tau merge from where the shards ran, or pass --tables-only)"
      )
    }
    guard manifest.matches(source: text) else {
      throw MergeError(
        "\(manifest.script) changed since the shards ran it; its figures would not be the shards' (restore it, or pass --tables-only)"
      )
    }
    return (SourceFile(name: manifest.script, text: text), manifest, record)
  }
}
