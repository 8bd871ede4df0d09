// A recurrent model: a cell's step graph, its parameters, and a linear readout of the last state.
// Unrolling over time and backpropagation through time live here, independent of the language.
import TauGraph
import TauTensor

/// A sequence-to-one recurrent network: h_t = cell(h_{t-1}, x_t), ŷ = W_o h_T (the paper's §2).
///
/// State `readoutState` is the hidden state h that the readout sees (0 for one cell; the top
/// layer's h for a stack of cells); cells such as the LSTM carry more states (their sizes are
/// `stateSizes`), all starting at zero.
public struct RecurrentModel<Scalar: TensorScalar>: Sendable {
  /// One step: inputs `.state(i)`, `.input`, `.parameter(name)`; outputs the next states in
  /// state order.
  public let step: Graph
  /// Parameter tensors by name (`Wr`, `gate.Wr`, …), without the readout.
  public private(set) var parameters: [String: Tensor<Scalar>]
  /// The readout W_o [output × hidden].
  public private(set) var readout: Tensor<Scalar>
  /// The readout's bias b_o [output], if the model has one (the paper's models do not).
  public private(set) var readoutBias: Tensor<Scalar>?
  public let stateSizes: [Int]
  /// The state the readout reads and `forward` returns as `states` (the top layer's h).
  public let readoutState: Int
  public let inputSize: Int
  /// Compiled plans by batch size, shared by copies of this model (same graph, any weights).
  let plans = PlanCache<Scalar>()

  public init(
    step: Graph, parameters: [String: Tensor<Scalar>], readout: Tensor<Scalar>,
    readoutBias: Tensor<Scalar>? = nil, stateSizes: [Int], readoutState: Int = 0, inputSize: Int
  ) throws {
    guard stateSizes.indices.contains(readoutState) else {
      throw GraphError(
        message: "the readout reads state \(readoutState) of \(stateSizes.count)", origin: nil)
    }
    guard step.outputs.count == stateSizes.count else {
      throw GraphError(
        message: "the step has \(step.outputs.count) outputs for \(stateSizes.count) states",
        origin: nil)
    }
    for (name, id) in step.parameters {
      guard let tensor = parameters[name] else {
        throw GraphError(message: "no value for parameter '\(name)'", origin: step[id].origin)
      }
      guard tensor.shape == step[id].shape else {
        throw GraphError(
          message:
            "parameter '\(name)' is \(formatShape(tensor.shape)), the cell declares \(formatShape(step[id].shape))",
          origin: step[id].origin)
      }
    }
    guard readout.rank == 2, readout.shape[1] == stateSizes[readoutState] else {
      throw GraphError(
        message:
          "readout \(formatShape(readout.shape)) does not fit a hidden size of \(stateSizes[readoutState])",
        origin: nil)
    }
    if let readoutBias, readoutBias.shape != [readout.shape[0]] {
      throw GraphError(
        message:
          "readout bias \(formatShape(readoutBias.shape)) does not fit \(readout.shape[0]) outputs",
        origin: nil)
    }
    self.step = step
    self.parameters = parameters
    self.readout = readout
    self.readoutBias = readoutBias
    self.stateSizes = stateSizes
    self.readoutState = readoutState
    self.inputSize = inputSize
  }

  /// The size of the state the readout reads.
  public var hiddenSize: Int { stateSizes[readoutState] }
  public var outputSize: Int { readout.shape[0] }

  /// The mean squared error of `output` against `targets` (PyTorch's `MSELoss()`: the mean over
  /// batch and outputs) and its gradient with respect to `output`, 2 (ŷ - y) / count.
  public func meanSquaredError(_ output: Tensor<Scalar>, _ targets: Tensor<Scalar>) throws -> (
    loss: Scalar, cotangent: Tensor<Scalar>
  ) {
    guard targets.shape == output.shape else {
      throw TensorError.shapeMismatch(operation: "loss", lhs: output.shape, rhs: targets.shape)
    }
    let residual = try output - targets
    let count = Scalar(residual.count)
    return (try residual.squared().sum().item() / count, residual * (2 / count))
  }

  /// The readout's gradients for the output cotangent c and last states h_T: cᵀ h_T (and Σ_b c).
  func readoutGradients(_ cotangent: Tensor<Scalar>, last: Tensor<Scalar>) throws
    -> [String: Tensor<Scalar>]
  {
    var gradients = ["readout": try cotangent.transposed().matmul(last)]
    if readoutBias != nil { gradients["readoutBias"] = try cotangent.sum(along: [0]) }
    return gradients
  }

  /// ŷ = h_T W_oᵀ (+ b_o) for the last hidden states [B × n].
  func readOut(_ last: Tensor<Scalar>) throws -> Tensor<Scalar> {
    let output = try last.matmul(readout.transposed())
    guard let readoutBias else { return output }
    return try output + readoutBias
  }

  /// A copy with parameter `name` (or `"readout"`, `"readoutBias"`) replaced by `value` of the
  /// same shape.
  public func replacing(_ name: String, with value: Tensor<Scalar>) throws -> RecurrentModel {
    // A copy of `self` keeps the compiled plans (they depend on the graph, not the weights).
    var copy = self
    switch name {
    case "readout":
      guard value.shape == readout.shape else {
        throw TensorError.shapeMismatch(operation: "readout", lhs: readout.shape, rhs: value.shape)
      }
      copy.readout = value
    case "readoutBias":
      guard let bias = readoutBias else {
        throw GraphError(message: "the model has no readout bias", origin: nil)
      }
      guard value.shape == bias.shape else {
        throw TensorError.shapeMismatch(operation: "readoutBias", lhs: bias.shape, rhs: value.shape)
      }
      copy.readoutBias = value
    default:
      guard let current = parameters[name] else {
        throw GraphError(message: "the model has no parameter '\(name)'", origin: nil)
      }
      guard value.shape == current.shape else {
        throw TensorError.shapeMismatch(operation: name, lhs: current.shape, rhs: value.shape)
      }
      copy.parameters[name] = value
    }
    return copy
  }

}

extension TensorError {
  /// Inputs that are not [batch × length × m] for a model with m inputs.
  static func modelInputs(_ shape: [Int], inputSize: Int, operation: String) -> TensorError {
    .invalidShape(
      operation: operation, shape: shape,
      reason: "the model takes inputs [batch × length × \(inputSize)], batch and length ≥ 1")
  }
}
