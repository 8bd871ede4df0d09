// Tests of Philox4x32-10, RandomStream (goldens, sub-streams, statistics) and random tensors.
import Foundation
import Testing

@testable import TauTensor

/// The first `count` raw words of `stream` (a copy, so the caller's stream is not advanced).
private func words(_ stream: RandomStream, _ count: Int = 16) -> [UInt32] {
  var copy = stream
  return (0..<count).map { _ in copy.nextUInt32() }
}

/// A Philox block as an array, so results compare with `==`.
private func block(
  _ counter: (UInt32, UInt32, UInt32, UInt32), _ key: (UInt32, UInt32)
) -> [UInt32] {
  let r = philox4x32(counter: counter, key: key)
  return [r.0, r.1, r.2, r.3]
}

/// Mean and (population) variance of `values`.
private func moments(_ values: [Double]) -> (mean: Double, variance: Double) {
  let mean = values.reduce(0, +) / Double(values.count)
  let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
  return (mean, variance)
}

@Suite struct RandomTests {
  // MARK: - Philox known answers (Random123 kat_vectors, philox4x32_10)

  @Test func philoxZeroCounterAndKey() {
    #expect(block((0, 0, 0, 0), (0, 0)) == [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8])
  }

  @Test func philoxAllOnes() {
    let m = UInt32.max
    #expect(block((m, m, m, m), (m, m)) == [0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd])
  }

  @Test func philoxDigitsOfPi() {
    let result = block(
      (0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344), (0xa409_3822, 0x299f_31d0))
    #expect(result == [0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1])
  }

  @Test func streamReadsConsecutivePhiloxBlocks() {
    let stream = RandomStream(seed: 9)
    let key = (UInt32(truncatingIfNeeded: stream.key), UInt32(truncatingIfNeeded: stream.key >> 32))
    let expected = block((0, 0, 0, 0), key) + block((1, 0, 0, 0), key) + block((2, 0, 0, 0), key)
    #expect(words(stream, 12) == expected)
  }

  // MARK: - Golden values of RandomStream(seed: 42)

