// The tasks still generated in Swift (ar2 and NARMA): targets recomputed from the inputs by their
// recurrences, determinism per batch index, the redrawing of diverging NARMA sequences and the
// statistics of ar2's targets, which are not a function of the inputs. The tasks of
// stdlib/tasks.tau are tested in TauLangTests/StdlibTaskTests.swift.
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

  @Test func ar2TargetsHaveTheProcessVariance() {
    // The stationary variance of x_t = 1.6x_{t-1} - 0.7x_{t-2} + ε, σ_ε = 0.05 is
    // σ²(1 - φ2) / ((1 + φ2)((1 - φ2)² - φ1²)) = 0.0025·1.7 / (0.3·(2.89 - 2.56)) ≈ 0.0429.
    let (_, y) = SequenceTask.ar2.batch(n: 4000, length: 120, input: 1, seed: 5, index: 0)
    let variance = y.reduce(0) { $0 + $1 * $1 } / Double(y.count)
    #expect(Swift.abs(variance - 0.0429) < 0.006)
  }
}
