// Compiling a graph into a plan: a list of named passes (Plan+Passes.swift) run in order over one
// compilation state, each reading what earlier ones decided. Buffer layout, one instruction per
// node, and accumulation of parameter gradients without materialising per-sample matrices.
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
    var compilation = Compilation(
      graph: graph, batch: batch, accumulating: accumulating, preserving: preserving)
    var log: [(pass: String, summary: String)] = []
    for pass in passes {
      pass.run(&compilation)
      log.append((pass.name, pass.summary(compilation)))
    }
    return Plan(
      graph: graph, batch: batch, arenaSize: compilation.arenaSize,
      locations: compilation.locations, instructions: compilation.instructions,
      inputKinds: compilation.inputKinds, constantValues: compilation.constantValues,
      accumulated: accumulating, transient: compilation.transient,
      scratchSize: compilation.scratchSize, transposedWeights: compilation.transposedWeights,
      transposedSize: compilation.transposedSize, passLog: log)
  }

  /// What the passes have decided so far about one graph's plan.
  struct Compilation {
    let graph: Graph
    let batch: Int
    let accumulating: [NodeID]
    let preserving: Set<NodeID>
    /// Whether an output, an accumulator or a preserved value depends on each node.
    var live: [Bool] = []
    /// Uses of each node by live nodes and outputs, less those an accumulation absorbs.
    var uses: [Int] = []
    /// Nodes reached only through accumulation: no buffer, no instruction of their own.
    var accumulatedOnly = Set<Int>()
    /// The accumulator updates, which run after every other instruction.
    var accumulation: [Instruction] = []
    /// Products folded into a sum: no buffer, no instruction of their own.
    var fusedProducts = Set<Int>()
    /// Sums computed in place: the products added by GEMM into the buffer of `base` (or of the
    /// sum itself when both terms are products).
    var sumInPlace: [Int: (base: NodeID?, products: [NodeID])] = [:]
    var locations: [Location] = []
    var inputKinds: [InputKind] = []
    var constantValues: [Double] = []
    var arenaSize = 0
    var instructions: [Instruction] = []
    /// Values that live only inside a fused run.
    var inRunOnly = Set<Int>()
    var scratchSize = 0
    /// Offsets of the weights kept transposed too, by node index, and their total size.
    var transposedWeights: [Int: Int] = [:]
    var transposedSize = 0

    init(graph: Graph, batch: Int, accumulating: [NodeID], preserving: Set<NodeID>) {
      self.graph = graph
      self.batch = batch
      self.accumulating = accumulating
      self.preserving = preserving
    }

    /// Nodes whose values a run does not keep (folded into a sum or an accumulator, dead, or
    /// only inside a fused run).
    var transient: Set<Int> {
      accumulatedOnly.union(fusedProducts).union(sumInPlace.values.compactMap { $0.base?.index })
        .union(live.indices.filter { !live[$0] }).union(inRunOnly)
    }
  }

  /// One step of compilation, named for the listing (TAU_DEBUG=2).
  struct Pass {
    let name: String
    let run: (inout Compilation) -> Void
    /// One line on what the pass decided, from the state it left.
    let summary: (Compilation) -> String
  }

  /// The passes in the order they run.
  static var passes: [Pass] {
    [
      liveness, accumulation, productSums, bufferLayout, emission, elementwiseFusion, weightLayout,
    ]
  }
}
