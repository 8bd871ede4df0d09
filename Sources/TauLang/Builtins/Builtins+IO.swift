// Files: tensors as .npy, models and records of tensors as .safetensors. Writes are atomic
// (a temporary file renamed into place); reads check everything before returning anything.
import Foundation
import TauDynamics
import TauTensor

extension BuiltinRegistry {
  static let io: [Builtin] = [
    Builtin(
      "save", ["value", "path"],
      "write a tensor (.npy), or a model or record of tensors (.safetensors), atomically"
    ) { args in
      let path = try args.string("path")
      _ = try args.interpreter.outputPath(path, at: args.range("path"))  // checked, not renamed
      let data: Data
      switch (args["value"], path.hasSuffix(".npy")) {
      case (.tensor(let t), true):
        data = NPY.encode(t)
      case (_, true):
        throw args.typeError("value", expected: "a tensor (.npy holds one tensor)")
      case (_, false) where !path.hasSuffix(".safetensors"):
        throw Diagnostic(
          "value.invalid", "the file name must end in .npy or .safetensors, got '\(path)'",
          at: args.range("path"))
      case (.model(let model), false):
        data = try SafetensorsFile(
          tensors: model.namedParameters, metadata: try modelMetadata(model, args)
        ).encoded()
      case (.record(let record), false):
        data = try SafetensorsFile(tensors: try flattenedTensors(record, args)).encoded()
      case (.tensor(let t), false):
        data = try SafetensorsFile(tensors: [("tensor", t)]).encoded()
      default:
        throw args.typeError("value", expected: "a tensor, a model or a record of tensors")
      }
      do {
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
      } catch {
        throw Diagnostic(
          "file.unwritable", "cannot write '\(path)': \(error.localizedDescription)",
          at: args.range("path"))
      }
      args.interpreter.host.produced(.file(path: path))
      return .nothing
    },
    Builtin(
      "load", ["path", "into=none", "strict=true"],
      "read a .npy tensor, or a .safetensors file: a Tau model (rebuilt), a record of tensors, or weights into an existing model (a PyTorch state_dict as it is; strict: false ignores tensors the model lacks)"
    ) { args in
      let path = try args.string("path")
      guard let data = FileManager.default.contents(atPath: path) else {
        throw Diagnostic(
          "file.unreadable", "cannot read '\(path)': no such file", at: args.range("path"))
      }
      if path.hasSuffix(".npy") { return .tensor(try NPY.decode(data, path: path)) }
      let file = try SafetensorsFile.decode(data, path: path)
      if case .model(let model) = args["into"] {
        let strict = try args.bool("strict")
        let loaded = try loadWeights(file, into: model, path: path, strict: strict, args: args)
        return .model(loaded)
      }
      if args.isGiven("into") { throw args.typeError("into", expected: "a model") }
      if file.metadata["tau.cell"] != nil {
        return .model(try rebuildModel(file, path: path, args: args))
      }
      return .record(nestedRecord(file.tensors.map { ($0.name, Value.tensor($0.tensor)) }))
    },
  ]
}

/// Dotted names for a record of tensors (nested records add a level: `a.b`).
private func flattenedTensors(_ record: Record, _ args: CallArguments, prefix: String = "") throws
  -> [(name: String, tensor: AnyTensor)]
{
  try record.fields.flatMap { field -> [(name: String, tensor: AnyTensor)] in
    let name = prefix + field.name
    switch field.value {
    case .tensor(let t): return [(name, t)]
    case .record(let inner): return try flattenedTensors(inner, args, prefix: name + ".")
    default:
      throw Diagnostic(
        "type.mismatch", "'\(name)' is a \(field.value.typeName); only tensors can be saved",
        at: args.range("value"))
    }
  }
}

/// What rebuilding needs: the cell as an expression, the declarations it uses (checked here as
/// loading will check them, so a model that could not be loaded is not written), the sizes and
/// the dtype.
private func modelMetadata(_ model: ModelValue, _ args: CallArguments) throws -> [String: String] {
  let interpreter = args.interpreter
  // A stack stores its cells as a list, one per layer, and its sizes as `tau.layers`.
  let layers = model.lowered.layers
  let cell = try sourceText(
    layers.count > 1 ? .list(model.cells.map(Value.declaration)) : .declaration(model.cells[0]),
    at: args.range("value"))
  let source = ModelDeclarations.source(
    of: model.cells, searchPath: interpreter.modules.searchPath,
    stdlib: SearchPath.standardLibraryDirectory(environment: ProcessInfo.processInfo.environment))
  do {
    _ = try ModelDeclarations.validated(
      source: source, cell: cell, path: "<model>", modules: interpreter.standardModules)
  } catch let list as DiagnosticList {
    throw Diagnostic(
      "file.unsaveable",
      "this model's declarations cannot be stored on their own: \(list.diagnostics.first?.message ?? "")",
      at: args.range("value"),
      hint:
        "a model file keeps the gate, cell and optimizer declarations and functions its cell uses; values they need from elsewhere (a top-level 'let') must be written into them",
      notes: list.diagnostics.map {
        var note = $0
        note.severity = .note
        return note
      })
  }
  let network: (input: Int, output: Int)
  switch model.network {
  case .f32(let m): network = (m.inputSize, m.outputSize)
  case .f64(let m): network = (m.inputSize, m.outputSize)
  }
  var metadata = [
    "tau.cell": cell, "tau.source": source,
    "tau.hidden": String(model.hidden), "tau.input": String(network.input),
    "tau.output": String(network.output), "tau.dtype": model.dtype, "tau.version": "1",
    "tau.bias": model.namedParameters.contains { $0.name == "readout.bo" } ? "true" : "false",
  ]
  if layers.count > 1 {
    metadata["tau.layers"] = layers.map { String($0.hidden) }.joined(separator: ",")
  }
  return metadata
}

