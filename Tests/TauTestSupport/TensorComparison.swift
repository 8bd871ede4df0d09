// Comparing computed tensors with expected values, and the seeded random tensors tests compare.
import TauTensor
import Testing

/// A tensor of `shape` uniform on [-1, 1) from a fixed stream, so every run sees the same data.
public func randomTensor<S: TensorScalar>(_ shape: [Int], seed: UInt64 = 7) -> Tensor<S> {
  var stream = RandomStream(seed: seed)
  // Shapes in tests are small and valid, and the bounds are ordered, so this cannot throw.
  return (try? Tensor<S>.uniform(shape, from: -1, to: 1, using: &stream))
    ?? Tensor<S>([S]())
}

/// Largest |a - b| over matching elements; infinity when the shapes differ.
public func maxAbsDifference<S: TensorScalar>(_ a: Tensor<S>, _ b: Tensor<S>) -> Double {
  guard a.shape == b.shape else { return .infinity }
  return zip(a.scalars, b.scalars).map { Swift.abs(Double($0) - Double($1)) }.max() ?? 0
}

/// Expects `tensor` to have `shape` and elements within `tolerance` of `expected`.
public func expectElements<S: TensorScalar>(
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

/// The largest |actual - reference| relative to the reference's largest entry, or to `floor`
/// when that is smaller (so a derivative that is zero everywhere is compared absolutely).
/// Infinity when the counts differ.
public func relativeError(_ actual: [Double], _ reference: [Double], floor: Double = 1e-3)
  -> Double
{
  guard actual.count == reference.count else { return .infinity }
  let scale = Swift.max(floor, reference.map(Swift.abs).max() ?? 0)
  let error = zip(actual, reference).map { Swift.abs($0 - $1) }.max() ?? 0
  return error.isNaN ? .infinity : error / scale
}

/// Expects `actual` within `tolerance` of `reference` in `relativeError`, showing both if not.
public func expectClose(
  _ actual: [Double], _ reference: [Double], tolerance: Double, _ what: String,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  let error = relativeError(actual, reference)
  #expect(
    error < tolerance,
    "\(what): relative error \(error)\nactual    \(actual)\nreference \(reference)",
    sourceLocation: sourceLocation)
}
