// Update anisotropy (the paper's §6): the singular values of the matrix of true per-example
// gradients, rows normalised, columns centred, near-constant columns dropped.
import TauTensor

/// The spectrum of the per-example gradient matrix and its anisotropy summaries.
public struct GradientCovariance: Sendable {
  /// S₁/S_r.
  public var ai: Double
  /// Σ_{i≤r} S_i² / Σ S_i².
  public var ce: Double
  /// Every singular value, largest first.
  public var spectrum: [Double]
  /// The rows (examples) and the columns (parameters) kept.
  public var rows: Int
  public var columns: Int
}

extension RecurrentModel where Scalar == Double {
  /// Per-example gradients of each example's own MSE (mean over outputs), with respect to every
  /// parameter and the readout: [B × P], columns in the order of `parameterOrder`.
  public func perExampleLossGradients(inputs: Tensor<Double>, targets: Tensor<Double>) throws
    -> [[Double]]
  {
    let (batch, outputs) = (inputs.rank == 3 ? inputs.shape[0] : 0, outputSize)
    guard targets.shape == [batch, outputs] else {
      throw TensorError.shapeMismatch(
        operation: "gradcov", lhs: targets.shape, rhs: [batch, outputs])
    }
    // dℓ_b/dŷ_b = 2 (ŷ_b - y_b) / O, and dℓ_b/dh_T = that times W_o.
    let readout = readout
    let scale = 2 / Double(outputs)
    let lanes = try perExampleGradients(inputs: inputs, alongside: targets) { trajectory, targets in
      try ((trajectory.output - targets) * scale).matmul(readout)
    }
    let cell = lanes.gradients
    let residual = try (lanes.outputs - targets) * scale
    let last = lanes.last
    let r = residual.scalars
    let h = last.scalars
    let n = hiddenSize
    var rows = [[Double]](repeating: [], count: batch)
    for name in parameterOrder {
      guard let block = cell[name] else { continue }
      let size = block.count / batch
      let values = block.scalars
      for b in 0..<batch { rows[b] += values[(b * size)..<((b + 1) * size)] }
    }
    for b in 0..<batch {
      for o in 0..<outputs {
        for i in 0..<n { rows[b].append(r[b * outputs + o] * h[b * n + i]) }
      }
      if readoutBias != nil { rows[b] += r[(b * outputs)..<((b + 1) * outputs)] }
    }
    return rows
  }

  /// Per-example gradients of each example's own loss under `supervision` (its weighted mean
  /// over its scored steps, for any loss and readout), with respect to every parameter and the
  /// readout: one row per example the mask gives weight, columns as `perExampleLossGradients`.
  public func perExampleLossGradients(inputs: Tensor<Double>, supervision: Supervision<Double>)
    throws -> [[Double]]
  {
    guard supervision.loss != .mse || supervision.mask != nil || supervision.targets.rank != 2
    else {
      return try perExampleLossGradients(inputs: inputs, targets: supervision.targets)
    }
    guard inputs.rank == 3, inputs.shape[2] == inputSize, inputs.shape[0] >= 1, inputs.shape[1] >= 1
    else { throw TensorError.modelInputs(inputs.shape, inputSize: inputSize, operation: "gradcov") }
    let (batch, length, n, outputs) = (inputs.shape[0], inputs.shape[1], hiddenSize, outputSize)
    let form = try supervision.readout(batch: batch, length: length, outputs: outputs)
    // One forward pass for the outputs; the lanes run their own for the backward passes.
    let trajectory = try forward(inputs)
    let scored = try self.outputs(of: trajectory, form)
    var cotangents: [Double] = []
    var kept: [Int] = []
    for b in 0..<batch {
      let example = try supervision.slicing(from: b, to: b + 1).score(
        try scored.slicing(along: 0, from: b, to: b + 1).contiguous())
      if example.weight > 0 { kept.append(b) }
      cotangents += example.cotangent.scalars
    }
    let steps = form == .last ? 1 : length
    let perOutput = try Tensor<Double>(shape: [batch * steps, outputs], scalars: cotangents)
    let readout = readout
    let lanes = try perExampleGradients(inputs: inputs, alongside: perOutput.reshaped(scored.shape))
    { _, rows in
      let seeds = try rows.contiguous().reshaped([rows.count / outputs, outputs]).matmul(readout)
      return form == .last ? seeds : try seeds.reshaped([rows.shape[0], length, n])
    }
    let states = (form == .last ? lanes.last : trajectory.states).scalars
    var result: [[Double]] = []
    for b in kept {
      var row: [Double] = []
      for name in parameterOrder {
        guard let block = lanes.gradients[name] else { continue }
        let size = block.count / batch
        row += block.scalars[(b * size)..<((b + 1) * size)]
      }
      // Σ_t c_t ⊗ h_t for W_o, Σ_t c_t for b_o.
      for o in 0..<outputs {
        for i in 0..<n {
          var total = 0.0
          for t in 0..<steps {
            total += cotangents[(b * steps + t) * outputs + o] * states[(b * steps + t) * n + i]
          }
          row.append(total)
        }
      }
      if readoutBias != nil {
        for o in 0..<outputs {
          row.append((0..<steps).reduce(0) { $0 + cotangents[(b * steps + $1) * outputs + o] })
        }
      }
      result.append(row)
    }
    return result
  }

