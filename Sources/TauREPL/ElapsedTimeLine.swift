// A sign of life for long built-ins that have no steps to count (sensitivities, anisotropy, the
// gradient covariance): after a second, `  sensitivity: 4 s (Ctrl-C stops it)` on a terminal,
// updated twice a second and cleared when the call returns. Where standard error is not a
// terminal, a plain `sensitivity: 10 s` line every 10 s instead; with `--quiet`, nothing.
import Foundation
import Synchronization

final class ElapsedTimeLine {
  /// Drawing happens on a timer thread; the lock keeps a late tick from drawing after `finish`.
  private final class Drawing: Sendable {
    struct State {
      var isShown = false
      var isFinished = false
    }
    let state = Mutex(State())
  }
  private let drawing = Drawing()
  private let timer: DispatchSourceTimer

  /// Starts the line for `label`, or returns nil with `--quiet`.
  init?(label: String, style: ProgressStyle) {
    guard style != .quiet else { return nil }
    let isTerminal = isatty(STDERR_FILENO) != 0
    let start = ContinuousClock.now
    let every = isTerminal ? 0.5 : Double(plainProgressInterval.components.seconds)
    timer = DispatchSource.makeTimerSource(queue: .global())
    timer.schedule(deadline: .now() + (isTerminal ? 1 : every), repeating: every)
    timer.setEventHandler { [drawing] in
      drawing.state.withLock { state in
        guard !state.isFinished else { return }
        let seconds = (ContinuousClock.now - start).components.seconds
        if isTerminal {
          writeStandardError("\r  \(label): \(seconds) s (Ctrl-C stops it) ")
          state.isShown = true
        } else {
          writeStandardError("\(label): \(seconds) s\n")
        }
      }
    }
    timer.resume()
  }

  /// Stops the updates and clears the line if it was drawn.
  func finish() {
    timer.cancel()
    drawing.state.withLock { state in
      state.isFinished = true
      if state.isShown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
  }
}
