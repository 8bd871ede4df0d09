// The training loop: a fresh batch per step, the BPTT gradient, NaN checks, an optimizer update,
// checkpoints, and a clean stop on cancellation that keeps what was done.
import TauGraph
import TauTensor

/// What a training run produced; also what an interrupted or failed run had done so far.
public struct TrainingRecord<Scalar: TensorScalar>: Sendable {
  /// The model after the last completed step.
  public var model: RecurrentModel<Scalar>
  /// The loss of every completed step, before its update.
  public var losses: [Scalar] = []
  /// Models at the requested steps (0 = before training).
  public var checkpoints: [(step: Int, model: RecurrentModel<Scalar>)] = []
  /// The optimizer's effective rates at each checkpoint after step 0, by parameter.
  public var rates: [(step: Int, rates: [String: Tensor<Scalar>])] = []
}

/// Why training stopped early; carries the record up to the last good step.
public enum TrainingStop<Scalar: TensorScalar>: Error {
  case notFinite(step: Int, what: String, record: TrainingRecord<Scalar>)
  case cancelled(step: Int, record: TrainingRecord<Scalar>)
}

extension RecurrentModel {
  /// The model with every parameter (and the readout) replaced, names as in `gradient`.
  public func updating(_ values: [String: Tensor<Scalar>]) throws -> RecurrentModel {
    var model = self
    for (name, value) in values { model = try model.replacing(name, with: value) }
    return model
  }

  /// Trains for `steps` updates. `batch(k)` gives the inputs and targets of step k (k = 0, 1,
  /// …); gradients are clipped to global norm `clip` when given.
  ///
  /// `progress(step, loss)` is called after every step (for a progress line).
  public func train(
    steps: Int, optimizer: OptimizerRun<Scalar>, checkpoints: [Int] = [], clip: Scalar? = nil,
    progress: (Int, Scalar) -> Void = { _, _ in },
    batch: (Int) throws -> (inputs: Tensor<Scalar>, targets: Tensor<Scalar>)
  ) throws -> TrainingRecord<Scalar> {
    try train(
      steps: steps, optimizer: optimizer, checkpoints: checkpoints, clip: clip,
      progress: progress
    ) { k in
      let (inputs, targets) = try batch(k)
      return (inputs, Supervision(targets: targets))
    }
  }

  /// Trains like `train(steps:…batch:)` on batches scored by any loss, readout and mask.
  public func train(
    steps: Int, optimizer: OptimizerRun<Scalar>, checkpoints: [Int] = [], clip: Scalar? = nil,
    progress: (Int, Scalar) -> Void = { _, _ in },
    batch: (Int) throws -> (inputs: Tensor<Scalar>, supervision: Supervision<Scalar>)
  ) throws -> TrainingRecord<Scalar> {
    var record = TrainingRecord(model: self)
    let wanted = Set(checkpoints)
    if wanted.contains(0) { record.checkpoints.append((0, self)) }
    for step in 1...Swift.max(steps, 1) where steps > 0 {
      do {
        try checkCancellation()
      } catch {
        throw TrainingStop.cancelled(step: step, record: record)
      }
      let inputs: Tensor<Scalar>
      let supervision: Supervision<Scalar>
      do {
        (inputs, supervision) = try batch(step - 1)
      } catch is Cancelled {
        // Ctrl-C while the batch was made (a task written in Tau polls): the run so far is good.
        throw TrainingStop.cancelled(step: step, record: record)
      }
      var (loss, gradients): (Scalar, [String: Tensor<Scalar>])
      do {
        (loss, gradients) = try record.model.gradient(inputs: inputs, supervision: supervision)
      } catch is Cancelled {
        // Ctrl-C inside the step (the time loops poll too): the run so far is still good.
        throw TrainingStop.cancelled(step: step, record: record)
      }
      guard loss.isFinite else {
        throw TrainingStop.notFinite(step: step, what: "the loss", record: record)
      }
      for (name, gradient) in gradients.sorted(by: { $0.key < $1.key })
      where !gradient.isFinite {
        throw TrainingStop.notFinite(step: step, what: "the gradient of '\(name)'", record: record)
      }
      if let clip {
        let norm = gradients.values.reduce(Scalar.zero) {
          $0 + $1.frobeniusNorm() * $1.frobeniusNorm()
        }
        .squareRoot()
        if norm > clip { gradients = gradients.mapValues { $0 * (clip / norm) } }
      }
      var current = record.model.parameters
      current["readout"] = record.model.readout
      if let bias = record.model.readoutBias { current["readoutBias"] = bias }
      let next = try optimizer.update(current, gradients: gradients)
      record.model = try record.model.updating(next)
      record.losses.append(loss)
      progress(step, loss)
      if wanted.contains(step) {
        record.checkpoints.append((step, record.model))
        record.rates.append((step, optimizer.rates))
      }
    }
    return record
  }
}
