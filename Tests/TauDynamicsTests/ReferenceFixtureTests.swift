// The reference code's conventions against values the reference code itself computed
// (Fixtures/reference_conventions.json, written by Benchmarks/validation/reference_conventions.py
// from the author's own functions, with its power-iteration start vectors recorded): the same
// weights and inputs here, `Conventions.reference`'s choices, and the fixture's numbers.
import Foundation
import TauTestSupport
import Testing

@testable import TauDynamics
@testable import TauGraph
@testable import TauTensor

/// The fixture file, decoded once.
struct ReferenceFixture {
  let json: [String: Any]
  var batch: Int { json["B"] as? Int ?? 0 }
  var length: Int { json["T"] as? Int ?? 0 }
  var input: Int { json["ni"] as? Int ?? 0 }
  var hidden: Int { json["nh"] as? Int ?? 0 }

  init() throws {
    let url = packageRoot.appendingPathComponent(
      "Tests/TauDynamicsTests/Fixtures/reference_conventions.json")
    json = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
  }

  func numbers(_ key: String, in record: [String: Any]? = nil) throws -> [Double] {
    try #require((record ?? json)[key] as? [Double], "fixture field \(key)")
  }

  func model(_ kind: String) throws -> [String: Any] {
    try #require((json["models"] as? [String: Any])?[kind] as? [String: Any])
  }

  func result(_ kind: String, _ precision: String) throws -> [String: Any] {
    try #require(try model(kind)[precision] as? [String: Any])
  }

  /// Tau's model with the fixture's weights: the reference's LeakyRNN (α = 0.8), ScalarGateRNN
  /// or MultiGateRNN, h_t = g ⊙ tanh(W_r h + W_i x) + (1 - g) ⊙ h.
  func network(_ kind: String) throws -> RecurrentModel<Double> {
    try Self.network(
      kind, weights: try #require(try model(kind)["weights"] as? [String: [Double]]),
      hidden: hidden, input: input)
  }

  static func network(_ kind: String, weights: [String: [Double]], hidden n: Int, input m: Int)
    throws -> RecurrentModel<Double>
  {
    func tensor(_ name: String, _ shape: [Int]) throws -> Tensor<Double> {
      try Tensor(shape: shape, scalars: try #require(weights[name]))
    }
    var parameters = ["Wr": try tensor("Wr", [n, n]), "Wi": try tensor("Wi", [n, m])]
    let step: Graph
    switch kind {
    case "leaky":
      step = try PaperCell.leaky.graph(hidden: n, input: m)
    case "scalar":
      step = try PaperCell.scalar.graph(hidden: n, input: m)
      parameters["gate.wr"] = try tensor("Wrg", [n])
      parameters["gate.wi"] = try tensor("Wig", [m])
    default:
      step = try PaperCell.multi.graph(hidden: n, input: m)
      parameters["gate.Wr"] = try tensor("Wrg", [n, n])
      parameters["gate.Wi"] = try tensor("Wig", [n, m])
    }
    return try RecurrentModel(
      step: step, parameters: parameters, readout: try Tensor<Double>.ones([1, n]), stateSizes: [n],
      inputSize: m)
  }

  var inputs: Tensor<Double> {
    get throws { try Tensor(shape: [batch, length, input], scalars: try numbers("inputs")) }
  }

  func starts(_ precision: String) throws -> Tensor<Double> {
    try Tensor(
      shape: [batch, length, length, hidden], scalars: try numbers("starts_" + precision))
  }
}

/// The largest |a - b| / max(|b|, floor) over the pairs 1 ≤ k < t ≤ T of two [B × T × T] layouts.
func pairDeviation(_ a: [Double], _ b: [Double], batch: Int, length: Int, floor: Double) -> Double {
  var worst = 0.0
  for s in 0..<batch {
    for t in 2...length {
      for k in 1..<t {
        let i = (s * length + t - 1) * length + k - 1
        worst = Swift.max(worst, Swift.abs(a[i] - b[i]) / Swift.max(Swift.abs(b[i]), floor))
      }
    }
  }
  return worst
}

@Suite struct ReferenceFixtureTests {
  let fixture: ReferenceFixture

  init() throws { fixture = try ReferenceFixture() }

  /// Tau's S1 and S2 quantities under the reference's conventions, in `precision`.
  func measure(_ kind: String, _ precision: Precision) throws -> (
    jacobians: StepJacobians, s: Tensor<Double>, predictor: Tensor<Double>,
    profile: EffectiveLearningRateProfile, anisotropy: AnisotropyProfile
  ) {
    let c = Conventions.reference
    let jacobians = try fixture.network(kind).stepJacobians(
      try fixture.inputs, gateTerm: c.gateTerm)
    let s = try jacobians.sensitivities(
      method: .powerOnP(iterations: 5, epsilon: 1e-12, seed: 0), order: c.order,
      precision: precision, starts: try fixture.starts(precision.rawValue))
    let predictor = try #require(try jacobians.gatePredictor(c.predictor, window: c.window))
    let profile = try effectiveLearningRate(
      sensitivities: s, predictor: predictor, trim: 0.01, median: c.median, epsilon: c.epsilon,
      minimumPairs: c.minimumPairs)
    let anisotropy = try jacobians.anisotropy(
      lags: [1, 2, 4], r: 2, k: 4, pairs: 64, seed: 0, order: c.order, firstState: c.firstState,
      epsilon: c.epsilon)
    return (jacobians, s, predictor, profile, anisotropy)
  }

