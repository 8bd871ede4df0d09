// Elementwise operations against hand-computed values (constants from Python's math module),
// broadcasting rules and their errors.
import Foundation
import TauTestSupport
import Testing

@testable import TauTensor

@Suite struct ElementwiseTests {
  static let inputs: [Double] = [-2, -0.5, 0.5, 2]

  /// Every unary operation at -2, -0.5, 0.5, 2 (log and sqrt at 0.5, 2, 10 / 0.25, 4, 9).
  static let unaryCases: [(UnaryOperation, [Double], [Double])] = [
    (.negate, inputs, [2, 0.5, -0.5, -2]),
    (.abs, inputs, [2, 0.5, 0.5, 2]),
    (
      .exp, inputs,
      [0.1353352832366127, 0.6065306597126334, 1.6487212707001282, 7.38905609893065]
    ),
    (.log, [0.5, 2, 10], [-0.6931471805599453, 0.6931471805599453, 2.302585092994046]),
    (.sqrt, [0.25, 4, 9], [0.5, 2, 3]),
    (
      .tanh, inputs,
      [-0.9640275800758169, -0.46211715726000974, 0.46211715726000974, 0.9640275800758169]
    ),
    (
      .sigmoid, inputs,
      [0.11920292202211755, 0.3775406687981454, 0.6224593312018546, 0.8807970779778823]
    ),
    (.relu, inputs, [0, 0, 0.5, 2]),
    (
      .softplus, inputs,
      [0.1269280110429725, 0.4740769841801067, 0.9740769841801067, 2.1269280110429727]
    ),
    (.square, inputs, [4, 0.25, 0.25, 4]),
    (.reciprocal, inputs, [-0.5, -2, 2, 0.5]),
    (
      .sin, inputs,
      [-0.9092974268256817, -0.479425538604203, 0.479425538604203, 0.9092974268256817]
    ),
    (
      .cos, inputs,
      [-0.4161468365471424, 0.8775825618903728, 0.8775825618903728, -0.4161468365471424]
    ),
    (.sign, inputs, [-1, -1, 1, 1]),
  ]

  @Test func everyUnaryOperationIsCovered() {
    #expect(Set(Self.unaryCases.map(\.0)) == Set(UnaryOperation.allCases))
  }

  @Test(arguments: unaryCases)
  func unaryMatchesHandValues(op: UnaryOperation, input: [Double], expected: [Double]) {
    expectElements(Tensor<Double>(input).applying(op), expected, tolerance: 1e-15)
    expectElements(Tensor<Float>(input.map(Float.init)).applying(op), expected, tolerance: 1e-6)
  }

  /// Float tanh is a rational approximation (for speed); it must stay within a few ulp of the
  /// exact value everywhere, including tiny and saturated arguments.
  @Test func floatTanhIsAccurateToAFewULP() throws {
    let xs = (-20_000...20_000).map { Float($0) / 1000 } + [1e-30, -1e-8, 3e-4, 5e-4, 100, -100]
    let approximate = Tensor<Float>(xs).tanh().scalars
    var worst = 0.0
    for (x, y) in zip(xs, approximate) {
      let exact = Foundation.tanh(Double(x))
      worst = Swift.max(worst, Swift.abs(Double(y) - exact) / Swift.max(Swift.abs(exact), 1e-30))
    }
    #expect(worst < 6e-7, "worst relative error \(worst)")  // Float's ulp is 1.2e-7 near 1
  }

  @Test func floatSigmoidIsAccurate() throws {
    let xs = (-8_000...8_000).map { Float($0) / 100 }
    let approximate = Tensor<Float>(xs).sigmoid().scalars
    var worst = 0.0
    for (x, y) in zip(xs, approximate) {
      let exact = 1 / (1 + Foundation.exp(-Double(x)))
      worst = Swift.max(worst, Swift.abs(Double(y) - exact) / exact)
    }
    #expect(worst < 1e-6, "worst relative error \(worst)")
    #expect(Tensor<Float>([.nan]).sigmoid().scalars[0].isNaN)
    #expect(Tensor<Float>([.nan]).tanh().scalars[0].isNaN)
  }

