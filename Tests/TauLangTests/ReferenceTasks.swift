// The Swift generators that the tasks of stdlib/tasks.tau replaced, kept verbatim as the
// reference the Tau tasks are compared with bit for bit (StdlibTaskTests). Only tests use them.
import Foundation
import TauTensor

/// A task as the Swift generator drew it. Inputs are [n × length × input]; targets [n × 1].
enum ReferenceTask: String, CaseIterable, Sendable {
  case adding, recall, copy, sinmix, short, movingavg, delaysum, sinusoids

  /// The shortest sequence the task is defined for.
  var minimumLength: Int {
    switch self {
    case .delaysum: return 38  // reads u_{T-1-36}
    case .recall: return 15  // five distinct marks in the first third
    case .short, .movingavg: return 10
    default: return 2
    }
  }

  /// The fewest input channels the task needs.
  var minimumInput: Int {
    switch self {
    case .adding, .recall, .copy: return 2  // data and marker channels
    default: return 1
    }
  }

  /// Batch number `index` of `n` sequences.
  func batch(n: Int, length: Int, input: Int, seed: UInt64, index: Int) -> (
    inputs: [Double], targets: [Double]
  ) {
    var stream = RandomStream(seed: seed).substream(rawValue).substream(index)
    var x = [Double](repeating: 0, count: n * length * input)
    var y = [Double](repeating: 0, count: n)
    func at(_ b: Int, _ t: Int, _ c: Int) -> Int { (b * length + t) * input + c }
    for b in 0..<n {
      switch self {
      case .adding, .recall, .copy:
        // Channels 0 ..< input-1 are U[0,1] data; the last channel marks positions.
        for t in 0..<length {
          for c in 0..<(input - 1) { x[at(b, t, c)] = stream.uniform(Double.self) }
        }
        var marks: [Int]
        switch self {
        case .adding:
          marks = [
            stream.integer(below: length / 2),
            length / 2 + stream.integer(below: length - length / 2),
          ]
        case .recall:
          // Five distinct positions in the first third.
          marks = Array(stream.permutation(length / 3).prefix(5))
        default:
          // copy, as a sequence-to-one task: recall the value at one mark in the first half.
          marks = [stream.integer(below: Swift.max(1, length / 2))]
        }
        for t in marks {
          x[at(b, t, input - 1)] = 1
          y[b] += x[at(b, t, 0)]
        }
      case .short, .movingavg, .delaysum:
        for t in 0..<length {
          x[at(b, t, 0)] = stream.uniform(Double.self)
          // movingavg keeps the other channels at 0; the others fill them with distractors.
          if self != .movingavg {
            for c in 1..<input { x[at(b, t, c)] = stream.uniform(Double.self) }
          }
        }
        switch self {
        case .short: y[b] = (length - 6..<length).reduce(0) { $0 + x[at(b, $1, 0)] }
        case .movingavg: y[b] = (length - 8..<length).reduce(0) { $0 + x[at(b, $1, 0)] } / 8
        default: y[b] = [4, 12, 24, 36].reduce(0) { $0 + x[at(b, length - 1 - $1, 0)] } / 4
        }
      case .sinmix, .sinusoids:
        // Channel c is sin(2π f t / length + φ); sinmix adds N(0, 0.1²) noise channels after two.
        let waves = self == .sinmix ? Swift.min(2, input) : input
        var phases: [(Double, Double)] = []
        for _ in 0..<waves {
          phases.append(
            (1 + 6 * stream.uniform(Double.self), 2 * Double.pi * stream.uniform(Double.self)))
        }
        for t in 0..<length {
          for c in 0..<input {
            if c < waves {
              let (f, phi) = phases[c]
              x[at(b, t, c)] = Foundation.sin(2 * Double.pi * f * Double(t) / Double(length) + phi)
            } else {
              x[at(b, t, c)] = 0.1 * stream.normal()
            }
          }
        }
        if self == .sinmix {
          let quarter = Swift.max(1, length / 4)
          func mean(_ c: Int, _ range: Range<Int>) -> Double {
            c < waves ? range.reduce(0) { $0 + x[at(b, $1, c)] } / Double(range.count) : 0
          }
          let (early, late) = (0..<quarter, (length - quarter)..<length)
          y[b] = (mean(0, late) - mean(0, early)) + (mean(1, early) - mean(1, late))
        }
      }
    }
    return (x, y)
  }
}
