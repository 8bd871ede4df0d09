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
  /// Lags h = 1 … T-1.
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
    let width = gates.shape[2]
    let g = gates.scalars
    var result = [Double](repeating: 0, count: batch * length * length)
    var product = [Double](repeating: 1, count: width)
    // A result made by hand, without retentions, keeps Tau's convention.
    let retentions =
      gateRetentions.count == width
      ? gateRetentions : Array(repeating: GateRetention.complement, count: width)
    func factor(_ b: Int, _ j: Int, _ i: Int) -> Double {
      let value = g[(b * length + j - 1) * width + i]
      return kind == .gate ? value : retentions[i].retained(value)
    }
    for b in 0..<batch {
      for k in 1..<Swift.max(1, length) {
        for i in 0..<width { product[i] = window == .inclusive ? factor(b, k, i) : 1 }
        for t in (k + 1)...length {
          var sum = 0.0
          for i in 0..<width {
            product[i] *= factor(b, t, i)
            sum += product[i]
          }
          result[(b * length + t - 1) * length + k - 1] = sum / Double(width)
        }
      }
    }
    return try Tensor(shape: [batch, length, length], scalars: result)
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
  guard 0 <= trim, trim < 0.5 else {
    throw TensorError.invalidArgument(
      operation: "efflr", message: "trim \(trim) is not in [0, 0.5)")
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
  let sensitivityMedians = lags.map { median(atLag(sensitivity, $0), rule) }
  let empirical = sensitivityMedians.map { $0 / (sensitivityMedians[0] + epsilon) }
  guard let gate else {
    return EffectiveLearningRateProfile(
      lags: lags, empirical: empirical, predicted: nil, fitted: nil, fit: nil, pairsUsed: 0)
  }
  let gateMedians = lags.map { median(atLag(gate, $0), rule) }
  let predicted = gateMedians.map { $0 / (gateMedians[0] + epsilon) }
  var pairs: [(p: Double, s: Double)] = []
  for h in lags {
    for (p, value) in zip(atLag(gate, h), atLag(sensitivity, h))
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
    pairsUsed: central.count)
}
