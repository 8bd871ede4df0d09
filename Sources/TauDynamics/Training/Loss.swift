// The losses a batch is scored by: the mean squared error and softmax cross-entropy, read out at
// the last step or at every step, optionally weighted by a mask; the accuracy of class
// predictions. Where the readout applies follows from the targets' rank, so a model stays the
// same whatever it is trained on.
import TauTensor

/// The loss of a batch: `mse` (PyTorch's `MSELoss()`) or `xent` (softmax cross-entropy over the
/// output units, PyTorch's `CrossEntropyLoss()` on class indices).
public enum Loss: String, CaseIterable, Sendable {
  case mse, xent
}

/// Where the readout ŷ = W_o h (+ b_o) applies: at the last state only (sequence to one) or at
/// every state (sequence to sequence).
public enum Readout: String, CaseIterable, Sendable {
  case last, every
}

/// What a batch's outputs are scored against.
public struct Supervision<Scalar: TensorScalar>: Sendable {
  public var loss: Loss
  /// mse: [B × out] (last step) or [B × T × out] (every step). xent: class indices 0 … out − 1,
  /// [B] (last step) or [B × T] (every step).
  public var targets: Tensor<Scalar>
  /// Weights ≥ 0 of the scored items, [B] or [B × T] (the targets' leading axes); the loss is
  /// the weighted mean. Nil weighs every item 1.
  public var mask: Tensor<Scalar>?

  public init(loss: Loss = .mse, targets: Tensor<Scalar>, mask: Tensor<Scalar>? = nil) {
    self.loss = loss
    self.targets = targets
    self.mask = mask
  }

  /// Where the readout applies for a batch of `batch` sequences of `length` steps and a model of
  /// `outputs` units, from the targets' rank; throws when the targets or the mask fit neither.
  public func readout(batch: Int, length: Int, outputs: Int) throws -> Readout {
    let readout: Readout
    switch loss {
    case .mse:
      // The messages of the last-step form are the ones the sequence-to-one models always gave.
      let every = targets.rank == 3
      let expected = every ? [batch, length, outputs] : [batch, outputs]
      guard targets.shape == expected else {
        throw TensorError.shapeMismatch(operation: "loss", lhs: expected, rhs: targets.shape)
      }
      readout = every ? .every : .last
    case .xent:
      guard outputs >= 2 else {
        throw TensorError.invalidArgument(
          operation: "loss",
          message: "cross-entropy needs a model with output ≥ 2 (one unit per class)")
      }
      if targets.shape == [batch] {
        readout = .last
      } else if targets.shape == [batch, length] {
        readout = .every
      } else {
        throw TensorError.invalidShape(
          operation: "loss", shape: targets.shape,
          reason:
            "cross-entropy targets are class indices \(formatShape([batch])) (the last step) or \(formatShape([batch, length])) (every step)"
        )
      }
      _ = try classIndices(classes: outputs)
    }
    if let mask {
      let expected = readout == .last ? [batch] : [batch, length]
      guard mask.shape == expected else {
        throw TensorError.invalidShape(
          operation: "loss", shape: mask.shape,
          reason:
            "the mask weighs each scored \(readout == .last ? "sequence" : "step"): \(formatShape(expected)) for these targets"
        )
      }
      guard mask.isFinite, try mask.min().item() >= 0 else {
        throw TensorError.invalidArgument(
          operation: "loss", message: "the mask's weights must be finite and ≥ 0")
      }
      guard try mask.sum().item() > 0 else {
        throw TensorError.invalidArgument(
          operation: "loss", message: "the mask gives every item weight 0, so no loss is defined")
      }
    }
    return readout
  }

  /// The rows `start ..< end` of the batch (one lane's share).
  func slicing(from start: Int, to end: Int) throws -> Supervision {
    Supervision(
      loss: loss, targets: try targets.slicing(along: 0, from: start, to: end).contiguous(),
      mask: try mask?.slicing(along: 0, from: start, to: end).contiguous())
  }
}

/// A batch's loss, its gradient with respect to the outputs, and the total weight it is the mean
/// over (for combining lanes: the batch's loss is the weight-weighted mean of theirs).
struct Score<Scalar: TensorScalar> {
  var loss: Scalar
  var cotangent: Tensor<Scalar>
  var weight: Scalar
}

extension Supervision {
  /// The loss of `output` ([B × out] or [B × T × out], as `readout` says) and its gradient. A
  /// lane whose mask weighs nothing scores 0 with weight 0.
  func score(_ output: Tensor<Scalar>) throws -> Score<Scalar> {
    switch loss {
    case .mse: return try meanSquaredError(output)
    case .xent: return try crossEntropy(output)
    }
  }

