// Effective-learning-rate profiles (the paper's §5): the lag profile of the sensitivities, the
// gate-product predictor, and the log-log calibration of one against the other.
import Foundation
import TauTensor

/// Which factor of the gate the zeroth-order predictor multiplies over the transport's steps.
public enum GatePredictor: String, CaseIterable, Sendable {
  /// What the gate keeps of the state, what the frozen-gate transport multiplies when W_r is
  /// neglected: 1 - g for g ⊙ φ + (1 - g) ⊙ h (Tau's convention), g for a gate that multiplies
  /// the state itself (an LSTM's f ⊙ c); see `GateRetention`.
  case retention
  /// g as it is, the candidate factor in Tau's convention (what the reference implementation
  /// multiplies).
  case gate
}

/// The lag profile of the sensitivities and its calibration against a gate predictor.
public struct EffectiveLearningRateProfile: Sendable {
  /// Lags h: 1 … T-1, or those sampled.
  public var lags: [Int]
  /// median_{t-k=h} S_{t,k} / median_{t-k=1} S_{t,k}.
  public var empirical: [Double]
  /// P̄(h)/P̄(1), P̄ the median predictor at lag h; nil for a cell without a gate.
  public var predicted: [Double]?
  /// (P̄(h)/P̄(1))^s with the fitted slope s.
  public var fitted: [Double]?
  /// Least squares of log S on log P over the pairs whose P lies within its trimmed quantiles.
  public var fit: LineFit?
  /// Pairs the fit used.
  public var pairsUsed: Int
  /// median_{t-k=h} S_{t,k} itself, at each lag.
  public var medians: [Double]
  /// For a profile from sampled pairs: percentile-bootstrap intervals of `medians` and of
  /// `empirical`, resampling (sequence, origin) clusters; nil for all pairs.
  public var medianIntervals: [ConfidenceInterval]? = nil
  public var empiricalIntervals: [ConfidenceInterval]? = nil
}

extension StepJacobians {
  /// GP[b, t-1, k-1] = mean over the recorded gates' units of ∏_j c_j for 1 ≤ k < t ≤ T, with c
  /// the unit's retention (1 - g, or g for a gate that multiplies the state itself) or g, over
  /// j = k+1 … t (the transport's steps) or, with `.inclusive`, j = k … t. Entries with k ≥ t
  /// are 0. Nil when the cell has no gate.
  public func gatePredictor(_ kind: GatePredictor, window: GateWindow = .transport) throws
    -> Tensor<Double>?
  {
    guard let gates else { return nil }
    let factors = GateFactors(gates, retentions: gateRetentions, kind: kind)
    let length = length
    let perSequence = try concurrentMap(batch) { b -> [Double] in
      var result = [Double](repeating: 0, count: length * length)
      for k in 1..<Swift.max(1, length) {
        factors.sweep(b, from: k, through: length, window: window) { t, mean in
          result[(t - 1) * length + k - 1] = mean
        }
      }
      return result
    }
    return try Tensor(shape: [batch, length, length], scalars: perSequence.flatMap { $0 })
  }
}

/// The factors c of the recorded gate units that the gate predictor multiplies, c[b, j-1, i]
/// for step j of sequence b, [B × T × G].
struct GateFactors: Sendable {
  let factors: [Double]
  let length: Int
  let width: Int

  /// From `gates` [B × T × G]; a record made by hand, without retentions, keeps Tau's
  /// convention.
  init(_ gates: Tensor<Double>, retentions: [GateRetention], kind: GatePredictor) {
    (length, width) = (gates.shape[1], gates.shape[2])
    let retentions =
      retentions.count == width
      ? retentions : Array(repeating: GateRetention.complement, count: width)
    let width = width
    factors = gates.contiguous().scalars.enumerated().map { entry, value in
      kind == .gate ? value : retentions[entry % width].retained(value)
    }
  }

  /// The factor of step j = 1 … T of sequence b for state entry `unit` (a one-unit gate's for
  /// every entry).
  func at(_ b: Int, _ j: Int, unit: Int) -> Double {
    factors[(b * length + j - 1) * width + (width == 1 ? 0 : unit)]
  }

  /// For t = k+1 … `last`, or only t = k + h for h in `lags` (ascending), hands `visit` the mean
  /// over units of ∏_j c_j over j = k+1 … t (the transport's steps) or, with `.inclusive`,
  /// j = k … t.
  func sweep(
    _ b: Int, from k: Int, through last: Int, window: GateWindow, lags: [Int]? = nil,
    _ visit: (_ t: Int, _ mean: Double) -> Void
  ) {
    guard k < last else { return }
    let width = width
    var next = 0  // the next lag to visit
    withUnsafeTemporaryAllocation(of: Double.self, capacity: width) { product in
      factors.withUnsafeBufferPointer { c in
        for i in 0..<width {
          product[i] = window == .inclusive ? c[(b * length + k - 1) * width + i] : 1
        }
        for t in (k + 1)...last {
          let row = (b * length + t - 1) * width
          multiply(product.baseAddress!, by: c.baseAddress! + row, count: width)
          if let lags {
            guard next < lags.count, t - k == lags[next] else { continue }
            next += 1
          }
          // The sum apart from the products, so that the products' loop vectorises.
          var sum = 0.0
          for i in 0..<width { sum += product[i] }
          visit(t, sum / Double(width))
        }
      }
    }
  }
}

