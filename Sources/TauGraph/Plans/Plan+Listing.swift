// A plan as text, one instruction per line with each value's shape and buffer, for TAU_DEBUG=2:
//    3  matvec+=  %7 [4]×B arena 24  ←  %2 [4×4] param Wr, %0 [4]×B state 0
// `×B` marks a batched value (one row per sample); the buffer is an arena offset in elements, an
// input slot, a constant, a scratch slot of a fused run, or an accumulator.

extension Plan {
  /// The plan as text: a header line (batch, sizes), what each compilation pass did when
  /// `showingPasses`, then the instructions in the order a run executes them.
  public func listing(showingPasses: Bool = true) -> String {
    var lines = [
      "plan for batch \(batch): \(counted(instructions.count, "instruction")), arena "
        + "\(counted(arenaSize, "element")), scratch \(counted(scratchSize, "element")), "
        + "\(counted(inputKinds.count, "input")), \(counted(constantCount, "constant")), "
        + "\(counted(accumulated.count, "accumulator"))"
    ]
    if showingPasses {
      lines.append("passes")
      let width = passLog.map(\.pass.count).max() ?? 0
      for (pass, summary) in passLog {
        lines.append("  " + pass.padding(to: width) + "  " + summary)
      }
      lines.append("instructions")
    }
    for (index, instruction) in instructions.enumerated() {
      let number = String(index)
      lines.append(
        String(repeating: " ", count: Swift.max(0, 4 - number.count)) + number + "  "
          + line(instruction))
      if case .fused(let operations, _) = instruction {
        for operation in operations { lines.append("        " + line(operation)) }
      }
    }
    return lines.joined(separator: "\n")
  }

  /// The short name of an instruction's kind, as the listing and the profile (TAU_DEBUG=3) show it.
  func mnemonic(_ instruction: Instruction) -> String {
    switch instruction {
    case .unary(let op, _, _): return op.rawValue
    case .binary(let op, _, _, _): return op.rawValue
    case .matvec(_, _, _, let accumulate): return accumulate ? "matvec+=" : "matvec"
    case .vecmat(_, _, _, let accumulate): return accumulate ? "vecmat+=" : "vecmat"
    case .outer: return "outer"
    case .dot: return "dot"
    case .sum: return "sum"
    case .broadcast: return "broadcast"
    case .concat: return "concat"
    case .slice(_, _, let start): return "slice from \(start)"
    case .matrix(let op, _, _): return opName(op)
    case .fused: return "fused"
    case .accumulateOuter: return "accumulateOuter"
    case .accumulateSum: return "accumulateSum"
    }
  }

  private func line(_ instruction: Instruction) -> String {
    let name = mnemonic(instruction)
    switch instruction {
    case .unary(_, let x, let y): return row(name, value(y), [value(x)])
    case .binary(_, let a, let b, let y): return row(name, value(a, b, y))
    case .matvec(let a, let b, let y, _), .vecmat(let a, let b, let y, _):
      return row(name, value(a, b, y))
    case .outer(let a, let b, let y), .dot(let a, let b, let y): return row(name, value(a, b, y))
    case .sum(let x, let y), .broadcast(let x, let y), .slice(let x, let y, _):
      return row(name, value(y), [value(x)])
    case .concat(let pieces, let y), .matrix(_, let pieces, let y):
      return row(name, value(y), pieces.map { value($0) })
    case .fused(let operations, let columns):
      let rows = Plan.chunkRows(columns: columns, batch: batch)
      return name.padding(to: 10)
        + "  \(counted(operations.count, "operation")) on \(counted(columns, "column")), "
        + "\(counted(rows, "row")) at a time"
    case .accumulateOuter(let u, let v, let slot):
      return row(name, accumulator(slot), [value(u), value(v)], arrow: "+=")
    case .accumulateSum(let x, let slot):
      return row(name, accumulator(slot), [value(x)], arrow: "+=")
    }
  }

  private func line(_ operation: FusedOperation) -> String {
    switch operation {
    case .unary(let op, let x, let y): return row(op.rawValue, value(y), [value(x)])
    case .binary(let op, let a, let b, let y):
      return row(op.rawValue, value(y), [value(a), value(b)])
    }
  }

  /// `name  output  ←  operands`.
  private func row(_ name: String, _ output: String, _ operands: [String], arrow: String = "←")
    -> String
  {
    name.padding(to: 10) + "  " + output + "  " + arrow + "  " + operands.joined(separator: ", ")
  }

  private func row(_ name: String, _ values: (String, String, String)) -> String {
    row(name, values.2, [values.0, values.1])
  }

  private func value(_ a: NodeID, _ b: NodeID, _ y: NodeID) -> (String, String, String) {
    (value(a), value(b), value(y))
  }

  /// `%7 [4]×B arena 24`: the node, its per-sample shape (×B when batched) and its buffer.
  private func value(_ id: NodeID) -> String {
    let node = graph[id]
    let shape = "[" + node.shape.map(String.init).joined(separator: "×") + "]"
    return "\(id) \(shape)" + (node.isBatched ? "×B" : "") + " " + buffer(id)
  }

  private func value(_ fused: FusedValue) -> String {
    switch fused {
    case .node(let id): return value(id)
    case .scratch(let slot): return "scratch \(slot)"
    }
  }

  private func buffer(_ id: NodeID) -> String {
    switch locations[id.index] {
    case .arena(let offset): return "arena \(offset)"
    case .input(let slot): return opName(.input(inputKinds[slot]))
    case .constant: return opName(graph[id].op)
    }
  }

  private func accumulator(_ slot: Int) -> String {
    let node = graph[accumulated[slot]]
    let shape = "[" + node.shape.map(String.init).joined(separator: "×") + "]"
    return "accumulator \(slot) \(shape) of \(accumulated[slot])"
  }
}

/// `1 input`, `3 inputs`.
func counted(_ count: Int, _ noun: String) -> String {
  "\(count) \(noun)" + (count == 1 ? "" : "s")
}

extension String {
  /// The string followed by spaces up to `width` characters.
  fileprivate func padding(to width: Int) -> String {
    count >= width ? self : self + String(repeating: " ", count: width - count)
  }
}
