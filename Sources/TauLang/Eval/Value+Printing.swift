// How values print: `print`, the REPL and error messages all use these forms.
import Foundation
import TauTensor

/// The text `print` shows for a value: strings bare, everything else as `describe`.
public func displayText(_ value: Value) -> String {
  if case .string(let s) = value { return s }
  return describe(value)
}

/// A value as source-like text: strings quoted, numbers in at most 6 significant digits
/// (whole numbers without a decimal point), tensors with their header and body. Lists and
/// records nested deeper than 100 levels show as `…`.
public func describe(_ value: Value) -> String { describe(value, depth: 0) }

private func describe(_ value: Value, depth: Int) -> String {
  if depth > 100 { return "…" }
  func inner(_ v: Value) -> String { describe(v, depth: depth + 1) }
  switch value {
  case .nothing: return "none"
  case .number(let x): return formatNumber(x)
  case .bool(let b): return b ? "true" : "false"
  case .string(let s): return quoted(s)
  case .list(let items): return "[" + items.map(inner).joined(separator: ", ") + "]"
  case .record(let record):
    return "{" + record.fields.map { "\($0.name): \(inner($0.value))" }.joined(separator: ", ")
      + "}"
  case .range(let lower, let upper): return "\(lower)..\(upper)"
  case .tensor(let t):
    switch t {
    case .f32(let tensor): return tensor.description
    case .f64(let tensor): return tensor.description
    }
  case .function(.closure(let closure)):
    let parameters = closure.literal.parameters.map(\.name).joined(separator: ", ")
    return "<fn \(closure.literal.name ?? "")(\(parameters))>"
  case .function(.builtin(let builtin)): return "<builtin \(builtin.signature)>"
  case .declaration(let d): return "<\(d.declaration.kind.rawValue) \(declarationText(d))>"
  case .traced(let t): return "<traced \(formatShape(t.shape)) %\(t.id.index)>"
  case .model(let m): return m.description
  }
}

/// `leaky(gate: multi)`: the declaration's name with the arguments bound so far.
func declarationText(_ d: DeclarationValue) -> String {
  let bound = d.declaration.parameters.compactMap { p in
    d.arguments[p.name].map { "\(p.name): \(describeShort($0))" }
  }
  return d.declaration.name + (bound.isEmpty ? "" : "(" + bound.joined(separator: ", ") + ")")
}

/// Like `describe`, but a declaration shows as its name with bound arguments and a tensor as its
/// header only; for nesting inside other descriptions.
func describeShort(_ value: Value) -> String {
  switch value {
  case .declaration(let d): return declarationText(d)
  case .tensor(.f32(let t)): return t.header
  case .tensor(.f64(let t)): return t.header
  default: return describe(value)
  }
}

/// Whole numbers without a decimal point; others in 6 significant digits (`%.6g`), so golden
/// outputs do not depend on the last bits of a floating-point sum.
public func formatNumber(_ x: Double) -> String {
  if x.isNaN { return "nan" }
  if x.isInfinite { return x < 0 ? "-inf" : "inf" }
  if x == x.rounded(), Swift.abs(x) < 1e15 { return String(Int(x)) }
  return String(format: "%.6g", x)
}

private func quoted(_ s: String) -> String {
  var text = "\""
  for scalar in s.unicodeScalars {
    switch scalar {
    case "\"": text += "\\\""
    case "\\": text += "\\\\"
    case "\n": text += "\\n"
    case "\t": text += "\\t"
    default: text.unicodeScalars.append(scalar)
    }
  }
  return text + "\""
}
