// Fusing consecutive elementwise instructions: a run of them is executed chunk by chunk (a few
// rows of the batch at a time), so each chunk passes through every operation while it is in L1,
// and values used only inside the run never reach the arena (they live in a small scratch).
import TauTensor

extension Plan {
  /// Where a fused operation reads or writes.
  enum FusedValue {
    case node(NodeID)  // the arena, an input or a constant
    case scratch(Int)  // slot k of the plan's scratch, one chunk in size
  }

  /// One operation of a fused run.
  enum FusedOperation {
    case unary(UnaryOperation, FusedValue, FusedValue)
    case binary(BinaryOperation, FusedValue, FusedValue, FusedValue)
  }

  /// Rows per chunk so that a chunk of one value is about 4096 elements (16 KiB of Float): the
  /// whole batch at the paper's sizes, a few rows for wide states. Smaller chunks measured slower
  /// (per-call overhead); the gain of fusing here is that in-run values never touch the arena.
  static func chunkRows(columns: Int, batch: Int) -> Int {
    Swift.max(1, Swift.min(batch, 4096 / Swift.max(columns, 1)))
  }

  /// Replaces runs of two or more elementwise instructions on batched values of one size by
  /// fused instructions. Values used only inside a run, and not `kept`, move to scratch slots;
  /// they are returned so the plan can mark them as not held.
  static func fuse(
    _ instructions: [Instruction], graph: Graph, batch: Int, uses: [Int], kept: Set<Int>
  ) -> (instructions: [Instruction], inRunOnly: Set<Int>, scratchSize: Int) {
    func elementwise(_ instruction: Instruction) -> (output: NodeID, inputs: [NodeID])? {
      switch instruction {
      case .unary(_, let x, let y):
        return graph[y].isBatched && graph[y].shape.count <= 1 ? (y, [x]) : nil
      case .binary(_, let a, let b, let y):
        return graph[y].isBatched && graph[y].shape.count <= 1 ? (y, [a, b]) : nil
      default: return nil
      }
    }
    var result: [Instruction] = []
    var inRunOnly = Set<Int>()
    var maxScratch = 0
    var index = 0
    while index < instructions.count {
      guard let first = elementwise(instructions[index]) else {
        result.append(instructions[index])
        index += 1
        continue
      }
      let columns = graph[first.output].shape.first ?? 1
      var end = index + 1
      while end < instructions.count, let next = elementwise(instructions[end]),
        (graph[next.output].shape.first ?? 1) == columns
      {
        end += 1
      }
      let run = Array(instructions[index..<end])
      index = end
      guard run.count >= 2 else {
        result += run
        continue
      }
      // Uses of each output within the run; a value all of whose uses are here stays in scratch.
      var usesInRun: [Int: Int] = [:]
      for instruction in run {
        for input in elementwise(instruction)?.inputs ?? [] {
          usesInRun[input.index, default: 0] += 1
        }
      }
      var slots: [Int: Int] = [:]
      func place(_ id: NodeID) -> FusedValue {
        if let slot = slots[id.index] { return .scratch(slot) }
        return .node(id)
      }
      func claim(_ y: NodeID) -> FusedValue {
        guard !kept.contains(y.index), usesInRun[y.index] == uses[y.index] else { return .node(y) }
        let slot = slots.count
        slots[y.index] = slot
        inRunOnly.insert(y.index)
        return .scratch(slot)
      }
      var operations: [FusedOperation] = []
      for instruction in run {
        switch instruction {
        case .unary(let op, let x, let y):
          let input = place(x)
          let output = claim(y)
          operations.append(.unary(op, input, output))
        case .binary(let op, let a, let b, let y):
          let (left, right) = (place(a), place(b))
          operations.append(.binary(op, left, right, claim(y)))
        default:
          break
        }
      }
      maxScratch = Swift.max(
        maxScratch, slots.count * chunkRows(columns: columns, batch: batch) * columns)
      result.append(.fused(operations, columns: columns))
    }
    return (result, inRunOnly, maxScratch)
  }
}
