// `:help` and `:help name`: the overview, and documentation drawn from where it already lives —
// the built-in registry's summaries, the doc comments above declarations and functions, the
// meta-command table — so that help never goes out of date.
import Foundation
import TauLang

struct Help {
  let interpreter: Interpreter
  let style: TerminalStyle
  /// What the modules on the search path declare, read once per request.
  private let modules: ModuleIndex

  init(interpreter: Interpreter, style: TerminalStyle) {
    self.interpreter = interpreter
    self.style = style
    modules = ModuleIndex(searchPath: interpreter.modules.searchPath)
  }

  /// What `:help` prints with no argument.
  func overview(version: String) -> String {
    var text = style.bold("Tau \(version)")
    text += """
      : type Tau code and press Enter. An expression's value is printed
      (a trailing ';' hides it) and '_' holds the last value. Entries with open brackets or
      blocks go on over several lines ('...>'); Ctrl-C abandons them.


      """
    text += style.bold("Commands") + " (any unique prefix works: :h, :q)\n"
    let width = MetaCommand.specs.map(\.usage.count).max() ?? 0
    for spec in MetaCommand.specs {
      text += "  " + spec.usage.padding(toLength: width + 2, withPad: " ", startingAt: 0)
      text += spec.summary + "\n"
    }
    text += "\n" + style.bold("Keys")
    text += """
        Tab completes names, fields, named arguments and paths; Up and Down
      recall earlier entries; Ctrl-C stops a computation (bindings stay) or clears the line;
      Ctrl-D leaves.


      """
    text += style.bold("Built-ins") + " (:help name for one)\n"
    for section in BuiltinRegistry.sections {
      text += wrapped(section.topic + ": ", section.builtins.map(\.name).joined(separator: ", "))
    }
    let byModule = Dictionary(grouping: modules.entries, by: \.module)
    if !byModule.isEmpty {
      text += "\n" + style.bold("Modules") + " ('use name' brings their declarations in)\n"
      for module in byModule.keys.sorted() {
        // The prelude's modules need no `use`: every session has their names.
        let label =
          Prelude.moduleNames.contains(module) ? module + " (always loaded): " : module + ": "
        text += wrapped(label, (byModule[module] ?? []).map(\.name).joined(separator: ", "))
      }
    }
    return text
  }

  /// The documentation of `topic`, or nil if nothing has that name.
  func text(for topic: String) -> String? {
    if topic.hasPrefix(":") {
      let name = String(topic.dropFirst())
      return MetaCommand.specs.first { $0.name == name }.map {
        style.bold($0.usage) + "\n  " + $0.summary + "\n"
      }
    }
    if let value = interpreter.sessionBindings.first(where: { $0.name == topic })?.value {
      return describe(topic, value)
    }
    if let builtin = BuiltinRegistry.named(topic) { return builtinText(builtin) }
    if let keyword = keywordHelp[topic] {
      return style.bold(topic) + " (keyword)\n  " + keyword + "\n"
    }
    if let entry = modules.entry(named: topic) {
      return entryText(
        signature: entry.signature, documentation: entry.documentation,
        parameters: entry.parameters)
        + (Prelude.moduleNames.contains(entry.module)
          ? "  from module '\(entry.module)', which every session loads\n"
          : "  from module '\(entry.module)': 'use \(entry.module)' brings it in\n")
    }
    return nil
  }

  /// The message for a topic nothing is called, with the nearest name.
  func unknown(_ topic: String) -> String {
    let candidates =
      interpreter.globalNames.sorted() + keywordNames
      + modules.entries.map(\.name)
    let suggestion = nearestName(to: topic, in: candidates).map { "; did you mean '\($0)'?" } ?? ""
    return "no help for '\(topic)'\(suggestion)\n"
  }

  // MARK: - Pieces

  private func describe(_ name: String, _ value: Value) -> String {
    switch value {
    case .function(.builtin(let builtin)): return builtinText(builtin)
    case .function(.closure(let closure)):
      return entryText(
        signature: "fn \(name)" + parameterList(closure.literal.parameters),
        documentation: closure.literal.documentation, parameters: [])
    case .declaration(let bound):
      var text = entryText(
        signature: signature(of: bound.declaration), documentation: bound.declaration.documentation,
        parameters: declaredParameters(bound.declaration))
      if !bound.arguments.isEmpty { text += "  bound here as " + typeSummary(value) + "\n" }
      return text
    default:
      return style.bold(name) + ": " + typeSummary(value) + "\n"
    }
  }

  private func builtinText(_ builtin: Builtin) -> String {
    let topic = BuiltinRegistry.sections.first { section in
      section.builtins.contains { $0.name == builtin.name }
    }?.topic
    return style.bold(builtin.signature) + "\n  " + builtin.summary + "\n"
      + (topic.map { "  built-in (\($0)); see docs/LANGUAGE.md §5\n" } ?? "")
  }

  private func entryText(signature: String, documentation: String?, parameters: [String]) -> String
  {
    var text = style.bold(signature) + "\n"
    if let documentation {
      text += documentation.split(separator: "\n", omittingEmptySubsequences: false).map {
        "  " + $0 + "\n"
      }.joined()
    }
    if !parameters.isEmpty {
      text += "  declares:\n" + parameters.map { "    " + $0 + "\n" }.joined()
    }
    return text
  }

  /// `label` then the items, wrapped at 96 columns and indented under the first line.
  private func wrapped(_ label: String, _ items: String) -> String {
    var lines: [String] = []
    var line = "  " + label
    for word in items.split(separator: " ") {
      if line.count + word.count + 1 > 96 {
        lines.append(line)
        line = String(repeating: " ", count: label.count + 2)
      }
      line += (line.hasSuffix(" ") ? "" : " ") + word
    }
    lines.append(line)
    return lines.joined(separator: "\n") + "\n"
  }
}

/// One line on each keyword, for `:help let` and the like.
private let keywordHelp: [String: String] = [
  "let": "let name = value binds a name that cannot be reassigned",
  "var": "var name = value binds a name that can be reassigned with name = value",
  "fn": "fn name(a, b = 1) { … } declares a function; fn (x) { … } is an anonymous one",
  "if": "if condition { … } else { … }, an expression whose value is the branch taken",
  "else": "the branch of an if taken when its condition is false",
  "for": "for item in list, range, tensor or record { … } repeats a block",
  "in": "separates the loop variable from what a for loop goes over",
  "use": "use name runs module name.tau (TAU_PATH, ./plugins, the stdlib) and binds its names",
  "true": "the boolean true", "false": "the boolean false",
  "and": "a and b: true when both are (b is evaluated only if a is true)",
  "or": "a or b: true when either is (b is evaluated only if a is false)",
  "not": "not a: the opposite boolean",
  "gate":
    "gate name(parameters) { … } declares a gate: an expression of h and x, a scalar or [hidden]; in a cell body, gate z = value marks a value as the cell's gate z",
  "cell":
    "cell name(parameters) { … } declares a recurrent cell: its last expression is the new state",
  "optimizer": "optimizer name(parameters) { … } declares an update rule from grad, param and step",
  "param": "param W [shape] = initializer declares a trainable weight inside a gate or cell",
  "state":
    "state v = 0 declares per-parameter optimizer state, or an extra recurrent state of a cell",
]
