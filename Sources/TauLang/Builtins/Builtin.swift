// The shape of a built-in function, and argument binding shared by built-ins, Tau functions and
// declarations, so all three accept positional and named arguments by the same rules.
import TauTensor

/// A parameter as the binder sees it.
public struct ParameterSpec: Sendable {
  public var name: String
  public var hasDefault: Bool
  /// Collects all remaining positional arguments into a list (`print(values…)`).
  public var isVariadic: Bool

  public init(_ name: String, hasDefault: Bool = false, isVariadic: Bool = false) {
    self.name = name
    self.hasDefault = hasDefault
    self.isVariadic = isVariadic
  }
}

/// A function implemented in Swift, registered once in `BuiltinRegistry`.
public struct Builtin: Sendable {
  public let name: String
  public let parameters: [ParameterSpec]
  /// Defaults of the parameters that have one, by name.
  public let defaults: [String: Value]
  /// One line for `:help` and docs/LANGUAGE.md.
  public let summary: String
  let body: @Sendable (CallArguments) throws -> Value
  /// Whether a call shows its elapsed time on a terminal while it runs (long operators).
  private(set) var showsElapsedTime = false

  /// - Parameter signature: parameter names, `name=default` for optional ones (default written
  ///   as a Tau literal: a number, a string in quotes, `true`/`false`, `none` or a list of
  ///   numbers in brackets), and `name...`
  ///   for a variadic one. Example: `["shape", "seed=0", "dtype=\"f64\""]`.
  init(
    _ name: String, _ signature: [String], _ summary: String,
    _ body: @escaping @Sendable (CallArguments) throws -> Value
  ) {
    self.name = name
    self.summary = summary
    self.body = debugLevel >= 3 ? PlanTimesReport.reporting(body) : body
    var parameters: [ParameterSpec] = []
    var defaults: [String: Value] = [:]
    for entry in signature {
      if entry.hasSuffix("...") {
        parameters.append(ParameterSpec(String(entry.dropLast(3)), isVariadic: true))
      } else if let equals = entry.firstIndex(of: "=") {
        let parameter = String(entry[..<equals])
        defaults[parameter] = literalValue(String(entry[entry.index(after: equals)...]))
        parameters.append(ParameterSpec(parameter, hasDefault: true))
      } else {
        parameters.append(ParameterSpec(entry))
      }
    }
    self.parameters = parameters
    self.defaults = defaults
  }

  /// This built-in, showing its elapsed time while it runs.
  func showingElapsedTime() -> Builtin {
    var copy = self
    copy.showsElapsedTime = true
    return copy
  }

  /// What calling this built-in does outside the program (nil for the pure ones).
  public var effect: String? { BuiltinRegistry.effects[name] }

  /// `name(a, b = 1)`, as shown by `:help` and in messages.
  public var signature: String {
    let shown = parameters.map { p in
      p.isVariadic
        ? "\(p.name)..."
        : p.hasDefault ? "\(p.name): \(defaults[p.name].map(describe) ?? "")" : p.name
    }
    return "\(name)(\(shown.joined(separator: ", ")))"
  }
}

private func literalValue(_ text: String) -> Value {
  if text == "none" { return .nothing }
  if text == "true" || text == "false" { return .bool(text == "true") }
  if let number = Double(text) { return .number(number) }
  if text.hasPrefix("["), text.hasSuffix("]") {
    let items = text.dropFirst().dropLast().split(separator: ",")
    return .list(items.map { literalValue($0.trimmingCharacters(in: .whitespaces)) })
  }
  return .string(text.trimmingCharacters(in: ["\""]))
}

/// An evaluated call argument and where it was written.
struct EvaluatedArgument {
  var label: String?
  var value: Value
  var range: SourceRange
}

/// Matches arguments to parameters: positional ones in order, then named ones by name.
/// Returns one slot per parameter (nil: not given, use the default) and each slot's range.
func bindArguments(
  _ arguments: [EvaluatedArgument], to parameters: [ParameterSpec], callee: String,
  callRange: SourceRange
) throws -> (values: [Value?], ranges: [SourceRange?]) {
  var values = [Value?](repeating: nil, count: parameters.count)
  var ranges = [SourceRange?](repeating: nil, count: parameters.count)
  var position = 0
  var rest: [Value] = []
  for argument in arguments {
    if let label = argument.label {
      guard let slot = parameters.firstIndex(where: { $0.name == label && !$0.isVariadic }) else {
        throw Diagnostic(
          "call.unknownArgument", "\(callee) has no parameter named '\(label)'", at: argument.range,
          hint: nearestName(to: label, in: parameters.map(\.name)).map { "did you mean '\($0):'?" })
      }
      if values[slot] != nil {
        throw Diagnostic("call.duplicateArgument", "'\(label)' is given twice", at: argument.range)
      }
      values[slot] = argument.value
      ranges[slot] = argument.range
      continue
    }
    if position < parameters.count, parameters[position].isVariadic {
      rest.append(argument.value)
      ranges[position] = ranges[position].map { $0.to(argument.range) } ?? argument.range
      continue
    }
    guard position < parameters.count else {
      throw Diagnostic(
        "call.arity",
        "\(callee) takes \(countDescription(parameters)), but \(givenDescription(positionalCount(arguments))) given",
        at: argument.range)
    }
    values[position] = argument.value
    ranges[position] = argument.range
    position += 1
  }
  for (slot, parameter) in parameters.enumerated() {
    if parameter.isVariadic {
      values[slot] = .list(rest)
    } else if values[slot] == nil && !parameter.hasDefault {
      throw Diagnostic(
        "call.missingArgument", "\(callee) is missing its argument '\(parameter.name)'",
        at: callRange)
    }
  }
  return (values, ranges)
}

private func positionalCount(_ arguments: [EvaluatedArgument]) -> Int {
  arguments.filter { $0.label == nil }.count
}

/// "2 arguments", "1 to 3 arguments".
func countDescription(_ parameters: [ParameterSpec]) -> String {
  let required = parameters.filter { !$0.hasDefault && !$0.isVariadic }.count
  let total = parameters.count
  if total == 0 { return "no arguments" }
  let noun = total == 1 && required == 1 ? "argument" : "arguments"
  return required == total ? "\(total) \(noun)" : "\(required) to \(total) \(noun)"
}

/// "1 was", "3 were".
private func givenDescription(_ count: Int) -> String {
  count == 1 ? "1 was" : "\(count) were"
}