  /// The cell's parameter names in a fixed order (sorted), as the gradient rows lay them out.
  public var parameterOrder: [String] { parameters.keys.sorted() }

  /// gradcov: the spectrum of the per-example gradients of `inputs`/`targets` (the paper's §6).
  public func gradientCovariance(inputs: Tensor<Double>, targets: Tensor<Double>, r: Int) throws
    -> GradientCovariance
  {
    try gradientAnisotropy(
      rows: try perExampleLossGradients(inputs: inputs, targets: targets), r: r)
  }

  /// gradcov on the per-example gradients of any loss, readout and mask.
  public func gradientCovariance(
    inputs: Tensor<Double>, supervision: Supervision<Double>, r: Int
  ) throws -> GradientCovariance {
    try gradientAnisotropy(
      rows: try perExampleLossGradients(inputs: inputs, supervision: supervision), r: r)
  }
}

/// The anisotropy of gradient rows [M × P]: rows scaled to unit norm, columns centred, columns
/// of norm ≤ 1e-10·√M dropped (all kept if none is left), then the singular values.
public func gradientAnisotropy(rows: [[Double]], r: Int) throws -> GradientCovariance {
  guard r >= 1 else {
    throw TensorError.invalidArgument(operation: "gradcov", message: "r must be ≥ 1")
  }
  let (m, p) = (rows.count, rows.first?.count ?? 0)
  guard m >= 1, p >= 1, rows.allSatisfy({ $0.count == p }) else {
    throw TensorError.invalidArgument(operation: "gradcov", message: "needs a non-empty matrix")
  }
  // Row by row, so every pass runs along contiguous memory.
  var matrix = [Double](repeating: 0, count: m * p)
  var means = [Double](repeating: 0, count: p)
  for (b, row) in rows.enumerated() {
    // Directions only: unit rows (the reference's 1e-12 guards a zero gradient).
    let norm = row.reduce(0) { $0 + $1 * $1 }.squareRoot() + 1e-12
    for j in 0..<p {
      matrix[b * p + j] = row[j] / norm
      means[j] += matrix[b * p + j]
    }
  }
  for j in 0..<p { means[j] /= Double(m) }
  var squares = [Double](repeating: 0, count: p)
  for b in 0..<m {
    for j in 0..<p {
      matrix[b * p + j] -= means[j]
      squares[j] += matrix[b * p + j] * matrix[b * p + j]
    }
  }
  var kept = (0..<p).filter { squares[$0].squareRoot() > 1e-10 * Double(m).squareRoot() }
  if kept.isEmpty { kept = Array(0..<p) }
  if kept.count < p {
    matrix = (0..<m).flatMap { b in kept.map { matrix[b * p + $0] } }
  }
  let centred = try Tensor<Double>(shape: [m, kept.count], scalars: matrix)
  let spectrum = try centred.singularValues().scalars
  let rank = Swift.min(r, spectrum.count)
  let energy = spectrum.reduce(0) { $0 + $1 * $1 }
  return GradientCovariance(
    ai: spectrum[0] / spectrum[rank - 1],
    ce: energy > 0 ? spectrum.prefix(rank).reduce(0) { $0 + $1 * $1 } / energy : .nan,
    spectrum: spectrum, rows: m, columns: kept.count)
}
