// Compiling a graph into a plan: buffer layout, one instruction per node, and accumulation of
// parameter gradients without materialising per-sample matrices.
import TauTensor

extension Plan {
  /// Compiles `graph` for `batch` samples. Each node of `accumulating` (per-sample values, such
  /// as a shared parameter's cotangent) is summed over the batch into an accumulator instead of
  /// being stored; an outer product of batched vectors becomes one GEMM with beta = 1.
  public static func compile(_ graph: Graph, batch: Int, accumulating: [NodeID] = [])
    throws(GraphError)
    -> Plan
  {
    guard batch > 0 else {
      throw GraphError(message: "a plan needs a batch of at least 1", origin: nil)
    }
    var uses = [Int](repeating: 0, count: graph.nodes.count)
    for node in graph.nodes { for input in node.inputs { uses[input.index] += 1 } }
    for output in graph.outputs { uses[output.index] += 1 }

    // Nodes reached only through accumulation need no buffer of their own.
    var accumulatedOnly = Set<Int>()
    var instructionsAfter: [Instruction] = []
    func accumulate(_ id: NodeID, slot: Int) {
      let node = graph[id]
      if case .outer = node.op, node.inputs.allSatisfy({ graph[$0].isBatched }), uses[id.index] == 0
      {
        accumulatedOnly.insert(id.index)
        instructionsAfter.append(.accumulateOuter(node.inputs[0], node.inputs[1], slot: slot))
        return
      }
      if case .binary(.add) = node.op, uses[id.index] == 0, node.shape.count == 2,
        node.inputs.allSatisfy({ graph[$0].shape == node.shape })
      {
        accumulatedOnly.insert(id.index)
        for input in node.inputs {
          uses[input.index] -= 1
          accumulate(input, slot: slot)
        }
        return
      }
      instructionsAfter.append(.accumulateSum(id, slot: slot))
    }
    for (slot, id) in accumulating.enumerated() {
      uses[id.index] -= graph.outputs.contains(id) ? 1 : 0
      accumulate(id, slot: slot)
    }
    // Nodes feeding only accumulated outer products still need buffers (they are inputs), so
    // only the accumulated nodes themselves are skipped.

    var locations: [Location] = []
    var inputKinds: [InputKind] = []
    var constantValues: [Double] = []
    var instructions: [Instruction] = []
    var offset = 0
    for (index, node) in graph.nodes.enumerated() {
      let id = NodeID(index)
      let size = node.shape.reduce(1, *) * (node.isBatched ? batch : 1)
      switch node.op {
      case .input(let kind):
        locations.append(.input(inputKinds.count))
        inputKinds.append(kind)
        continue
      case .constant(let c):
        locations.append(.constant(constantValues.count))
        constantValues.append(c)
        continue
      default:
        break
      }
      if accumulatedOnly.contains(index) {
        locations.append(.arena(0))  // never read
        continue
      }
      locations.append(.arena(offset))
      offset += size
      let inputs = node.inputs
      switch node.op {
      case .unary(let op): instructions.append(.unary(op, inputs[0], id))
      case .binary(let op): instructions.append(.binary(op, inputs[0], inputs[1], id))
      case .matvec: instructions.append(.matvec(inputs[0], inputs[1], id))
      case .vecmat: instructions.append(.vecmat(inputs[0], inputs[1], id))
      case .outer: instructions.append(.outer(inputs[0], inputs[1], id))
      case .dot: instructions.append(.dot(inputs[0], inputs[1], id))
      case .sum: instructions.append(.sum(inputs[0], id))
      case .broadcast: instructions.append(.broadcast(inputs[0], id))
      case .concat: instructions.append(.concat(inputs, id))
      case .slice(let start, _): instructions.append(.slice(inputs[0], id, start: start))
      case .transpose, .matmat, .scaleRows, .scaleColumns, .addDiagonal, .diagonal, .concatRows,
        .sliceRows:
        throw GraphError(
          message:
            "plans do not run matrix-valued operations yet (\(node.op)); use the reference evaluator",
          origin: node.origin)
      case .input, .constant:
        break
      }
    }
    return Plan(
      graph: graph, batch: batch, arenaSize: offset, locations: locations,
      instructions: instructions + instructionsAfter, inputKinds: inputKinds,
      constantValues: constantValues, accumulated: accumulating)
  }
}
