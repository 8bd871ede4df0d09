// Building models from cells (`rnn`), running them (`model.forward`) and their loss gradient.
import Foundation
import TauDynamics
import TauGraph
import TauTensor

extension BuiltinRegistry {
  static let models: [Builtin] = [
    Builtin(
      "rnn",
      [
        "cell", "hidden", "input", "output=1", "seed=0", "init=none", "dtype=\"f32\"", "bias=false",
        "layers=none",
      ],
      "a recurrent model: the cell's state update unrolled over time, readout ŷ = W_o h_T (or W_o h_t at every step, for per-step targets); layers: L (or a list of cells) stacks cells, the readout reading the top layer"
    ) { args in
      let cells = try stackedCells(args)
      let hidden = try layerSizes(args, count: cells.count)
      let input = try positive(args, "input")
      let output = try positive(args, "output")
      let seed = try args.integer("seed")
      guard seed >= 0 else {
        throw Diagnostic("value.invalid", "seed must be ≥ 0, got \(seed)", at: args.range("seed"))
      }
      let cell = cells[0]
      let lowered = try args.interpreter.lowerStack(
        cells, hidden: hidden, input: input, at: args.callRange)
      let top = lowered.stateSizes[lowered.readoutState]
      if debugLevel >= 1 {
        let structure = (try? lowered.graph.stateJacobianStructure()).map { "\($0)" } ?? "unknown"
        args.interpreter.host.debug(
          "# \(describeShort(args["cell"])) lowered (state Jacobian: \(structure)):\n\(lowered.graph)\n"
        )
      }
      let stream = RandomStream(seed: UInt64(seed)).substream("init")
      let parameters = try initialParameters(
        lowered, stream: stream,
        override: args.isGiven("init") ? (args["init"], args.range("init")) : nil)
      let probe = try GateProbe(lowered, parameters: parameters, inputSize: input)
      for warning in try probe.diagnostics(
        cells: cells.map(\.declaration), at: args.callRange)
      {
        args.interpreter.host.report(warning)
      }
      var readoutStream = stream.substream("readout")
      let bound = 1 / Double(top).squareRoot()
      let readout = try Tensor<Double>.uniform(
        [output, top], from: -bound, to: bound, using: &readoutStream)
      // PyTorch's nn.Linear bias: U(±1/√fan_in), from its own stream.
      var biasStream = stream.substream("readout.bias")
      let bias =
        try args.bool("bias")
        ? try Tensor<Double>.uniform([output], from: -bound, to: bound, using: &biasStream) : nil
      let network: ModelValue.Network
      do {
        if try args.dtype("dtype") == "f32" {
          network = .f32(
            try RecurrentModel(
              step: lowered.graph, parameters: parameters.mapValues { TensorValue.f64($0).asFloat },
              readout: TensorValue.f64(readout).asFloat,
              readoutBias: bias.map { TensorValue.f64($0).asFloat }, stateSizes: lowered.stateSizes,
              readoutState: lowered.readoutState, inputSize: input))
        } else {
          network = .f64(
            try RecurrentModel(
              step: lowered.graph, parameters: parameters, readout: readout, readoutBias: bias,
              stateSizes: lowered.stateSizes, readoutState: lowered.readoutState, inputSize: input))
        }
      } catch let error as GraphError {
        throw Diagnostic("shape.mismatch", error.message, at: args.callRange)
      }
      if debugLevel >= 2 {
        args.interpreter.host.debug(
          "# \(describeShort(args["cell"])) plans:\n\(planListing(network))\n")
      }
      return .model(
        ModelValue(
          network: network, cellText: describeShort(args["cell"]), lowered: lowered, cells: cells))
    },
    Builtin(
      "gradient", ["model", "batch", "loss=\"mse\""],
      "{loss, grads}: the loss (\"mse\" or \"xent\") on batch {inputs, targets, mask} and its gradient, shaped like model.params"
    ) { args in
      guard case .model(let model) = args["model"] else {
        throw args.typeError("model", expected: "a model")
      }
      let loss = try lossArgument(args)
      let batch = try batchTensors(args, "batch")
      switch model.network {
      case .f32(let network):
        let supervision = try batch.supervision(
          loss, for: network, builtin: "gradient", at: args.range("batch"), \.asFloat)
        let (loss, grads) = try network.gradient(
          inputs: batch.inputs.asFloat, supervision: supervision)
        return gradientRecord(Double(loss), grads.mapValues { TensorValue.f32($0) }, model)
      case .f64(let network):
        let supervision = try batch.supervision(
          loss, for: network, builtin: "gradient", at: args.range("batch"), \.asDouble)
        let (loss, grads) = try network.gradient(
          inputs: batch.inputs.asDouble, supervision: supervision)
        return gradientRecord(loss, grads.mapValues { TensorValue.f64($0) }, model)
      }
    },
  ]

