// Reductions (sum, mean, max, min, median, quantile) against hand-computed values.
import Testing

@testable import TauTensor

@Suite struct ReductionTests {
  // [[1, 2, 3], [4, 5, 6]]
  let m =
    (try? Tensor<Double>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])) ?? Tensor<Double>([Double]())

  @Test func reducesEverythingByDefault() throws {
    #expect(try m.sum().item() == 21)
    #expect(try m.mean().item() == 3.5)
    #expect(try m.max().item() == 6)
    #expect(try m.min().item() == 1)
    #expect(try m.sum().shape == [])
  }

  @Test func reducesAlongAxes() throws {
    #expect(try m.sum(along: [0]).scalars == [5, 7, 9])
    #expect(try m.sum(along: [1]).scalars == [6, 15])
    #expect(try m.sum(along: [-1], keepingAxes: true).shape == [2, 1])
    #expect(try m.mean(along: [0]).scalars == [2.5, 3.5, 4.5])
    #expect(try m.max(along: [1]).scalars == [3, 6])
    #expect(try m.min(along: [0]).scalars == [1, 2, 3])
    #expect(try m.transposed().sum(along: [0]).scalars == [6, 15])
    let cube = try Tensor<Double>(shape: [2, 3, 4], scalars: (0..<24).map(Double.init))
    #expect(try cube.sum(along: [0, 2]).scalars == [60, 92, 124])
  }

  @Test func keptAxesBroadcastBack() throws {
    let centred = try m - m.mean(along: [1], keepingAxes: true)
    #expect(centred.scalars == [-1, 0, 1, -1, 0, 1])
  }

  @Test func pairwiseSumIsAccurate() throws {
    // 10⁶ copies of 0.1 in Float: naive summation drifts by ~1%, pairwise stays within 1e-5.
    let ones = try Tensor<Float>(repeating: 0.1, shape: [1_000_000])
    #expect(abs(try ones.sum().item() - 100_000) < 1)
  }

  @Test func emptyReductions() throws {
    let empty = try Tensor<Double>.zeros([0, 3])
    #expect(try empty.sum(along: [0]).scalars == [0, 0, 0])
    #expect(try empty.mean().item().isNaN)
    #expect(throws: TensorError.self) { try empty.max() }
    #expect(throws: TensorError.self) { try empty.median() }
  }

  @Test func nanPropagatesThroughMaxAndMedian() throws {
    let t = Tensor<Double>([1, .nan, 3])
    #expect(try t.max().item().isNaN)
    #expect(try t.min().item().isNaN)
    #expect(try t.median().item().isNaN)
  }

  @Test func medianAndQuantilesInterpolateLikeNumPy() throws {
    #expect(try Tensor<Double>([3, 1, 2]).median().item() == 2)
    #expect(try Tensor<Double>([4, 1, 3, 2]).median().item() == 2.5)
    // numpy.quantile([1, 2, 3, 4, 10], [0, 0.1, 0.25, 0.9, 1]) = [1, 1.4, 2, 7.6, 10]
    let t = Tensor<Double>([10, 2, 4, 1, 3])
    for (q, expected) in [(0.0, 1.0), (0.1, 1.4), (0.25, 2.0), (0.9, 7.6), (1.0, 10.0)] {
      #expect(abs(try t.quantile(q).item() - expected) < 1e-12)
    }
    #expect(try m.median(along: [1]).scalars == [2, 5])
    #expect(try m.quantile(0.5, along: [0], keepingAxes: true).shape == [1, 3])
    #expect(throws: TensorError.self) { try t.quantile(1.5) }
  }

  @Test func finitenessCheck() throws {
    #expect(m.isFinite)
    #expect(!Tensor<Double>([1, .nan]).isFinite && !Tensor<Float>([.infinity, 1]).isFinite)
    let empty = try Tensor<Float>.zeros([0])
    #expect(!Tensor<Double>([-.infinity]).isFinite && empty.isFinite)
    // One bad element anywhere, in the unrolled part or the tail, at every length up to 19.
    for count in 1..<20 {
      let ones = [Double](repeating: 1, count: count)
      #expect(Tensor<Double>(ones).isFinite)
      for position in 0..<count {
        for bad in [Double.nan, .infinity, -.infinity] {
          var values = ones
          values[position] = bad
          #expect(!Tensor<Double>(values).isFinite, "\(bad) at \(position) of \(count)")
          #expect(!Tensor<Float>(values.map(Float.init)).isFinite)
        }
      }
    }
  }

  @Test func badAxesAreErrors() {
    #expect(throws: TensorError.invalidAxis(operation: "sum", axis: 2, rank: 2)) {
      try m.sum(along: [2])
    }
  }
}
