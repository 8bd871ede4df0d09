// A value's type and shape in one line, without its contents: what the REPL's `:type` and `:vars`
// show, so that a 12×80×64 tensor or a training record can be inspected without printing it.

/// `Tensor<f32>[12×80×64]`, `list[5] of number`, `record {loss: Tensor<f32>[200], …}`, …
public func typeSummary(_ value: Value) -> String { typeSummary(value, depth: 0) }

private func typeSummary(_ value: Value, depth: Int) -> String {
  switch value {
  case .tensor: return describeShort(value)  // the header
  case .list(let items):
    let kinds = Set(items.map { shortType($0) })
    guard let only = kinds.first else { return "list[0]" }
    return kinds.count == 1 ? "list[\(items.count)] of \(only)" : "list[\(items.count)]"
  case .record(let record):
    guard depth < 1 else { return "record" }
    let fields = record.fields.map { "\($0.name): \(typeSummary($0.value, depth: depth + 1))" }
    return "record {" + fields.joined(separator: ", ") + "}"
  case .range(let lower, let upper): return "range \(lower)..\(upper)"
  case .function(.closure(let closure)):
    let parameters = closure.literal.parameters.map(\.name).joined(separator: ", ")
    return "fn \(closure.literal.name ?? "")(\(parameters))"
  case .function(.builtin(let builtin)): return "builtin \(builtin.signature)"
  case .declaration(let d): return "\(d.declaration.kind.rawValue) \(declarationText(d))"
  case .model(let model):
    // Without the angle brackets, and with the layout of its state vector.
    return String(model.description.dropFirst().dropLast()) + "; " + model.stateSummary
  default: return value.typeName
  }
}

/// The element type a list summary names: the tensor header for tensors, else the type name.
private func shortType(_ value: Value) -> String {
  if case .tensor = value { return describeShort(value) }
  return value.typeName
}
