// Running sums along an axis, added in order: the last one is the total a loop over the axis
// computes, which `sum` (pairwise, for accuracy) does not reproduce bit for bit.

extension Tensor {
  /// Element i along `axis` is x₀ + x₁ + … + xᵢ, added left to right.
  public func cumulativeSum(along axis: Int) throws -> Tensor {
    let axis = try resolvedAxis(axis, operation: "cumsum")
    let source = contiguous()
    let outer = shape[..<axis].reduce(1, *)
    let inner = shape[(axis + 1)...].reduce(1, *)
    return Tensor(uninitializedShape: shape) { output in
      runningSums(
        source.storage.base + source.offset, output, outer: outer, length: shape[axis],
        inner: inner)
    }
  }
}

/// For each of `outer` × `inner` lines of `length` elements `inner` apart: their running sums.
@_specialize(where S == Float)
@_specialize(where S == Double)
func runningSums<S: TensorScalar>(
  _ x: UnsafePointer<S>, _ output: UnsafeMutablePointer<S>, outer: Int, length: Int, inner: Int
) {
  guard length > 0 else { return }
  for o in 0..<outer {
    let line = o * length * inner
    for j in 0..<inner {
      var total = x[line + j]
      output[line + j] = total
      for i in 1..<length {
        total += x[line + i * inner + j]
        output[line + i * inner + j] = total
      }
    }
  }
}
