// The effective-learning-rate envelope of the Learnability Window work (Livi, arXiv:2512.05790):
// f(ℓ) = (1/U) ‖μ_{t,ℓ}‖₁, the mean over units of |μ| at lag ℓ, averaged over origins and
// sequences, with per-unit time scales τ from the decay of each unit's envelope. μ is computed
// from the exact step Jacobians' diagonals and the retention gate, streamed from one pass.
import Foundation
import TauGraph
import TauTensor

/// What μ^(q)_{t,ℓ} multiplies over the ℓ steps j = t-ℓ+1 … t of a window.
public enum EnvelopeKind: String, CaseIterable, Sendable {
  /// The author's first-order expansion: ∏ c_j (1 + Σ_j (J_j,qq - c_j) / c_j), c the gate's
  /// retention of unit q and J_j,qq the exact step Jacobian's diagonal entry.
  case firstOrder = "first-order"
  /// Its zeroth order, ∏ c_j: the retentions alone.
  case gate
  /// ∏ J_j,qq itself, over every state entry: the product the expansion approximates, and the
  /// transport's diagonal when the steps are diagonal.
  case diagonal
}

/// f(ℓ), each unit's envelope, and the fits of their decay.
public struct Envelope: Sendable {
  public var kind: EnvelopeKind
  public var lags: [Int]
  /// f(ℓ): the mean of |μ| over units, origins and sequences.
  public var mass: [Double]
  /// The mean over sequences of log f_b(ℓ), f_b one sequence's envelope (what the fits use).
  public var logMass: [Double]
  /// f_q(ℓ) = mean over origins and sequences of |μ^(q)|, [L × U].
  public var units: Tensor<Double>
  /// τ_q = -1/b from log f_q(ℓ) ≈ a + bℓ over the lags where f_q > 0 (∞ when b ≥ 0, NaN with
  /// fewer than five such lags), and the fit's R².
  public var tau: [Double]
  public var tauR2: [Double]
  /// log f ≈ a + bℓ (exponential decay, τ = -1/b) and log f ≈ c + d log ℓ (power law, β = -d),
  /// fitted to `logMass`.
  public var exponential: LineFit
  public var powerLaw: LineFit
  /// Windows averaged at each lag (origins × sequences that reach it).
  public var windows: [Int]
  /// The gate whose retention μ multiplies (none for `.diagonal`).
  public var gateNodes: [NodeID] = []
}

extension RecurrentModel where Scalar == Double {
  /// The envelope of `kind` at the pairs of `sample` on `inputs` [B × T × m], the retention
  /// gate being `gates` (nil: the cell's default, `step.retainingGates`). `.firstOrder` and
  /// `.gate` need a gate with one unit (shared by every state entry) or one per state entry.
  public func envelope(
    _ inputs: Tensor<Double>, sample: PairSample, kind: EnvelopeKind = .firstOrder,
    gates selected: [NodeID]? = nil
  ) throws -> Envelope {
    let (pass, recorded) = try jacobianPass(
      inputs, dominant: false, gates: selected, operation: "envelope")
    let (batch, length, n) = (inputs.shape[0], inputs.shape[1], pass.size)
    guard length == sample.length else {
      throw TensorError.invalidArgument(
        operation: "envelope",
        message: "the sample is for T = \(sample.length), the inputs have T = \(length)")
    }
    var record: PassRecord?
    let diagonals = try Tensor<Double>(shape: [batch, length, n]) { buffer in
      let target = DiagonalTarget(buffer: buffer)
      record = try pass.run(inputs) { range in
        DiagonalRecorder(target: target, sequences: range, length: length, size: n)
      }.record
    }
    var retentions: GateFactors?
    if kind != .diagonal {
      guard let gates = record?.gates else {
        throw TensorError.invalidArgument(
          operation: "envelope",
          message: "kind \"\(kind.rawValue)\" needs a gate; the cell has none (kind: \"diagonal\")")
      }
      let factors = GateFactors(
        gates, retentions: gateRetentions(recorded, in: pass), kind: .retention)
      guard factors.width == 1 || factors.width == n else {
        throw TensorError.invalidArgument(
          operation: "envelope",
          message:
            "kind \"\(kind.rawValue)\" needs a gate with one unit or one per state entry (\(n)); the gate has \(factors.width) (kind: \"diagonal\" works on any cell)"
        )
      }
      retentions = factors
    }
    let units = kind == .gate ? (retentions?.width ?? n) : n
    let sums = try EnvelopeSums(
      diagonals: diagonals, retentions: retentions, kind: kind, sample: sample, units: units)
    var result = try sums.envelope(kind: kind, sample: sample, units: units)
    result.gateNodes = kind == .diagonal ? [] : recorded
    return result
  }
}

/// Per sequence, per lag: Σ over origins of |μ^(q)| for each unit, and the windows counted.
private struct EnvelopeSums {
  /// [B × L × U].
  let perUnit: [Double]
  let windows: [Int]
  let batch: Int

