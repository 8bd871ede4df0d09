// The progress line of `train` where standard error is not a terminal: a plain line at most
// once an interval, so a batch job's log shows it is alive; nothing with `--quiet`.
import Testing

@testable import TauREPL

@Suite struct ProgressLineTests {
  /// The lines a progress line writes for `steps` updates.
  private func written(
    style: ProgressStyle, isTerminal: Bool, interval: Duration, steps: [Int]
  ) -> [String] {
    var lines: [String] = []
    let line = ProgressLine(
      total: 100, style: style, isTerminal: isTerminal, interval: interval,
      write: { lines.append($0) })
    for step in steps { line.update(step: step, loss: 0.5) }
    line.finish()
    return lines
  }

  @Test func aLogGetsPlainLinesOncePerInterval() {
    let every = written(style: .automatic, isTerminal: false, interval: .zero, steps: [1, 2])
    #expect(every.count == 2)
    #expect(every.first?.hasPrefix("train: step 1/100  loss 0.5  ") == true)
    #expect(every.allSatisfy { $0.hasSuffix(" left\n") && !$0.contains("\r") })
    // Within the interval: nothing, not even for the last step (the log needs no final line).
    #expect(
      written(style: .automatic, isTerminal: false, interval: .seconds(10), steps: [1, 100]).isEmpty
    )
  }

  @Test func quietWritesNothing() {
    #expect(written(style: .quiet, isTerminal: false, interval: .zero, steps: [1, 2]).isEmpty)
    #expect(written(style: .quiet, isTerminal: true, interval: .zero, steps: [1, 2]).isEmpty)
  }

  @Test func aTerminalLineIsRewrittenInPlaceAndCleared() {
    let lines = written(
      style: .automatic, isTerminal: true, interval: .seconds(10), steps: [1, 2, 100])
    // The first step at once, the last always, then the clearing sequence.
    #expect(lines.count == 3)
    #expect(lines.first?.hasPrefix("\r  step 1/100") == true)
    #expect(lines.last == "\r\u{1B}[K")
  }
}
