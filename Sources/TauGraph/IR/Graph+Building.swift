// Adding nodes with shape inference: every constructor checks its operands and returns the new
// node's ID, or throws a GraphError naming both shapes.
import TauTensor

extension Graph {
  /// Appends a node after inferring its shape; `origin` is carried into errors.
  @discardableResult
  public mutating func add(_ op: Op, _ inputs: [NodeID] = [], origin: Int? = nil) throws(GraphError)
    -> NodeID
  {
    let shapes = inputs.map { nodes[$0.index].shape }
    let shape = try inferShape(op, shapes, origin: origin)
    let batched: Bool
    switch op {
    case .input(.parameter): batched = false
    case .input: batched = true
    case .constant, .tensor: batched = false
    default: batched = inputs.contains { nodes[$0.index].isBatched }
    }
    nodes.append(Node(op: op, inputs: inputs, shape: shape, isBatched: batched, origin: origin))
    return NodeID(nodes.count - 1)
  }

  /// Appends an input node of a given shape. Parameters are shared by the batch; other inputs
  /// are batched unless `isBatched` says otherwise.
  @discardableResult
  public mutating func input(_ kind: InputKind, shape: [Int], isBatched: Bool? = nil) -> NodeID {
    let batched: Bool
    if case .parameter = kind { batched = false } else { batched = isBatched ?? true }
    nodes.append(Node(op: .input(kind), inputs: [], shape: shape, isBatched: batched))
    return NodeID(nodes.count - 1)
  }

  public mutating func markGate(_ id: NodeID) { nodes[id.index].isGate = true }