/// A value written back as Tau source (numbers in full precision).
private func sourceText(_ value: Value, at range: SourceRange) throws -> String {
  switch value {
  case .number(let x): return x == x.rounded() && Swift.abs(x) < 1e15 ? String(Int(x)) : "\(x)"
  case .bool(let b): return b ? "true" : "false"
  case .string: return describe(value)
  case .nothing: return "none"
  case .list(let items):
    return "[" + (try items.map { try sourceText($0, at: range) }).joined(separator: ", ") + "]"
  case .declaration(let d):
    let bound = try d.declaration.parameters.compactMap { p -> String? in
      guard let argument = d.arguments[p.name] else { return nil }
      return "\(p.name): \(try sourceText(argument, at: range))"
    }
    return d.declaration.name + (bound.isEmpty ? "" : "(" + bound.joined(separator: ", ") + ")")
  default:
    throw Diagnostic(
      "value.invalid",
      "a model whose cell takes a \(value.typeName) as an argument cannot be saved",
      at: range)
  }
}

/// `load(path)` of a file written by `save(model, …)`: checks the stored declarations (nothing
/// but declarations and standard modules, every body pure), binds them, lowers the cell and
/// installs the weights.
private func rebuildModel(_ file: SafetensorsFile, path: String, args: CallArguments) throws
  -> ModelValue
{
  let meta = file.metadata
  guard let cell = meta["tau.cell"], let source = meta["tau.source"],
    let hidden = meta["tau.hidden"].flatMap(Int.init),
    let input = meta["tau.input"].flatMap(Int.init),
    let output = meta["tau.output"].flatMap(Int.init), hidden > 0, input > 0, output > 0
  else {
    throw Diagnostic(
      "file.invalid",
      "'\(path)' has incomplete Tau metadata (tau.cell, tau.source, positive sizes)",
      at: args.range("path"))
  }
  // A stack's sizes, bottom first (`tau.layers`, "8,4"); one layer's is `tau.hidden`.
  let sizes = meta["tau.layers"].map { $0.split(separator: ",").map { Int($0) ?? 0 } } ?? [hidden]
  guard sizes.allSatisfy({ $0 > 0 }), sizes.last == hidden else {
    throw Diagnostic(
      "file.invalid", "'\(path)' has invalid layer sizes (tau.layers)", at: args.range("path"))
  }
  let interpreter = args.interpreter
  let cells: [DeclarationValue]
  do {
    cells = try interpreter.bindStoredCells(source: source, cell: cell, path: path)
  } catch var list as DiagnosticList {
    let loadedHere = Diagnostic(
      "file.unsafe", "while loading '\(path)' here", at: args.callRange, severity: .note)
    for index in list.diagnostics.indices { list.diagnostics[index].notes.append(loadedHere) }
    throw list
  }
  guard cells.count == sizes.count else {
    throw Diagnostic(
      "file.invalid", "'\(path)' stores \(cells.count) cells for \(sizes.count) layer sizes",
      at: args.range("path"))
  }
  let lowered = try interpreter.lowerStack(
    cells, hidden: sizes, input: input, at: args.callRange)
  let zeros = try zeroParameters(lowered)
  let bias: Tensor<Double>? = meta["tau.bias"] == "true" ? try .zeros([output]) : nil
  let network: ModelValue.Network =
    meta["tau.dtype"] == "f64"
    ? .f64(
      try RecurrentModel(
        step: lowered.graph, parameters: zeros, readout: try .zeros([output, hidden]),
        readoutBias: bias, stateSizes: lowered.stateSizes, readoutState: lowered.readoutState,
        inputSize: input))
    : .f32(
      try RecurrentModel(
        step: lowered.graph, parameters: zeros.mapValues { AnyTensor.f64($0).asFloat },
        readout: try .zeros([output, hidden]), readoutBias: bias.map { AnyTensor.f64($0).asFloat },
        stateSizes: lowered.stateSizes, readoutState: lowered.readoutState, inputSize: input))
  let placeholder = ModelValue(
    network: network, cellText: cell, lowered: lowered, cells: cells)
  return try loadWeights(file, into: placeholder, path: path, strict: true, args: args)
}

