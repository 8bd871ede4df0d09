// Each of the reference code's conventions on a tiny model, against an independent computation
// written here with plain loops: the reversed product, the power iteration on P with its
// epsilon (in both precisions), the lower median, the inclusive gate window, the post-update
// gate term (from the cell's own formulas), the reversed Fréchet expansion and S2's pairs.
import Foundation
import Testing

@testable import TauDynamics
@testable import TauGraph
@testable import TauTensor

/// J_{k+1} ⋯ J_t of sequence `b` (row-major n×n) by triple loops over the raw scalars.
func slowReverseProduct(_ jacobians: StepJacobians, b: Int, t: Int, k: Int) -> [Double] {
  let n = jacobians.size
  let j = jacobians.full.scalars
  var product = (0..<(n * n)).map { $0 / n == $0 % n ? 1.0 : 0.0 }
  for step in (k + 1)...t {  // product ← product · J_step
    let base = (b * jacobians.length + step - 1) * n * n
    var next = [Double](repeating: 0, count: n * n)
    for row in 0..<n {
      for column in 0..<n {
        for i in 0..<n { next[row * n + column] += product[row * n + i] * j[base + i * n + column] }
      }
    }
    product = next
  }
  return product
}

/// The reference's estimate written out: v ← v/(‖v‖+ε), `iterations` × (v ← P v, v ← v/(‖v‖+ε)),
/// then ‖P v‖, in `S`.
func slowPowerOnP<S: BinaryFloatingPoint>(
  _ p: [Double], n: Int, start: [Double], iterations: Int, epsilon: S
) -> Double {
  let matrix = p.map { S($0) }
  func norm(_ v: [S]) -> S { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }
  func apply(_ v: [S]) -> [S] {
    (0..<n).map { row in (0..<n).reduce(S(0)) { $0 + matrix[row * n + $1] * v[$1] } }
  }
  var v = start.map { S($0) }
  let first = norm(v)
  v = v.map { $0 / (first + epsilon) }
  for _ in 0..<iterations {
    let w = apply(v)
    let length = norm(w)
    v = w.map { $0 / (length + epsilon) }
  }
  return Double(norm(apply(v)))
}

@Suite struct ConventionTests {
  let model: RecurrentModel<Double>
  let inputs: Tensor<Double>

  init() throws {
    model = try randomModel(hidden: 3, input: 2, seed: 11)
    var stream = RandomStream(seed: 4)
    inputs = try Tensor<Double>.uniform([2, 6, 2], from: -1, to: 1, using: &stream)
  }

  @Test func reverseOrderMultipliesJkPlusOneFirst() throws {
    let jacobians = try model.stepJacobians(inputs)
    let s = try jacobians.sensitivities(order: .reverse)
    let forward = try jacobians.sensitivities()
    var differs = false
    for b in 0..<2 {
      for t in 2...6 {
        for k in 1..<t {
          let expected = slowReverseProduct(jacobians, b: b, t: t, k: k)
          let transport = try jacobians.transport(to: t, from: k, order: .reverse)[b].scalars
          #expect(zip(transport, expected).allSatisfy { Swift.abs($0 - $1) < 1e-14 })
          let norm = try Tensor(shape: [3, 3], scalars: expected).singularValues()[0].item()
          let value = try s.scalar(at: [b, t - 1, k - 1])
          #expect(Swift.abs(value - norm) <= 1e-12 * norm, "S[\(b), \(t), \(k)]")
          let paper = try forward.scalar(at: [b, t - 1, k - 1])
          if Swift.abs(value - paper) > 1e-6 { differs = true }
        }
      }
    }
    #expect(differs)  // the order matters on this model
  }

