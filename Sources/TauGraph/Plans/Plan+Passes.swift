// The compilation passes, in the order `Plan.passes` runs them. Each reads the graph and what the
// passes before it decided, and fills in its own part of the compilation.
import TauTensor

extension Plan {
  /// Dead-node elimination: marks what the outputs, accumulators and preserved values need
  /// (transforms leave dead nodes), and counts each live node's uses.
  static var liveness: Pass {
    Pass(name: "liveness") { c in
      let graph = c.graph
      c.live = [Bool](repeating: false, count: graph.nodes.count)
      for id in graph.outputs + c.accumulating + c.preserving { c.live[id.index] = true }
      for index in stride(from: graph.nodes.count - 1, through: 0, by: -1) where c.live[index] {
        for input in graph.nodes[index].inputs { c.live[input.index] = true }
      }
      c.uses = [Int](repeating: 0, count: graph.nodes.count)
      for (index, node) in graph.nodes.enumerated() where c.live[index] {
        for input in node.inputs { c.uses[input.index] += 1 }
      }
      for output in graph.outputs { c.uses[output.index] += 1 }
    } summary: { c in
      "\(c.live.filter { $0 }.count) of \(counted(c.live.count, "node")) live"
    }
  }

  /// Accumulation: each accumulated value becomes updates of its accumulator. An outer product
  /// of batched vectors is one GEMM (Σ_b u_b v_bᵀ = Uᵀ V), a sum of matrices one update per
  /// term, anything else a column sum; the nodes absorbed this way need no buffer.
  static var accumulation: Pass {
    Pass(name: "accumulation") { c in
      let graph = c.graph
      func accumulate(_ id: NodeID, slot: Int) {
        let node = graph[id]
        if case .outer = node.op, node.inputs.allSatisfy({ graph[$0].isBatched }),
          c.uses[id.index] == 0
        {
          c.accumulatedOnly.insert(id.index)
          c.accumulation.append(.accumulateOuter(node.inputs[0], node.inputs[1], slot: slot))
          return
        }
        if case .binary(.add) = node.op, c.uses[id.index] == 0, node.shape.count == 2,
          node.inputs.allSatisfy({ graph[$0].shape == node.shape })
        {
          c.accumulatedOnly.insert(id.index)
          for input in node.inputs {
            c.uses[input.index] -= 1
            accumulate(input, slot: slot)
          }
          return
        }
        c.accumulation.append(.accumulateSum(id, slot: slot))
      }
      for (slot, id) in c.accumulating.enumerated() {
        c.uses[id.index] -= graph.outputs.contains(id) ? 1 : 0
        accumulate(id, slot: slot)
      }
      // Nodes feeding only accumulated outer products still need buffers (they are inputs), so
      // only the accumulated nodes themselves are skipped.
    } summary: { c in
      let outers = c.accumulation.filter {
        if case .accumulateOuter = $0 { return true } else { return false }
      }.count
      return "\(counted(c.accumulating.count, "accumulator")): "
        + "\(counted(outers, "outer product")) as GEMMs, "
        + "\(counted(c.accumulation.count - outers, "column sum"))"
    }
  }

  /// Product sums: finds sums of a matrix product and another single-use value (or of two
  /// products), to be computed in the other value's buffer by GEMM with beta = 1.
  static var productSums: Pass {
    Pass(name: "product sums") { c in
      let graph = c.graph
      func isFusableProduct(_ id: NodeID) -> Bool {
        let node = graph[id]
        guard c.uses[id.index] == 1, !c.preserving.contains(id), node.isBatched else {
          return false
        }
        switch node.op {
        case .matvec: return !graph[node.inputs[0]].isBatched
        case .vecmat: return !graph[node.inputs[1]].isBatched
        default: return false
        }
      }
      for (index, node) in graph.nodes.enumerated() where !c.accumulatedOnly.contains(index) {
        guard case .binary(.add) = node.op, node.isBatched, node.shape.count == 1 else { continue }
        let (a, b) = (node.inputs[0], node.inputs[1])
        guard graph[a].shape == node.shape, graph[b].shape == node.shape, a != b else { continue }
        let products = [a, b].filter(isFusableProduct)
        guard !products.isEmpty else { continue }
        if products.count == 2 {
          c.sumInPlace[index] = (nil, products)
        } else {
          let other = products[0] == a ? b : a
          let otherNode = graph[other]
          var isComputed = true
          if case .input = otherNode.op { isComputed = false }
          if case .constant = otherNode.op { isComputed = false }
          guard isComputed, c.uses[other.index] == 1, !c.preserving.contains(other),
            otherNode.isBatched, !c.accumulatedOnly.contains(other.index),
            !c.fusedProducts.contains(other.index)
          else { continue }
          c.sumInPlace[index] = (other, products)
        }
        for product in products { c.fusedProducts.insert(product.index) }
      }
    } summary: { c in
      "\(counted(c.sumInPlace.count, "sum")) in place, "
        + "\(counted(c.fusedProducts.count, "product")) folded into them"
    }
  }

