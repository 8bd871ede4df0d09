// Compiling a graph into a plan: buffer layout, one instruction per node, and accumulation of
// parameter gradients without materialising per-sample matrices.
import TauTensor

extension Plan {
  /// Compiles `graph` for `batch` samples. Each node of `accumulating` (per-sample values, such
  /// as a shared parameter's cotangent) is summed over the batch into an accumulator instead of
  /// being stored; an outer product of batched vectors becomes one GEMM with beta = 1.
  ///
  /// The sum of a matrix product and another value is computed in place: the other value is
  /// written to the sum's buffer and the product added by GEMM with beta = 1 (so `Wr h + Wi x`
  /// is two GEMMs and no extra pass). Nodes in `preserving` keep buffers of their own (values a
  /// later pullback reads).
  public static func compile(
    _ graph: Graph, batch: Int, accumulating: [NodeID] = [], preserving: Set<NodeID> = []
  ) throws(GraphError) -> Plan {
    guard batch > 0 else {
      throw GraphError(message: "a plan needs a batch of at least 1", origin: nil)
    }
    // Only what the outputs and accumulators need is computed (transforms leave dead nodes).
    var live = [Bool](repeating: false, count: graph.nodes.count)
    for id in graph.outputs + accumulating + preserving { live[id.index] = true }
    for index in stride(from: graph.nodes.count - 1, through: 0, by: -1) where live[index] {
      for input in graph.nodes[index].inputs { live[input.index] = true }
    }
    var uses = [Int](repeating: 0, count: graph.nodes.count)
    for (index, node) in graph.nodes.enumerated() where live[index] {
      for input in node.inputs { uses[input.index] += 1 }
    }
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

    // Sums of a product and another single-use value, computed in the other value's buffer.
    var fusedProducts = Set<Int>()  // products folded into a sum: no buffer, no instruction
    var sumInPlace: [Int: (base: NodeID?, products: [NodeID])] = [:]
    func isFusableProduct(_ id: NodeID) -> Bool {
      let node = graph[id]
      guard uses[id.index] == 1, !preserving.contains(id), node.isBatched else { return false }
      switch node.op {
      case .matvec: return !graph[node.inputs[0]].isBatched
      case .vecmat: return !graph[node.inputs[1]].isBatched
      default: return false
      }
    }
    for (index, node) in graph.nodes.enumerated() where !accumulatedOnly.contains(index) {
      guard case .binary(.add) = node.op, node.isBatched, node.shape.count == 1 else { continue }
      let (a, b) = (node.inputs[0], node.inputs[1])
      guard graph[a].shape == node.shape, graph[b].shape == node.shape, a != b else { continue }
      let products = [a, b].filter(isFusableProduct)
      guard !products.isEmpty else { continue }
      if products.count == 2 {
        sumInPlace[index] = (nil, products)
      } else {
        let other = products[0] == a ? b : a
        let otherNode = graph[other]
        var isComputed = true
        if case .input = otherNode.op { isComputed = false }
        if case .constant = otherNode.op { isComputed = false }
        guard isComputed, uses[other.index] == 1, !preserving.contains(other), otherNode.isBatched,
          !accumulatedOnly.contains(other.index), !fusedProducts.contains(other.index)
        else { continue }
        sumInPlace[index] = (other, products)
      }
      for product in products { fusedProducts.insert(product.index) }
    }

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
      if accumulatedOnly.contains(index) || fusedProducts.contains(index) || !live[index] {
        locations.append(.arena(0))  // never read
        continue
      }
      if let fusion = sumInPlace[index] {
        if let base = fusion.base {
          locations.append(locations[base.index])  // the other value's buffer becomes the sum
        } else {
          locations.append(.arena(offset))
          offset += size
        }
        for (position, product) in fusion.products.enumerated() {
          let accumulate = fusion.base != nil || position > 0
          let inputs = graph[product].inputs
          if case .matvec = graph[product].op {
            instructions.append(.matvec(inputs[0], inputs[1], id, accumulate: accumulate))
          } else {
            instructions.append(.vecmat(inputs[0], inputs[1], id, accumulate: accumulate))
          }
        }
        continue
      }
      locations.append(.arena(offset))
      offset += size
      let inputs = node.inputs
      switch node.op {
      case .unary(let op): instructions.append(.unary(op, inputs[0], id))
      case .binary(let op): instructions.append(.binary(op, inputs[0], inputs[1], id))
      case .matvec: instructions.append(.matvec(inputs[0], inputs[1], id, accumulate: false))
      case .vecmat: instructions.append(.vecmat(inputs[0], inputs[1], id, accumulate: false))
      case .outer: instructions.append(.outer(inputs[0], inputs[1], id))
      case .dot: instructions.append(.dot(inputs[0], inputs[1], id))
      case .sum: instructions.append(.sum(inputs[0], id))
      case .broadcast: instructions.append(.broadcast(inputs[0], id))
      case .concat: instructions.append(.concat(inputs, id))
      case .slice(let start, _): instructions.append(.slice(inputs[0], id, start: start))
      case .transpose, .matmat, .scaleRows, .scaleColumns, .addDiagonal, .diagonal, .concatRows,
        .sliceRows:
        instructions.append(.matrix(node.op, inputs, id))
      case .input, .constant:
        break
      }
    }
    // Values the pullback reads, the outputs and the accumulated ones keep their buffers.
    let kept = Set(preserving.map(\.index) + graph.outputs.map(\.index) + accumulating.map(\.index))
    let fused = fuse(instructions, graph: graph, batch: batch, uses: uses, kept: kept)
    return Plan(
      graph: graph, batch: batch, arenaSize: offset, locations: locations,
      instructions: fused.instructions + instructionsAfter, inputKinds: inputKinds,
      constantValues: constantValues, accumulated: accumulating,
      transient: accumulatedOnly.union(fusedProducts).union(
        sumInPlace.values.compactMap { $0.base?.index }
      ).union(live.indices.filter { !live[$0] }).union(fused.inRunOnly),
      scratchSize: fused.scratchSize)
  }
}
