// A sweep's items on every core: one worker process per item, `jobs` at a time. A worker is the
// same `tau run` of the same script and arguments with a task file: it runs the script silently
// up to the sweep (the calls before it replayed from the parent's results, not recomputed),
// computes its one item, writes it and exits. Processes rather than threads, because each then
// has its own interpreter, allocator and BLAS, and a crash or a stray state costs one item: the
// parent computes an item itself whenever its worker did not deliver it, so the results (and
// the first error, if any) are the ones a sequential run gets.
import Foundation

/// How `sweep` starts its workers (set by the `tau run` front end).
public struct SweepWorkers: Sendable {
  /// Items computed at once.
  public var jobs: Int
  /// The script's source as this run read it: a worker runs that, not the file, which may
  /// have been edited since.
  public var source: String
  /// The command line of a worker, given its task file.
  public var command: @Sendable (_ taskFile: String) -> [String]

  public init(
    jobs: Int, source: String, command: @escaping @Sendable (_ taskFile: String) -> [String]
  ) {
    self.jobs = jobs
    self.source = source
    self.command = command
  }
}

/// What one worker process computes: item `index` of the run's `call`-th sweep, whose list
/// (this run's part of it) has `itemCount` items and prints to `digest`.
public struct SweepWorkerTask: Codable, Sendable {
  /// The script's source, as the parent ran it.
  public let source: String
  let call: Int
  let index: Int
  let itemCount: Int
  let digest: String
  /// The file holding the items of the calls before this one, to replay.
  let earlierFile: String
  /// Where the worker writes its item.
  let resultFile: String
  /// Ends the worker once its item is written (set by the front end that read the task).
  var finished: @Sendable () -> Never = { exit(0) }

  private enum CodingKeys: String, CodingKey {
    case source, call, index, itemCount, digest, earlierFile, resultFile
  }

  /// The task in `file`, with the calls it replays.
  public static func read(_ file: String) throws -> (SweepWorkerTask, SweepRecord) {
    let task = try JSONDecoder().decode(
      SweepWorkerTask.self, from: try Data(contentsOf: URL(fileURLWithPath: file)))
    return (task, try SweepRecord.read(task.earlierFile))
  }

  /// A fingerprint of a list as the script made it: a worker whose prefix of the script made a
  /// different list (a file that changed in between, say) is not the parent's worker.
  static func digest(_ items: [Value]) -> String {
    ShardManifest.hash(items.map(describeShort).joined(separator: "\u{1F}"))
  }

  func writeResult(_ item: SweepItem) throws {
    try StoredValue.encoder.encode(item).write(
      to: URL(fileURLWithPath: resultFile), options: .atomic)
  }
}

extension Interpreter {
  /// Makes a worker process this task's, once the front end has read it from its file.
  public func runAsSweepWorker(_ task: SweepWorkerTask, replaying earlier: SweepRecord) {
    sweeps.task = task
    sweeps.replay = earlier.calls
  }

  func runInWorkers(
    _ selection: [Value], call: Int, _ workers: SweepWorkers, _ function: Value,
    _ args: CallArguments
  ) throws -> [SweepItem] {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "tau-sweep-\(ProcessInfo.processInfo.processIdentifier)-\(call)-\(UUID().uuidString.prefix(8))"
    )
    do {
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    } catch {
      // No room for task files: the items run here, one after another.
      return try selection.indices.map {
        try runItem(function, selection[$0], index: $0, forwarding: true, args)
      }
    }
    defer { try? FileManager.default.removeItem(at: folder) }
    let earlier = folder.appendingPathComponent("earlier.json").path
    try? SweepRecord(calls: sweeps.record).write(to: earlier)
    let digest = SweepWorkerTask.digest(selection)

    var running: [(process: Process, index: Int)] = []
    var delivered = [SweepItem?](repeating: nil, count: selection.count)
    var settled = [Bool](repeating: false, count: selection.count)
    var next = 0
    var results: [SweepItem] = []
    var reportedFailure = false
    func launch(_ index: Int) {
      let task = SweepWorkerTask(
        source: workers.source, call: call, index: index, itemCount: selection.count,
        digest: digest,
        earlierFile: earlier,
        resultFile: folder.appendingPathComponent("item-\(index).json").path)
      let taskFile = folder.appendingPathComponent("task-\(index).json").path
      let command = workers.command(taskFile)
      guard let executable = command.first else {
        settled[index] = true  // no worker to start: computed here when its turn comes
        return
      }
      let process = Process()
      process.executableURL = URL(fileURLWithPath: executable)
      process.arguments = Array(command.dropFirst())
      var environment = ProcessInfo.processInfo.environment
      environment["OPENBLAS_NUM_THREADS"] = "1"
      process.environment = environment
      process.standardInput = FileHandle.nullDevice
      process.standardOutput = FileHandle.nullDevice
      process.standardError = FileHandle.nullDevice
      do {
        try JSONEncoder().encode(task).write(to: URL(fileURLWithPath: taskFile))
        try process.run()
        running.append((process, index))
      } catch {
        settled[index] = true  // not started: computed here when its turn comes
      }
    }
    func collect() {
      running.removeAll { worker in
        guard !worker.process.isRunning else { return false }
        let file = folder.appendingPathComponent("item-\(worker.index).json")
        if worker.process.terminationStatus == 0, let data = try? Data(contentsOf: file) {
          delivered[worker.index] = try? StoredValue.decoder.decode(SweepItem.self, from: data)
        }
        settled[worker.index] = true
        return true
      }
    }
    func stopWorkers() {
      for worker in running { worker.process.interrupt() }
      for worker in running { worker.process.waitUntilExit() }
    }

    let activity = "sweep of \(selection.count) items on \(workers.jobs) cores"
    host.progress(.began(activity: activity))
    defer { host.progress(.ended(activity: activity)) }
    do {
      while results.count < selection.count {
        while running.count < workers.jobs, next < selection.count {
          launch(next)
          next += 1
        }
        collect()
        // The items in order, as far as they are settled: a delivered one is passed on, one
        // whose worker failed is computed here (its error, if it has one, is the run's).
        while results.count < selection.count, settled[results.count] {
          let index = results.count
          if let item = delivered[index] {
            host.write(item.output)
            shardFiles += item.shardFiles ?? []
            results.append(item)
          } else {
            results.append(
              try runItem(function, selection[index], index: index, forwarding: true, args))
            if !reportedFailure {
              reportedFailure = true
              host.report(
                Diagnostic(
                  "sweep.workerFailed",
                  "sweep: the worker process of item \(index + 1) did not deliver it, which then ran in this process (and so will any other such item)",
                  at: args.callRange, severity: .warning))
            }
          }
        }
        if results.count < selection.count {
          try checkInterrupt()
          usleep(2_000)
        }
      }
    } catch {
      stopWorkers()
      if error is Interrupted {
        throw Diagnostic.interrupted(
          "interrupted in sweep item \(results.count + 1) of \(selection.count)",
          at: args.callRange)
      }
      throw error
    }
    return results
  }
}
