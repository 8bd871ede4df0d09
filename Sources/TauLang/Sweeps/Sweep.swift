// `sweep(items, fn)`: map over a script's independent runs (seeds, configs), computed where they
// can be: on every core of this machine (worker processes, each with single-threaded BLAS), on
// the shard of a job array this run is (`--shard i/N`), or not at all when `tau merge` re-runs
// the script's figures from the results the shards left. Whatever computed them, the items come
// back in list order, bit for bit what one process running them one after another gets, with
// what each printed printed in that order.
//
// That holds because an item is a function of its input alone: it may not assign a variable
// made before it began nor draw from a random stream made before it began (both would be state
// a worker process does not share), and it returns data, which travels between processes
// exactly (StoredValue.swift).
import Foundation
import TauTensor

/// One item of a sweep as it ran: what it printed and what it returned, the files it exported
/// under a shard's names (for the shard's manifest, when a worker wrote them), and the warnings
/// and charts it produced (shown again where the item was computed elsewhere).
struct SweepItem: Codable, Sendable {
  let output: String
  let value: StoredValue
  var shardFiles: [String]? = nil
  var notes: [SweepNote]? = nil
}

/// What `sweep` knows of a run.
struct SweepState {
  /// The `sweep` calls made so far.
  var calls = 0
  /// Each call's items as this run has them (its shard's part under a shard), in call order.
  var record: [[SweepItem]] = []
  /// Items to return instead of computing them, by call: all shards' items when `tau merge`
  /// re-runs a script, the calls before its own in a worker process.
  var replay: [[SweepItem]]?
  /// In a worker process: the call and item it computes.
  var task: SweepWorkerTask?
  /// While an item runs: the creation serial of the first scope made inside it. Scopes and
  /// streams made earlier are outside the item.
  var itemStart: Int?
}

extension BuiltinRegistry {
  static let sweeps: [Builtin] = [
    Builtin(
      "sweep", ["items", "function"],
      "map(items, function) for independent runs: on all cores (tau run --jobs), this shard's part under --shard i/N, replayed by tau merge; in list order and bit-identical to running them one by one"
    ) { args in
      try args.interpreter.sweep(args.list("items"), args.function("function"), args)
    },
    Builtin(
      "end_shard", [],
      "under tau run --shard i/N, end the run here, finished; otherwise nothing: what follows (the figures of the whole sweep) runs unsharded and in tau merge"
    ) { args in
      if args.interpreter.shard != nil && args.interpreter.sweeps.task == nil { throw ShardEnded() }
      return .nothing
    },
  ]
}

/// Thrown by `end_shard` under a shard: the run stops there as if the script ended.
struct ShardEnded: Error {}

extension Interpreter {
  func sweep(_ items: [Value], _ function: Value, _ args: CallArguments) throws -> Value {
    // Inside an item, a sweep is an ordinary map: the item is already one process's work.
    if sweeps.itemStart != nil {
      return .list(try items.map { try callItem(function, $0, args) })
    }
    let call = sweeps.calls
    sweeps.calls += 1
    let selection = shard.map { Array($0.part(of: items)) } ?? items
    let ran: [SweepItem]
    if let replay = sweeps.replay, call < replay.count {
      ran = try replayed(replay[call], selection: selection, call: call, args)
    } else if let task = sweeps.task {
      try computeTask(task, call: call, selection: selection, function, args)
    } else if let workers = sweepWorkers, workers.jobs > 1, selection.count > 1 {
      ran = try runInWorkers(selection, call: call, workers, function, args)
    } else {
      ran = try selection.indices.map { index in
        try runItem(function, selection[index], index: index, forwarding: true, args)
      }
    }
    sweeps.record.append(ran)
    return .list(try ran.indices.map { index in try value(of: ran[index], index, args) })
  }

  /// Runs one item here, as a worker process does: single-threaded BLAS, what it prints
  /// recorded (and passed on to the host when `forwarding`), its result checked to be data.
  func runItem(
    _ function: Value, _ item: Value, index: Int, forwarding: Bool, _ args: CallArguments
  ) throws -> SweepItem {
    let capture = CapturingHost(forwardingTo: forwarding ? host : nil)
    let filesBefore = shardFiles.count
    let outerHost = host
    host = capture
    sweeps.itemStart = nextCreationSerial()
    defer {
      host = outerHost
      sweeps.itemStart = nil
    }
    let value = try withSingleThreadedBLAS { try callItem(function, item, args) }
    do {
      return SweepItem(
        output: capture.text, value: try StoredValue(value),
        shardFiles: Array(shardFiles[filesBefore...]), notes: capture.notes)
    } catch {
      throw Diagnostic(
        "sweep.notData",
        "sweep: item \(index + 1) returned \(error.path.isEmpty ? "a \(error.typeName)" : "a value whose \(error.path) is a \(error.typeName)"); an item returns data (numbers, strings, bools, lists, records, tensors), which is what travels between processes and shards",
        at: args.range("function"),
        hint:
          "return what the figures need (a model's metrics, its parameters as tensors), not the model or a function"
      )
    }
  }

