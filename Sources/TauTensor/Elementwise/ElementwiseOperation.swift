// The closed sets of elementwise operations, each with its one-line semantics. TauGraph's plans
// reuse these, so a fused instruction and a tensor operation compute the same thing.
import RealModule

/// A function applied to every element.
public enum UnaryOperation: String, CaseIterable, Sendable {
  case negate  // -x
  case abs  // |x|
  case exp  // eˣ
  case log  // ln x
  case sqrt  // √x
  case tanh  // tanh x
  case sigmoid  // 1 / (1 + e⁻ˣ)
  case relu  // max(x, 0)
  case softplus  // ln(1 + eˣ), computed without overflow
  case square  // x²
  case reciprocal  // 1 / x
  case sin  // sin x
  case cos  // cos x
  case sign  // -1, 0 or 1 (0 for NaN): the derivative of |x|, and of relu as sign(relu x)

  /// The operation on one element.
  @inline(__always)
  public func apply<S: TensorScalar>(_ x: S) -> S {
    switch self {
    case .negate: return -x
    case .abs: return Swift.abs(x)
    case .exp: return S.exp(x)
    case .log: return S.log(x)
    case .sqrt: return x.squareRoot()
    case .tanh:
      // Float uses the rational approximation XLA, Eigen and ONNX Runtime use, Double Cephes'
      // (a few ulp each); they vectorise, libm's tanh does not.
      if S.self == Float.self {
        // A no-op reinterpretation once specialised for Float (a cast would run per element).
        return unsafeBitCast(fastTanh(unsafeBitCast(x, to: Float.self)), to: S.self)
      }
      if S.self == Double.self {
        return unsafeBitCast(fastTanh(unsafeBitCast(x, to: Double.self)), to: S.self)
      }
      return S.tanh(x)
    case .sigmoid: return logisticSigmoid(x)
    case .relu: return x > 0 ? x : 0
    case .softplus: return Swift.max(x, 0) + S.log(onePlus: S.exp(-Swift.abs(x)))
    case .square: return x * x
    case .reciprocal: return 1 / x
    case .sin: return S.sin(x)
    case .cos: return S.cos(x)
    case .sign: return x > 0 ? 1 : x < 0 ? -1 : 0
    }
  }
}

/// tanh for Float as a 13/6 rational function of x on [-7.9, 7.9] (Eigen's
/// `generic_fast_tanh_float`; beyond that range tanh rounds to ±1 in Float). Branch-free, so
/// loops over it vectorise.
@inline(__always)
func fastTanh(_ x: Float) -> Float {
  let clamped = Swift.min(Swift.max(x, -7.90531110763549805), 7.90531110763549805)
  let x2 = clamped * clamped
  var p: Float = -2.76076847742355e-16
  p = p * x2 + 2.00018790482477e-13
  p = p * x2 - 8.60467152213735e-11
  p = p * x2 + 5.12229709037114e-08
  p = p * x2 + 1.48572235717979e-05
  p = p * x2 + 6.37261928875436e-04
  p = p * x2 + 4.89352455891786e-03
  var q: Float = 1.19825839466702e-06
  q = q * x2 + 1.18534705686654e-04
  q = q * x2 + 2.26843463243900e-03
  q = q * x2 + 4.89352518554385e-03
  // Near 0 the ratio loses relative accuracy; tanh x = x to Float precision there.
  return Swift.abs(x) < 0.0004 ? x : clamped * p / q
}

/// eˣ for Float by Cephes' `expf`: x = n·ln2 + r with |r| ≤ ln2/2, a degree-7 polynomial in r,
/// and 2ⁿ built from exponent bits (about 1 ulp). Branch-free and free of integer conversions
/// (which trap on NaN), so loops over it vectorise and NaN stays NaN. Arguments are clamped to
/// [-87.3, 88], where eˣ is a normal Float.
@inline(__always)
func fastExp(_ x: Float) -> Float {
  let clamped = Swift.min(Swift.max(x, -87.33654), 88)
  // Round to nearest by the 1.5·2²³ trick, which stays in vector registers.
  let n = (clamped * 1.44269504088896341 + 12_582_912) - 12_582_912
  let r = clamped - n * 0.693359375 + n * 2.12194440e-4
  var p: Float = 1.9875691500e-4
  p = p * r + 1.3981999507e-3
  p = p * r + 8.3334519073e-3
  p = p * r + 4.1665795894e-2
  p = p * r + 1.6666665459e-1
  p = p * r + 5.0000001201e-1
  let value = p * (r * r) + r + 1
  // 2ⁿ: n + 127 ∈ [1, 254] sits in the low mantissa bits of 1.5·2²³ + n + 127.
  let biased = (n + 127 + 12_582_912).bitPattern &- 0x4B40_0000
  return value * Float(bitPattern: biased << 23)
}

