// Per-example gradients from one batched backward pass, against the training gradient of each
// example alone and against finite differences of h_T; gradcov's spectrum against the
// eigenvalues of the Gram matrix of the same rows.
import Foundation
import Testing

@testable import TauDynamics
@testable import TauGraph
@testable import TauTensor

@Suite struct PerExampleGradientTests {
  let model: RecurrentModel<Double>
  let inputs: Tensor<Double>
  let targets: Tensor<Double>

  init() throws {
    model = try randomModel(hidden: 3, input: 2, seed: 21)
    var stream = RandomStream(seed: 7)
    inputs = try Tensor<Double>.uniform([3, 5, 2], from: -1, to: 1, using: &stream)
    targets = try Tensor<Double>.uniform([3, 2], from: -1, to: 1, using: &stream)
  }

  @Test func rowsAreEachExamplesOwnGradient() throws {
    let rows = try model.perExampleLossGradients(inputs: inputs, targets: targets)
    #expect(rows.count == 3)
    for b in 0..<3 {
      let alone = try model.gradient(
        inputs: try inputs.slicing(along: 0, from: b, to: b + 1).contiguous(),
        targets: try targets.slicing(along: 0, from: b, to: b + 1).contiguous()
      ).gradients
      let expected = try (model.parameterOrder + ["readout"]).flatMap {
        try #require(alone[$0]).scalars
      }
      #expect(rows[b].count == expected.count)
      let error = zip(rows[b], expected).map { Swift.abs($0 - $1) }.max() ?? 1
      #expect(error < 1e-13, "example \(b): \(error)")
    }
  }

  @Test func parameterJacobiansMatchFiniteDifferences() throws {
    let jacobians = try model.parameterJacobians(inputs: inputs)
    func last(_ m: RecurrentModel<Double>) throws -> [Double] {
      let states = try m.forward(inputs).states
      return try states.selecting(4, along: 1).contiguous().scalars  // [B × n]
    }
    for name in model.parameterOrder {
      let block = try #require(jacobians[name])
      let parameter = try #require(model.parameters[name])
      #expect(block.shape == [3, 3] + parameter.shape)
      for element in 0..<parameter.count {
        var plus = parameter
        var minus = parameter
        plus.withUnsafeMutableBufferPointer { $0[element] += 1e-6 }
        minus.withUnsafeMutableBufferPointer { $0[element] -= 1e-6 }
        let up = try last(model.replacing(name, with: plus))
        let down = try last(model.replacing(name, with: minus))
        for b in 0..<3 {
          for i in 0..<3 {
            let numeric = (up[b * 3 + i] - down[b * 3 + i]) / 2e-6
            let analytic = block.scalars[(b * 3 + i) * parameter.count + element]
            #expect(Swift.abs(analytic - numeric) < 1e-8, "\(name)[\(element)] b\(b) i\(i)")
          }
        }
      }
    }
  }

  @Test func gradcovSpectrumMatchesTheGramEigenvalues() throws {
    var stream = RandomStream(seed: 3)
    let rows = try (0..<6).map { _ in
      try Tensor<Double>.normal([9], using: &stream).scalars
    }
    let result = try gradientAnisotropy(rows: rows, r: 2)
    // The same preprocessing written out, then eigenvalues of G Gᵀ instead of an SVD.
    let unit = rows.map { row in
      row.map { $0 / (row.reduce(0) { $0 + $1 * $1 }.squareRoot() + 1e-12) }
    }
    let means = (0..<9).map { j in unit.reduce(0) { $0 + $1[j] } / 6 }
    let centred = try Tensor<Double>(
      shape: [6, 9], scalars: unit.flatMap { row in (0..<9).map { row[$0] - means[$0] } })
    let gram = try centred.matmul(centred.transposed())
    let eigen = try gram.symmetricEigen().values.scalars.sorted(by: >)
    #expect(result.columns == 9 && result.rows == 6)
    for (s, lambda) in zip(result.spectrum, eigen) {
      #expect(Swift.abs(s * s - Swift.max(lambda, 0)) < 1e-12)
    }
    let energy = eigen.map { Swift.max($0, 0) }.reduce(0, +)
    #expect(Swift.abs(result.ce - (eigen[0] + eigen[1]) / energy) < 1e-12)
    #expect(Swift.abs(result.ai - (eigen[0] / eigen[1]).squareRoot()) < 1e-10)
  }

  @Test func constantColumnsAreDropped() throws {
    let rows: [[Double]] = [[1, 0, 2], [0, 1, 2], [1, 1, 2]].map { $0 }
    // After unit rows the third column still varies (row norms differ), so all three stay;
    // a column that is zero in every row goes.
    let withZero = rows.map { $0 + [0] }
    #expect(try gradientAnisotropy(rows: withZero, r: 1).columns == 3)
    #expect(throws: TensorError.self) { try gradientAnisotropy(rows: [], r: 1) }
  }
}
