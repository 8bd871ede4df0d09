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

  /// The cell's parameter names in a fixed order (sorted), as the gradient rows lay them out.
  public var parameterOrder: [String] { parameters.keys.sorted() }

  /// gradcov: the spectrum of the per-example gradients of `inputs`/`targets` (the paper's §6).
  public func gradientCovariance(inputs: Tensor<Double>, targets: Tensor<Double>, r: Int) throws
    -> GradientCovariance
  {
    try gradientAnisotropy(
      rows: try perExampleLossGradients(inputs: inputs, targets: targets), r: r)
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
