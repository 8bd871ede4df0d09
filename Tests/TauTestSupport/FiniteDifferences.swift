// Central finite differences in float64: the independent check for every derivative Tau
// computes. With a step of 1e-6 the truncation error is about 1e-12 and the rounding error about
// 1e-10 of the function's size, well below the 1e-6 the tests ask for.
import TauTensor

/// For every element j of `x`, the derivative of `f`'s values with respect to x_j:
/// `(f(x + h eⱼ) - f(x - h eⱼ)) / 2h`. Element `[j][i]` is ∂fᵢ/∂xⱼ.
public func centralDifferences(
  at x: Tensor<Double>, step h: Double = 1e-6, of f: (Tensor<Double>) throws -> [Double]
) rethrows -> [[Double]] {
  var columns: [[Double]] = []
  for j in 0..<x.count {
    var plus = x.contiguous()
    var minus = plus
    plus.withUnsafeMutableBufferPointer { $0[j] += h }
    minus.withUnsafeMutableBufferPointer { $0[j] -= h }
    let (up, down) = (try f(plus), try f(minus))
    columns.append(zip(up, down).map { ($0 - $1) / (2 * h) })
  }
  return columns
}

/// The gradient of a scalar function by central differences, one element at a time.
public func centralDifferenceGradient(
  at x: Tensor<Double>, step h: Double = 1e-6, of f: (Tensor<Double>) throws -> Double
) rethrows -> [Double] {
  try centralDifferences(at: x, step: h) { [try f($0)] }.map { $0[0] }
}

/// The derivative of `f` at `x` along `direction`: `(f(x + h u) - f(x - h u)) / 2h`, what a
/// Jacobian–vector product J·u must equal.
public func centralDifference(
  at x: Tensor<Double>, along direction: Tensor<Double>, step h: Double = 1e-6,
  of f: (Tensor<Double>) throws -> [Double]
) throws -> [Double] {
  let (base, u) = (x.scalars, direction.scalars)
  precondition(base.count == u.count, "the direction has the shape of the point")
  let plus = try Tensor(shape: x.shape, scalars: zip(base, u).map { $0 + h * $1 })
  let minus = try Tensor(shape: x.shape, scalars: zip(base, u).map { $0 - h * $1 })
  return zip(try f(plus), try f(minus)).map { ($0 - $1) / (2 * h) }
}
