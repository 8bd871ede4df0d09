// The exact per-step Jacobians J_t = dh_t/dh_{t-1} of any cell on a batch (the paper's §3), from the
// forward-mode transform of the cell's step graph: nothing here knows which cell it runs. Cells
// with several states get one Jacobian over the concatenated state [h; c].
import TauGraph
import TauTensor

/// Which Jacobian of the state update: the full one, the frozen-gate part A_t, or B_t = J_t - A_t.
public enum JacobianPart: String, CaseIterable, Sendable {
  case full, dominant, correction
}

/// What one pass over a batch gives the operators: per-step Jacobians, gate values and states,
/// in float64.
public struct StepJacobians: Sendable {
  /// B, T and N (the concatenated state size).
  public let batch: Int
  public let length: Int
  public let size: Int
  /// J_t for t = 1 … T: [B × T × N × N], J[b, t-1] = dh_t/dh_{t-1}.
  public let full: Tensor<Double>
  /// A_t (gates held constant), when asked for; equal to `full` for a cell without gates.
  public let dominant: Tensor<Double>?
  /// The recorded gates' values at each step, [B × T × G], their units side by side in the
  /// order of `gateNodes` (a scalar gate is one unit), or nil when the cell has no gate.
  public let gates: Tensor<Double>?
  /// The states h_1 … h_T (concatenated), [B × T × N].
  public let states: Tensor<Double>
  /// The nodes of the model's step whose values `gates` holds.
  public internal(set) var gateNodes: [NodeID] = []
  /// How each of the G units of `gates` keeps the state (its gate's `GateRetention`).
  public internal(set) var gateRetentions: [GateRetention] = []
  /// What forward mode found for J_t: `.diagonal` lets the operators work on diagonals.
  public internal(set) var structure: JacobianStructure = .dense

  /// The requested part: B_t is computed as J_t - A_t.
  public func part(_ part: JacobianPart) throws -> Tensor<Double> {
    switch part {
    case .full: return full
    case .dominant: return dominant ?? full
    case .correction: return try full - (dominant ?? full)
    }
  }
}

extension RecurrentModel {
  /// The model in float64, for diagnostics (a no-op copy when it already is).
  public func inDouble() throws -> RecurrentModel<Double> {
    func convert(_ t: Tensor<Scalar>) throws -> Tensor<Double> {
      try Tensor<Double>(shape: t.shape, scalars: t.scalars.map { Double($0) })
    }
    return try RecurrentModel<Double>(
      step: step, parameters: parameters.mapValues(convert), readout: convert(readout),
      readoutBias: readoutBias.map(convert), stateSizes: stateSizes, readoutState: readoutState,
      inputSize: inputSize)
  }
}

extension RecurrentModel where Scalar == Double {
  /// Runs the model over `inputs` [B × T × m] from zero states and returns every step's exact
  /// Jacobian (and A_t when `dominant` is true), by forward mode through compiled plans. The
  /// batch is split over both cores; each half writes its own block of the results.
  ///
  /// `gateTerm: .post` gives the reference code's J_t instead, its gate term taken at h_t
  /// (`GateTerm.post`); it needs a cell whose step is g ⊙ φ + (1 - g) ⊙ h with one state and one
  /// gate, and then also returns A_t.
  ///
  /// `gates` are the gate nodes of `step` whose values the result records, in that order (all
  /// applications of one gate name, say); nil records `step.retainingGates`.
  public func stepJacobians(
    _ inputs: Tensor<Double>, dominant requested: Bool = false, gateTerm: GateTerm = .pre,
    gates selected: [NodeID]? = nil
  ) throws -> StepJacobians {
    let wantsDominant = requested || gateTerm == .post
    let (pass, recorded) = try jacobianPass(
      inputs, dominant: wantsDominant, gates: selected, operation: "jacobian")
    if gateTerm == .post, stateSizes.count != 1 || !pass.isConvexGateUpdate {
      throw TensorError.invalidArgument(
        operation: "jacobian",
        message:
          "the post-update gate term is defined only for a cell with one state and one gate whose step is g * φ + (1 - g) * h"
      )
    }
    let (batch, length, n) = (inputs.shape[0], inputs.shape[1], pass.size)
    let shape = [batch, length, n, n]
    var frozen: Tensor<Double>?
    var record: PassRecord?
    let full = try Tensor<Double>(shape: shape) { full in
      func run(_ matrices: [UnsafeMutablePointer<Double>]) throws {
        let targets = MatrixTargets(matrices: matrices)
        record = try pass.run(inputs) { range in
          CopyingConsumer(targets: targets, sequences: range, length: length, size: n)
        }.record
      }
      if wantsDominant {
        frozen = try Tensor<Double>(shape: shape) { dominant in try run([full, dominant]) }
      } else {
        try run([full])
      }
    }
    guard let record else {
      throw TensorError.invalidArgument(operation: "jacobian", message: "no pass ran")
    }
    var result = StepJacobians(
      batch: batch, length: length, size: n, full: full, dominant: frozen, gates: record.gates,
      states: record.states, gateNodes: recorded,
      gateRetentions: gateRetentions(recorded, in: pass))
    result.structure = pass.structure
    return gateTerm == .post ? try result.withPostUpdateGateTerm() : result
  }