  init(
    diagonals: Tensor<Double>, retentions: GateFactors?, kind: EnvelopeKind, sample: PairSample,
    units: Int
  ) throws {
    let (batch, length, n) = (diagonals.shape[0], diagonals.shape[1], diagonals.shape[2])
    let d = diagonals.contiguous().scalars
    let lags = sample.lags
    let parts = try concurrentMap(batch) { b -> [Double] in
      // Each step's factor c_j (or J_j,qq) and first-order term (J_j,qq - c_j)/c_j per unit,
      // [T × U], so that the sweeps below are plain vector products and sums.
      var factors = [Double](repeating: 1, count: length * units)
      let firstOrder = kind == .firstOrder
      var terms = [Double](repeating: 0, count: firstOrder ? length * units : 0)
      for t in 1...length {
        for q in 0..<units {
          let diagonal = d[(b * length + t - 1) * n + Swift.min(q, n - 1)]
          guard kind != .diagonal, let retentions else {
            factors[(t - 1) * units + q] = diagonal
            continue
          }
          // Clamped as the author's code clamps the retention inside its log-product.
          let c = Swift.min(1, Swift.max(1e-12, retentions.at(b, t, unit: q)))
          factors[(t - 1) * units + q] = c
          if kind == .firstOrder { terms[(t - 1) * units + q] = (diagonal - c) / c }
        }
      }
      var sums = [Double](repeating: 0, count: lags.count * units)
      var product = [Double](repeating: 1, count: units)
      var ratio = [Double](repeating: 0, count: units)
      try factors.withUnsafeBufferPointer { factors in
        try terms.withUnsafeBufferPointer { terms in
          try product.withUnsafeMutableBufferPointer { product in
            try ratio.withUnsafeMutableBufferPointer { ratio in
              guard let p = product.baseAddress, let r = ratio.baseAddress,
                let c = factors.baseAddress
              else { return }
              for k in sample.origins {
                try checkCancellation()
                p.update(repeating: 1, count: units)
                r.update(repeating: 0, count: units)
                var l = 0
                for t in (k + 1)...Swift.min(length, k + lags[lags.count - 1]) {
                  multiply(p, by: c + (t - 1) * units, count: units)
                  if firstOrder, let e = terms.baseAddress {
                    add(r, e + (t - 1) * units, count: units)
                  }
                  guard t - k == lags[l] else { continue }
                  for q in 0..<units { sums[l * units + q] += Swift.abs(p[q] * (1 + r[q])) }
                  l += 1
                }
              }
            }
          }
        }
      }
      return sums
    }
    perUnit = parts.flatMap { $0 }
    windows = (0..<lags.count).map { l in
      batch * (0..<sample.origins.count).filter { sample.contains(origin: $0, lag: l) }.count
    }
    self.batch = batch
  }

  func envelope(kind: EnvelopeKind, sample: PairSample, units: Int) throws -> Envelope {
    let lags = sample.lags
    let perSequence = windows.map { $0 / Swift.max(1, batch) }
    /// f_b(ℓ): sequence b's mean of |μ| over its windows and the units.
    func mass(_ b: Int, _ l: Int) -> Double {
      let sum = (0..<units).reduce(0.0) { $0 + perUnit[(b * lags.count + l) * units + $1] }
      return sum / Double(units * Swift.max(1, perSequence[l]))
    }
    let masses = (0..<lags.count).map { l in (0..<batch).map { mass($0, l) } }
    let meanMass = masses.map { $0.reduce(0, +) / Double(batch) }
    // As the author's code: log(f_b + 1e-30), averaged over sequences.
    let logMass = masses.map { $0.reduce(0) { $0 + log($1 + 1e-30) } / Double(batch) }
    var unitEnvelopes = [Double](repeating: 0, count: lags.count * units)
    for l in 0..<lags.count {
      for q in 0..<units {
        let total = (0..<batch).reduce(0.0) { $0 + perUnit[($1 * lags.count + l) * units + q] }
        unitEnvelopes[l * units + q] = total / Double(Swift.max(1, windows[l]))
      }
    }
    var (tau, tauR2) = ([Double](), [Double]())
    for q in 0..<units {
      let points = lags.indices.compactMap { l -> (Double, Double)? in
        let f = unitEnvelopes[l * units + q]
        return f > 0 && f.isFinite ? (Double(lags[l]), log(f)) : nil
      }
      let fit = LineFit(x: points.map(\.0), y: points.map(\.1))
      let enough = points.count >= 5 && fit.slope.isFinite
      tau.append(enough ? (fit.slope < 0 ? -1 / fit.slope : .infinity) : .nan)
      tauR2.append(enough ? fit.r2 : .nan)
    }
    let finite = lags.indices.filter { logMass[$0].isFinite }
    return Envelope(
      kind: kind, lags: lags, mass: meanMass, logMass: logMass,
      units: try Tensor(shape: [lags.count, units], scalars: unitEnvelopes),
      tau: tau, tauR2: tauR2,
      exponential: LineFit(x: finite.map { Double(lags[$0]) }, y: finite.map { logMass[$0] }),
      powerLaw: LineFit(x: finite.map { log(Double(lags[$0])) }, y: finite.map { logMass[$0] }),
      windows: windows)
  }
}

/// The [B × T × N] buffer of step Jacobians' diagonals a pass fills.
private struct DiagonalTarget: @unchecked Sendable {
  // @unchecked: each lane writes the rows of its own sequences only, read after every lane ends.
  let buffer: UnsafeMutablePointer<Double>
}

/// Keeps each step's diagonal J_t,qq, nothing else.
private struct DiagonalRecorder: StepConsumer {
  let target: DiagonalTarget
  let sequences: Range<Int>
  let length: Int
  let size: Int

  func consume(step t: Int, _ jacobians: [StepMatrices]) {
    let n = size
    for b in 0..<sequences.count {
      let (j, row) = (
        jacobians[0].matrix(b), target.buffer + ((sequences.lowerBound + b) * length + t - 1) * n
      )
      for q in 0..<n { row[q] = j[q * n + q] }
    }
  }

  func finish() {}
}
