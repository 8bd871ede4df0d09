// The tasks of the paper's §8: targets recomputed from the inputs by their definitions, determinism
// per batch index, and the statistics of the ones whose target is not a function of the inputs.
import Foundation
import Testing

@testable import TauDynamics

@Suite struct TaskTests {
  let n = 20
  let length = 40
  let input = 3

  private func value(_ x: [Double], _ b: Int, _ t: Int, _ c: Int) -> Double {
    x[(b * length + t) * input + c]
  }

  @Test(arguments: SequenceTask.allCases)
  func batchesAreDeterministicPerIndex(_ task: SequenceTask) {
    let a = task.batch(n: 4, length: 40, input: 3, seed: 7, index: 2)
    let b = task.batch(n: 4, length: 40, input: 3, seed: 7, index: 2)
    let c = task.batch(n: 4, length: 40, input: 3, seed: 7, index: 3)
    #expect(a.inputs == b.inputs && a.targets == b.targets)
    #expect(a.inputs != c.inputs)
    #expect(a.inputs.allSatisfy(\.isFinite) && a.targets.allSatisfy(\.isFinite))
  }

  @Test func markerTasksSumTheMarkedValues() {
    for task in [SequenceTask.adding, .recall, .copy] {
      let (x, y) = task.batch(n: n, length: length, input: input, seed: 1, index: 0)
      for b in 0..<n {
        let marks = (0..<length).filter { value(x, b, $0, input - 1) == 1 }
        switch task {
        case .adding: #expect(marks.count == 2 && marks[0] < length / 2 && marks[1] >= length / 2)
        case .recall: #expect(marks.count == 5 && marks.allSatisfy { $0 < length / 3 })
        default: #expect(marks.count == 1 && marks[0] < length / 2)
        }
        let sum = marks.reduce(0.0) { $0 + value(x, b, $1, 0) }
        #expect(Swift.abs(sum - y[b]) < 1e-15, "\(task)")
      }
    }
  }

  @Test func windowTasksFollowTheirFormulas() {
    for task in [SequenceTask.short, .movingavg, .delaysum] {
      let (x, y) = task.batch(n: n, length: length, input: input, seed: 2, index: 0)
      for b in 0..<n {
        let u = (0..<length).map { value(x, b, $0, 0) }
        let expected: Double
        switch task {
        case .short: expected = u[(length - 6)...].reduce(0, +)
        case .movingavg: expected = u[(length - 8)...].reduce(0, +) / 8
        default: expected = (u[length - 5] + u[length - 13] + u[length - 25] + u[length - 37]) / 4
        }
        #expect(Swift.abs(expected - y[b]) < 1e-14, "\(task)")
      }
      if task == .movingavg {
        #expect((0..<n).allSatisfy { b in (0..<length).allSatisfy { value(x, b, $0, 1) == 0 } })
      }
    }
  }

  // Written out from the paper's §8 and, for NARMA-20, the reference implementation's coefficients.
  @Test(arguments: [
    (SequenceTask.narma10, 10, 0.3, 0.05, 0.1), (SequenceTask.narma20, 20, 0.1, 0.04, 0.2),
  ])
  func narmaFollowsItsRecurrence(
    _ task: SequenceTask, _ order: Int, _ decay: Double, _ coupling: Double, _ offset: Double
  ) {
    let (x, y) = task.batch(n: n, length: length, input: input, seed: 3, index: 0)
    for b in 0..<n {
      let u = (0..<length).map { value(x, b, $0, 0) }
      #expect(u.allSatisfy { $0 >= 0 && $0 < 0.5 })
      var s = [Double](repeating: 0, count: length + 1)
      for t in 0..<length {
        var window = 0.0
        for i in 0..<order where t - i >= 0 { window += s[t - i] }
        let delayed = t - (order - 1) >= 0 ? u[t - (order - 1)] : 0
        s[t + 1] = decay * s[t] + coupling * s[t] * window + 1.5 * delayed * u[t] + offset
      }
      #expect(Swift.abs(s[length] - y[b]) < 1e-14)
    }
  }

  /// About one NARMA-10 sequence in a thousand diverges at T = 120 (the S2 setting); those are
  /// drawn again, so every target of a large batch is finite and small.
  @Test func divergingNarmaSequencesAreDrawnAgain() {
    let (x, y) = SequenceTask.narma10.batch(n: 4000, length: 120, input: 1, seed: 1, index: 0)
    #expect(y.allSatisfy { $0.isFinite && Swift.abs($0) <= SequenceTask.narmaBound })
    #expect(x.allSatisfy { $0 >= 0 && $0 < 0.5 })
  }

  @Test func sinmixComparesQuarters() {
    let (x, y) = SequenceTask.sinmix.batch(n: n, length: length, input: input, seed: 4, index: 0)
    for b in 0..<n {
      func mean(_ c: Int, _ range: Range<Int>) -> Double {
        range.reduce(0.0) { $0 + value(x, b, $1, c) } / Double(range.count)
      }
      let expected = (mean(0, 30..<40) - mean(0, 0..<10)) + (mean(1, 0..<10) - mean(1, 30..<40))
      #expect(Swift.abs(expected - y[b]) < 1e-14)
      #expect((0..<length).allSatisfy { Swift.abs(value(x, b, $0, 0)) <= 1 })
    }
  }

  @Test func ar2TargetsHaveTheProcessVariance() {
    // The stationary variance of x_t = 1.6x_{t-1} - 0.7x_{t-2} + ε, σ_ε = 0.05 is
    // σ²(1 - φ2) / ((1 + φ2)((1 - φ2)² - φ1²)) = 0.0025·1.7 / (0.3·(2.89 - 2.56)) ≈ 0.0429.
    let (_, y) = SequenceTask.ar2.batch(n: 4000, length: 120, input: 1, seed: 5, index: 0)
    let variance = y.reduce(0) { $0 + $1 * $1 } / Double(y.count)
    #expect(Swift.abs(variance - 0.0429) < 0.006)
  }
}