  /// The cells of `rnn(cell, …, layers: L)` (L copies) or `rnn([a, b], …)`, bottom first.
  private static func stackedCells(_ args: CallArguments) throws -> [DeclarationValue] {
    let layers = args.isGiven("layers") ? try positive(args, "layers") : 1
    switch args["cell"] {
    case .declaration(let cell):
      return Array(repeating: cell, count: layers)
    case .list(let items) where !items.isEmpty:
      guard !args.isGiven("layers") || layers == items.count else {
        // `layers:` with a list is redundant, but only a contradiction is an error.
        throw Diagnostic(
          "value.invalid", "layers is \(layers), but \(items.count) cells are given",
          at: args.range("layers"))
      }
      return try items.map { item in
        guard case .declaration(let cell) = item else {
          throw args.typeError("cell", expected: "a cell or a list of cells")
        }
        return cell
      }
    default:
      throw args.typeError("cell", expected: "a cell or a list of cells")
    }
  }

  /// Each layer's hidden size: `hidden: n` for all, or a list with one per layer.
  private static func layerSizes(_ args: CallArguments, count: Int) throws -> [Int] {
    guard case .list(let items) = args["hidden"] else {
      return Array(repeating: try positive(args, "hidden"), count: count)
    }
    guard items.count == count else {
      throw Diagnostic(
        "value.invalid", "hidden lists \(items.count) sizes for \(count) layers",
        at: args.range("hidden"))
    }
    return try items.map { item in
      guard case .number(let x) = item, x == x.rounded(), x > 0, x < 1e9 else {
        throw Diagnostic(
          "value.invalid", "hidden sizes must be whole numbers > 0, got \(describeShort(item))",
          at: args.range("hidden"))
      }
      return Int(x)
    }
  }

  private static func positive(_ args: CallArguments, _ name: String) throws -> Int {
    let n = try args.integer(name)
    guard n > 0 else {
      throw Diagnostic("value.invalid", "\(name) must be > 0, got \(n)", at: args.range(name))
    }
    return n
  }

  private static func gradientRecord(
    _ loss: Double, _ grads: [String: TensorValue], _ model: ModelValue
  )
    -> Value
  {
    let entries =
      model.lowered.parameters.compactMap { p in
        grads[p.name].map { ("cell." + p.name, Value.tensor($0)) }
      } + (grads["readout"].map { [("readout.Wo", Value.tensor($0))] } ?? [])
      + (grads["readoutBias"].map { [("readout.bo", Value.tensor($0))] } ?? [])
    return .record(Record([("loss", .number(loss)), ("grads", .record(nestedRecord(entries)))]))
  }
}

/// Every parameter of a lowered cell at its initial value, each from its own substream of
/// `stream` (named after the parameter); `override` (`rnn(…, init: …)`) replaces every
/// declared initialiser.
func initialParameters(
  _ lowered: LoweredCell, stream: RandomStream, override: (Value, SourceRange)? = nil
) throws -> [String: Tensor<Double>] {
  var parameters: [String: Tensor<Double>] = [:]
  for parameter in lowered.parameters {
    var substream = stream.substream(parameter.name)
    parameters[parameter.name] = try initialTensor(
      override?.0 ?? parameter.initializer, shape: parameter.shape, stream: &substream,
      at: override?.1 ?? parameter.range)
  }
  return parameters
}