  private func inferShape(_ op: Op, _ shapes: [[Int]], origin: Int?) throws(GraphError) -> [Int] {
    func fail(_ message: String) -> GraphError { GraphError(message: message, origin: origin) }
    func arity(_ n: Int) throws(GraphError) {
      if shapes.count != n { throw fail("\(op) takes \(n) operands, got \(shapes.count)") }
    }
    switch op {
    case .input:
      throw fail("inputs are added with input(_:shape:)")
    case .constant:
      try arity(0)
      return []
    case .unary:
      try arity(1)
      return shapes[0]
    case .binary(let b):
      try arity(2)
      let (a, c) = (shapes[0], shapes[1])
      if a == c || c.isEmpty { return a }
      if a.isEmpty { return c }
      throw fail("shape mismatch in '\(symbol(b))': \(formatShape(a)) and \(formatShape(c))")
    case .matvec:
      try arity(2)
      guard shapes[0].count == 2, shapes[1].count == 1, shapes[0][1] == shapes[1][0] else {
        throw fail("shape mismatch in '@': \(formatShape(shapes[0])) @ \(formatShape(shapes[1]))")
      }
      return [shapes[0][0]]
    case .vecmat:
      try arity(2)
      guard shapes[0].count == 1, shapes[1].count == 2, shapes[0][0] == shapes[1][0] else {
        throw fail(
          "shape mismatch in 'vecmat': \(formatShape(shapes[0])) @ \(formatShape(shapes[1]))")
      }
      return [shapes[1][1]]
    case .outer:
      try arity(2)
      guard shapes[0].count == 1, shapes[1].count == 1 else {
        throw fail(
          "outer needs two vectors, got \(formatShape(shapes[0])) and \(formatShape(shapes[1]))")
      }
      return [shapes[0][0], shapes[1][0]]
    case .dot:
      try arity(2)
      guard shapes[0].count == 1, shapes[0] == shapes[1] else {
        throw fail(
          "shape mismatch in 'dot': \(formatShape(shapes[0])) and \(formatShape(shapes[1]))")
      }
      return []
    case .sum:
      try arity(1)
      guard shapes[0].count == 1 else {
        throw fail("sum needs a vector, got \(formatShape(shapes[0]))")
      }
      return []
    case .broadcast(let n):
      try arity(1)
      guard shapes[0].isEmpty else {
        throw fail("broadcast needs a scalar, got \(formatShape(shapes[0]))")
      }
      return [n]
    case .concat:
      guard !shapes.isEmpty, shapes.allSatisfy({ $0.count == 1 }) else {
        throw fail("concat needs vectors, got \(shapes.map(formatShape).joined(separator: ", "))")
      }
      return [shapes.reduce(0) { $0 + $1[0] }]
    case .slice(let start, let count):
      try arity(1)
      guard shapes[0].count == 1, start >= 0, count >= 0, start + count <= shapes[0][0] else {
        throw fail("slice \(start)..<\(start + count) is outside \(formatShape(shapes[0]))")
      }
      return [count]
    case .transpose:
      try arity(1)
      guard shapes[0].count == 2 else {
        throw fail("transpose needs a matrix, got \(formatShape(shapes[0]))")
      }
      return [shapes[0][1], shapes[0][0]]
    case .matmat:
      try arity(2)
      guard shapes[0].count == 2, shapes[1].count == 2, shapes[0][1] == shapes[1][0] else {
        throw fail("shape mismatch in '@': \(formatShape(shapes[0])) @ \(formatShape(shapes[1]))")
      }
      return [shapes[0][0], shapes[1][1]]
    case .scaleRows:
      try arity(2)
      guard shapes[0].count == 1, shapes[1].count == 2, shapes[0][0] == shapes[1][0] else {
        throw fail(
          "scaleRows needs [n] and [n×p], got \(formatShape(shapes[0])) and \(formatShape(shapes[1]))"
        )
      }
      return shapes[1]
    case .scaleColumns:
      try arity(2)
      guard shapes[0].count == 2, shapes[1].count == 1, shapes[0][1] == shapes[1][0] else {
        throw fail(
          "scaleColumns needs [n×p] and [p], got \(formatShape(shapes[0])) and \(formatShape(shapes[1]))"
        )
      }
      return shapes[0]
    case .addDiagonal:
      try arity(2)
      guard shapes[0].count == 2, shapes[0][0] == shapes[0][1], shapes[1] == [shapes[0][0]] else {
        throw fail(
          "addDiagonal needs [n×n] and [n], got \(formatShape(shapes[0])) and \(formatShape(shapes[1]))"
        )
      }
      return shapes[0]
    case .concatRows:
      guard !shapes.isEmpty, shapes.allSatisfy({ $0.count == 2 && $0[1] == shapes[0][1] }) else {
        throw fail(
          "concatRows needs matrices with equal column counts, got \(shapes.map(formatShape).joined(separator: ", "))"
        )
      }
      return [shapes.reduce(0) { $0 + $1[0] }, shapes[0][1]]
    case .sliceRows(let start, let count):
      try arity(1)
      guard shapes[0].count == 2, start >= 0, count >= 0, start + count <= shapes[0][0] else {
        throw fail("sliceRows \(start)..<\(start + count) is outside \(formatShape(shapes[0]))")
      }
      return [count, shapes[0][1]]
    case .diagonal:
      try arity(1)
      guard shapes[0].count == 2, shapes[0][0] == shapes[0][1] else {
        throw fail("diagonal needs a square matrix, got \(formatShape(shapes[0]))")
      }
      return [shapes[0][0]]
    case .reshape(let shape):
      try arity(1)
      let count = shapes[0].reduce(1, *)
      guard shape.count <= 2, shape.allSatisfy({ $0 > 0 }), shape.reduce(1, *) == count else {
        throw fail(
          "cannot reshape \(formatShape(shapes[0])) (\(count) elements) to \(formatShape(shape))")
      }
      return shape
    case .transposeBlocks(let rows, let columns):
      try arity(1)
      guard (1...2).contains(shapes[0].count), rows > 0, columns > 0,
        shapes[0][0] == rows * columns
      else {
        throw fail(
          "transposeBlocks(\(rows), \(columns)) needs \(rows * columns) rows, got \(formatShape(shapes[0]))"
        )
      }
      return shapes[0]
    case .tensor(let constant):
      try arity(0)
      guard constant.shape.count <= 2, constant.shape.reduce(1, *) == constant.values.count else {
        throw fail(
          "a constant of shape \(formatShape(constant.shape)) needs \(constant.shape.reduce(1, *)) values"
        )
      }
      return constant.shape
    }
  }
}

/// How a binary operation is written in Tau, for messages.
func symbol(_ op: BinaryOperation) -> String {
  switch op {
  case .add: return "+"
  case .subtract: return "-"
  case .multiply: return "*"
  case .divide: return "/"
  case .power: return "^"
  case .maximum: return "max"
  case .minimum: return "min"
  }
}
