// A tensor whose precision is known only at run time.

/// A tensor of either precision, for code that handles both at run time (the language, files).
public enum AnyTensor: Sendable {
  case f32(Tensor<Float>)
  case f64(Tensor<Double>)

  public var shape: [Int] {
    switch self {
    case .f32(let t): return t.shape
    case .f64(let t): return t.shape
    }
  }

  public var dtype: String {
    switch self {
    case .f32: return "f32"
    case .f64: return "f64"
    }
  }

  /// The elements as Double, in row-major order.
  public var doubles: [Double] {
    switch self {
    case .f32(let t): return t.scalars.map(Double.init)
    case .f64(let t): return t.scalars
    }
  }

  /// The element count.
  public var count: Int { shape.reduce(1, *) }

  /// The same tensor in Double (a no-op for f64).
  public var asDouble: Tensor<Double> {
    switch self {
    case .f32(let t):
      // Same shape and count, so the conversion cannot fail.
      return (try? Tensor<Double>(shape: t.shape, scalars: t.scalars.map(Double.init)))
        ?? Tensor<Double>([Double]())
    case .f64(let t): return t
    }
  }

  /// The same tensor in Float.
  public var asFloat: Tensor<Float> {
    switch self {
    case .f32(let t): return t
    case .f64(let t):
      return (try? Tensor<Float>(shape: t.shape, scalars: t.scalars.map(Float.init)))
        ?? Tensor<Float>([Float]())
    }
  }
}
