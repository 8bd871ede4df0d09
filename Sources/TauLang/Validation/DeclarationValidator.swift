// `tau check --validate FILE`: every gate and cell a file declares, built at two sizes and
// checked as a plugin's author and its users need: it builds (shapes agree), its gates stay in
// their range and nothing is NaN on a random probe, and the exact Jacobian Tau derives for it,
// full and with the gates frozen, agrees with central finite differences in float64.
// Only the file's declarations, functions and `use` statements are bound; none of its other
// top-level statements runs.
import Foundation
import TauGraph
import TauTensor

/// The outcome of validating one declaration.
public struct DeclarationCheck: Sendable {
  public var declaration: Declaration
  /// What was checked and found, or why it was skipped or failed: one line for the terminal.
  public var summary: String
  /// The problems found (errors and warnings), with their places.
  public var diagnostics: [Diagnostic]
  public var isSkipped = false
  public var passed: Bool { diagnostics.isEmpty }

  /// `gate multi  ok  …`, the line `tau check --validate` prints.
  public var line: String {
    let title = "\(declaration.kind.rawValue) \(declaration.name)"
    let status = isSkipped ? "skipped" : passed ? "ok" : "FAILED"
    return title.padding(toLength: Swift.max(24, title.count + 1), withPad: " ", startingAt: 0)
      + status.padding(toLength: 8, withPad: " ", startingAt: 0) + summary
  }
}

extension Interpreter {
  /// The sizes each declaration is built at: two, so that a shape written for one size only
  /// (`[3]` for `[hidden]`) shows.
  static let validationSizes = [(hidden: 3, input: 2), (hidden: 6, input: 4)]

  /// Relative error above which a derived Jacobian fails (the project's bar for derivatives).
  static let jacobianTolerance = 1e-6

  /// Checks every top-level gate and cell of `file` (see the file comment).
  public func validateDeclarations(in file: SourceFile) throws(DiagnosticList)
    -> [DeclarationCheck]
  {
    let program = try check(file)
    let scope = Environment(parent: builtins)
    let bindings = program.statements.filter {
      switch $0.kind {
      case .use, .declaration, .function: return true
      default: return false
      }
    }
    do {
      _ = try execute(bindings, in: scope)
    } catch let list as DiagnosticList {
      throw list
    } catch let diagnostic as Diagnostic {
      throw DiagnosticList([diagnostic])
    } catch {
      throw DiagnosticList([
        Diagnostic("runtime.internal", "\(error)", at: SourceRange(file: file, start: 0, end: 0))
      ])
    }
    var checks: [DeclarationCheck] = []
    for statement in program.statements {
      guard case .declaration(let declaration) = statement.kind, declaration.kind != .optimizer,
        case .declaration(let value)? = scope.bindings[declaration.name]?.value
      else { continue }
      checks.append(validate(value))
    }
    return checks
  }

