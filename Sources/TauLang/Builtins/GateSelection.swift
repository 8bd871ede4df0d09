// `efflr(…, gate: NAME)`: which gates the predictor multiplies, chosen by the name a cell gives
// them (`forget_gate`, `update`, an inline gate's `z`), and how the result names the choice.
import TauDynamics
import TauGraph

extension BuiltinRegistry {
  /// The step's gate nodes named by the `gate` argument: every application with that name (one
  /// per layer of a stack), in the order the body applied them; nil when `gate` is not given,
  /// which leaves the choice to `Graph.retainingGates`.
  static func selectedGates(_ args: CallArguments, of model: ModelValue) throws -> [NodeID]? {
    guard args.isGiven("gate") else { return nil }
    let name = try args.string("gate")
    let gates = model.lowered.gates
    let chosen = gates.filter { $0.name == name }.map(\.node)
    guard chosen.isEmpty else { return chosen }
    let cell =
      model.cells.count == 1
      ? "cell '\(model.cells[0].declaration.name)'" : "model \(model.cellText)"
    let names = gateNames(gates)
    guard !names.isEmpty else {
      throw Diagnostic(
        "value.invalid",
        "\(cell) has no gates, so \(args.builtin.name) has no gate '\(name)' to multiply",
        at: args.range("gate"))
    }
    throw Diagnostic(
      "value.invalid",
      "\(cell) has no gate '\(name)'; its gates are \(names.map { "'\($0)'" }.joined(separator: ", "))",
      at: args.range("gate"),
      hint: nearestName(to: name, in: names).map { "did you mean '\($0)'?" })
  }

  /// The names of the gates `nodes` (as the cell applied or marked them), each once, in order:
  /// "forget_gate"; nil when there are none.
  static func gateName(_ nodes: [NodeID], of model: ModelValue) -> String? {
    let names = gateNames(model.lowered.gates.filter { nodes.contains($0.node) })
    return names.isEmpty ? nil : names.joined(separator: ", ")
  }

  /// The factor the predictor multiplies, for efflr's record: "1 - g" or "g" (a gate that
  /// multiplies the state itself retains g), "g or 1 - g" when the chosen gates differ.
  static func factorName(_ retentions: [GateRetention], _ conventions: Conventions) -> String {
    guard conventions.predictor == .retention else { return "g" }
    let direct = retentions.map { $0 == .direct }
    if direct.allSatisfy({ $0 }) && !direct.isEmpty { return "g" }
    return direct.contains(true) ? "g or 1 - g" : "1 - g"
  }

  private static func gateNames(_ gates: [LoweredGate]) -> [String] {
    var names: [String] = []
    for gate in gates where !names.contains(gate.name) { names.append(gate.name) }
    return names
  }
}
