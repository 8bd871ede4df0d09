// A sweep's items on every core: `jobs` worker processes, each computing items one after another
// as the parent hands it their indices. A worker is the same `tau run` of the same script and
// arguments with a task file: it runs the script silently up to the sweep (the calls before it
// replayed from the parent's results, not recomputed), then reads item indices on its standard
// input, computing and writing each, until the input ends. Processes rather than threads,
// because each then has its own interpreter, allocator and BLAS, and a crash or a stray state
// costs the item it was computing: the parent computes an item itself whenever its worker did not
// deliver it, so the results (and the first error, if any) are the ones a sequential run gets.
// A worker lives for the whole sweep rather than one item: a new process pays its start and,
// above all, the first touch of every page its item needs (about 1 s of an S2 run's 11 here).
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

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

/// What a worker process computes: items of the run's `call`-th sweep, whose list (this run's
/// part of it) has `itemCount` items and prints to `digest`; the indices come on its standard
/// input, one per line.
public struct SweepWorkerTask: Codable, Sendable {
  /// The script's source, as the parent ran it.
  public let source: String
  let call: Int
  let itemCount: Int
  let digest: String
  /// The file holding the items of the calls before this one, to replay.
  let earlierFile: String
  /// Where the worker writes item i, as `item-i.json`.
  let resultFolder: String
  /// Ends the worker once its input ends (set by the front end that read the task).
  var finished: @Sendable () -> Never = { exit(0) }

  private enum CodingKeys: String, CodingKey {
    case source, call, itemCount, digest, earlierFile, resultFolder
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

  func resultFile(_ index: Int) -> String {
    URL(fileURLWithPath: resultFolder).appendingPathComponent("item-\(index).json").path
  }

  /// Written atomically, so that a file the parent sees is whole.
  func writeResult(_ item: SweepItem, index: Int) throws {
    try StoredValue.encoder.encode(item).write(
      to: URL(fileURLWithPath: resultFile(index)), options: .atomic)
  }
}

/// A running worker process: the socket its item indices go to, and the item it computes.
private final class WorkerProcess {
  let process: Process
  let input: Int32
  var item: Int?
  var delivered = 0
  var inputClosed = false

  init(process: Process, input: Int32) {
    self.process = process
    self.input = input
  }

  /// Sends an item's index; false if the worker can no longer take it (it has exited).
  func send(_ index: Int) -> Bool {
    let line = Array("\(index)\n".utf8)
    // A socket rather than a pipe, so that a worker gone meanwhile is an error, not SIGPIPE.
    let sent = line.withUnsafeBytes {
      Glibc.send(input, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
    }
    return sent == line.count
  }

  /// Ends the worker's input: it exits once its current item is written.
  func closeInput() {
    guard !inputClosed else { return }
    inputClosed = true
    close(input)
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
    let task = SweepWorkerTask(
      source: workers.source, call: call, itemCount: selection.count,
      digest: SweepWorkerTask.digest(selection), earlierFile: earlier, resultFolder: folder.path)
    let taskFile = folder.appendingPathComponent("task.json").path
    let command = workers.command(taskFile)
    let haveTask =
      (try? JSONEncoder().encode(task).write(to: URL(fileURLWithPath: taskFile))) != nil

    var running: [WorkerProcess] = []
    var delivered = [SweepItem?](repeating: nil, count: selection.count)
    var settled = [Bool](repeating: false, count: selection.count)
    var next = 0
    var results: [SweepItem] = []
    var reportedFailure = false
    var replaced = 0
    func launch() -> WorkerProcess? {
      guard haveTask, let executable = command.first else { return nil }
      var ends: [Int32] = [0, 0]
      let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
      guard socketpair(AF_UNIX, type, 0, &ends) == 0 else { return nil }
      let process = Process()
      process.executableURL = URL(fileURLWithPath: executable)
      process.arguments = Array(command.dropFirst())
      var environment = ProcessInfo.processInfo.environment
      environment["OPENBLAS_NUM_THREADS"] = "1"
      process.environment = environment
      let childEnd = FileHandle(fileDescriptor: ends[1], closeOnDealloc: true)
      process.standardInput = childEnd
      process.standardOutput = FileHandle.nullDevice
      process.standardError = FileHandle.nullDevice
      do {
        try process.run()
      } catch {
        close(ends[0])
        return nil
      }
      try? childEnd.close()  // the child has its copy; the parent's would keep its input open
      return WorkerProcess(process: process, input: ends[0])
    }
    /// Gives the worker the next item, or ends its input when none is left (or it cannot take
    /// one: it then exits, and `collect` replaces it).
    func assign(_ worker: WorkerProcess) {
      guard next < selection.count, worker.send(next) else { return worker.closeInput() }
      worker.item = next
      next += 1
    }
    func collect() {
      for worker in running {
        if let index = worker.item,
          let data = FileManager.default.contents(atPath: task.resultFile(index))
        {
          delivered[index] = try? StoredValue.decoder.decode(SweepItem.self, from: data)
          settled[index] = true
          worker.item = nil
          worker.delivered += 1
          assign(worker)
        } else if !worker.process.isRunning {
          if let index = worker.item { settled[index] = true }  // computed here instead
          worker.item = nil
        }
      }
      let ended = running.filter { !$0.process.isRunning && $0.item == nil }
      running.removeAll { worker in ended.contains { $0 === worker } }
      for worker in ended {
        worker.closeInput()
        // A worker that had been delivering is replaced; one that never did is not retried.
        if worker.delivered > 0, next < selection.count, let replacement = launch() {
          replaced += 1
          running.append(replacement)
          assign(replacement)
        }
      }
      // No worker left: the items nobody took are computed here, in order.
      if running.isEmpty {
        while next < selection.count {
          settled[next] = true
          next += 1
        }
      }
    }
    /// Ends every worker's input (and, when `interrupting`, the worker) and waits for it.
    func stopWorkers(interrupting: Bool) {
      for worker in running {
        worker.closeInput()
        if interrupting { worker.process.interrupt() }
      }
      for worker in running { worker.process.waitUntilExit() }
    }

    for _ in 0..<Swift.min(workers.jobs, selection.count) {
      guard let worker = launch() else { break }
      running.append(worker)
      assign(worker)
    }
    let activity = "sweep of \(selection.count) items on \(workers.jobs) cores"
    host.progress(.began(activity: activity))
    defer { host.progress(.ended(activity: activity)) }
    do {
      while results.count < selection.count {
        collect()
        // The items in order, as far as they are settled: a delivered one is passed on, one
        // whose worker failed is computed here (its error, if it has one, is the run's).
        while results.count < selection.count, settled[results.count] {
          let index = results.count
          if let item = delivered[index] {
            passOn(item)
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
                  "sweep: the worker process computing item \(index + 1) did not deliver it, which then ran in this process (and so will any other such item)",
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
      stopWorkers(interrupting: true)
      if error is Interrupted {
        throw Diagnostic.interrupted(
          "interrupted in sweep item \(results.count + 1) of \(selection.count)",
          at: args.callRange)
      }
      throw error
    }
    stopWorkers(interrupting: false)
    if debugLevel >= 1 {
      let computedHere = delivered.filter { $0 == nil }.count
      host.debug(
        "sweep: \(selection.count) items on \(workers.jobs) workers, \(computedHere) computed here, \(replaced) worker\(replaced == 1 ? "" : "s") replaced\n"
      )
    }
    return results
  }
}
