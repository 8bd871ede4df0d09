// The progress line of long computations: step, loss, steps/s and time left, rewritten in place
// on a terminal at most five times a second; nothing when standard error is not a terminal.
import Foundation

final class ProgressLine {
  private let total: Int
  private let start = ContinuousClock.now
  private var lastDrawn = ContinuousClock.now - .seconds(1)
  private var shown = false
  private let enabled = isatty(STDERR_FILENO) != 0

  init(total: Int) { self.total = total }

  func update(step: Int, loss: Double) {
    guard enabled else { return }
    let now = ContinuousClock.now
    guard now - lastDrawn > .milliseconds(200) || step == total else { return }
    lastDrawn = now
    let elapsed = now - start
    let seconds =
      Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    let rate = Double(step) / Swift.max(seconds, 1e-9)
    let left = Double(total - step) / Swift.max(rate, 1e-9)
    let text = String(
      format: "\r  step %d/%d  loss %.4g  %.1f steps/s  %@ left ", step, total, loss, rate,
      left < 60 ? String(format: "%.0fs", left) : String(format: "%.1fmin", left / 60))
    FileHandle.standardError.write(Data(text.utf8))
    shown = true
  }

  /// Clears the line.
  func finish() {
    guard shown else { return }
    FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    shown = false
  }
}
