// The text form of tensors: header, aligned body, summaries of large tensors.
import Testing

@testable import TauTensor

@Suite struct PrintingTests {
  @Test func smallMatrixShowsEveryElementAligned() throws {
    let t = try Tensor<Double>([[1, -2.5, 3], [40, 5, 6]])
    #expect(
      t.description == """
        Tensor<f64>[2×3]
        [[ 1.0000, -2.5000,  3.0000],
         [40.0000,  5.0000,  6.0000]]
        """)
  }

  @Test func integersPrintWithoutDecimals() throws {
    #expect(try Tensor<Float>.eye(2).description == "Tensor<f32>[2×2]\n[[1, 0],\n [0, 1]]")
    #expect(Tensor<Double>([1, 2, 3]).description == "Tensor<f64>[3]\n[1, 2, 3]")
    #expect(Tensor<Double>(2.5).description == "Tensor<f64>[] 2.5000")
  }

  @Test func extremeMagnitudesUseScientificNotation() {
    #expect(
      Tensor<Double>([1e-7, 2.5e6, .nan]).description
        == "Tensor<f64>[3]\n[1.0000e-07, 2.5000e+06,        nan]")
  }

  @Test func rank3UsesBlankLinesBetweenBlocks() throws {
    let t = try Tensor<Double>(shape: [2, 2, 2], scalars: (0..<8).map(Double.init))
    #expect(
      t.description == """
        Tensor<f64>[2×2×2]
        [[[0, 1],
          [2, 3]],

         [[4, 5],
          [6, 7]]]
        """)
  }

  @Test func largeTensorsAreSummarised() throws {
    let t = try Tensor<Double>(shape: [12, 80, 64], scalars: (0..<61_440).map(Double.init))
    let lines = t.description.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.first == "Tensor<f64>[12×80×64]")
    #expect(lines[1] == "[[[    0,     1,     2, …,    61,    62,    63],")
    #expect(lines.last == "min 0  max 61439  mean 30719.5")
    #expect(lines.contains(" …,"))
    #expect(lines.count == 51)  // header, 6 blocks of 7 rows, "…," and 6 blank lines, summary
  }

  @Test func emptyTensors() throws {
    #expect(try Tensor<Float>.zeros([0, 3]).description == "Tensor<f32>[0×3]\n[]")
  }
}
