// The tasks of the paper's §8 whose targets are recurrences over the sequence (ar2, narma10,
// narma20), generated from seeded streams: batch k of a task comes from its own sub-stream, so it
// is the same whatever was drawn before. The other tasks are Tau, in stdlib/tasks.tau; these stay
// Swift because a recurrence is a loop over the steps: in Tau, a NARMA sequence that diverges is
// drawn again before the next one, so its recurrence would be an interpreted loop over every step
// of every sequence (about a hundred times slower), and ar2's, run on the whole batch at once, is
// still T interpreted steps (3–4 times the Swift generator's time at T = 100, in a task S2 trains
// on every step).
import Foundation
import TauTensor

/// A task generator. Inputs are [n × length × input]; targets [n × 1].
public enum SequenceTask: String, CaseIterable, Sendable {
  case ar2, narma10, narma20

  /// The shortest sequence the task is defined for.
  public var minimumLength: Int {
    switch self {
    case .ar2: return 2
    case .narma10: return 10
    case .narma20: return 20
    }
  }

  /// The fewest input channels the task needs.
  public var minimumInput: Int { 1 }

  /// A NARMA sequence whose output ever leaves ±narmaBound has diverged and is drawn again, up
  /// to narmaDraws times.
  static let narmaBound = 10.0
  static let narmaDraws = 100

  /// Batch number `index` of `n` sequences.
  public func batch(n: Int, length: Int, input: Int, seed: UInt64, index: Int) -> (
    inputs: [Double], targets: [Double]
  ) {
    var stream = RandomStream(seed: seed).substream(rawValue).substream(index)
    var x = [Double](repeating: 0, count: n * length * input)
    var y = [Double](repeating: 0, count: n)
    func at(_ b: Int, _ t: Int, _ c: Int) -> Int { (b * length + t) * input + c }
    guard self != .ar2 else {
      for b in 0..<n {
        // The target is an AR(2) process's last value; the inputs are unrelated U[0,1] noise.
        for t in 0..<length { for c in 0..<input { x[at(b, t, c)] = stream.uniform(Double.self) } }
        var (previous, current) = (0.0, 0.0)
        for _ in 0..<length {
          (previous, current) = (current, 1.6 * current - 0.7 * previous + 0.05 * stream.normal())
        }
        y[b] = current
      }
      return (x, y)
    }
    // NARMA-10 and the reference's NARMA-20 variant differ in order and coefficients only.
    let (order, decay, coupling, offset) =
      self == .narma10 ? (10, 0.3, 0.05, 0.1) : (20, 0.1, 0.04, 0.2)
    for b in 0..<n {
      var u = [Double](repeating: 0, count: length)
      var s = [Double](repeating: 0, count: length + 1)
      // The recursion diverges for about one sequence in a thousand (NARMA's known
      // instability); such a sequence is drawn again from the same stream, so a batch is
      // still a function of the seed and index. Normal values stay below 1.
      for _ in 0..<Self.narmaDraws {
        for t in 0..<length { u[t] = 0.5 * stream.uniform(Double.self) }
        for t in 0..<length {
          let window = (Swift.max(0, t - order + 1)...t).reduce(0) { $0 + s[$1] }
          let delayed = t >= order - 1 ? u[t - order + 1] : 0
          s[t + 1] = decay * s[t] + coupling * s[t] * window + 1.5 * delayed * u[t] + offset
        }
        if s.allSatisfy({ Swift.abs($0) <= Self.narmaBound }) { break }
      }
      for t in 0..<length { x[at(b, t, 0)] = u[t] }
      y[b] = s[length]
    }
    return (x, y)
  }
}
