// The slow, obviously-correct evaluator: every node becomes a fresh tensor through TauTensor's
// operations. Compiled plans are tested against it, and it against finite differences.
import TauTensor

/// Evaluates graphs node by node. A batched node's value has shape `[B] + node.shape`; an
/// unbatched one (parameters and what only they feed) has `node.shape`.
public enum ReferenceEvaluator {
  /// The values of all nodes, given a value for every input node. Nodes in `overriding` take
  /// the value given there instead of computing it (finite differences with gates held fixed).
  public static func evaluate<S: TensorScalar>(
    _ graph: Graph, inputs: [InputKind: Tensor<S>], overriding: [NodeID: Tensor<S>] = [:]
  ) throws -> [Tensor<S>] {
    var values: [Tensor<S>] = []
    values.reserveCapacity(graph.nodes.count)
    for (index, node) in graph.nodes.enumerated() {
      values.append(
        try overriding[NodeID(index)]
          ?? evaluate(node, graph: graph, values: values, inputs: inputs))
    }
    return values
  }

  private static func evaluate<S: TensorScalar>(
    _ node: Node, graph: Graph, values: [Tensor<S>], inputs: [InputKind: Tensor<S>]
  ) throws -> Tensor<S> {
    let operands = node.inputs.map { values[$0.index] }
    /// Operand `i` with a batched scalar shaped [B, 1, …], so that it broadcasts against the
    /// batched result [B, n, …].
    func aligned(_ i: Int) throws -> Tensor<S> {
      let input = graph[node.inputs[i]]
      guard input.isBatched && input.shape.isEmpty && !node.shape.isEmpty else {
        return operands[i]
      }
      return try operands[i].reshaped(
        operands[i].shape + [Int](repeating: 1, count: node.shape.count))
    }
    switch node.op {
    case .input(let kind):
      guard let value = inputs[kind] else {
        throw GraphError(message: "no value given for input \(kind)", origin: node.origin)
      }
      return value
    case .constant(let c):
      return Tensor(S(c))
    case .tensor(let c):
      return try Tensor(shape: c.shape, scalars: c.values.map { S($0) })
    case .unary(let op):
      return operands[0].applying(op)
    case .binary(let op):
      return try aligned(0).applying(op, try aligned(1))
    case .matvec:
      // W [B?, n, m] @ v [B?, m] as a batch of column vectors.
      let v = try operands[1].expandingShape(at: -1)
      let product = try operands[0].matmul(v)
      return try product.selecting(0, along: -1)
    case .vecmat:
      let v = try operands[0].expandingShape(at: -2)
      return try v.matmul(operands[1]).selecting(0, along: -2)
    case .outer:
      return try operands[0].expandingShape(at: -1) * operands[1].expandingShape(at: -2)
    case .dot:
      return try (operands[0] * operands[1]).sum(along: [-1])
    case .sum:
      return try operands[0].sum(along: [-1])
    case .broadcast(let n):
      let ones = try Tensor<S>.ones([n])
      return try operands[0].expandingShape(at: operands[0].rank) * ones
    case .concat:
      return try Tensor.concatenating(try batchAligned(operands, node, graph), along: -1)
    case .slice(let start, let count):
      return try operands[0].slicing(along: -1, from: start, to: start + count).contiguous()
    case .concatRows:
      return try Tensor.concatenating(try batchAligned(operands, node, graph), along: -2)
    case .sliceRows(let start, let count):
      return try operands[0].slicing(along: -2, from: start, to: start + count).contiguous()
    case .transpose:
      return operands[0].transposed().contiguous()
    case .matmat:
      return try operands[0].matmul(operands[1])
    case .scaleRows:
      return try operands[0].expandingShape(at: -1) * operands[1]
    case .scaleColumns:
      return try operands[0] * operands[1].expandingShape(at: -2)
    case .addDiagonal:
      let n = node.shape[0]
      return try operands[0] + operands[1].expandingShape(at: -1) * Tensor<S>.eye(n)
    case .diagonal:
      let n = node.shape[0]
      return try (operands[0] * Tensor<S>.eye(n)).sum(along: [-1])
    case .reshape(let shape):
      let batch = graph[node.inputs[0]].isBatched ? [operands[0].shape[0]] : []
      return try operands[0].contiguous().reshaped(batch + shape)
    case .transposeBlocks(let rows, let columns):
      // [B?, r·c, p?] → [B?, r, c, p?] → swap r and c → back.
      let batch = graph[node.inputs[0]].isBatched ? [operands[0].shape[0]] : []
      let width = node.shape.count == 2 ? [node.shape[1]] : []
      let grid = try operands[0].contiguous().reshaped(batch + [rows, columns] + width)
      let order = Array(0..<grid.rank)
      var swapped = order
      swapped.swapAt(batch.count, batch.count + 1)
      return try grid.permuted(swapped).contiguous().reshaped(batch + node.shape)
    }
  }

  /// The operands of a batched join with the shared ones repeated over the batch.
  private static func batchAligned<S: TensorScalar>(
    _ operands: [Tensor<S>], _ node: Node, _ graph: Graph
  ) throws -> [Tensor<S>] {
    guard node.isBatched,
      let batch = node.inputs.indices.first(where: { graph[node.inputs[$0]].isBatched })
        .map({ operands[$0].shape[0] })
    else { return operands }
    return try operands.enumerated().map { index, value in
      graph[node.inputs[index]].isBatched ? value : try value.broadcast(to: [batch] + value.shape)
    }
  }
}
