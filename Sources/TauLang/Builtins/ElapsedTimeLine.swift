// A sign of life for long built-ins that have no steps to count (sensitivities, anisotropy, the
// gradient covariance): after a second, `  sensitivity: 4 s (Ctrl-C stops it)` on a terminal,
// updated twice a second and cleared when the call returns. Nothing when standard error is not
// a terminal.
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

  /// Starts the line for `label`, or returns nil when standard error is not a terminal.
  init?(label: String) {
    guard isatty(STDERR_FILENO) != 0 else { return nil }
    let start = ContinuousClock.now
    timer = DispatchSource.makeTimerSource(queue: .global())
    timer.schedule(deadline: .now() + 1, repeating: 0.5)
    timer.setEventHandler { [drawing] in
      drawing.state.withLock { state in
        guard !state.isFinished else { return }
        let seconds = (ContinuousClock.now - start).components.seconds
        let text = "\r  \(label): \(seconds) s (Ctrl-C stops it) "
        FileHandle.standardError.write(Data(text.utf8))
        state.isShown = true
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
