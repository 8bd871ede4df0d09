// `tau run FILE`: parse, check and run a script.
import ArgumentParser
import Foundation
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

  @Argument(parsing: .postTerminator, help: "Arguments for the script.")
  var scriptArguments: [String] = []

  func run() throws {
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
    let file = file
    Console.installInterruptHandler()
    let started = Date()
    let status = withLargeStack { () -> Int32 in
      let interpreter = Interpreter(host: Console.host(json: json, quiet: quiet))
      interpreter.scriptArguments = scriptArguments
      interpreter.shard = chosen
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
            files: interpreter.shardFiles)
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
      order: exactly what one unsharded run writes. The shards' manifests \
      (tau-manifest.shard-i-of-N.json) must all be there and agree on the script, its source \
      and its arguments; otherwise nothing is written and the missing or mismatched shards \
      are named.
      """)

  @Argument(help: "The folder the shards exported their tables to.")
  var folder: String

  func run() throws {
    do {
      for table in try ShardMerge.merge(folder: folder) {
        print("\(table.path): \(table.rows) rows from \(table.shards) shards")
      }
    } catch {
      Console.writeError("tau: error: \(error.message)\n")
      throw ExitCode(1)
    }
  }
}
