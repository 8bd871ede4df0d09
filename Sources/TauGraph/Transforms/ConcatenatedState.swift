// Cells with several state vectors (an LSTM's h and c) have one Jacobian over the concatenated
// state [h; c]. This rewrite gives such a cell a single state input and output, so
// the Jacobian transforms apply unchanged.

extension Graph {
  /// The same step with its states joined: one `.state(0)` input of the summed size, sliced into
  /// the original states, and one output, the concatenation of the next states in order.
  /// A single-state graph is returned unchanged.
  public func concatenatingStates() throws(GraphError) -> Graph {
    let stateInputs = nodes.indices.compactMap { index -> (state: Int, id: NodeID)? in
      if case .input(.state(let i)) = nodes[index].op { return (i, NodeID(index)) }
      return nil
    }
    guard outputs.count > 1 || stateInputs.count > 1 else { return self }
    let sizes = outputs.map { self[$0].shape.first ?? 1 }
    var offsets = [0]
    for size in sizes { offsets.append(offsets[offsets.count - 1] + size) }
    var joined = Graph()
    let state = joined.input(.state(0), shape: [offsets[sizes.count]])
    var mapping: [NodeID: NodeID] = [:]
    for (index, node) in nodes.enumerated() {
      let id = NodeID(index)
      if case .input(.state(let i)) = node.op {
        guard i < sizes.count else {
          throw GraphError(message: "state \(i) has no matching output", origin: node.origin)
        }
        mapping[id] = try joined.add(.slice(start: offsets[i], count: sizes[i]), [state])
        continue
      }
      if case .input(let kind) = node.op {
        mapping[id] = joined.input(kind, shape: node.shape, isBatched: node.isBatched)
        continue
      }
      let inputs = node.inputs.compactMap { mapping[$0] }
      let copy = try joined.add(node.op, inputs, origin: node.origin)
      if node.isGate { joined.markGate(copy) }
      mapping[id] = copy
    }
    let parts = outputs.compactMap { mapping[$0] }
    joined.outputs = [parts.count == 1 ? parts[0] : try joined.add(.concat, parts)]
    return joined
  }
}
