// TauGraph's IR: one step of a cell as a typed SSA graph over per-sample values. The batch is
// not part of the IR; evaluators run every batched node over a leading batch axis.
import TauTensor

/// The index of a node in its graph; nodes only refer to earlier nodes (SSA order).
public struct NodeID: Hashable, Comparable, Sendable, CustomStringConvertible {
  public let index: Int
  public init(_ index: Int) { self.index = index }
  public static func < (a: NodeID, b: NodeID) -> Bool { a.index < b.index }
  public var description: String { "%\(index)" }
}

/// What a graph input is.
public enum InputKind: Hashable, Sendable {
  /// State vector number `index` (h; LSTM's c is state 1), batched.
  case state(Int)
  /// The step's input x, batched.
  case input
  /// A named parameter, shared by the batch.
  case parameter(String)
  /// A batched extra input (a cotangent or tangent seed in derived graphs).
  case seed(String)
  /// The value of node `NodeID` of the primal graph (in derived graphs).
  case primal(NodeID)
}

/// The primitive operations. Everything the language offers lowers to these, so each needs one
/// forward rule and one derivative rule.
public enum Op: Hashable, Sendable {
  case input(InputKind)
  case constant(Double)  // a scalar
  case unary(UnaryOperation)  // elementwise f(a)
  case binary(BinaryOperation)  // elementwise a ∘ b; a [] operand broadcasts
  case matvec  // W [n×m] @ v [m] → [n]
  case vecmat  // v [n] @ W [n×m] → [m] (Wᵀv)
  case outer  // u [n] ⊗ v [m] → [n×m]
  case dot  // u [n] · v [n] → []
  case sum  // Σ u [n] → []
  case broadcast(Int)  // s [] → [n] filled with s
  case concat  // [a; b]
  case slice(start: Int, count: Int)  // u[start ..< start+count]
  // Matrix-valued primitives, used by tangents (forward mode) and their pullbacks.
  case transpose  // Mᵀ: [n×p] → [p×n]
  case matmat  // A [n×m] @ B [m×p] → [n×p]
  case scaleRows  // d [n], M [n×p] → diag(d)·M
  case scaleColumns  // M [n×p], d [p] → M·diag(d)
  case addDiagonal  // M [n×n], d [n] → M + diag(d)
  case diagonal  // M [n×n] → its diagonal [n]
  case concatRows  // [A; B]: matrices with equal column counts stacked
  case sliceRows(start: Int, count: Int)  // rows start ..< start+count of M
  // Matrix-valued cell states and constants (DeltaNet's S, Mamba's per-channel h, eye(n)).
  case reshape([Int])  // the same elements in row-major order under another shape
  /// Row blocks of a [r·c] vector or [r·c × p] matrix, seen as an r × c grid, transposed to c × r:
  /// block (i, j) moves to (j, i). It is `transpose` of a matrix's tangent, whose rows are the
  /// matrix's entries in row-major order.
  case transposeBlocks(rows: Int, columns: Int)
  case tensor(TensorConstant)  // a constant vector or matrix, shared by the batch
}

/// The value of a `.tensor` node: a constant written in a cell body (`eye(hidden)`, `ones([k])`).
public struct TensorConstant: Hashable, Sendable {
  public let shape: [Int]
  /// The elements in row-major order.
  public let values: [Double]

  public init(shape: [Int], values: [Double]) {
    self.shape = shape
    self.values = values
  }
}

/// One SSA value.
public struct Node: Sendable {
  public var op: Op
  public var inputs: [NodeID]
  /// The per-sample shape: [] scalar, [n] vector, [n, m] matrix.
  public var shape: [Int]
  /// Whether the value differs across the batch (false for parameters and what only they feed).
  public var isBatched: Bool
  /// Marks the value of a gate application, which the `dominant` Jacobian holds constant.
  public var isGate = false
  /// Opaque tag of where the node came from (e.g. a source range index), for error messages.
  public var origin: Int?
}

/// A graph: nodes in SSA order and the outputs that make the step's result.
public struct Graph: Sendable {
  public internal(set) var nodes: [Node] = []
  public var outputs: [NodeID] = []

  public init() {}

  public subscript(id: NodeID) -> Node { nodes[id.index] }

  /// The input nodes of `kind`.
  public func inputs(where matches: (InputKind) -> Bool) -> [NodeID] {
    nodes.indices.compactMap { index in
      if case .input(let kind) = nodes[index].op, matches(kind) { return NodeID(index) }
      return nil
    }
  }

  /// The parameter inputs, by name.
  public var parameters: [(name: String, id: NodeID)] {
    nodes.indices.compactMap { index in
      if case .input(.parameter(let name)) = nodes[index].op { return (name, NodeID(index)) }
      return nil
    }
  }
}

/// A shape or type error while building a graph, with the origin of the offending node.
public struct GraphError: Error, Equatable, Sendable, CustomStringConvertible {
  public var message: String
  public var origin: Int?
  public init(message: String, origin: Int?) {
    self.message = message
    self.origin = origin
  }
  public var description: String { message }
}