/// A parameter's initial tensor from its initialiser: an initialiser record (`uniform(n)`,
/// `normal(std)`, `orthogonal(gain)`, `glorot`), `zeros`, `ones`, `eye`, a number, or a tensor of
/// the right shape. Without one, U(±1/√fan_in) with fan_in the last size, as PyTorch does.
func initialTensor(
  _ initializer: Value, shape: [Int], stream: inout RandomStream, at range: SourceRange
) throws -> Tensor<Double> {
  let fanIn = shape.last ?? 1
  switch initializer {
  case .nothing:
    let bound = 1 / Double(fanIn).squareRoot()
    return try Tensor<Double>.uniform(shape, from: -bound, to: bound, using: &stream)
  case .number(let x):
    return try Tensor<Double>(repeating: x, shape: shape)
  case .tensor(let t):
    guard t.shape == shape else {
      throw Diagnostic(
        "shape.mismatch",
        "the initial value is \(formatShape(t.shape)), the parameter \(formatShape(shape))",
        at: range)
    }
    return t.asDouble
  case .function(.builtin(let builtin)) where ["zeros", "ones", "eye"].contains(builtin.name):
    if builtin.name == "eye" {
      guard shape.count == 2, shape[0] == shape[1] else {
        throw Diagnostic(
          "shape.mismatch", "eye needs a square parameter, got \(formatShape(shape))", at: range)
      }
      return try Tensor<Double>.eye(shape[0])
    }
    return try Tensor<Double>(repeating: builtin.name == "ones" ? 1 : 0, shape: shape)
  case .record(let spec):
    guard case .string(let kind)? = spec["init"] else { break }
    func number(_ field: String) -> Double {
      if case .number(let x)? = spec[field] { return x }
      return 0
    }
    switch kind {
    case "uniform":
      return try Tensor<Double>.uniform(
        shape, from: number("low"), to: number("high"), using: &stream)
    case "normal":
      return try Tensor<Double>.normal(
        shape, mean: number("mean"), standardDeviation: number("std"), using: &stream)
    case "glorot":
      let fanOut = shape.count >= 2 ? shape[0] : 1
      let bound = (6 / Double(fanIn + fanOut)).squareRoot()
      return try Tensor<Double>.uniform(shape, from: -bound, to: bound, using: &stream)
    case "orthogonal":
      guard shape.count == 2 else {
        throw Diagnostic(
          "shape.invalid", "orthogonal needs a matrix parameter, got \(formatShape(shape))",
          at: range)
      }
      // QR of a Gaussian matrix, signs fixed by R's diagonal (Saxe et al.; PyTorch's method).
      let (rows, columns) = (shape[0], shape[1])
      let tall = try Tensor<Double>.normal(
        [Swift.max(rows, columns), Swift.min(rows, columns)], using: &stream)
      let (q, r) = try tall.qr()
      let signs = try Tensor<Double>(
        (0..<Swift.min(rows, columns)).map { try r.scalar(at: [$0, $0]) >= 0 ? 1.0 : -1.0 })
      let orthonormal = try q * signs
      return (rows >= columns ? orthonormal : orthonormal.transposed().contiguous())
        * number("gain")
    default:
      break
    }
  default:
    break
  }
  throw Diagnostic(
    "value.invalid",
    "\(describeShort(initializer)) is not an initialiser (use uniform(n), normal(std), orthogonal(), glorot(), zeros, ones, eye, a number or a tensor)",
    at: range)
}

/// TAU_DEBUG=1 sends every lowered cell's graph to the host's `debug` (the terminal shows it on
/// standard error), 2 also the plans `rnn` compiles for it, 3 also the time plans spend per
/// instruction (after each built-in call that ran plans: `PlanTimesReport`).
let debugLevel = Int(ProcessInfo.processInfo.environment["TAU_DEBUG"] ?? "") ?? 0

/// The model's step plans at batch 1 as text, or why they could not be compiled.
private func planListing(_ network: ModelValue.Network) -> String {
  do {
    switch network {
    case .f32(let model): return try model.planListing()
    case .f64(let model): return try model.planListing()
    }
  } catch {
    return "the plans could not be compiled: \(error)"
  }
}