private func zeroParameters(_ lowered: LoweredCell) throws -> [String: Tensor<Double>] {
  var parameters: [String: Tensor<Double>] = [:]
  for p in lowered.parameters { parameters[p.name] = try .zeros(p.shape) }
  return parameters
}

/// A copy of `model` with its parameters taken from `file`, converted to the model's dtype. All
/// names and shapes are checked first, so nothing is half-loaded.
///
/// A file Tau saved (it has Tau metadata) names every parameter as `model.params` does
/// (`cell.Wr`, `readout.Wo`) and must have them all. Any other file, such as a PyTorch
/// `state_dict` saved with `safetensors.torch.save_file`, may also name a cell's parameters bare
/// (`weight_ih_l0`, as torch cells name theirs) and may lack some (PyTorch has no Tau readout):
/// those keep the model's values, and a note on the host says which. A tensor the model does not
/// have is an error unless `strict` is false (then a note names it).
private func loadWeights(
  _ file: SafetensorsFile, into model: ModelValue, path: String, strict: Bool,
  args: CallArguments
)
  throws -> ModelValue
{
  let range = args.range("path")
  let expected = model.namedParameters
  let names = Set(expected.map(\.name))
  let isTauFile = file.metadata["tau.cell"] != nil
  // Each file tensor's model name: as it is, or a bare cell parameter name under `cell.`.
  var stored: [String: AnyTensor] = [:]
  var fileNames: [String: String] = [:]  // for messages: the name as the file has it
  var extra: [String] = []
  for (name, tensor) in file.tensors {
    if names.contains(name) {
      stored[name] = tensor
      fileNames[name] = name
    } else if !isTauFile, names.contains("cell." + name) {
      stored["cell." + name] = tensor
      fileNames["cell." + name] = name
    } else {
      extra.append(name)
    }
  }
  if !extra.isEmpty, strict {
    throw Diagnostic(
      "file.mismatch",
      "'\(path)' has \(quotedList(extra)), which the model does not have", at: range,
      hint:
        "the model's parameters are: \(expected.map(\.name).joined(separator: ", ")); strict: false ignores the rest"
    )
  }
  let missing = expected.map(\.name).filter { stored[$0] == nil }
  if isTauFile, let first = missing.first {
    throw Diagnostic("file.mismatch", "'\(path)' lacks '\(first)'", at: range)
  }
  for (name, tensor) in expected {
    guard let value = stored[name] else { continue }
    guard value.shape == tensor.shape else {
      throw Diagnostic(
        "file.mismatch",
        "'\(fileNames[name] ?? name)' is \(formatShape(value.shape)) in '\(path)' but \(formatShape(tensor.shape)) in the model"
          + (fileNames[name] == name ? "" : " ('\(name)')"),
        at: range)
    }
  }
  var result = model
  do {
    switch model.network {
    case .f32(var network):
      for (name, value) in stored {
        network = try network.replacing(modelKey(name), with: value.asFloat)
      }
      result.network = .f32(network)
    case .f64(var network):
      for (name, value) in stored {
        network = try network.replacing(modelKey(name), with: value.asDouble)
      }
      result.network = .f64(network)
    }
  } catch let error as TensorError {
    throw Diagnostic("file.mismatch", error.description, at: range)
  }
  let host = args.interpreter.host
  if !missing.isEmpty {
    host.report(
      Diagnostic(
        "file.mismatch",
        "'\(path)' has no \(quotedList(missing)); \(missing.count == 1 ? "it keeps its" : "they keep their") initial value\(missing.count == 1 ? "" : "s")",
        at: args.callRange, severity: .note))
  }
  if !extra.isEmpty {
    host.report(
      Diagnostic(
        "file.mismatch", "ignored \(quotedList(extra)) in '\(path)' (strict: false)",
        at: args.callRange, severity: .note))
  }
  return result
}

/// `'a', 'b' and 'c'`.
private func quotedList(_ names: [String]) -> String {
  let quoted = names.map { "'\($0)'" }
  guard quoted.count > 1 else { return quoted.first ?? "" }
  return quoted.dropLast().joined(separator: ", ") + " and " + (quoted.last ?? "")
}

/// `cell.gate.Wr` → `gate.Wr`; `readout.Wo` → `readout`, as RecurrentModel names them.
private func modelKey(_ dotted: String) -> String {
  switch dotted {
  case "readout.Wo": return "readout"
  case "readout.bo": return "readoutBias"
  default: return String(dotted.dropFirst("cell.".count))
  }
}