  private func callItem(_ function: Value, _ item: Value, _ args: CallArguments) throws -> Value {
    try call(
      function, [EvaluatedArgument(label: nil, value: item, range: args.range("items"))],
      at: args.callRange, calleeRange: args.range("function"))
  }

  /// A stored item's value, read back (so that an item computed here and one from a worker
  /// return the same bytes).
  private func value(of item: SweepItem, _ index: Int, _ args: CallArguments) throws -> Value {
    do { return try item.value.value() } catch {
      throw Diagnostic(
        "sweep.badResult", "sweep: item \(index + 1)'s stored result does not read back: \(error)",
        at: args.callRange)
    }
  }

  private func replayed(
    _ items: [SweepItem], selection: [Value], call: Int, _ args: CallArguments
  ) throws -> [SweepItem] {
    guard items.count == selection.count else {
      throw Diagnostic(
        "sweep.replayMismatch",
        "sweep \(call + 1) of the script has \(selection.count) item\(selection.count == 1 ? "" : "s") here, but its stored results hold \(items.count): the script or its arguments changed since the shards ran",
        at: args.callRange)
    }
    for item in items { passOn(item) }
    return items
  }

  /// In a worker process: computes the items whose indices come on standard input, one per
  /// line, writing each where the parent reads it, and ends the process when the input ends
  /// (the rest of the script is the parent's). An item runs as it would in a sequential run:
  /// items share nothing they could change (`sweep.sharedState`).
  private func computeTask(
    _ task: SweepWorkerTask, call: Int, selection: [Value], _ function: Value,
    _ args: CallArguments
  ) throws -> Never {
    guard call == task.call, selection.count == task.itemCount,
      task.digest == SweepWorkerTask.digest(selection)
    else {
      throw Diagnostic(
        "sweep.workerMismatch",
        "a sweep worker reached a different sweep than the run that started it (call \(call + 1), \(selection.count) items)",
        at: args.callRange)
    }
    var delivered = 0
    while let line = readLine(), let index = Int(line), selection.indices.contains(index) {
      // A test's way of killing a worker at a known moment: holding an item, after delivering.
      if let limit = Self.workerExitsAfter, delivered >= limit { exit(70) }
      let item = try runItem(function, selection[index], index: index, forwarding: false, args)
      try task.writeResult(item, index: index)
      delivered += 1
    }
    task.finished()
  }

  /// TAU_TEST_WORKER_EXITS_AFTER=N: a worker exits, without a word, when it is handed an item
  /// after delivering N (for the tests of how a sweep survives a worker's death).
  static let workerExitsAfter = ProcessInfo.processInfo.environment[
    "TAU_TEST_WORKER_EXITS_AFTER"
  ].flatMap { Int($0) }

  /// Refuses an assignment, inside a sweep's item, to a variable made before the item began.
  func checkSweepAssignment(_ name: String, at range: SourceRange, in env: Environment) throws {
    guard let start = sweeps.itemStart, let owner = env.owner(of: name), owner.serial < start
    else { return }
    throw Diagnostic(
      "sweep.sharedState",
      "a sweep's item cannot assign '\(name)', a variable from outside it: items run in separate processes, which do not share it",
      at: range, hint: "return the value from the item and combine the results after the sweep")
  }

  /// Refuses, inside a sweep's item, a use of `what` (made at `serial`) that changes it, when it
  /// was made before the item began.
  func checkSweepSharing(madeAt serial: Int, _ what: String, at range: SourceRange) throws {
    guard let start = sweeps.itemStart, serial < start else { return }
    throw Diagnostic(
      "sweep.sharedState",
      "a sweep's item cannot draw from \(what) made outside it: items run in separate processes, which do not share its state",
      at: range, hint: "make the stream inside the item, from a seed the item is given")
  }
}

/// Records what an item prints, reports and draws, passing it on to the run's own host when that
/// should show it as it comes (an item computed here); progress and debugging output go to that
/// host, or nowhere.
final class CapturingHost: InterpreterHost {
  private(set) var text = ""
  private(set) var notes: [SweepNote] = []
  private let next: (any InterpreterHost)?

  init(forwardingTo next: (any InterpreterHost)?) { self.next = next }

  func write(_ text: String) {
    self.text += text
    next?.write(text)
  }
  func report(_ diagnostic: Diagnostic) {
    notes.append(SweepNote(after: text.utf8.count, kind: .diagnostic(StoredDiagnostic(diagnostic))))
    next?.report(diagnostic)
  }
  func progress(_ event: ProgressEvent) { next?.progress(event) }
  func produced(_ artifact: Artifact) {
    if case .plot(let svg, let terminal, let file) = artifact {
      notes.append(
        SweepNote(after: text.utf8.count, kind: .chart(svg: svg, terminal: terminal, file: file)))
    }
    next?.produced(artifact)
  }
  func debug(_ text: String) { next?.debug(text) }
}
