// A batch record {inputs, targets, mask} as tensors, and the `loss:` argument of the built-ins
// that score a batch (train, evaluate, gradient, gradcov): what they score it by, checked with
// the diagnostic at the batch, not deep inside the loss.
import TauDynamics
import TauTensor

/// The tensors of a batch record: `inputs` [B×T×m], `targets`, and an optional `mask`.
struct BatchTensors {
  var inputs: TensorValue
  var targets: TensorValue
  var mask: TensorValue?

  /// The batch in `record`, or nil when it lacks `inputs` or `targets`.
  init?(_ record: Record, at range: SourceRange) throws {
    guard let inputs = record["inputs"], let targets = record["targets"] else { return nil }
    self.inputs = try tensorValue(inputs, at: range, context: "inputs")
    self.targets = try tensorValue(targets, at: range, context: "targets")
    mask = try record["mask"].map { try tensorValue($0, at: range, context: "mask") }
  }

  /// What the batch is scored against by `loss`, in the model's precision, after checking that
  /// the targets and mask fit `network` (the diagnostic is at `range`, named after `builtin`).
  /// Inputs of the wrong shape are left to the forward pass to report.
  func supervision<S: TensorScalar>(
    _ loss: Loss, for network: RecurrentModel<S>, builtin: String, at range: SourceRange,
    _ convert: (TensorValue) -> Tensor<S>
  ) throws -> Supervision<S> {
    let supervision = Supervision(
      loss: loss, targets: convert(targets), mask: mask.map(convert))
    let shape = inputs.shape
    guard shape.count == 3, shape[2] == network.inputSize, shape[0] >= 1, shape[1] >= 1 else {
      return supervision
    }
    do {
      _ = try supervision.readout(batch: shape[0], length: shape[1], outputs: network.outputSize)
    } catch let error as TensorError {
      let named = error.named(builtin)
      var hint: String?
      if loss == .mse, targets.shape.count == 1 || targets.shape == [shape[0], shape[1]] {
        hint = "class indices as targets need loss: \"xent\""
      } else if loss == .xent, targets.shape.last == network.outputSize, targets.shape.count >= 2 {
        hint = "cross-entropy targets are class indices, one number per item, not one per output"
      }
      throw Diagnostic(tensorErrorID(named), named.description, at: range, hint: hint)
    }
    return supervision
  }
}

extension BuiltinRegistry {
  /// The `loss` argument: "mse" or "xent".
  static func lossArgument(_ args: CallArguments) throws -> Loss {
    let text = try args.string("loss")
    guard let loss = Loss(rawValue: text) else {
      throw Diagnostic(
        "value.invalid", "loss must be \"mse\" or \"xent\", got \"\(text)\"",
        at: args.range("loss"))
    }
    return loss
  }

  /// The batch record argument `name` as tensors.
  static func batchTensors(_ args: CallArguments, _ name: String) throws -> BatchTensors {
    guard case .record(let record) = args[name],
      let batch = try BatchTensors(record, at: args.range(name))
    else {
      throw args.typeError(name, expected: "a batch record {inputs, targets}")
    }
    return batch
  }
}