/// σ(x), evaluated on the side where the exponential cannot overflow.
@inline(__always)
func logisticSigmoid<S: TensorScalar>(_ x: S) -> S {
  if S.self == Float.self {
    let f = unsafeBitCast(x, to: Float.self)
    return unsafeBitCast(1 / (1 + fastExp(-f)), to: S.self)
  }
  if S.self == Double.self {
    let d = unsafeBitCast(x, to: Double.self)
    let e = fastExp(-Swift.abs(d))  // ≤ 1, so neither side overflows
    return unsafeBitCast(d >= 0 ? 1 / (1 + e) : e / (1 + e), to: S.self)
  }
  if x >= 0 { return 1 / (1 + S.exp(-x)) }
  let e = S.exp(x)
  return e / (1 + e)
}

/// eˣ for Double by Cephes' `exp`: x = n·ln2 + r, a (2,3) Padé approximant in r, 2ⁿ from exponent
/// bits (about 1 ulp). Branch-free like the Float version; results below the smallest normal
/// Double (x < -708.39) flush to 0, and x is capped at 709 (the activations never need more).
@inline(__always)
func fastExp(_ x: Double) -> Double {
  let clamped = Swift.min(Swift.max(x, -708.39), 709)
  // Round to nearest by the 1.5·2⁵² trick.
  let n = (clamped * 1.4426950408889634 + 6_755_399_441_055_744) - 6_755_399_441_055_744
  let r = clamped - n * 6.93145751953125e-1 - n * 1.42860682030941723212e-6
  let r2 = r * r
  let p =
    r
    * ((1.26177193074810590878e-4 * r2 + 3.02994407707441961300e-2) * r2
      + 9.99999999999999999910e-1)
  let q =
    ((3.00198505138664455042e-6 * r2 + 2.52448340349684104192e-3) * r2
      + 2.27265548208155028766e-1) * r2 + 2.00000000000000000009e0
  let value = 1 + 2 * p / (q - p)
  // 2ⁿ: n + 1023 ∈ [1, 2046] sits in the low mantissa bits of 1.5·2⁵² + n + 1023.
  let biased = (n + 1023 + 6_755_399_441_055_744).bitPattern &- 0x4338_0000_0000_0000
  return x < -708.39 ? 0 : value * Double(bitPattern: biased << 52)
}

/// tanh for Double by Cephes' `tanh`: a rational function below |x| = 0.625, 1 − 2/(e^{2|x|} + 1)
/// above; both are computed and one selected, so loops over it vectorise.
@inline(__always)
func fastTanh(_ x: Double) -> Double {
  let z = x * x
  let p =
    ((-9.64399179425052238628e-1 * z - 9.92877231001918586564e1) * z
      - 1.61468768441708447952e3)
  let q =
    ((z + 1.12811678491632931402e2) * z + 2.23548839060100448583e3) * z
    + 4.84406305325125486048e3
  let small = x + x * z * p / q
  let a = Swift.abs(x)
  let large = 1 - 2 / (fastExp(2 * Swift.min(a, 40)) + 1)  // tanh(40) is 1 in Double
  return a < 0.625 ? small : (x < 0 ? -large : large)
}

/// A function of two elements, applied with broadcasting.
public enum BinaryOperation: String, CaseIterable, Sendable {
  case add  // a + b
  case subtract  // a - b
  case multiply  // a · b
  case divide  // a / b
  case power  // aᵇ (NaN for a < 0 unless b is an integer)
  case maximum  // max(a, b), NaN if either is NaN
  case minimum  // min(a, b), NaN if either is NaN

  /// The operation on one pair of elements.
  @inline(__always)
  public func apply<S: TensorScalar>(_ a: S, _ b: S) -> S {
    switch self {
    case .add: return a + b
    case .subtract: return a - b
    case .multiply: return a * b
    case .divide: return a / b
    case .power:
      // Integral exponents take C's pow, so (-2)^2 = 4 and 0^0 = 1; others are NaN for a < 0.
      if let n = Int(exactly: b) { return S.pow(a, n) }
      return S.pow(a, b)
    case .maximum: return a.isNaN || b.isNaN ? .nan : Swift.max(a, b)
    case .minimum: return a.isNaN || b.isNaN ? .nan : Swift.min(a, b)
    }
  }
}
