// The operators of the paper's §3–7 on tiny models, against values computed independently here:
// central differences of the unrolled reference steps, explicit products with LAPACK's SVD,
// and closed forms for a constant gate with W_r = 0.
import Foundation
import TauTestSupport
import Testing

@testable import TauDynamics
@testable import TauGraph
@testable import TauTensor

/// A leaky model with W_r = 0: every J_t is (1 - α) I, so every transport is (1 - α)^h I.
func frozenLeakyModel(hidden n: Int, alpha: Double) throws -> RecurrentModel<Double> {
  var stream = RandomStream(seed: 2)
  return try RecurrentModel(
    step: leakyStep(hidden: n, input: 2) { g, _, _ in try g.add(.constant(alpha)) },
    parameters: [
      "Wr": try Tensor<Double>.zeros([n, n]),
      "Wi": try Tensor<Double>.uniform([n, 2], from: -1, to: 1, using: &stream),
    ],
    readout: try Tensor<Double>.ones([1, n]), stateSizes: [n], inputSize: 2)
}

/// h_t of sequence `b` after running the reference evaluator from state `h` at step `k`
/// (h_k = h) through step t.
func rolled(
  _ model: RecurrentModel<Double>, _ inputs: Tensor<Double>, b: Int, from k: Int, state h: [Double],
  to t: Int
) throws -> [Double] {
  var state = h
  for step in k..<t {
    var values: [InputKind: Tensor<Double>] = [
      .state(0): try Tensor(shape: [1, h.count], scalars: state),
      .input: try inputs[b].selecting(step, along: 0).contiguous().reshaped([1, model.inputSize]),
    ]
    for (name, tensor) in model.parameters { values[.parameter(name)] = tensor }
    state = try ReferenceEvaluator.evaluate(model.step, inputs: values)[
      model.step.outputs[0].index
    ].scalars
  }
  return state
}

/// dh_t/dh_k of sequence `b` by central differences of the rolled reference steps.
func numericTransport(
  _ model: RecurrentModel<Double>, _ inputs: Tensor<Double>, b: Int, t: Int, k: Int
) throws -> [[Double]] {
  let n = model.hiddenSize
  let start =
    k == 0
    ? [Double](repeating: 0, count: n)
    : try rolled(
      model, inputs, b: b, from: 0, state: [Double](repeating: 0, count: n), to: k)
  let delta = 1e-6
  var result = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
  for j in 0..<n {
    var plus = start
    var minus = start
    plus[j] += delta
    minus[j] -= delta
    let up = try rolled(model, inputs, b: b, from: k, state: plus, to: t)
    let down = try rolled(model, inputs, b: b, from: k, state: minus, to: t)
    for i in 0..<n { result[i][j] = (up[i] - down[i]) / (2 * delta) }
  }
  return result
}

/// The explicit product J_t ⋯ J_{k+1} of sequence `b`, as a tensor.
func explicitTransport(_ jacobians: StepJacobians, b: Int, t: Int, k: Int) throws -> Tensor<Double>
{
  var product = try Tensor<Double>.eye(jacobians.size)
  if t > k {
    for j in (k + 1)...t { product = try jacobians.full[b][j - 1].matmul(product) }
  }
  return product
}

@Suite struct OperatorTests {
  let model: RecurrentModel<Double>
  let inputs: Tensor<Double>

  init() throws {
    model = try randomModel(hidden: 3, input: 2, seed: 11)
    var stream = RandomStream(seed: 4)
    inputs = try Tensor<Double>.uniform([2, 4, 2], from: -1, to: 1, using: &stream)
  }

