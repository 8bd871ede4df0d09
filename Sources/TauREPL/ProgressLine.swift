// The progress line of `train`: step, loss, steps/s and time left. On a terminal it is
// rewritten in place at most five times a second; where standard error is not a terminal (a
// batch job's log) it is a plain line at most every 10 s; with `--quiet`, nothing.
import Foundation

final class ProgressLine {
  private let total: Int
  private let start = ContinuousClock.now
  private var lastDrawn: ContinuousClock.Instant
  private var shown = false
  private let isTerminal: Bool
  private let isQuiet: Bool
  private let interval: Duration
  private let write: (String) -> Void

  /// `isTerminal`, `interval` and `write` are for tests; by default they follow standard error.
  init(
    total: Int, style: ProgressStyle, isTerminal: Bool = isatty(STDERR_FILENO) != 0,
    interval: Duration? = nil, write: @escaping (String) -> Void = writeStandardError
  ) {
    self.total = total
    self.isTerminal = isTerminal
    isQuiet = style == .quiet
    let interval = interval ?? (isTerminal ? .milliseconds(200) : plainProgressInterval)
    self.interval = interval
    // On a terminal the first step shows at once; in a log, only a run that lasts does.
    lastDrawn = isTerminal ? start - interval : start
    self.write = write
  }

  func update(step: Int, loss: Double) {
    guard !isQuiet else { return }
    let now = ContinuousClock.now
    guard now - lastDrawn >= interval || (isTerminal && step == total) else { return }
    lastDrawn = now
    let elapsed = now - start
    let seconds =
      Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    let rate = Double(step) / Swift.max(seconds, 1e-9)
    let left = Double(total - step) / Swift.max(rate, 1e-9)
    let text = String(
      format: "step %d/%d  loss %.4g  %.1f steps/s  %@ left", step, total, loss, rate,
      left < 60 ? String(format: "%.0fs", left) : String(format: "%.1fmin", left / 60))
    if isTerminal {
      write("\r  " + text + " ")
      shown = true
    } else {
      write("train: " + text + "\n")
    }
  }

  /// Clears the line (on a terminal; a plain line stays in the log).
  func finish() {
    guard shown else { return }
    write("\r\u{1B}[K")
    shown = false
  }
}
