// The pieces of sampled sensitivities that need no model: which origins a sample draws, how many
// transports its sweeps keep at once, and the bootstrap's weighted median against the median of
// the expanded list.
import Testing

@testable import TauDynamics
@testable import TauTensor

@Suite struct PairSampleTests {
  @Test func originsAreDistinctSortedSeededAndAllWhenAskedForMore() throws {
    let a = try PairSample(length: 100, lags: [8, 1, 4, 4], origins: 20, seed: 3)
    let b = try PairSample(length: 100, lags: [1, 4, 8], origins: 20, seed: 3)
    let c = try PairSample(length: 100, lags: [1, 4, 8], origins: 20, seed: 4)
    #expect(a == b)
    #expect(a.origins != c.origins)
    #expect(a.lags == [1, 4, 8])
    #expect(a.origins.count == 20 && Set(a.origins).count == 20)
    #expect(a.origins == a.origins.sorted() && a.origins.allSatisfy { (1...99).contains($0) })
    let all = try PairSample(length: 10, lags: nil, origins: 50, seed: 0)
    #expect(all.origins == Array(1...9) && all.lags == Array(1...9))
    #expect(all.contains(origin: 0, lag: 8) && !all.contains(origin: 1, lag: 8))
  }

  @Test(arguments: [([0], "lag 0"), ([3, 10], "lag 10"), ([], "no lag")])
  func badLagsAreRefused(_ lags: [Int], _ message: String) {
    #expect {
      _ = try PairSample(length: 10, lags: lags, origins: nil, seed: 0)
    } throws: { error in
      guard case TensorError.invalidArgument(_, let text) = error else { return false }
      return text.contains(message)
    }
  }

  @Test func overlapCountsTheOriginsInFlightAtOnce() throws {
    // Origins 1 … 9 with lags up to 3: at step t the sweeps of k = t-3 … t-1 are in flight.
    #expect(try PairSample(length: 10, lags: [1, 3], origins: nil, seed: 0).overlap == 3)
    #expect(try PairSample(length: 10, lags: [1], origins: nil, seed: 0).overlap == 1)
    #expect(try PairSample(length: 10, lags: [9], origins: nil, seed: 0).overlap == 9)
  }

  @Test(arguments: [MedianRule.mean, .lower])
  func weightedMediansAreMediansOfTheRepeatedValues(_ rule: MedianRule) {
    var stream = RandomStream(seed: 11)
    for trial in 0..<200 {
      let count = 1 + trial % 9
      let values = (0..<count).map { _ in Double(stream.next() % 7) }  // ties included
      let counts = (0..<count).map { _ in Int(stream.next() % 3) }
      let entries = values.enumerated().map { (cluster: $0.offset, value: $0.element) }
        .sorted { $0.value < $1.value }
      let expanded = zip(values, counts).flatMap { Array(repeating: $0, count: $1) }
      let found = weightedMedian(entries, counts, rule)
      #expect(
        found == (expanded.isEmpty ? nil : median(expanded, rule)),
        "\(values) × \(counts): \(String(describing: found))")
    }
  }
}