  /// Double tanh and σ use Cephes-style approximations (for speed); against libm they must stay
  /// within a few ulp, including tiny, saturated and NaN arguments.
  @Test func doubleTanhAndSigmoidAreAccurateToAFewULP() throws {
    let xs =
      (-40_000...40_000).map { Double($0) / 1000 }
      + [1e-300, -1e-8, 0.6249999, 0.625, 100, -100, 700, -745, 1000, -1000]
    let tanh = Tensor<Double>(xs).tanh().scalars
    let sigmoid = Tensor<Double>(xs).sigmoid().scalars
    var (worstTanh, worstSigmoid) = (0.0, 0.0)
    for (i, x) in xs.enumerated() {
      let exactTanh = Foundation.tanh(x)
      worstTanh = Swift.max(worstTanh, Swift.abs(tanh[i] - exactTanh) / Swift.abs(exactTanh))
      let exactSigmoid =
        x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x))
      if exactSigmoid > 1e-300 {  // below that, flushing to 0 is the documented behaviour
        worstSigmoid = Swift.max(worstSigmoid, Swift.abs(sigmoid[i] - exactSigmoid) / exactSigmoid)
      }
    }
    #expect(worstTanh < 1e-15, "worst relative tanh error \(worstTanh)")  // ulp is 2.2e-16 near 1
    #expect(worstSigmoid < 1e-15, "worst relative σ error \(worstSigmoid)")
    #expect(Tensor<Double>([.nan]).sigmoid().scalars[0].isNaN)
    #expect(Tensor<Double>([.nan]).tanh().scalars[0].isNaN)
  }

  @Test func sigmoidAndSoftplusStayFiniteAtExtremes() {
    let x = Tensor<Double>([-1000, 1000])
    #expect(x.sigmoid().scalars == [0, 1])
    expectElements(x.softplus(), [0, 1000])
    expectElements(Tensor<Float>([-100, 100]).softplus(), [0, 100])
  }

  @Test func unaryWorksOnStridedViews() throws {
    let a = try Tensor<Double>([[1, 2], [3, 4]]).transposed()
    #expect(a.squared().scalars == [1, 9, 4, 16])
  }

  @Test func binaryOperationsMatchHandValues() throws {
    let a = Tensor<Double>([1, -2, 3, 4])
    let b = Tensor<Double>([2, 2, -1, 0.5])
    #expect(try (a + b).scalars == [3, 0, 2, 4.5])
    #expect(try (a - b).scalars == [-1, -4, 4, 3.5])
    #expect(try (a * b).scalars == [2, -4, -3, 2])
    #expect(try (a / b).scalars == [0.5, -1, -3, 8])
    #expect(try a.pow(b).scalars == [1, 4, 1.0 / 3, 2])
    #expect(try a.maximum(b).scalars == [2, 2, 3, 4])
    #expect(try a.minimum(b).scalars == [1, -2, -1, 0.5])
    #expect((-a).scalars == [-1, 2, -3, -4])
  }

  @Test func powerFollowsCForIntegerExponents() {
    #expect(Tensor<Double>([-2, 0, 4]).pow(2).scalars == [4, 0, 16])
    #expect(Tensor<Double>([0]).pow(0).scalars == [1])
    #expect(Tensor<Double>([4]).pow(0.5).scalars == [2])
    #expect(Tensor<Double>([-4]).pow(0.5).scalars[0].isNaN)
  }

  @Test func maximumPropagatesNaN() throws {
    let r = try Tensor<Double>([.nan, 1]).maximum(Tensor<Double>([0, .nan]))
    let allNaN = r.scalars.allSatisfy(\.isNaN)
    #expect(allNaN)
  }

  @Test func scalarOperandsBroadcast() {
    let a = Tensor<Float>([1, 2, 3])
    #expect((a * 2).scalars == [2, 4, 6])
    #expect((1 - a).scalars == [0, -1, -2])
    #expect((a / 2).scalars == [0.5, 1, 1.5])
    #expect((6 / a).scalars == [6, 3, 2])
    #expect((a + 1).scalars == [2, 3, 4])
  }

  // MARK: - Broadcasting

  @Test func broadcastsRowsAndColumns() throws {
    let column = try Tensor<Double>([[10], [20]])  // [2×1]
    let row = Tensor<Double>([1, 2, 3])  // [3]
    let sum = try column + row
    #expect(sum.shape == [2, 3])
    #expect(sum.scalars == [11, 12, 13, 21, 22, 23])
    #expect(try (row + column).scalars == sum.scalars)
  }

  @Test func broadcastsScalarsEmptyAndLeadingAxes() throws {
    let a: Tensor<Double> = randomTensor([2, 3, 4])
    let scalar = Tensor<Double>(1)
    #expect(try (a + scalar).shape == [2, 3, 4])
    let empty = try Tensor<Double>.zeros([0, 4])
    #expect(try (empty + Tensor<Double>([1, 2, 3, 4])).shape == [0, 4])
    let middle = try Tensor<Double>.ones([3, 1])
    let r = try a * middle
    #expect(r.shape == [2, 3, 4] && r.scalars == a.scalars)
    let ones = try Tensor<Double>.ones([1, 1, 1, 1])
    #expect(try (ones + a).shape == [1, 2, 3, 4])
  }

  @Test func broadcastsOverStridedViews() throws {
    let m = try Tensor<Double>([[1, 2, 3], [4, 5, 6]]).transposed()  // [3×2], strides [1, 3]
    let r = try m + Tensor<Double>([100, 200])
    #expect(r.scalars == [101, 204, 102, 205, 103, 206])
  }

  @Test func mismatchedShapesNameBothShapes() {
    let a = Tensor<Double>([1, 2, 3])
    let b = Tensor<Double>([1, 2])
    #expect(throws: TensorError.shapeMismatch(operation: "add", lhs: [3], rhs: [2])) {
      try a + b
    }
    #expect(
      TensorError.shapeMismatch(operation: "add", lhs: [3], rhs: [2]).description
        == "shape mismatch in 'add': [3] and [2]")
  }

  // MARK: - Fused multiply-add

  @Test func multiplyAddMatchesSeparateOperations() throws {
    let a: Tensor<Double> = randomTensor([3, 4], seed: 1)
    let b: Tensor<Double> = randomTensor([4], seed: 2)
    let c: Tensor<Double> = randomTensor([3, 1], seed: 3)
    let fused = try Tensor.multiplyAdd(a, b, c)
    #expect(try fused == (a * b) + c)
    var out = try Tensor<Double>.zeros([3, 4])
    try Tensor.multiplyAdd(a, b, c, into: &out)
    #expect(out == fused)
    var wrong = try Tensor<Double>.zeros([4, 3])
    #expect(throws: TensorError.self) { try Tensor.multiplyAdd(a, b, c, into: &wrong) }
  }

  @Test func mapAppliesAClosure() throws {
    #expect(Tensor<Double>([1, 2]).map { $0 * 10 }.scalars == [10, 20])
  }
}