  /// The pass for `inputs` [B × T × m] recording the gate nodes `selected` of `step` (nil:
  /// `step.retainingGates`), after checking both.
  func jacobianPass(
    _ inputs: Tensor<Double>, dominant: Bool, gates selected: [NodeID]?, operation: String
  ) throws -> (JacobianPass, recorded: [NodeID]) {
    guard inputs.rank == 3, inputs.shape[2] == inputSize, inputs.shape[0] >= 1,
      inputs.shape[1] >= 1
    else {
      throw TensorError.modelInputs(inputs.shape, inputSize: inputSize, operation: operation)
    }
    let recorded = selected ?? step.retainingGates
    for id in recorded where !(step.nodes.indices.contains(id.index) && step[id].isGate) {
      throw TensorError.invalidArgument(
        operation: operation, message: "node \(id) of the step is not a gate")
    }
    return (try JacobianPass(model: self, dominant: dominant, recording: recorded), recorded)
  }

  /// How each unit of the recorded gates keeps the state, in the order of the pass's gate values.
  func gateRetentions(_ recorded: [NodeID], in pass: JacobianPass) -> [GateRetention] {
    zip(recorded, pass.gates).flatMap { stepGate, joinedGate in
      Array(
        repeating: step.retention(ofGate: stepGate),
        count: Swift.max(1, pass.joined[joinedGate].shape.reduce(1, *)))
    }
  }
}

/// The [B × T × N × N] buffers a copying pass fills, J_t first.
private struct MatrixTargets: @unchecked Sendable {
  // @unchecked: each lane writes the blocks of its own sequences only, and the buffers are read
  // after every lane has finished.
  let matrices: [UnsafeMutablePointer<Double>]
}

/// Copies each step's matrices into the [B × T × N × N] stacks.
private struct CopyingConsumer: StepConsumer {
  let targets: MatrixTargets
  let sequences: Range<Int>
  let length: Int
  let size: Int

  func consume(step t: Int, _ jacobians: [StepMatrices]) {
    let n = size
    for (target, jacobian) in zip(targets.matrices, jacobians) {
      for b in 0..<sequences.count {
        (target + ((sequences.lowerBound + b) * length + t - 1) * n * n)
          .update(from: jacobian.matrix(b), count: n * n)
      }
    }
  }

  func finish() {}
}

extension StepJacobians {
  /// J_t = A_t + diag(1 - g_t) B_t: the gate term with h_t in place of h_{t-1}. For h_t = g ⊙ φ +
  /// (1 - g) ⊙ h_{t-1}, B_t = diag(φ - h_{t-1}) ∂g/∂h_{t-1}, and φ - h_t = (1 - g) ⊙ (φ - h_{t-1}).
  func withPostUpdateGateTerm() throws -> StepJacobians {
    guard let dominant, let gates else { return self }
    let (n, width) = (size, gates.shape[2])
    let (j, a, g) = (full.scalars, dominant.scalars, gates.scalars)
    var result = j
    for step in 0..<(batch * length) {
      for row in 0..<n {
        let retention = 1 - g[step * width + (width == 1 ? 0 : row)]
        for column in 0..<n {
          let e = (step * n + row) * n + column
          result[e] = a[e] + retention * (j[e] - a[e])
        }
      }
    }
    // A + diag(1 - g) B keeps the structure A and B share.
    return StepJacobians(
      batch: batch, length: length, size: size,
      full: try Tensor(shape: full.shape, scalars: result),
      dominant: dominant, gates: gates, states: states, gateNodes: gateNodes,
      gateRetentions: gateRetentions, structure: structure)
  }
}