  @Test func goldenWords() {
    #expect(RandomStream(seed: 42).key == 0xbdd7_3226_2feb_6e95)
    #expect(
      words(RandomStream(seed: 42), 4) == [0xa1d7_a484, 0x4306_b273, 0x31c5_804d, 0x8a9e_1b85])
    var stream = RandomStream(seed: 42)
    #expect(stream.next() == 0xa1d7_a484_4306_b273)
  }

  @Test func goldenUniformDouble() {
    var stream = RandomStream(seed: 42)
    let bits = (0..<3).map { _ in stream.uniform(Double.self).bitPattern }
    #expect(bits == [0x3fe4_3af4_9088_60d6, 0x3fc8_e2c0_26c5_4f0c, 0x3fcb_6a32_ad0e_122c])
  }

  @Test func goldenUniformFloat() {
    var stream = RandomStream(seed: 42)
    let bits = (0..<3).map { _ in stream.uniform(Float.self).bitPattern }
    #expect(bits == [0x3f21_d7a4, 0x3e86_0d64, 0x3e47_1600])
  }

  @Test func goldenNormal() {
    var stream = RandomStream(seed: 42)
    let bits = (0..<3).map { _ in stream.normal().bitPattern }
    #expect(bits == [0x3fe0_342a_002a_5f2d, 0xbff2_ba5b_8eda_24fb, 0xbfe9_1367_56a4_d06e])
  }

  @Test func goldenPermutation() {
    var stream = RandomStream(seed: 42)
    #expect(stream.permutation(10) == [9, 5, 2, 3, 0, 4, 7, 8, 1, 6])
  }

  // MARK: - Seeds and sub-streams

  /// Block by block or one by one, from any position in a block: the same numbers, and the
  /// stream left where the one-by-one draws leave it.
  @Test(arguments: [0, 1, 2, 3], [0, 1, 2, 5, 64])
  func fillUniformMatchesOneDrawAtATime(wordsBefore: Int, count: Int) {
    var filled = RandomStream(seed: 11)
    for _ in 0..<wordsBefore { _ = filled.nextUInt32() }
    var drawn = filled
    var buffer = [Double](repeating: -1, count: count)
    buffer.withUnsafeMutableBufferPointer { filled.fillUniform($0) }
    #expect(buffer == (0..<count).map { _ in drawn.uniform(Double.self) })
    #expect(filled.nextUInt32() == drawn.nextUInt32())
  }

  @Test func sameSeedGivesSameSequence() {
    var a = RandomStream(seed: 123)
    var b = RandomStream(seed: 123)
    for _ in 0..<1000 { #expect(a.nextUInt32() == b.nextUInt32()) }
    #expect(a.uniform(Double.self) == b.uniform(Double.self))
    #expect(a.normal() == b.normal())
    #expect(a.permutation(20) == b.permutation(20))
  }

  @Test func differentSeedsDiffer() {
    #expect(words(RandomStream(seed: 1)) != words(RandomStream(seed: 2)))
    #expect(words(RandomStream(seed: 0)) != words(RandomStream(seed: 1)))
    #expect(RandomStream(seed: 1).key != RandomStream(seed: 2).key)
  }

  @Test func namedSubstreamsDifferFromEachOtherAndTheRoot() {
    let root = RandomStream(seed: 5)
    let initWords = words(root.substream("init"))
    let dataWords = words(root.substream("data"))
    #expect(initWords != dataWords)
    #expect(initWords != words(root))
    #expect(dataWords != words(root))
    // Deterministic, and dependent on the parent.
    #expect(initWords == words(RandomStream(seed: 5).substream("init")))
    #expect(initWords != words(RandomStream(seed: 6).substream("init")))
    // Numbered streams differ from each other and from the name of the same digits.
    #expect(words(root.substream(3)) != words(root.substream(4)))
    #expect(words(root.substream(3)) != words(root.substream("3")))
    #expect(words(root.substream(3)) == words(root.substream(3)))
  }

  @Test func substreamIgnoresDrawsFromTheParent() {
    var parent = RandomStream(seed: 77)
    for _ in 0..<100 { _ = parent.uniform(Double.self) }
    _ = parent.normal()  // leaves a spare normal cached
    let fresh = RandomStream(seed: 77)
    #expect(parent.substream(3).key == fresh.substream(3).key)
    #expect(words(parent.substream(3)) == words(fresh.substream(3)))
    #expect(words(parent.substream("data")) == words(fresh.substream("data")))
  }

  // MARK: - Statistics

  @Test func uniformDoubleStatistics() {
    var stream = RandomStream(seed: 2024)
    let values = (0..<200_000).map { _ in stream.uniform(Double.self) }
    #expect(values.allSatisfy { $0 >= 0 && $0 < 1 })
    let (mean, variance) = moments(values)
    #expect(Swift.abs(mean - 0.5) < 0.005)
    #expect(Swift.abs(variance - 1.0 / 12) < 0.002)
  }

  @Test func uniformFloatStatistics() {
    var stream = RandomStream(seed: 2025)
    let values = (0..<200_000).map { _ in stream.uniform(Float.self) }
    #expect(values.allSatisfy { $0 >= 0 && $0 < 1 })
    let (mean, variance) = moments(values.map(Double.init))
    #expect(Swift.abs(mean - 0.5) < 0.005)
    #expect(Swift.abs(variance - 1.0 / 12) < 0.002)
  }

  @Test func normalStatistics() {
    var stream = RandomStream(seed: 2026)
    let values = (0..<200_000).map { _ in stream.normal() }
    #expect(values.allSatisfy { $0.isFinite })
    let (mean, variance) = moments(values)
    #expect(Swift.abs(mean) < 0.01)
    #expect(Swift.abs(variance - 1) < 0.02)
  }

  @Test func integerBelowSixIsUniform() {
    var stream = RandomStream(seed: 2027)
    var counts = [Int](repeating: 0, count: 6)
    let draws = 200_000
    for _ in 0..<draws {
      let value = stream.integer(below: 6)
      guard (0..<6).contains(value) else {
        Issue.record("integer(below: 6) returned \(value)")
        return
      }
      counts[value] += 1
    }
    for count in counts { #expect(Swift.abs(Double(count) / Double(draws) - 1.0 / 6) < 0.01) }
  }

  @Test func integerBelowNonPositiveBoundIsZero() {
    var stream = RandomStream(seed: 1)
    #expect(stream.integer(below: 0) == 0)
    #expect(stream.integer(below: -5) == 0)
    #expect(stream.integer(below: 1) == 0)
  }

  @Test func integerBelowLargeBoundStaysInRange() {
    var stream = RandomStream(seed: 3)
    for bound in [2, 3, 1000, Int.max] {
      for _ in 0..<100 {
        let value = stream.integer(below: bound)
        #expect(value >= 0 && value < bound)
      }
    }
  }

  @Test(arguments: [0, 1, 2, 10, 1000])
  func permutationIsAPermutation(count: Int) {
    var stream = RandomStream(seed: 8)
    let p = stream.permutation(count)
    #expect(p.count == count)
    #expect(p.sorted() == Array(0..<count))
  }

  @Test func permutationOfNegativeCountIsEmpty() {
    var stream = RandomStream(seed: 8)
    #expect(stream.permutation(-3) == [])
  }

  @Test func streamWorksAsSystemRandomNumberGenerator() {
    var a = RandomStream(seed: 11)
    var b = RandomStream(seed: 11)
    let shuffledA = Array(0..<50).shuffled(using: &a)
    let shuffledB = Array(0..<50).shuffled(using: &b)
    #expect(shuffledA == shuffledB)
    #expect(shuffledA.sorted() == Array(0..<50))
  }

  // MARK: - Portable logarithm

  @Test func portableLogMatchesLibmOverTheRange() {
    var stream = RandomStream(seed: 99)
    var worst = 0.0
    for _ in 0..<10_000 {
      // Log-uniform over (1e-300, 1e300).
      let x = Foundation.pow(10, -300 + 600 * stream.uniform(Double.self))
      let expected = Foundation.log(x)
      let error = Swift.abs(portableLog(x) - expected)
      worst = Swift.max(worst, error / Swift.abs(expected))
      if error > 2 * expected.ulp && error > 5e-16 * Swift.abs(expected) {
        Issue.record("portableLog(\(x)) = \(portableLog(x)), log = \(expected)")
        return
      }
    }
    #expect(worst <= 5e-16)
  }

  @Test func portableLogNearOne() {
    var stream = RandomStream(seed: 100)
    var inputs: [Double] = [1, 1 + 1e-10, 1 - 1e-10, 1 + 1e-15, 1 - 1e-15, 1.nextUp, 1.nextDown]
    for _ in 0..<1000 { inputs.append(1 + (2 * stream.uniform(Double.self) - 1) * 1e-3) }
    inputs += [0.5, 2, 1.4142135623730951, 1.4142135623730951.nextUp, 0.7071067811865476]
    for x in inputs {
      let expected = Foundation.log(x)
      let actual = portableLog(x)
      if expected == 0 {
        #expect(actual == 0)
      } else {
        let error = Swift.abs(actual - expected)
        #expect(
          error <= 2 * expected.ulp || error <= 5e-16 * Swift.abs(expected),
          "portableLog(\(x)) = \(actual), log = \(expected)")
      }
    }
  }

  @Test func portableLogOfPowersOfTwo() {
    for k in [-1000, -53, -1, 1, 2, 10, 1000] {
      let x = Foundation.pow(2.0, Double(k))
      let expected = Foundation.log(x)
      #expect(Swift.abs(portableLog(x) - expected) <= 2 * expected.ulp)
    }
  }

  // MARK: - Random tensors

  @Test func uniformTensorRespectsBounds() throws {
    var stream = RandomStream(seed: 12)
    let t = try Tensor<Double>.uniform([100, 50], from: -2, to: 3, using: &stream)
    #expect(t.shape == [100, 50])
    let values = t.scalars
    #expect(values.allSatisfy { $0 >= -2 && $0 < 3 })
    #expect(values.min()! < -1.99 && values.max()! > 2.99)
    var floatStream = RandomStream(seed: 13)
    let f = try Tensor<Float>.uniform([1000], from: 0.25, to: 0.5, using: &floatStream)
    #expect(f.scalars.allSatisfy { $0 >= 0.25 && $0 < 0.5 })
    // Equal bounds are allowed and give a constant.
    let constant = try Tensor<Double>.uniform([4], from: 7, to: 7, using: &stream)
    #expect(constant.scalars == [7, 7, 7, 7])
  }

  @Test func uniformTensorNeverReturnsTheUpperBound() throws {
    // Word 0xffffff9b gives u = 1 - 2⁻²⁴, and 0.25 + 0.25·u rounds to 0.5 in Float.
    var stream = RandomStream(seed: 15_386_752)
    let t = try Tensor<Float>.uniform([3], from: 0.25, to: 0.5, using: &stream)
    #expect(t.scalars.allSatisfy { $0 >= 0.25 && $0 < 0.5 })
    var narrow = RandomStream(seed: 1)
    let high = 1 + 2 * 1.0.ulp
    let d = try Tensor<Double>.uniform([20], from: 1, to: high, using: &narrow)
    #expect(d.scalars.allSatisfy { $0 >= 1 && $0 < high })
  }

  @Test func uniformTensorIsReproducible() throws {
    var a = RandomStream(seed: 14)
    var b = RandomStream(seed: 14)
    let x = try Tensor<Double>.uniform([3, 4], using: &a)
    var expected: [Double] = []
    for _ in 0..<12 { expected.append(b.uniform(Double.self)) }
    #expect(x.scalars == expected)
  }

  @Test func uniformTensorRejectsReversedBounds() {
    var stream = RandomStream(seed: 1)
    #expect(throws: TensorError.self) {
      try Tensor<Double>.uniform([3], from: 2, to: 1, using: &stream)
    }
    let error = #expect(throws: TensorError.self) {
      try Tensor<Float>.uniform([3], from: 1, to: -1, using: &stream)
    }
    guard case .invalidArgument(let operation, _) = error else {
      Issue.record("expected invalidArgument, got \(String(describing: error))")
      return
    }
    #expect(operation == "uniform")
  }

  @Test func uniformTensorRejectsNegativeShape() {
    var stream = RandomStream(seed: 1)
    #expect(
      throws: TensorError.invalidShape(operation: "uniform", shape: [-1], reason: "negative size")
    ) {
      try Tensor<Double>.uniform([-1], using: &stream)
    }
  }

  @Test func normalTensorStatisticsAndErrors() throws {
    var stream = RandomStream(seed: 15)
    let t = try Tensor<Float>.normal([20_000], mean: 3, standardDeviation: 0.5, using: &stream)
    let (mean, variance) = moments(t.scalars.map(Double.init))
    #expect(Swift.abs(mean - 3) < 0.02)
    #expect(Swift.abs(variance - 0.25) < 0.01)
    let zeroSpread = try Tensor<Double>.normal([5], mean: -1, standardDeviation: 0, using: &stream)
    #expect(zeroSpread.scalars == [-1, -1, -1, -1, -1])
    let error = #expect(throws: TensorError.self) {
      try Tensor<Float>.normal([3], standardDeviation: -1, using: &stream)
    }
    guard case .invalidArgument(let operation, _) = error else {
      Issue.record("expected invalidArgument, got \(String(describing: error))")
      return
    }
    #expect(operation == "normal")
  }
}
