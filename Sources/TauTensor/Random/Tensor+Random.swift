// Random tensors drawn from a RandomStream.

extension Tensor {
  /// Elements uniform on [`low`, `high`).
  public static func uniform(
    _ shape: [Int], from low: Scalar = 0, to high: Scalar = 1, using stream: inout RandomStream
  ) throws -> Tensor {
    guard low <= high else {
      throw TensorError.invalidArgument(
        operation: "uniform", message: "low \(low) is greater than high \(high)")
    }
    // low + (high - low)·u can round up to high; clamp so the interval stays half-open.
    let top = low < high ? high.nextDown : high
    return try Tensor(allocating: shape, operation: "uniform") { output in
      fillUniform(output, count: shape.reduce(1, *), low: low, high: high, top: top, &stream)
    }
  }

  /// Elements normal with `mean` and `standardDeviation` (drawn in Double, then rounded).
  public static func normal(
    _ shape: [Int], mean: Scalar = 0, standardDeviation: Scalar = 1,
    using stream: inout RandomStream
  ) throws -> Tensor {
    guard standardDeviation >= 0 else {
      throw TensorError.invalidArgument(
        operation: "normal", message: "standard deviation \(standardDeviation) < 0")
    }
    let (mu, sigma) = (Double(mean), Double(standardDeviation))
    return try Tensor(allocating: shape, operation: "normal") { output in
      fillNormal(output, count: shape.reduce(1, *), mean: mu, standardDeviation: sigma, &stream)
    }
  }
}

// The loops, specialised: generic code called from another module converts and does arithmetic
// through witness tables, several times slower per element than the draw itself.

/// output[i] = min(low + (high - low)·u, top) for `count` uniforms u, in order.
@_specialize(where S == Float)
@_specialize(where S == Double)
func fillUniform<S: TensorScalar>(
  _ output: UnsafeMutablePointer<S>, count: Int, low: S, high: S, top: S,
  _ stream: inout RandomStream
) {
  for i in 0..<count { output[i] = Swift.min(low + (high - low) * stream.uniform(S.self), top) }
}

/// output[i] = mean + standardDeviation·z (in Double, then rounded) for `count` normals z.
@_specialize(where S == Float)
@_specialize(where S == Double)
func fillNormal<S: TensorScalar>(
  _ output: UnsafeMutablePointer<S>, count: Int, mean: Double, standardDeviation: Double,
  _ stream: inout RandomStream
) {
  for i in 0..<count { output[i] = S(mean + standardDeviation * stream.normal()) }
}

extension RandomStream {
  /// Fills `buffer` with the next standard normals, in order, as `normal()` one by one.
  public mutating func fillNormal(_ buffer: UnsafeMutableBufferPointer<Double>) {
    for i in buffer.indices { buffer[i] = normal() }
  }
}