  @Test func stepJacobiansAndTransportsMatchFiniteDifferences() throws {
    let jacobians = try model.stepJacobians(inputs)
    #expect(jacobians.full.shape == [2, 4, 3, 3])
    for b in 0..<2 {
      for (t, k) in [(1, 0), (3, 2), (4, 1), (4, 0), (2, 2)] {
        let numeric = try numericTransport(model, inputs, b: b, t: t, k: k)
        let transport = try jacobians.transport(to: t, from: k)[b]
        for i in 0..<3 {
          for j in 0..<3 {
            #expect(
              Swift.abs(try transport.scalar(at: [i, j]) - numeric[i][j]) < 1e-8,
              "P_{\(t),\(k)}[\(i),\(j)] of sequence \(b)")
          }
        }
      }
    }
    #expect(throws: TensorError.self) { try jacobians.transport(to: 2, from: 3) }
  }

  @Test func dominantPartFreezesTheGate() throws {
    let jacobians = try model.stepJacobians(inputs, dominant: true)
    let correction = try jacobians.part(.correction)
    #expect(
      try (jacobians.full - correction - jacobians.part(.dominant)).abs().max().item() < 1e-15)
    #expect(try correction.abs().max().item() > 1e-3)  // a multi gate has a correction
  }

  @Test func exactSensitivitiesAreSpectralNormsOfExplicitProducts() throws {
    // A larger model too, so the power iteration has to converge over many pairs.
    var stream = RandomStream(seed: 6)
    let bigger = try randomModel(hidden: 8, input: 2, seed: 3)
    let longer = try Tensor<Double>.uniform([2, 12, 2], from: -1, to: 1, using: &stream)
    for (model, inputs) in [(model, inputs), (bigger, longer)] {
      let jacobians = try model.stepJacobians(inputs)
      let s = try jacobians.sensitivities()
      let length = inputs.shape[1]
      for b in 0..<2 {
        for t in 1...length {
          for k in 1...length {
            let value = try s.scalar(at: [b, t - 1, k - 1])
            if k > t { #expect(value == 0) }
            if k == t { #expect(value == 1) }
            guard k < t else { continue }
            let expected = try explicitTransport(jacobians, b: b, t: t, k: k).singularValues()[0]
              .item()
            #expect(Swift.abs(value - expected) <= 1e-10 * expected, "S[\(b), \(t), \(k)]")
          }
        }
      }
    }
  }

  @Test func powerEstimatesConvergeToTheExactNorm() throws {
    let jacobians = try randomModel(hidden: 6, input: 2, seed: 8).stepJacobians(inputs)
    let exact = try jacobians.sensitivities().scalars
    let five = try jacobians.sensitivities(method: .power(iterations: 5, seed: 1)).scalars
    let many = try jacobians.sensitivities(method: .power(iterations: 400, seed: 1)).scalars
    for (e, (f, m)) in zip(exact, zip(five, many)) {
      #expect(f <= e * (1 + 1e-12))  // ‖P v‖ never exceeds ‖P‖ for a unit v
      #expect(Swift.abs(m - e) <= 1e-8 * Swift.max(e, 1e-300))
    }
    #expect(zip(exact, five).contains { $0 - $1 > 1e-9 * $0 })  // five steps are an estimate
  }

  /// W_r = 0: S_{t,k} = (1 - α)^{t-k} exactly, so the retention predictor is exact (slope 1,
  /// R² = 1) and the candidate predictor α^h fits with slope log(1 - α)/log α.
  @Test func constantGateReproducesTheGeometricPredictor() throws {
    let alpha = 0.8
    let model = try frozenLeakyModel(hidden: 3, alpha: alpha)
    var stream = RandomStream(seed: 1)
    let inputs = try Tensor<Double>.uniform([2, 6, 2], using: &stream)
    let jacobians = try model.stepJacobians(inputs)
    let s = try jacobians.sensitivities()
    let retention = try effectiveLearningRate(
      sensitivities: s, predictor: try jacobians.gatePredictor(.retention), trim: 0)
    #expect(retention.lags == [1, 2, 3, 4, 5])
    for (h, value) in zip(retention.lags, retention.empirical) {
      let expected = pow(1 - alpha, Double(h - 1))
      #expect(Swift.abs(value - expected) < 1e-12 * expected)
      #expect(Swift.abs((retention.predicted?[h - 1] ?? 0) - expected) < 1e-12 * expected)
      #expect(Swift.abs((retention.fitted?[h - 1] ?? 0) - expected) < 1e-9 * expected)
    }
    #expect(Swift.abs((retention.fit?.slope ?? 0) - 1) < 1e-9)
    #expect(Swift.abs((retention.fit?.r2 ?? 0) - 1) < 1e-9)
    #expect(retention.pairsUsed == 2 * 15)
    let candidate = try effectiveLearningRate(
      sensitivities: s, predictor: try jacobians.gatePredictor(.gate), trim: 0)
    #expect(Swift.abs((candidate.fit?.slope ?? 0) - log(1 - alpha) / log(alpha)) < 1e-9)
    #expect(Swift.abs((candidate.predicted?[2] ?? 0) - alpha * alpha) < 1e-12)
  }

  @Test func gatePredictorMultipliesTheTransportsSteps() throws {
    let jacobians = try model.stepJacobians(inputs)
    let gates = try #require(jacobians.gates)
    #expect(gates.shape == [2, 4, 3])
    let predictor = try #require(try jacobians.gatePredictor(.retention))
    // P_{4,1} of sequence 1: mean over units of (1 - g_2)(1 - g_3)(1 - g_4).
    var expected = 0.0
    for i in 0..<3 {
      var product = 1.0
      for t in 2...4 { product *= 1 - (try gates.scalar(at: [1, t - 1, i])) }
      expected += product / 3
    }
    #expect(Swift.abs(try predictor.scalar(at: [1, 3, 0]) - expected) < 1e-15)
  }

  @Test func trimmingKeepsTheCentralPredictorQuantiles() throws {
    var stream = RandomStream(seed: 5)
    let jacobians = try randomModel(hidden: 4, input: 2, seed: 2).stepJacobians(
      try Tensor<Double>.uniform([3, 20, 2], using: &stream))
    let s = try jacobians.sensitivities()
    let p = try #require(try jacobians.gatePredictor(.gate))
    let all = try effectiveLearningRate(sensitivities: s, predictor: p, trim: 0)
    let trimmed = try effectiveLearningRate(sensitivities: s, predictor: p, trim: 0.1)
    #expect(all.pairsUsed == 3 * 190)
    #expect(trimmed.pairsUsed < all.pairsUsed && trimmed.pairsUsed > all.pairsUsed * 3 / 4)
    #expect(throws: TensorError.self) {
      try effectiveLearningRate(sensitivities: s, predictor: p, trim: 0.5)
    }
  }

  @Test func anisotropyUsesEveryPairOfASmallBatch() throws {
    let jacobians = try model.stepJacobians(inputs)
    let profile = try jacobians.anisotropy(lags: [1, 3], r: 2, k: 3, pairs: 100, seed: 0)
    #expect(profile.pairs == [6, 2])  // B·(T - h) candidates
    for (position, h) in [1, 3].enumerated() {
      var ai: [Double] = []
      var ce: [Double] = []
      for b in 0..<2 {
        for t in (h + 1)...4 {
          let sigma = try explicitTransport(jacobians, b: b, t: t, k: t - h).singularValues()
            .scalars
          ai.append(sigma[0] / sigma[1])
          ce.append((sigma[0] * sigma[0] + sigma[1] * sigma[1]) / sigma.reduce(0) { $0 + $1 * $1 })
        }
      }
      #expect(Swift.abs(profile.ai[position] - median(ai)) < 1e-9 * median(ai))
      #expect(Swift.abs(profile.ce[position] - median(ce)) < 1e-12)
    }
    #expect(throws: TensorError.self) {
      try jacobians.anisotropy(lags: [4], r: 2, k: 3, pairs: 1, seed: 0)
    }
  }

  @Test func anisotropySamplesAreSeededAndWithoutReplacement() throws {
    let jacobians = try model.stepJacobians(inputs)
    let first = try jacobians.anisotropy(lags: [1], r: 1, k: 2, pairs: 4, seed: 3)
    let again = try jacobians.anisotropy(lags: [1], r: 1, k: 2, pairs: 4, seed: 3)
    #expect(first.pairs == [4])
    #expect(first.ai == again.ai && first.ce == again.ce)
  }

  /// With T = 2, F(ε) - T₁(ε) = ε² B₂ B₁ exactly.
  @Test func frechetRemainderIsTheSecondOrderTerm() throws {
    let short = try inputs.slicing(along: 1, to: 2).contiguous()
    let jacobians = try model.stepJacobians(short, dominant: true)
    let check = try jacobians.frechet(eps: [1e-3, 1e-2, 0.1, 1])
    let correction = try jacobians.part(.correction)
    for b in 0..<2 {
      let second = try correction[b][1].matmul(correction[b][0]).frobeniusNorm()
      for (e, epsilon) in check.eps.enumerated() {
        #expect(Swift.abs(check.errors[b][e] - epsilon * epsilon * second) < 1e-12)
      }
      for t in 0..<2 {
        let ratio =
          try correction[b][t].singularValues()[0].item()
          / jacobians.part(.dominant)[b][t].singularValues()[0].item()
        #expect(Swift.abs(check.ratios[b * 2 + t] - ratio) < 1e-10 * ratio)
      }
    }
    #expect(Swift.abs(check.slope - 2) < 1e-6)
  }

  @Test func lyapunovExponentsOfAUniformContraction() throws {
    let model = try frozenLeakyModel(hidden: 3, alpha: 0.8)
    let exponents = try model.stepJacobians(inputs).lyapunovExponents(count: 3)
    #expect(exponents.count == 2)
    for value in exponents.flatMap({ $0 }) { #expect(Swift.abs(value - log(0.2)) < 1e-12) }
  }

  @Test func lyapunovSumIsTheMeanLogDeterminant() throws {
    // Σ λ_i = (1/T) Σ_t log|det J_t|; det from the product of singular values.
    let jacobians = try model.stepJacobians(inputs)
    let exponents = try jacobians.lyapunovExponents(count: 3)
    let leading = try jacobians.lyapunovExponents(count: 1)
    for b in 0..<2 {
      let logDeterminants = try (0..<4).map { t in
        try jacobians.full[b][t].singularValues().scalars.reduce(0) { $0 + log($1) }
      }
      let sum = exponents[b].reduce(0, +)
      let mean = logDeterminants.reduce(0, +) / 4
      #expect(Swift.abs(sum - mean) < 1e-12)
      #expect(Swift.abs(leading[b][0] - exponents[b][0]) < 1e-12)
    }
  }
}
