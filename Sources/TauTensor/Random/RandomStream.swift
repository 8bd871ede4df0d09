// Seeded random streams with named sub-streams: model init, data and sampling each draw from
// their own stream, so adding a draw in one never shifts the numbers of another.

/// A reproducible stream of random numbers: Philox4x32-10 under a 64-bit key, read block by block.
///
/// The same seed gives bit-identical numbers on every run and machine: the generator is integer
/// arithmetic, and the transforms to floating point use only IEEE-exact operations (`+ − × ÷ √`)
/// and a portable logarithm, never the platform's libm.
///
/// ```swift
/// let root = RandomStream(seed: 1)
/// var initStream = root.substream("init")      // independent of …
/// var data = root.substream("data").substream(7)   // … batch 7's stream
/// let w = try Tensor<Float>.uniform([64, 64], from: -0.125, to: 0.125, using: &initStream)
/// ```
public struct RandomStream: Sendable, RandomNumberGenerator {
  /// The 64-bit Philox key identifying this stream.
  public let key: UInt64
  private var block: UInt64 = 0
  private var words: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)
  private var used = 4
  private var spareNormal: Double?

  /// The root stream of `seed`.
  public init(seed: UInt64) { key = splitMix64(seed) }

  private init(key: UInt64) { self.key = key }

  /// An independent stream named `name` under this one (e.g. `"init"`, `"data"`). It depends
  /// only on this stream's key and the name, not on what has been drawn.
  public func substream(_ name: String) -> RandomStream {
    RandomStream(key: splitMix64(key ^ fnv1a64(name)))
  }

  /// The independent stream number `index` under this one (e.g. batch `k` of a task).
  public func substream(_ index: Int) -> RandomStream {
    // The NUL prefix keeps numbered streams apart from every printable name.
    substream("\u{0}#\(index)")
  }

  // MARK: - Raw words

  /// The next 32 random bits.
  public mutating func nextUInt32() -> UInt32 {
    if used == 4 {
      words = philox4x32(
        counter: (UInt32(truncatingIfNeeded: block), UInt32(truncatingIfNeeded: block >> 32), 0, 0),
        key: (UInt32(truncatingIfNeeded: key), UInt32(truncatingIfNeeded: key >> 32)))
      block &+= 1
      used = 0
    }
    defer { used += 1 }
    switch used {
    case 0: return words.0
    case 1: return words.1
    case 2: return words.2
    default: return words.3
    }
  }

  /// The next 64 random bits (`RandomNumberGenerator`).
  public mutating func next() -> UInt64 {
    UInt64(nextUInt32()) << 32 | UInt64(nextUInt32())
  }

  // MARK: - Distributions

  /// Uniform on [0, 1): 24 random bits for Float, 53 for Double, so every value is exact.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public mutating func uniform<S: TensorScalar>(_: S.Type = S.self) -> S {
    if S.significandBitCount <= 23 {
      return S(nextUInt32() >> 8) * S(1) / S(1 << 24)
    }
    return S(next() >> 11) / S(1 << 53)
  }

  /// Fills `buffer` with the next uniforms on [0, 1), in order: what `uniform(Double.self)`
  /// called once per element gives. Once the current block is used up, whole Philox blocks are
  /// computed straight into the buffer, two Doubles each, without `nextUInt32`'s bookkeeping
  /// per word (a training step that draws its batch spent about 4 % there).
  public mutating func fillUniform(_ buffer: UnsafeMutableBufferPointer<Double>) {
    guard let base = buffer.baseAddress else { return }
    let count = buffer.count
    var i = 0
    // A Double is two words, so after an odd number of words the blocks never line up.
    while i < count, used != 4 {
      base[i] = uniform(Double.self)
      i += 1
    }
    let pairs = (count - i) / 2
    let k = (UInt32(truncatingIfNeeded: key), UInt32(truncatingIfNeeded: key >> 32))
    for p in 0..<pairs {
      let b = block &+ UInt64(p)
      let w = philox4x32(
        counter: (UInt32(truncatingIfNeeded: b), UInt32(truncatingIfNeeded: b >> 32), 0, 0), key: k)
      base[i + 2 * p] = unitDouble(UInt64(w.0) << 32 | UInt64(w.1))
      base[i + 2 * p + 1] = unitDouble(UInt64(w.2) << 32 | UInt64(w.3))
    }
    block &+= UInt64(pairs)
    i += 2 * pairs
    while i < count {
      base[i] = uniform(Double.self)
      i += 1
    }
  }

  /// A 64-bit word as `uniform(Double.self)` turns it into [0, 1): its top 53 bits.
  @inline(__always)
  private func unitDouble(_ word: UInt64) -> Double { Double(word >> 11) / Double(1 << 53) }

  /// Standard normal (Marsaglia's polar method, computed in Double).
  public mutating func normal() -> Double {
    if let spare = spareNormal {
      spareNormal = nil
      return spare
    }
    while true {
      let u = 2 * uniform(Double.self) - 1
      let v = 2 * uniform(Double.self) - 1
      let s = u * u + v * v
      if s >= 1 || s == 0 { continue }
      let factor = (-2 * portableLog(s) / s).squareRoot()
      spareNormal = v * factor
      return u * factor
    }
  }

  /// Uniform on `0..<bound` without modulo bias (Lemire's multiply-and-reject method).
  /// A bound of 0 or less yields 0.
  public mutating func integer(below bound: Int) -> Int {
    guard bound > 0 else { return 0 }
    let range = UInt64(bound)
    var product = next().multipliedFullWidth(by: range)
    if product.low < range {
      let threshold = (0 &- range) % range
      while product.low < threshold { product = next().multipliedFullWidth(by: range) }
    }
    return Int(product.high)
  }

  /// A uniformly random ordering of `0..<count` (Fisher–Yates with `integer(below:)`).
  public mutating func permutation(_ count: Int) -> [Int] {
    var result = Array(0..<Swift.max(count, 0))
    for i in stride(from: result.count - 1, to: 0, by: -1) {
      result.swapAt(i, integer(below: i + 1))
    }
    return result
  }
}

/// ln x for finite x > 0 using only IEEE-exact arithmetic, so its value does not depend on the
/// platform's libm. x = m·2ᵉ with m ∈ [√½, √2); ln m = 2·atanh(f), f = (m−1)/(m+1), |f| < 0.172,
/// summed to f²³ (truncation < 1e-18); accurate to about 1 ulp.
func portableLog(_ x: Double) -> Double {
  var m = x.significand  // [1, 2)
  var e = Double(x.exponent)
  if m > 1.4142135623730951 {
    m /= 2
    e += 1
  }
  let f = (m - 1) / (m + 1)
  let f2 = f * f
  var series = 1.0 / 23
  for k in stride(from: 21, through: 1, by: -2) { series = series * f2 + 1 / Double(k) }
  let ln2High = 6.93147180369123816490e-01  // fdlibm's split of ln 2: high part exact in e·ln2High
  let ln2Low = 1.90821492927058770002e-10
  return e * ln2High + (2 * f * series + e * ln2Low)
}
