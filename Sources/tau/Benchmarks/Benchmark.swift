// A named measurement and the timing loop every benchmark shares.
import Foundation

/// One figure of `tau bench`: a name such as `gemm/f32/1024` and how to measure it.
struct Benchmark {
  let name: String
  let measure: () throws -> (value: Double, unit: String)
}

/// Median seconds per call of `body`, timed in samples of enough calls to last ~5 ms each, until
/// `minimumSeconds` have passed (and at least 5 samples). One warm-up call comes first.
func medianSeconds(minimumSeconds: Double, _ body: () throws -> Void) rethrows -> Double {
  try body()
  let clock = ContinuousClock()
  let once = clock.measure { try? body() }
  let callsPerSample = max(1, Int(0.005 / max(once.seconds, 1e-9)))
  var samples: [Double] = []
  let start = clock.now
  while samples.count < 5 || (clock.now - start).seconds < minimumSeconds {
    let begin = clock.now
    for _ in 0..<callsPerSample { try body() }
    samples.append((clock.now - begin).seconds / Double(callsPerSample))
  }
  samples.sort()
  return samples[samples.count / 2]
}

extension Duration {
  var seconds: Double {
    let (whole, fraction) = components
    return Double(whole) + Double(fraction) * 1e-18
  }
}
