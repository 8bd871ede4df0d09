// A model as the language sees it: the compiled network in its precision plus where it came from.
import TauDynamics
import TauTensor

/// A recurrent model built by `rnn(cell, hidden:, input:)`.
public struct ModelValue: Sendable {
  public enum Network: Sendable {
    case f32(RecurrentModel<Float>)
    case f64(RecurrentModel<Double>)
  }

  public var network: Network
  /// The cell as written at `rnn`, e.g. `leaky(gate: multi)`.
  public var cellText: String
  public var lowered: LoweredCell
  /// The cell declarations with their bound arguments, one per layer (bottom first), for saving
  /// the model's source.
  public var cells: [DeclarationValue]

  public var dtype: String {
    switch network {
    case .f32: return "f32"
    case .f64: return "f64"
    }
  }

  /// The top layer's hidden size (what the readout reads).
  var hidden: Int { lowered.stateSizes[lowered.readoutState] }

  /// The same cell and declarations around other weights (a trained copy, a checkpoint).
  func with(network: Network) -> ModelValue {
    var copy = self
    copy.network = network
    return copy
  }

  /// Every parameter tensor by its dotted name (`cell.Wr`, `cell.gate.Wr`, `readout.Wo`).
  var namedParameters: [(name: String, tensor: TensorValue)] {
    func collect<S: TensorScalar>(_ model: RecurrentModel<S>, _ wrap: (Tensor<S>) -> TensorValue)
      -> [(String, TensorValue)]
    {
      lowered.parameters.compactMap { p in
        model.parameters[p.name].map { ("cell." + p.name, wrap($0)) }
      }
        + [("readout.Wo", wrap(model.readout))]
        + (model.readoutBias.map { [("readout.bo", wrap($0))] } ?? [])
    }
    switch network {
    case .f32(let m): return collect(m) { .f32($0) }
    case .f64(let m): return collect(m) { .f64($0) }
    }
  }

  public var description: String {
    let count = namedParameters.reduce(0) { $0 + $1.tensor.shape.reduce(1, *) }
    let input: Int
    switch network {
    case .f32(let m): input = m.inputSize
    case .f64(let m): input = m.inputSize
    }
    return "<model \(layersText), input: \(input), \(dtype), \(count) parameters>"
  }

  /// Where each state sits in the model's state vector and what its Jacobian is, for `:type`:
  /// `states h [8], S [4×8] (40 entries); state Jacobian dense`.
  var stateSummary: String {
    let states = zip(lowered.stateNames, lowered.stateShapes).map { "\($0) \(formatShape($1))" }
    let total = lowered.stateSizes.reduce(0, +)
    let structure = (try? lowered.graph.stateJacobianStructure()).map { "\($0)" } ?? "unknown"
    return
      "states \(states.joined(separator: ", ")) (\(total) entries); state Jacobian \(structure)"
  }

  /// The layers as `rnn` takes them: `gru, hidden: 16`, `gru, layers: 2, hidden: 16`, or
  /// `[gru, lstm], hidden: [16, 8]`.
  var layersText: String {
    let layers = lowered.layers
    guard layers.count > 1 else { return "\(cellText), hidden: \(hidden)" }
    let sizes =
      Set(layers.map(\.hidden)).count == 1
      ? "\(hidden)" : "[" + layers.map { "\($0.hidden)" }.joined(separator: ", ") + "]"
    let cells =
      Set(layers.map(\.cell)).count == 1
      ? "\(layers[0].cell), layers: \(layers.count)"
      : "[" + layers.map(\.cell).joined(separator: ", ") + "]"
    return "\(cells), hidden: \(sizes)"
  }

  /// Every layer's states from `every` (all states in model order): one record {h: …, c: …} per
  /// layer, bottom first.
  func layerRecords(_ every: [TensorValue]) -> Value {
    .list(
      lowered.layers.map { layer in
        .record(
          Record(
            layer.stateNames.enumerated().map { index, name in
              (name, .tensor(every[layer.stateOffset + index]))
            }))
      })
  }
}

/// Nests dotted names into records: `cell.gate.Wr` → {cell: {gate: {Wr: …}}}.
func nestedRecord(_ entries: [(name: String, value: Value)]) -> Record {
  var record = Record()
  for (name, value) in entries {
    let parts = name.split(separator: ".").map(String.init)
    insert(value, at: parts[...], into: &record)
  }
  return record
}

private func insert(_ value: Value, at path: ArraySlice<String>, into record: inout Record) {
  guard let head = path.first else { return }
  if path.count == 1 {
    record[head] = value
    return
  }
  var inner: Record
  if case .record(let existing)? = record[head] { inner = existing } else { inner = Record() }
  insert(value, at: path.dropFirst(), into: &inner)
  record[head] = .record(inner)
}

extension Interpreter {
  static let modelFields = ["params", "forward", "hidden", "dtype", "cell", "states"]

  /// `model.params`, `model.forward(inputs)`, `model.hidden`, …
  func modelField(_ model: ModelValue, _ name: String, at range: SourceRange) throws -> Value {
    switch name {
    case "params":
      return .record(nestedRecord(model.namedParameters.map { ($0.name, Value.tensor($0.tensor)) }))
    case "forward":
      return .function(
        .builtin(
          Builtin(
            "forward", ["inputs"],
            "{states [B×T×n], output [B×out], every: {h, …}, layers: [{h, …}, …]}: states is the top layer's h; every state under every, by name, and per layer under layers"
          ) { args in
            let inputs = try args.tensor("inputs")
            let names = model.lowered.stateNames
            func record<S>(
              _ network: RecurrentModel<S>, _ inputs: Tensor<S>, _ wrap: (Tensor<S>) -> TensorValue
            )
              throws -> Value
            {
              let run = try network.forward(inputs)
              let every = try network.everyState(of: run).map(wrap)
              return .record(
                Record([
                  ("states", .tensor(wrap(run.states))), ("output", .tensor(wrap(run.output))),
                  ("every", .record(Record(zip(names, every).map { ($0, .tensor($1)) }))),
                  ("layers", model.layerRecords(every)),
                ]))
            }
            switch model.network {
            case .f32(let network): return try record(network, inputs.asFloat) { .f32($0) }
            case .f64(let network): return try record(network, inputs.asDouble) { .f64($0) }
            }
          }))
    case "hidden": return .number(Double(model.hidden))
    case "dtype": return .string(model.dtype)
    case "cell": return .string(model.cellText)
    case "states": return .list(model.lowered.stateNames.map(Value.string))
    default:
      throw Diagnostic(
        "field.unknown", "a model has no field '\(name)'", at: range,
        hint: "models have: " + Interpreter.modelFields.joined(separator: ", "))
    }
  }
}