  /// Buffer layout: every node's location, an input slot, a constant, or an arena offset of
  /// its own (an in-place sum takes its base's buffer; values nothing stores take none).
  static var bufferLayout: Pass {
    Pass(name: "buffer layout") { c in
      var offset = 0
      for (index, node) in c.graph.nodes.enumerated() {
        switch node.op {
        case .input(let kind):
          c.locations.append(.input(c.inputKinds.count))
          c.inputKinds.append(kind)
          continue
        case .constant(let value):
          c.locations.append(.constant(c.constantValues.count))
          c.constantValues.append(value)
          continue
        case .tensor(let constant):
          c.locations.append(.constant(c.constantValues.count))
          c.constantValues += constant.values
          continue
        default:
          break
        }
        if c.accumulatedOnly.contains(index) || c.fusedProducts.contains(index) || !c.live[index] {
          c.locations.append(.arena(0))  // never read
          continue
        }
        if let base = c.sumInPlace[index]?.base {
          c.locations.append(c.locations[base.index])  // the other value's buffer becomes the sum
          continue
        }
        c.locations.append(.arena(offset))
        offset += node.shape.reduce(1, *) * (node.isBatched ? c.batch : 1)
      }
      c.arenaSize = offset
    } summary: { c in
      "arena \(counted(c.arenaSize, "element")), \(counted(c.inputKinds.count, "input")), "
        + "\(counted(c.constantValues.count, "constant"))"
    }
  }

  /// Instruction emission: one instruction per stored computed node in graph order (an
  /// in-place sum's products as GEMMs into it), then the accumulator updates.
  static var emission: Pass {
    Pass(name: "emission") { c in
      let graph = c.graph
      for (index, node) in graph.nodes.enumerated() {
        let id = NodeID(index)
        if case .input = node.op { continue }
        if case .constant = node.op { continue }
        if case .tensor = node.op { continue }
        if c.accumulatedOnly.contains(index) || c.fusedProducts.contains(index) || !c.live[index] {
          continue
        }
        if let fusion = c.sumInPlace[index] {
          for (position, product) in fusion.products.enumerated() {
            let accumulate = fusion.base != nil || position > 0
            let inputs = graph[product].inputs
            if case .matvec = graph[product].op {
              c.instructions.append(.matvec(inputs[0], inputs[1], id, accumulate: accumulate))
            } else {
              c.instructions.append(.vecmat(inputs[0], inputs[1], id, accumulate: accumulate))
            }
          }
          continue
        }
        let inputs = node.inputs
        switch node.op {
        case .unary(let op): c.instructions.append(.unary(op, inputs[0], id))
        case .binary(let op): c.instructions.append(.binary(op, inputs[0], inputs[1], id))
        case .matvec: c.instructions.append(.matvec(inputs[0], inputs[1], id, accumulate: false))
        case .vecmat: c.instructions.append(.vecmat(inputs[0], inputs[1], id, accumulate: false))
        case .outer: c.instructions.append(.outer(inputs[0], inputs[1], id))
        case .dot: c.instructions.append(.dot(inputs[0], inputs[1], id))
        case .sum: c.instructions.append(.sum(inputs[0], id))
        case .broadcast: c.instructions.append(.broadcast(inputs[0], id))
        case .concat: c.instructions.append(.concat(inputs, id))
        case .slice(let start, _): c.instructions.append(.slice(inputs[0], id, start: start))
        case .transpose, .matmat, .scaleRows, .scaleColumns, .addDiagonal, .diagonal, .concatRows,
          .sliceRows, .reshape, .transposeBlocks:
          c.instructions.append(.matrix(node.op, inputs, id))
        case .input, .constant, .tensor:
          break
        }
      }
      c.instructions += c.accumulation
    } summary: { c in
      "\(counted(c.instructions.count, "instruction"))"
    }
  }

  /// Elementwise fusion: runs of elementwise instructions become fused runs executed chunk by
  /// chunk (Plan+Fusion.swift); values used only inside a run move to scratch.
  static var elementwiseFusion: Pass {
    Pass(name: "fusion") { c in
      // Values the pullback reads, the outputs and the accumulated ones keep their buffers.
      let kept = Set(
        c.preserving.map(\.index) + c.graph.outputs.map(\.index) + c.accumulating.map(\.index))
      let fused = fuse(c.instructions, graph: c.graph, batch: c.batch, uses: c.uses, kept: kept)
      c.instructions = fused.instructions
      c.inRunOnly = fused.inRunOnly
      c.scratchSize = fused.scratchSize
    } summary: { c in
      let runs = c.instructions.compactMap { instruction -> Int? in
        if case .fused(let operations, _) = instruction {
          return operations.count
        } else {
          return nil
        }
      }
      return "\(counted(runs.count, "fused run")) of \(counted(runs.reduce(0, +), "operation")), "
        + "\(counted(c.inRunOnly.count, "value")) in scratch (\(counted(c.scratchSize, "element"))); "
        + "\(counted(c.instructions.count, "instruction"))"
    }
  }
}
