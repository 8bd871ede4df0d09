// The IR as text, one node per line like a disassembler: `%7 = matvec %2, %0  [64]  batched`.
// TAU_DEBUG=1 prints every lowered cell this way.
import TauTensor

extension Graph: CustomStringConvertible {
  public var description: String {
    var lines: [String] = []
    for (index, node) in nodes.enumerated() {
      let operands = node.inputs.map(\.description).joined(separator: ", ")
      let shape = "[" + node.shape.map(String.init).joined(separator: "×") + "]"
      var line = "%\(index) = \(opName(node.op))" + (operands.isEmpty ? "" : " " + operands)
      line += "  \(shape)" + (node.isBatched ? "" : "  shared") + (node.isGate ? "  gate" : "")
      lines.append(line)
    }
    lines.append("outputs " + outputs.map(\.description).joined(separator: ", "))
    return lines.joined(separator: "\n")
  }
}

/// An operation as the listings print it: `state 0`, `param Wr`, `tanh`, `slice 2..<5`.
func opName(_ op: Op) -> String {
  switch op {
  case .input(.state(let i)): return "state \(i)"
  case .input(.input): return "input"
  case .input(.parameter(let name)): return "param \(name)"
  case .input(.seed(let name)): return "seed \(name)"
  case .input(.primal(let id)): return "primal \(id)"
  case .constant(let c): return "constant \(c)"
  case .unary(let u): return u.rawValue
  case .binary(let b): return b.rawValue
  case .broadcast(let n): return "broadcast \(n)"
  case .slice(let start, let count): return "slice \(start)..<\(start + count)"
  case .sliceRows(let start, let count): return "sliceRows \(start)..<\(start + count)"
  case .reshape(let shape): return "reshape \(formatShape(shape))"
  case .transposeBlocks(let rows, let columns): return "transposeBlocks \(rows)×\(columns)"
  case .tensor(let c):
    let shown = c.values.prefix(4).map { "\($0)" }.joined(separator: ", ")
    return "tensor \(formatShape(c.shape)) [\(shown)\(c.values.count > 4 ? ", …" : "")]"
  default: return "\(op)"
  }
}
