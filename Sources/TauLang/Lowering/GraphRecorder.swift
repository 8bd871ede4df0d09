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

/// A gate applied in a cell: the node of its value and where it comes from.
public struct LoweredGate: Sendable {
  public var node: NodeID
  /// As written at the application (`gate`, `update`) or the declaration's name.
  public var name: String
  public var declaration: Declaration
  /// The gate's value expression (the last of its body), in the gate's own file.
  public var valueRange: SourceRange
  /// Where the cell applies it: `gate(h, x)`.
  public var application: SourceRange

  /// "gate 'wide' (the cell's 'gate')", or "gate 'multi'" when applied by its own name.
  var title: String {
    declaration.name == name
      ? "gate '\(name)'" : "gate '\(declaration.name)' (the cell's '\(name)')"
  }
}

/// A `param` statement as lowered: its full name (`gate.Wr`), shape and initialiser.
public struct LoweredParameter: Sendable {
  public var name: String
  public var shape: [Int]
  public var initializer: Value
  public var range: SourceRange
}
