// Tracing: while a gate or cell body is lowered, its values are nodes of a TauGraph graph, and
// every operation on them records a node instead of computing a number.
import TauGraph

/// The graph being recorded for one cell, and what its `param` statements declared.
public final class GraphRecorder: @unchecked Sendable {
  // @unchecked: a recorder lives inside one lowering, on one thread.
  var graph = Graph()
  var parameters: [LoweredParameter] = []
  /// Source ranges of recorded nodes (`Node.origin` indexes this), for shape errors.
  var origins: [SourceRange] = []
  private var constants: [Double: NodeID] = [:]

  /// Records `op` and returns the traced result; a shape error becomes a diagnostic at `range`.
  func emit(_ op: Op, _ inputs: [NodeID], at range: SourceRange) throws -> Value {
    origins.append(range)
    do {
      return .traced(
        TracedValue(recorder: self, id: try graph.add(op, inputs, origin: origins.count - 1)))
    } catch {
      throw Diagnostic("shape.mismatch", error.message, at: range)
    }
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
    default:
      throw Diagnostic(
        "lowering.unsupported",
        "a \(value.typeName) cannot take part in a cell's computation (use numbers, params, h and x)",
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

/// A `param` statement as lowered: its full name (`gate.Wr`), shape and initialiser.
public struct LoweredParameter: Sendable {
  public var name: String
  public var shape: [Int]
  public var initializer: Value
  public var range: SourceRange
}