  @Test(arguments: ["leaky", "scalar", "multi"])
  func float64RunOfTheReferenceIsReproduced(_ kind: String) throws {
    let expected = try fixture.result(kind, "f64")
    let (b, t) = (fixture.batch, fixture.length)
    let run = try measure(kind, .f64)
    // J_t with the post-update gate term, against compute_J_blocks.
    let j = try fixture.numbers("J", in: expected)
    #expect(zip(run.jacobians.full.scalars, j).allSatisfy { Swift.abs($0 - $1) < 1e-14 })
    // Sensitivities: reverse products, five steps on P with the epsilon, the recorded starts.
    let s = try fixture.numbers("S", in: expected)
    #expect(pairDeviation(run.s.scalars, s, batch: b, length: t, floor: 1e-300) < 1e-12)
    // The predictor over k … t (the leaky reference multiplies α^{t-k}: one α less).
    let gp = try fixture.numbers("GP", in: expected).map { kind == "leaky" ? 0.8 * $0 : $0 }
    #expect(pairDeviation(run.predictor.scalars, gp, batch: b, length: t, floor: 1e-300) < 1e-13)
    // The profile (lower medians, the epsilon in its ratios) and the fit.
    for (field, values) in [
      ("empirical", run.profile.empirical), ("predicted", run.profile.predicted ?? []),
      ("fitted", run.profile.fitted ?? []),
    ] {
      let reference = try fixture.numbers(field, in: expected)
      #expect(values.count == reference.count)
      for (value, target) in zip(values, reference) {
        #expect(Swift.abs(value - target) <= 1e-10 * Swift.abs(target), "\(kind) \(field)")
      }
    }
    let slope = try #require(expected["slope"] as? Double)
    let r2 = try #require(expected["r2"] as? Double)
    #expect(Swift.abs((run.profile.fit?.slope ?? .nan) - slope) < 1e-10)
    #expect(Swift.abs((run.profile.fit?.r2 ?? .nan) - r2) < 1e-10)
    // S2's anisotropy over every pair from h_0, reverse products, the epsilons.
    for (values, field) in [(run.anisotropy.ai, "ai"), (run.anisotropy.ce, "ce")] {
      let reference = try fixture.numbers(field, in: expected)
      for (value, target) in zip(values, reference) {
        #expect(Swift.abs(value - target) <= 1e-10 * Swift.abs(target), "\(kind) \(field)")
      }
    }
  }

  /// The float32 run: Tau's forward pass stays float64 and its Jacobians are rounded to float32,
  /// the reference's are computed in float32, so the two agree to float32 rounding only.
  @Test(arguments: ["leaky", "scalar", "multi"])
  func float32RunOfTheReferenceIsReproducedToSinglePrecision(_ kind: String) throws {
    let expected = try fixture.result(kind, "f32")
    let run = try measure(kind, .f32)
    let s = try fixture.numbers("S", in: expected)
    #expect(
      pairDeviation(run.s.scalars, s, batch: fixture.batch, length: fixture.length, floor: 1e-30)
        < 1e-5)
    let slope = try #require(expected["slope"] as? Double)
    #expect(Swift.abs((run.profile.fit?.slope ?? .nan) - slope) < 1e-5)
    let empirical = try fixture.numbers("empirical", in: expected)
    for (value, target) in zip(run.profile.empirical, empirical) {
      #expect(Swift.abs(value - target) <= 1e-5 * Swift.abs(target))
    }
  }

  /// appendixA_check.py's check on its own cell and input signal, in float64 as it runs: the
  /// product A_1 ⋯ A_T (reverse order) and B_j with d_j = φ - h_j (post-update).
  @Test(arguments: ["scalar", "multi"])
  func frechetCheckOfTheAppendixIsReproduced(_ kind: String) throws {
    let record = try #require((fixture.json["frechet"] as? [String: Any])?[kind] as? [String: Any])
    let (t, n, m) = (record["T"] as? Int ?? 0, record["nh"] as? Int ?? 0, record["ni"] as? Int ?? 0)
    let model = try ReferenceFixture.network(
      kind, weights: try #require(record["weights"] as? [String: [Double]]), hidden: n, input: m)
    let inputs = try Tensor(shape: [1, t, m], scalars: try fixture.numbers("inputs", in: record))
    let c = Conventions.reference
    let check = try model.stepJacobians(inputs, dominant: true, gateTerm: c.gateTerm)
      .frechet(eps: try fixture.numbers("eps", in: record), order: c.order)
    let error = try fixture.numbers("error", in: record)
    // E(ε) is a difference of O(1) matrices that cancels to ε²·C ≈ 2e-15 at ε = 1e-5: the two
    // computations round differently by about 1e-16 of ‖F‖, a few per cent of E there, so the
    // slope over the five smallest ε (both programs' rule) agrees only to 2e-3.
    for (value, target) in zip(check.error, error) {
      #expect(Swift.abs(value - target) <= 1e-6 * target + 1e-15, "\(kind) E")
    }
    let slope = try #require(record["slope"] as? Double)
    #expect(Swift.abs(check.slope - slope) < 5e-3)
    let ratio = try fixture.numbers("ratio", in: record)
    #expect(check.ratios.count == ratio.count)
    for (value, target) in zip(check.ratios, ratio) {
      #expect(Swift.abs(value - target) <= 1e-12 * target, "\(kind) r_j")
    }
    // The paper's convention is not the appendix's: its ratios are larger by 1/(1 - g).
    let paper = try model.stepJacobians(inputs, dominant: true).frechet(eps: [1e-3])
    #expect(zip(paper.ratios, ratio).allSatisfy { $0 > $1 * (1 + 1e-6) })
  }
}
