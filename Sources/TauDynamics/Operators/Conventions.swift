// The conventions on which the paper's definitions and the author's reference code
// (lorenzolivi/effective-learning-rates) differ, each a switch of its own so that a user can see
// what one of them changes, and the two sets: `paper` (Tau's default) and `reference`.
import TauTensor

/// The order in which a transport multiplies the step Jacobians.
public enum ProductOrder: String, CaseIterable, Sendable {
  /// P_{t,k} = J_t ⋯ J_{k+1}, the chain rule's order (the paper).
  case forward
  /// J_{k+1} ⋯ J_t, what the reference code multiplies (`P = Js[j] @ P` for j from t down).
  case reverse
}

/// Which state multiplies the gate's derivative in the correction term of J_t.
public enum GateTerm: String, CaseIterable, Sendable {
  /// h_{t-1}, the state the step reads: the exact Jacobian.
  case pre
  /// h_t, the state the step writes, as the reference code does (`phi - X[:, j-1]`). For a cell
  /// h_t = g ⊙ φ + (1 - g) ⊙ h_{t-1}, φ - h_t = (1 - g) ⊙ (φ - h_{t-1}), so J_t becomes
  /// A_t + diag(1 - g_t) B_t; defined only for cells of that form.
  case post
}

/// How a per-lag median of an even count of values is taken.
public enum MedianRule: String, CaseIterable, Sendable {
  /// The mean of the two middle values (NumPy).
  case mean
  /// The lower of the two middle values (`torch.median`, as the reference code uses).
  case lower
}

/// The steps whose gate values the predictor multiplies for the pair (t, k).
public enum GateWindow: String, CaseIterable, Sendable {
  /// j = k+1 … t, the steps of the transport P_{t,k}.
  case transport
  /// j = k … t, one step more (the reference code's scalar and multi-gate predictors).
  case inclusive
}

/// The precision in which the sensitivities' products and power iterations run.
public enum Precision: String, CaseIterable, Sendable {
  /// Float64 throughout.
  case f64
  /// The step Jacobians rounded to float32, the products and the power iteration in float32, as
  /// the reference code computes (its forward pass is float32 too; Tau's stays float64).
  case f32
}

/// One choice for every convention the operators take; `paper` and `reference` are the two
/// complete sets.
public struct Conventions: Sendable, Equatable {
  public var order: ProductOrder
  public var gateTerm: GateTerm
  public var median: MedianRule
  public var window: GateWindow
  public var precision: Precision
  /// The sensitivities' norm.
  public var norm: NormMethod
  /// The factor the gate predictor multiplies (the reference multiplies g).
  public var predictor: GatePredictor
  /// The first state a sampled anisotropy pair may start from: 1 (pairs 1 ≤ k < t ≤ T) or 0
  /// (the reference's S2: 0 ≤ k < t ≤ T - 1).
  public var firstState: Int
  /// Added to a denominator wherever the reference adds its 1e-12: the lag-1 medians of the
  /// profile, σ_r and the energy of the anisotropy measures. 0 in the paper.
  public var epsilon: Double
  /// A fit over fewer valid pairs than this is NaN (the reference's `valid.sum() < 50`).
  public var minimumPairs: Int

  public init(
    order: ProductOrder = .forward, gateTerm: GateTerm = .pre, median: MedianRule = .mean,
    window: GateWindow = .transport, precision: Precision = .f64, norm: NormMethod = .exact,
    predictor: GatePredictor = .retention, firstState: Int = 1, epsilon: Double = 0,
    minimumPairs: Int = 2
  ) {
    self.order = order
    self.gateTerm = gateTerm
    self.median = median
    self.window = window
    self.precision = precision
    self.norm = norm
    self.predictor = predictor
    self.firstState = firstState
    self.epsilon = epsilon
    self.minimumPairs = minimumPairs
  }

  /// The paper's definitions: Tau's default.
  public static let paper = Conventions()

  /// What the reference code does (s1_effective_lr.py, s2_joint_anisotropy.py,
  /// appendixA_check.py at commit d70851c).
  public static let reference = Conventions(
    order: .reverse, gateTerm: .post, median: .lower, window: .inclusive, precision: .f32,
    norm: .powerOnP(iterations: 5, epsilon: 1e-12, seed: 0), predictor: .gate, firstState: 0,
    epsilon: 1e-12, minimumPairs: 50)
}

/// The median of `values` by `rule` (NaN when empty).
public func median(_ values: [Double], _ rule: MedianRule) -> Double {
  switch rule {
  case .mean: return median(values)
  case .lower:
    guard !values.isEmpty else { return .nan }
    return values.sorted()[(values.count - 1) / 2]
  }
}
