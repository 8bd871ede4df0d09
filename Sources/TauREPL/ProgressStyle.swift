// Whether long computations show on standard error that they are alive.
import Foundation

/// How `train` and the long operators report progress on standard error.
public enum ProgressStyle: Sendable {
  /// On a terminal, a line rewritten in place; elsewhere (a batch job's log) a plain line at
  /// most every 10 s, so the log shows the job is alive without filling up.
  case automatic
  /// Nothing (`tau run --quiet`).
  case quiet
}

/// How often a plain progress line is written where standard error is not a terminal.
let plainProgressInterval: Duration = .seconds(10)

/// Writes `text` to standard error, unbuffered.
public func writeStandardError(_ text: String) {
  FileHandle.standardError.write(Data(text.utf8))
}