  @Test(arguments: [ProductOrder.forward, .reverse])
  func powerOnPIsTheReferencesIterationWithItsEpsilon(_ order: ProductOrder) throws {
    let jacobians = try model.stepJacobians(inputs)
    var stream = RandomStream(seed: 9)
    let starts = try Tensor<Double>.uniform([2, 6, 6, 3], from: -1, to: 1, using: &stream)
    let method = NormMethod.powerOnP(iterations: 5, epsilon: 1e-12, seed: 0)
    let double = try jacobians.sensitivities(method: method, order: order, starts: starts)
    let single = try jacobians.sensitivities(
      method: method, order: order, precision: .f32, starts: starts)
    for b in 0..<2 {
      for t in 2...6 {
        for k in 1..<t {
          let product =
            order == .reverse
            ? slowReverseProduct(jacobians, b: b, t: t, k: k)
            : try explicitTransport(jacobians, b: b, t: t, k: k).scalars
          let start = (0..<3).map { starts.scalars[((b * 6 + t - 1) * 6 + k - 1) * 3 + $0] }
          let expected = slowPowerOnP(product, n: 3, start: start, iterations: 5, epsilon: 1e-12)
          let value = try double.scalar(at: [b, t - 1, k - 1])
          #expect(Swift.abs(value - expected) <= 1e-13 * expected)
          let expected32 = slowPowerOnP(
            product, n: 3, start: start, iterations: 5, epsilon: Float(1e-12))
          #expect(
            Swift.abs(try single.scalar(at: [b, t - 1, k - 1]) - expected32) <= 1e-5 * expected32)
        }
      }
    }
    // The seeded start is reproducible and is not the given one.
    let seeded = try jacobians.sensitivities(method: method, order: order)
    #expect(seeded.scalars == (try jacobians.sensitivities(method: method, order: order)).scalars)
    #expect(seeded.scalars != double.scalars)
    #expect(throws: TensorError.self) {
      try jacobians.sensitivities(method: method, starts: try Tensor<Double>.zeros([2, 6, 6, 2]))
    }
  }

  /// J_t = 1e-4 I: P_{t,k} = 1e-4^h I. Below ε = 1e-12 (h ≥ 4) each step of the iteration
  /// multiplies v by about 1e-4^h / ε, so float64 reports a tiny positive value and float32
  /// underflows to 0: those pairs drop out of a fit.
  @Test func theEpsilonCollapsesPairsBelowItToZeroInFloat32() throws {
    let jacobians = try frozenLeakyModel(hidden: 3, alpha: 1 - 1e-4).stepJacobians(inputs)
    let method = NormMethod.powerOnP(iterations: 5, epsilon: 1e-12, seed: 3)
    let double = try jacobians.sensitivities(method: method, order: .reverse)
    let single = try jacobians.sensitivities(method: method, order: .reverse, precision: .f32)
    for t in 2...6 {
      for k in 1..<t {
        let h = Double(t - k)
        let (d, s) = (
          try double.scalar(at: [0, t - 1, k - 1]), try single.scalar(at: [0, t - 1, k - 1])
        )
        if h == 1 {  // far above ε: ‖P‖ itself, to ε/‖P‖
          #expect(Swift.abs(d - 1e-4) <= 1e-6 * 1e-4)
          #expect(Swift.abs(s - 1e-4) <= 1e-5 * 1e-4)
        }
        if h >= 4 {
          #expect(d > 0 && d < 1e-30)
          #expect(s == 0)
        }
      }
    }
  }

  @Test func lowerMedianIsTorchsMedian() throws {
    #expect(median([4, 1, 3, 2], .lower) == 2)
    #expect(median([4, 1, 3, 2], .mean) == 2.5)
    #expect(median([5, 1, 3], .lower) == 3)
    #expect(median([], .lower).isNaN)
    let jacobians = try model.stepJacobians(inputs)
    let s = try jacobians.sensitivities()
    let profile = try effectiveLearningRate(
      sensitivities: s, predictor: nil, trim: 0, median: .lower)
    func lowerMedian(_ h: Int) throws -> Double {
      var values: [Double] = []
      for b in 0..<2 {
        for t in (h + 1)...6 { values.append(try s.scalar(at: [b, t - 1, t - h - 1])) }
      }
      values.sort()
      return values[(values.count - 1) / 2]
    }
    for h in 1...5 {
      let expected = try lowerMedian(h) / lowerMedian(1)
      #expect(Swift.abs(profile.empirical[h - 1] - expected) <= 1e-15 * expected)
    }
  }

  @Test(arguments: [GatePredictor.gate, .retention])
  func inclusiveWindowMultipliesOneStepMore(_ kind: GatePredictor) throws {
    let jacobians = try model.stepJacobians(inputs)
    let gates = try #require(jacobians.gates)
    let predictor = try #require(try jacobians.gatePredictor(kind, window: .inclusive))
    for b in 0..<2 {
      for t in 2...6 {
        for k in 1..<t {
          var mean = 0.0
          for i in 0..<3 {
            var product = 1.0
            for j in k...t {
              let g = try gates.scalar(at: [b, j - 1, i])
              product *= kind == .gate ? g : 1 - g
            }
            mean += product / 3
          }
          #expect(Swift.abs(try predictor.scalar(at: [b, t - 1, k - 1]) - mean) < 1e-15)
        }
      }
    }
  }

  /// The multi-gate cell's Jacobian from its formulas: J = diag(g) D W_r + diag(1 - g) +
  /// diag(φ - h) diag(σ') W_rg, with h = h_{t-1} (exact) or h_t (the reference's post-update).
  @Test func postUpdateGateTermIsTheReferencesFormula() throws {
    let p = model.parameters.mapValues(\.scalars)
    let (wr, wi, wrg, wig) = (p["Wr"] ?? [], p["Wi"] ?? [], p["gate.Wr"] ?? [], p["gate.Wi"] ?? [])
    let post = try model.stepJacobians(inputs, gateTerm: .post)
    let pre = try model.stepJacobians(inputs)
    let n = 3
    for b in 0..<2 {
      var h = [Double](repeating: 0, count: n)
      for t in 1...6 {
        let x = (0..<2).map { inputs.scalars[(b * 6 + t - 1) * 2 + $0] }
        func affine(_ w: [Double], _ v: [Double], _ row: Int) -> Double {
          (0..<n).reduce(0) { $0 + w[row * n + $1] * h[$1] }
            + (0..<2).reduce(0) { $0 + v[row * 2 + $1] * x[$1] }
        }
        let phi = (0..<n).map { tanh(affine(wr, wi, $0)) }
        let g = (0..<n).map { 1 / (1 + exp(-affine(wrg, wig, $0))) }
        let next = (0..<n).map { g[$0] * phi[$0] + (1 - g[$0]) * h[$0] }
        for (state, jacobians) in [(next, post), (h, pre)] {
          for row in 0..<n {
            for column in 0..<n {
              let expected =
                g[row] * (1 - phi[row] * phi[row]) * wr[row * n + column]
                + (row == column ? 1 - g[row] : 0)
                + (phi[row] - state[row]) * g[row] * (1 - g[row]) * wrg[row * n + column]
              let value = try jacobians.full.scalar(at: [b, t - 1, row, column])
              #expect(Swift.abs(value - expected) < 1e-14)
            }
          }
        }
        h = next
      }
    }
    #expect(try (post.full - pre.full).abs().max().item() > 1e-3)
    // A cell without a gate has no gate term to move.
    var g = Graph()
    let state = g.input(.state(0), shape: [n])
    let w = g.input(.parameter("Wr"), shape: [n, n])
    _ = g.input(.input, shape: [2])
    g.outputs = [try g.add(.unary(.tanh), [try g.add(.matvec, [w, state])])]
    let plain = try RecurrentModel(
      step: g, parameters: ["Wr": try Tensor<Double>.eye(n)],
      readout: try Tensor<Double>.ones([1, n]), stateSizes: [n], inputSize: 2)
    #expect(throws: TensorError.self) { try plain.stepJacobians(inputs, gateTerm: .post) }
  }

  /// With T = 2 the remainder is ε² B₁B₂ in the reverse order (ε² B₂B₁ forward).
  @Test func reverseFrechetExpandsTheReversedProduct() throws {
    let short = try inputs.slicing(along: 1, to: 2).contiguous()
    let jacobians = try model.stepJacobians(short, dominant: true)
    let check = try jacobians.frechet(eps: [1e-3, 1e-2, 0.1, 1], order: .reverse)
    let correction = try jacobians.part(.correction)
    for b in 0..<2 {
      let second = try correction[b][0].matmul(correction[b][1]).frobeniusNorm()
      let forward = try correction[b][1].matmul(correction[b][0]).frobeniusNorm()
      #expect(Swift.abs(second - forward) > 1e-6 * second)
      for (e, epsilon) in check.eps.enumerated() {
        #expect(Swift.abs(check.errors[b][e] - epsilon * epsilon * second) < 1e-12)
      }
    }
  }

  /// The reference's S2 pairs 0 ≤ k < t ≤ T - 1, reversed products, σ₁/(σ_r + ε).
  @Test func anisotropyFromTheFirstStateWithReversedProducts() throws {
    let jacobians = try model.stepJacobians(inputs)
    let epsilon = 1e-3  // large enough to show in the values
    let profile = try jacobians.anisotropy(
      lags: [1, 3], r: 2, k: 3, pairs: 100, seed: 0, order: .reverse, firstState: 0,
      epsilon: epsilon)
    #expect(profile.pairs == [10, 6])
    for (position, h) in [1, 3].enumerated() {
      var (ai, ce) = ([Double](), [Double]())
      for b in 0..<2 {
        for t in h...5 {
          let product = try Tensor(
            shape: [3, 3], scalars: slowReverseProduct(jacobians, b: b, t: t, k: t - h))
          let sigma = try product.singularValues().scalars
          ai.append(sigma[0] / (sigma[1] + epsilon))
          let energy = sigma.reduce(0) { $0 + $1 * $1 }
          ce.append((sigma[0] * sigma[0] + sigma[1] * sigma[1]) / (energy + epsilon))
        }
      }
      #expect(Swift.abs(profile.ai[position] - median(ai)) < 1e-9 * median(ai))
      #expect(Swift.abs(profile.ce[position] - median(ce)) < 1e-12)
    }
  }
}