  private func validate(_ value: DeclarationValue) -> DeclarationCheck {
    let declaration = value.declaration
    var check = DeclarationCheck(declaration: declaration, summary: "", diagnostics: [])
    if let needed = declaration.parameters.first(where: { $0.defaultValue == nil }) {
      check.isSkipped = true
      check.summary = "needs a value for '\(needed.name)' (give it a default to validate it)"
      return check
    }
    var low = Double.infinity
    var high = -Double.infinity
    var fullError = 0.0
    var frozenError = 0.0
    do {
      let cell = try declaration.kind == .gate ? validationHarness(for: value) : value
      for size in Self.validationSizes {
        let lowered = try lowerCell(
          cell, hidden: size.hidden, input: size.input, at: declaration.nameRange)
        let parameters = try initialParameters(
          lowered, stream: RandomStream(seed: 1).substream("validate"))
        let probe = try GateProbe(lowered, parameters: parameters, inputSize: size.input)
        // Out of range is a warning when a model is built, and a failed check here.
        check.diagnostics += try probe.diagnostics(cells: [cell.declaration], at: nil).map {
          var error = $0
          error.severity = .error
          return error
        }
        if !check.diagnostics.isEmpty { break }
        for gate in lowered.gates {
          let scalars = probe.values[gate.node.index].scalars
          low = Swift.min(low, scalars.min() ?? low)
          high = Swift.max(high, scalars.max() ?? high)
        }
        let (graph, inputs) = try jacobianProbe(lowered, parameters: parameters, size: size)
        fullError = Swift.max(
          fullError,
          try JacobianCheck.worstError(
            graph, inputs: inputs, frozenTangent: false, frozenDifferences: false))
        frozenError = Swift.max(
          frozenError,
          try JacobianCheck.worstError(
            graph, inputs: inputs, frozenTangent: true, frozenDifferences: true))
      }
    } catch let diagnostic as Diagnostic {
      check.diagnostics.append(diagnostic)
    } catch let list as DiagnosticList {
      check.diagnostics += list.diagnostics
    } catch let error as TensorError {
      check.diagnostics.append(
        Diagnostic(tensorErrorID(error), error.description, at: declaration.nameRange))
    } catch {
      check.diagnostics.append(
        Diagnostic("runtime.internal", "\(error)", at: declaration.nameRange))
    }
    if !check.diagnostics.isEmpty {
      check.summary = check.diagnostics[0].message
      return check
    }
    for (part, error) in [("full", fullError), ("gates frozen", frozenError)]
    where !(error < Self.jacobianTolerance) {
      check.diagnostics.append(
        Diagnostic(
          "validate.jacobian",
          "the derived Jacobian (\(part)) differs from finite differences by \(String(format: "%.2g", error)) (relative), above \(Self.jacobianTolerance)",
          at: declaration.nameRange))
    }
    let sizes = Self.validationSizes.map { "\($0.hidden)×\($0.input)" }.joined(separator: ", ")
    let values =
      low <= high
      ? "gate values in [\(String(format: "%.3g", low)), \(String(format: "%.3g", high))], "
      : ""
    check.summary =
      "hidden×input \(sizes): \(values)Jacobian vs finite differences \(String(format: "%.1e", fullError)) full, \(String(format: "%.1e", frozenError)) gates frozen"
    return check
  }

  /// A leaky cell around `gate`, written here so validating a plugin needs no standard module:
  /// h' = g ⊙ tanh(W_r h + W_i x) + (1 - g) ⊙ h.
  private func validationHarness(for gate: DeclarationValue) throws -> DeclarationValue {
    let source = SourceFile(
      name: "<validation harness>",
      text: """
        cell harness(gate = none) {
          param Wr [hidden, hidden] = uniform(hidden)
          param Wi [hidden, input] = uniform(input)
          let g = gate(h, x)
          g * tanh(Wr @ h + Wi @ x) + (1 - g) * h
        }
        """)
    let scope = Environment(parent: builtins)
    _ = try execute(Parser.parse(source).program.statements, in: scope)
    guard case .declaration(var harness)? = scope.lookup("harness") else {
      throw Diagnostic("runtime.internal", "no validation harness", at: gate.declaration.range)
    }
    harness.arguments["gate"] = .declaration(gate)
    return harness
  }

  /// The step with its states joined (so one Jacobian covers them all) and a probe of two
  /// sequences: states uniform in [-1, 1], inputs standard normal, the initial parameters.
  private func jacobianProbe(
    _ lowered: LoweredCell, parameters: [String: Tensor<Double>],
    size: (hidden: Int, input: Int)
  ) throws -> (Graph, [InputKind: Tensor<Double>]) {
    let graph = try lowered.graph.concatenatingStates()
    var stream = RandomStream(seed: 2).substream("jacobian probe")
    let total = lowered.stateSizes.reduce(0, +)
    var inputs: [InputKind: Tensor<Double>] = [
      .state(0): try .uniform([2, total], from: -1, to: 1, using: &stream),
      .input: try .normal([2, size.input], using: &stream),
    ]
    for (name, tensor) in parameters { inputs[.parameter(name)] = tensor }
    return (graph, inputs)
  }
}
