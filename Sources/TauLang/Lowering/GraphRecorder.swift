// Tracing: while a gate or cell body is lowered, its values are nodes of a TauGraph graph, and
// every operation on them records a node instead of computing a number.
import TauGraph
import TauTensor

/// The graph being recorded for one cell, and what its `param` statements declared.
public final class GraphRecorder: @unchecked Sendable {
  // @unchecked: a recorder lives inside one lowering, on one thread.
  var graph = Graph()
  var parameters: [LoweredParameter] = []
  /// Source ranges of recorded nodes (`Node.origin` indexes this), for shape errors.
  var origins: [SourceRange] = []
  /// The gate applications recorded, in order; each marks the node of its value.
  var gates: [LoweredGate] = []
  private var constants: [Double: NodeID] = [:]

  /// Records `op` and returns the traced result; a shape error becomes a diagnostic at `range`,
  /// with a note at each gate whose value took part (the error is often in a stdlib cell, the
  /// cause in the user's gate).
  func emit(_ op: Op, _ inputs: [NodeID], at range: SourceRange) throws -> Value {
    origins.append(range)
    do {
      return .traced(
        TracedValue(recorder: self, id: try graph.add(op, inputs, origin: origins.count - 1)))
    } catch {
      throw Diagnostic(
        "shape.mismatch", error.message, at: range,
        notes: gatesFeeding(inputs).map { gate in
          Diagnostic(
            "shape.mismatch",
            "\(formatShape(graph[gate.node].shape)) is the value of \(gate.title), computed here",
            at: gate.valueRange, severity: .note)
        })
    }
  }

  /// The gates whose values reach `nodes` within a few operations, nearest first.
  private func gatesFeeding(_ nodes: [NodeID]) -> [LoweredGate] {
    var frontier = nodes
    var found: [LoweredGate] = []
    for _ in 0..<4 where found.isEmpty {
      for node in frontier {
        if let gate = gates.first(where: { $0.node == node }),
          !found.contains(where: { $0.node == node })
        {
          found.append(gate)
        }
      }
      frontier = frontier.flatMap { graph[$0].inputs }
    }
    return found
  }

  func constant(_ x: Double) throws -> NodeID {
    if let id = constants[x] { return id }
    let id = try graph.add(.constant(x))
    constants[x] = id
    return id
  }

  /// The node for an operand: a traced value, or a number recorded as a constant.
  func operand(_ value: Value, at range: SourceRange) throws -> NodeID {
    switch value {
    case .traced(let t) where t.recorder === self: return t.id
    case .number(let x): return try constant(x)
    case .tensor(let t): return try constant(t, at: range)
    default:
      throw Diagnostic(
        "lowering.unsupported",
        "a \(value.typeName) cannot take part in a cell's computation (use numbers, tensors, params, h and x)",
        at: range)
    }
  }
}

/// A value inside a body being lowered: a node of the recorder's graph.
public struct TracedValue: Sendable {
  let recorder: GraphRecorder
  let id: NodeID
  var shape: [Int] { recorder.graph[id].shape }
}

/// A gate of a cell: the node of its value and where it comes from. Either a declared gate
/// applied in the cell (`gate(h, x)`) or a value marked in the cell's body (`gate z = …`).
public struct LoweredGate: Sendable {
  public var node: NodeID
  /// As written at the application (`gate`, `update`), or the name an inline gate binds (`z`).
  public var name: String
  /// The gate declaration applied, or, for an inline gate, the cell whose body marks it.
  public var declaration: Declaration
  /// Whether the cell's body marked the value itself (`gate z = …`).
  public var isInline: Bool
  /// The values the gate may take: its declared range, else [0, 1].
  public var bounds: (lower: Double, upper: Double)
  /// The gate's value expression (the last of its body, or what follows `gate z =`).
  public var valueRange: SourceRange
  /// Where the cell applies it (`gate(h, x)`) or marks it (the `gate z = …` statement).
  public var application: SourceRange

  /// "gate 'wide' (the cell's 'gate')", "gate 'multi'" when applied by its own name, and
  /// "gate 'z' of cell 'mingru'" for a gate marked in a cell's body.
  var title: String {
    if isInline { return "gate '\(name)' of cell '\(declaration.name)'" }
    return declaration.name == name
      ? "gate '\(name)'" : "gate '\(declaration.name)' (the cell's '\(name)')"
  }

  /// How the gate would declare a signed range, for the probe's hint.
  var signedForm: String {
    isInline ? "gate \(name) in [-1, 1] = …" : "gate \(declaration.name) in [-1, 1] { … }"
  }
}

/// A `param` statement as lowered: its full name (`gate.Wr`), shape and initialiser.
public struct LoweredParameter: Sendable {
  public var name: String
  public var shape: [Int]
  public var initializer: Value
  public var range: SourceRange
}
