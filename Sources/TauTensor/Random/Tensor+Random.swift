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
      for i in 0..<shape.reduce(1, *) {
        output[i] = Swift.min(low + (high - low) * stream.uniform(Scalar.self), top)
      }
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
      for i in 0..<shape.reduce(1, *) { output[i] = Scalar(mu + sigma * stream.normal()) }
    }
  }
}