/// `product[i] *= factor[i]` for i < count, eight at a time: the two pointers' memory is
/// disjoint, which the compiler cannot see, so it would not vectorise the plain loop.
@inline(__always)
func multiply(
  _ product: UnsafeMutablePointer<Double>, by factor: UnsafePointer<Double>, count: Int
) {
  combine(product, factor, count: count, *, *=)
}

/// `sum[i] += term[i]` for i < count, eight at a time (as `multiply`).
@inline(__always)
func add(_ sum: UnsafeMutablePointer<Double>, _ term: UnsafePointer<Double>, count: Int) {
  combine(sum, term, count: count, +, +=)
}

@inline(__always)
private func combine(
  _ target: UnsafeMutablePointer<Double>, _ source: UnsafePointer<Double>, count: Int,
  _ vector: (SIMD8<Double>, SIMD8<Double>) -> SIMD8<Double>,
  _ scalar: (inout Double, Double) -> Void
) {
  var i = 0
  while i + 8 <= count {
    let p = UnsafeMutableRawPointer(target + i)
    p.storeBytes(
      of: vector(
        p.loadUnaligned(as: SIMD8<Double>.self),
        UnsafeRawPointer(source + i).loadUnaligned(as: SIMD8<Double>.self)),
      as: SIMD8<Double>.self)
    i += 8
  }
  while i < count {
    scalar(&target[i], source[i])
    i += 1
  }
}

/// The profile of sensitivities `s` [B × T × T] (as `StepJacobians.sensitivities`) against
/// `predictor` (same layout, or nil), trimming the predictor to its [trim, 1 - trim] quantiles
/// for the fit. `median` says how a per-lag median of an even count is taken; `epsilon` is added
/// to the lag-1 medians the profiles divide by (and to the predicted profile before the fitted
/// power, as the reference does); a fit over fewer than `minimumPairs` valid pairs is NaN.
public func effectiveLearningRate(
  sensitivities s: Tensor<Double>, predictor: Tensor<Double>?, trim: Double,
  median rule: MedianRule = .mean, epsilon: Double = 0, minimumPairs: Int = 2
) throws -> EffectiveLearningRateProfile {
  guard s.rank == 3, s.shape[1] == s.shape[2], s.shape[1] >= 2 else {
    throw TensorError.invalidShape(
      operation: "efflr", shape: s.shape, reason: "needs [B × T × T] with T ≥ 2")
  }
  let (batch, length) = (s.shape[0], s.shape[1])
  let sensitivity = s.contiguous().scalars
  let gate = predictor?.contiguous().scalars
  /// The values of `x` at lag h over every sequence and every t.
  func atLag(_ x: [Double], _ h: Int) -> [Double] {
    (0..<batch).flatMap { b in
      (h + 1...length).map { t in x[(b * length + t - 1) * length + t - h - 1] }
    }
  }
  let lags = Array(1..<length)
  return try lagProfile(
    lags: lags, sensitivities: lags.map { atLag(sensitivity, $0) },
    predictor: gate.map { gate in lags.map { atLag(gate, $0) } }, trim: trim, median: rule,
    epsilon: epsilon, minimumPairs: minimumPairs)
}

/// The profile from the pairs at each lag: `sensitivities[l]` and `predictor[l]` hold the values
/// of the same pairs, in the same order, at `lags[l]`. The first lag's medians are the ones the
/// profiles divide by.
func lagProfile(
  lags: [Int], sensitivities: [[Double]], predictor: [[Double]]?, trim: Double,
  median rule: MedianRule, epsilon: Double, minimumPairs: Int
) throws -> EffectiveLearningRateProfile {
  guard 0 <= trim, trim < 0.5 else {
    throw TensorError.invalidArgument(
      operation: "efflr", message: "trim \(trim) is not in [0, 0.5)")
  }
  let medians = sensitivities.map { median($0, rule) }
  let empirical = medians.map { $0 / (medians[0] + epsilon) }
  guard let predictor else {
    return EffectiveLearningRateProfile(
      lags: lags, empirical: empirical, predicted: nil, fitted: nil, fit: nil, pairsUsed: 0,
      medians: medians)
  }
  let gateMedians = predictor.map { median($0, rule) }
  let predicted = gateMedians.map { $0 / (gateMedians[0] + epsilon) }
  var pairs: [(p: Double, s: Double)] = []
  for (gate, sensitivity) in zip(predictor, sensitivities) {
    for (p, value) in zip(gate, sensitivity)
    where p > 0 && value > 0 && p.isFinite && value.isFinite {
      pairs.append((p, value))
    }
  }
  let (low, high) = (quantile(pairs.map(\.p), trim), quantile(pairs.map(\.p), 1 - trim))
  let central = pairs.count < minimumPairs ? [] : pairs.filter { $0.p >= low && $0.p <= high }
  let fit = LineFit(x: central.map { log($0.p) }, y: central.map { log($0.s) })
  return EffectiveLearningRateProfile(
    lags: lags, empirical: empirical, predicted: predicted,
    fitted: predicted.map { pow($0 + epsilon, fit.slope.isFinite ? fit.slope : 1) }, fit: fit,
    pairsUsed: central.count, medians: medians)
}
