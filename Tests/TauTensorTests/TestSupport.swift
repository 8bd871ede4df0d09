// Helpers shared by the tensor tests: deterministic random tensors and approximate comparison.
import Testing

@testable import TauTensor

/// A tensor of `shape` uniform on [-1, 1) from a fixed stream, so every run sees the same data.
func randomTensor<S: TensorScalar>(_ shape: [Int], seed: UInt64 = 7) -> Tensor<S> {
  var stream = RandomStream(seed: seed)
  // Shapes in tests are small and valid, and the bounds are ordered, so this cannot throw.
  return (try? Tensor<S>.uniform(shape, from: -1, to: 1, using: &stream))
    ?? Tensor<S>([S]())
}

/// Largest |a - b| over matching elements; infinity when the shapes differ.
func maxAbsDifference<S: TensorScalar>(_ a: Tensor<S>, _ b: Tensor<S>) -> Double {
  guard a.shape == b.shape else { return .infinity }
  return zip(a.scalars, b.scalars).map { Swift.abs(Double($0) - Double($1)) }.max() ?? 0
}

/// Expects `tensor` to have `shape` and elements within `tolerance` of `expected`.
func expectElements<S: TensorScalar>(
  _ tensor: Tensor<S>, _ expected: [Double], shape: [Int]? = nil, tolerance: Double = 1e-12,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  if let shape { #expect(tensor.shape == shape, sourceLocation: sourceLocation) }
  let actual = tensor.scalars.map(Double.init)
  #expect(actual.count == expected.count, sourceLocation: sourceLocation)
  for (a, e) in zip(actual, expected)
  where !(a == e || Swift.abs(a - e) <= tolerance || (a.isNaN && e.isNaN)) {
    Issue.record("\(actual) differs from \(expected)", sourceLocation: sourceLocation)
    return
  }
}
