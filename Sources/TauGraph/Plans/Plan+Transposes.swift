// Shared weights kept transposed as well: a matrix–vector product over the batch is the
// row-major GEMM V·Wᵀ, which OpenBLAS runs through its packing path, while V·(Wᵀ) with Wᵀ
// stored goes to its small-matrix kernel, 1.5–1.8× faster at the sizes of a recurrent step
// (docs/PERFORMANCE.md, "Products with a stored transpose"). A weight is transposed on the first
// run after its input slot is bound, so once per pass over a sequence, not once per step.
import TauTensor

extension Plan {
  /// Weight layout: each shared weight a `matvec` multiplies by, if it is a bound input (a
  /// parameter), gets room for its transpose.
  static var weightLayout: Pass {
    Pass(name: "weight layout") { c in
      for instruction in c.instructions {
        guard case .matvec(let w, _, _, _) = instruction, !c.graph[w].isBatched,
          c.graph[w].shape.count == 2, case .input = c.locations[w.index],
          c.transposedWeights[w.index] == nil
        else { continue }
        c.transposedWeights[w.index] = c.transposedSize
        c.transposedSize += c.graph[w].shape.reduce(1, *)
      }
    } summary: { c in
      "\(counted(c.transposedWeights.count, "shared weight")) also kept transposed "
        + "(\(counted(c.transposedSize, "element")))"
    }
  }

  /// Re-transposes the weights whose slots were bound since the last run.
  func refreshTransposes() {
    for weight in transposes where staleSlots[weight.slot] {
      let (rows, columns) = (graph[weight.node].shape[0], graph[weight.node].shape[1])
      guard let source = inputPointers[weight.slot] else { continue }
      let target = transposed + weight.offset
      for i in 0..<rows {
        for j in 0..<columns { target[j * rows + i] = source[i * columns + j] }
      }
    }
    for weight in transposes { staleSlots[weight.slot] = false }
  }
}