  /// Σ w (ŷ − y)² / (out · Σ w), the mean over items and outputs; unmasked, exactly the
  /// sequence-to-one models' `meanSquaredError`.
  private func meanSquaredError(_ output: Tensor<Scalar>) throws -> Score<Scalar> {
    guard targets.shape == output.shape else {
      throw TensorError.shapeMismatch(operation: "loss", lhs: output.shape, rhs: targets.shape)
    }
    let residual = try output - targets
    guard let mask else {
      let count = Scalar(residual.count)
      return Score(
        loss: try residual.squared().sum().item() / count, cotangent: residual * (2 / count),
        weight: count)
    }
    let weights = try mask.reshaped(mask.shape + [1])  // broadcast over the outputs
    let weight = try mask.sum().item() * Scalar(output.shape.last ?? 1)
    guard weight > 0 else {
      return Score(loss: 0, cotangent: try Tensor.zeros(output.shape), weight: 0)
    }
    let weighted = try residual * weights
    return Score(
      loss: try (weighted * residual).sum().item() / weight, cotangent: weighted * (2 / weight),
      weight: weight)
  }

  /// Σ w (log Σ_k e^{z_k} − z_y) / Σ w over the items (rows of out logits), by log-sum-exp from
  /// the row's largest logit, so no exponential overflows; the gradient is
  /// w (softmax(z) − onehot(y)) / Σ w.
  private func crossEntropy(_ output: Tensor<Scalar>) throws -> Score<Scalar> {
    let classes = output.shape.last ?? 1
    let rows = output.count / Swift.max(1, classes)
    guard targets.count == rows, output.shape.dropLast() == targets.shape[...] else {
      throw TensorError.shapeMismatch(operation: "loss", lhs: output.shape, rhs: targets.shape)
    }
    let logits = output.contiguous().scalars
    let labels = try classIndices(classes: classes)
    let weights = mask?.contiguous().scalars
    let weight = weights?.reduce(0, +) ?? Scalar(rows)
    guard weight > 0 else {
      return Score(loss: 0, cotangent: try Tensor.zeros(output.shape), weight: 0)
    }
    var total: Scalar = 0
    var gradient = [Scalar](repeating: 0, count: logits.count)
    for row in 0..<rows {
      let w = weights?[row] ?? 1
      let z = logits[(row * classes)..<((row + 1) * classes)]
      let largest = z.max() ?? 0
      var sum: Scalar = 0
      for value in z { sum += Scalar.exp(value - largest) }
      total += w * (largest + Scalar.log(sum) - z[row * classes + labels[row]])
      for k in 0..<classes {
        let softmax = Scalar.exp(z[row * classes + k] - largest) / sum
        gradient[row * classes + k] = w * (softmax - (k == labels[row] ? 1 : 0)) / weight
      }
    }
    return Score(
      loss: total / weight, cotangent: try Tensor(shape: output.shape, scalars: gradient),
      weight: weight)
  }

  /// The targets as class indices, each a whole number in 0 ..< classes.
  func classIndices(classes: Int) throws -> [Int] {
    try targets.contiguous().scalars.map { label in
      guard label >= 0, label < Scalar(classes), label == label.rounded(.down) else {
        let shown =
          label.rounded(.down) == label && label.magnitude < 1e9 ? "\(Int(label))" : "\(label)"
        throw TensorError.invalidArgument(
          operation: "loss",
          message:
            "cross-entropy targets are class indices 0 … \(classes - 1) (the output units), got \(shown)"
        )
      }
      return Int(label)
    }
  }

  /// The weighted share of items whose largest output is the target class (the first largest
  /// on a tie); nil for the mean squared error.
  public func accuracy(_ output: Tensor<Scalar>) throws -> Scalar? {
    guard loss == .xent else { return nil }
    let classes = output.shape.last ?? 1
    let logits = output.contiguous().scalars
    let labels = try classIndices(classes: classes)
    let weights = mask?.contiguous().scalars
    var (correct, total): (Scalar, Scalar) = (0, 0)
    for (row, label) in labels.enumerated() {
      let z = logits[(row * classes)..<((row + 1) * classes)]
      let predicted = z.indices.max { z[$0] < z[$1] } ?? 0  // the first of equal largest
      let w = weights?[row] ?? 1
      total += w
      if predicted - row * classes == label { correct += w }
    }
    return total > 0 ? correct / total : .nan
  }
}

extension RecurrentModel {
  /// The loss of `supervision` on a forward pass over `inputs`, the outputs it scored (the last
  /// step's [B × out] or every step's [B × T × out]) and, for cross-entropy, the accuracy.
  public func evaluate(inputs: Tensor<Scalar>, supervision: Supervision<Scalar>) throws -> (
    loss: Scalar, outputs: Tensor<Scalar>, accuracy: Scalar?
  ) {
    let trajectory = try forward(inputs)
    let readout = try supervision.readout(
      batch: inputs.shape[0], length: inputs.shape[1], outputs: outputSize)
    let outputs = try outputs(of: trajectory, readout)
    return (try supervision.score(outputs).loss, outputs, try supervision.accuracy(outputs))
  }
}
