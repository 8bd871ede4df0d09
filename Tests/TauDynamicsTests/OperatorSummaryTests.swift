// What the rates, lyapunov and frechet built-ins report beyond the operators themselves, on
// cases worked by hand: the statistics of a run's rates, the batch mean of Lyapunov exponents,
// and the Fréchet check's ε grid and E/ε².
import Foundation
import Testing

@testable import TauDynamics
@testable import TauTensor

@Suite struct OperatorSummaryTests {
  @Test func rateStatistics() {
    let values = [4.0, 1, 3, 10]  // sorted 1 3 4 10
    #expect(RateStatistic.median.of(values) == 3.5)
    #expect(RateStatistic.mean.of(values) == 4.5)
    #expect(RateStatistic.min.of(values) == 1)
    #expect(RateStatistic.max.of(values) == 10)
    #expect(RateStatistic.median.of([]).isNaN)
    #expect(RateStatistic.mean.of([]) == 0)
    #expect(RateStatistic.min.of([]).isNaN && RateStatistic.max.of([]).isNaN)
  }

  /// Two checkpoints: a's medians 2 and 5; b is not a tensor at the first (NaN), then median 3;
  /// c appears only at the second, so its series has one value.
  @Test func rateHistoryKeepsOneSeriesPerParameter() {
    var history = RateHistory(statistic: .median)
    history.append(step: 0, rates: [("cell.a", [1, 3]), ("cell.b", nil)])
    history.append(step: 10, rates: [("cell.b", [2, 4]), ("cell.a", [5]), ("readout", [7])])
    #expect(history.steps == [0, 10])
    #expect(history.series.map(\.path) == ["cell.a", "cell.b", "readout"])
    #expect(history.series[0].values == [2, 5])
    #expect(history.series[1].values[0].isNaN && history.series[1].values[1] == 3)
    #expect(history.series[2].values == [7])
  }

  /// Constant diagonal Jacobians: the QR method's R is the Jacobian itself at every step, so
  /// sequence 0 (diag(2, ½)) has exponents log 2 and −log 2, sequence 1 (diag(3, 1)) log 3 and 0.
  @Test func lyapunovSpectrumAveragesTheSequences() throws {
    let (length, size) = (3, 2)
    var full: [Double] = []
    for diagonal in [[2.0, 0.5], [3.0, 1.0]] {
      for _ in 0..<length { full += [diagonal[0], 0, 0, diagonal[1]] }
    }
    let jacobians = StepJacobians(
      batch: 2, length: length, size: size,
      full: try Tensor(shape: [2, length, size, size], scalars: full), dominant: nil, gates: nil,
      states: try Tensor<Double>.zeros([2, length, size]))
    let spectrum = try jacobians.lyapunovSpectrum()
    let expected = [[log(2.0), -log(2.0)], [log(3.0), 0]]
    for (sequence, exponents) in zip(spectrum.perSequence, expected) {
      for (found, value) in zip(sequence, exponents) { #expect(abs(found - value) < 1e-14) }
    }
    let mean = [(log(2.0) + log(3.0)) / 2, -log(2.0) / 2]
    #expect(spectrum.mean.count == 2)
    for (found, value) in zip(spectrum.mean, mean) { #expect(abs(found - value) < 1e-14) }
    let leading = try jacobians.lyapunovSpectrum(count: 1)
    #expect(leading.mean.count == 1 && abs(leading.mean[0] - mean[0]) < 1e-14)
    #expect(throws: TensorError.self) { try jacobians.lyapunovSpectrum(count: 3) }
  }

  @Test func frechetGridAndSecondOrderConstant() {
    let grid = FrechetCheck.defaultEps
    #expect(grid.count == 11 && grid.first == 1e-5 && grid.last == 1)
    for (a, b) in zip(grid, grid.dropFirst()) { #expect(abs(b / a - 10.0.squareRoot()) < 1e-12) }
    let check = FrechetCheck(
      eps: [0.1, 0.01], error: [0.02, 0.0003], errors: [], slope: 2, ratios: [])
    #expect(zip(check.c2, [2.0, 3.0]).allSatisfy { abs($0 - $1) < 1e-12 })
  }
}
