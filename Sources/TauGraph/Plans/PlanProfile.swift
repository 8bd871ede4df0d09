// Where plan runs spend their time, per kind of instruction (TAU_DEBUG=3). Off, a run checks one
// flag and then executes its instructions untimed; on, it times each instruction and adds the
// run's times to process-wide totals once, at the end of the run.
import Synchronization

/// Time per kind of plan instruction (`matvec+=`, `tanh`, `fused`, …), summed over every plan
/// run since profiling was switched on or the last report. Runs on several threads (the lanes
/// of a split batch) add up, so the total can exceed the wall-clock time.
public enum PlanProfile {
  private static let enabled = Atomic<Bool>(false)
  private static let totals = Mutex(Totals())

  private struct Totals {
    var runs = 0
    var entries: [String: (count: Int, nanoseconds: Int64)] = [:]
  }

  /// Whether plan runs are timed.
  public static var isEnabled: Bool { enabled.load(ordering: .relaxed) }

  /// Switches timing on or off for every plan run from now on.
  public static func setEnabled(_ on: Bool) { enabled.store(on, ordering: .relaxed) }

  /// Adds one run's time per instruction, `labels[i]` naming instruction i.
  static func record(labels: [String], nanoseconds: [Int64]) {
    totals.withLock { totals in
      totals.runs += 1
      for (label, time) in zip(labels, nanoseconds) {
        let entry = totals.entries[label] ?? (0, 0)
        totals.entries[label] = (entry.count + 1, entry.nanoseconds + time)
      }
    }
  }

  /// A table of the totals under `title`, longest first, and clears them; nil when no plan ran
  /// since the last report:
  ///
  ///     # plan times (TAU_DEBUG=3): 40 runs, 1.250 ms
  ///     instruction  count  total ms  share
  ///     matvec+=        80     0.700  56.0%
  public static func takeReport(title: String = "plan times") -> String? {
    let taken = totals.withLock { totals -> Totals in
      defer { totals = Totals() }
      return totals
    }
    guard taken.runs > 0 else { return nil }
    let total = taken.entries.values.reduce(0) { $0 + $1.nanoseconds }
    let rows = taken.entries.sorted {
      $0.value.nanoseconds != $1.value.nanoseconds
        ? $0.value.nanoseconds > $1.value.nanoseconds : $0.key < $1.key
    }
    .map { label, entry in
      [
        label, String(entry.count), milliseconds(entry.nanoseconds),
        share(entry.nanoseconds, of: total),
      ]
    }
    let header = ["instruction", "count", "total ms", "share"]
    let widths = (0..<4).map { column in (rows + [header]).map { $0[column].count }.max() ?? 0 }
    func format(_ row: [String]) -> String {
      row.enumerated().map { column, text in
        let padding = String(repeating: " ", count: widths[column] - text.count)
        return column == 0 ? text + padding : padding + text  // names left, numbers right
      }.joined(separator: "  ")
    }
    return
      (["# \(title) (TAU_DEBUG=3): \(taken.runs) runs, \(milliseconds(total)) ms"]
      + [format(header)] + rows.map(format)).joined(separator: "\n")
  }

  /// `1.250` for 1 250 000 ns.
  static func milliseconds(_ nanoseconds: Int64) -> String {
    let microseconds = (nanoseconds + 500) / 1000
    let fraction = String(microseconds % 1000)
    return "\(microseconds / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
  }

  /// `56.0%`, to a tenth of a percent.
  static func share(_ part: Int64, of total: Int64) -> String {
    let permille = total > 0 ? (part * 1000 + total / 2) / total : 0
    return "\(permille / 10).\(permille % 10)%"
  }
}

extension Plan {
  /// Runs the instructions as `run` does, timing each, and adds the times to `PlanProfile`.
  func runTimed(arena: UnsafeMutablePointer<Scalar>) {
    let clock = ContinuousClock()
    var times = [Int64](repeating: 0, count: instructions.count)
    for (index, instruction) in instructions.enumerated() {
      let start = clock.now
      execute(instruction, arena)
      let elapsed = start.duration(to: clock.now).components
      times[index] = elapsed.seconds * 1_000_000_000 + elapsed.attoseconds / 1_000_000_000
    }
    PlanProfile.record(labels: profileLabels, nanoseconds: times)
  }
}
