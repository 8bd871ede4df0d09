// A plan: a graph compiled for one batch size and precision into a flat list of instructions over
// preallocated buffers. Matrix–vector products over the batch become single GEMMs, gradients of
// shared parameters accumulate straight into their totals with GEMM (beta = 1), and running a
// plan allocates nothing.
import TauTensor

/// A compiled graph. Values of batched nodes occupy `batch × size` elements of an arena that the
/// caller provides (one per time step, so a forward pass keeps what the backward pass needs);
/// inputs and parameters are bound as pointers.
public final class Plan<Scalar: TensorScalar>: @unchecked Sendable {
  // @unchecked: a plan's bindings are set and read by the one thread that runs it.
  public let graph: Graph
  public let batch: Int
  /// Elements of arena one run needs.
  public let arenaSize: Int

  enum Location {
    case arena(Int)
    case input(Int)
    case constant(Int)
  }

  enum Instruction {
    case unary(UnaryOperation, NodeID, NodeID)
    case binary(BinaryOperation, NodeID, NodeID, NodeID)
    case matvec(NodeID, NodeID, NodeID, accumulate: Bool)  // W, v → y (or y +=)
    case vecmat(NodeID, NodeID, NodeID, accumulate: Bool)  // v, W → y (or y +=)
    case outer(NodeID, NodeID, NodeID)
    case dot(NodeID, NodeID, NodeID)
    case sum(NodeID, NodeID)
    case broadcast(NodeID, NodeID)
    case concat([NodeID], NodeID)
    case slice(NodeID, NodeID, start: Int)
    /// A matrix-valued primitive (tangent graphs), run sample by sample.
    case matrix(Op, [NodeID], NodeID)
    /// A run of elementwise operations on values of `columns` per sample, chunk by chunk.
    case fused([FusedOperation], columns: Int)
    /// accumulator[slot] += Σ_b u_b ⊗ v_b, one GEMM.
    case accumulateOuter(NodeID, NodeID, slot: Int)
    /// accumulator[slot] += Σ_b value_b (or += value for an unbatched value).
    case accumulateSum(NodeID, slot: Int)
  }

  let locations: [Location]
  let instructions: [Instruction]
  /// Nodes whose values a run does not keep (folded into a sum or an accumulator).
  let transient: Set<Int>
  /// The input kinds in slot order; bind each before running.
  public let inputKinds: [InputKind]
  let inputPointers: UnsafeMutablePointer<UnsafePointer<Scalar>?>
  let constants: UnsafeMutablePointer<Scalar>
  let constantCount: Int
  /// Values that live only inside a fused run, one chunk each.
  let scratch: UnsafeMutablePointer<Scalar>
  let scratchSize: Int
  /// What each compilation pass did, one line each (`listing`).
  let passLog: [(pass: String, summary: String)]
  /// Accumulated outputs: for slot i, the node whose batch sum is added to `accumulators[i]`.
  public let accumulated: [NodeID]
  let accumulatorPointers: UnsafeMutablePointer<UnsafeMutablePointer<Scalar>?>
  /// The weights kept transposed (Plan+Transposes.swift): node, input slot, offset in
  /// `transposed`; and by node index, that offset or -1.
  let transposes: [(node: NodeID, slot: Int, offset: Int)]
  let transposedOffsets: [Int]
  let transposed: UnsafeMutablePointer<Scalar>
  /// Input slots bound since the last run, whose transposes are out of date.
  let staleSlots: UnsafeMutablePointer<Bool>
  /// The kind of each instruction, as `PlanProfile` totals it (made on the first timed run).
  lazy var profileLabels: [String] = instructions.map { String(mnemonic($0).prefix { $0 != " " }) }

  init(
    graph: Graph, batch: Int, arenaSize: Int, locations: [Location], instructions: [Instruction],
    inputKinds: [InputKind], constantValues: [Double], accumulated: [NodeID], transient: Set<Int>,
    scratchSize: Int, transposedWeights: [Int: Int] = [:], transposedSize: Int = 0,
    passLog: [(pass: String, summary: String)] = []
  ) {
    scratch = .allocate(capacity: Swift.max(1, scratchSize))
    self.scratchSize = scratchSize
    self.passLog = passLog
    self.transient = transient
    self.graph = graph
    self.batch = batch
    self.arenaSize = arenaSize
    self.locations = locations
    self.instructions = instructions
    self.inputKinds = inputKinds
    self.accumulated = accumulated
    inputPointers = .allocate(capacity: Swift.max(1, inputKinds.count))
    inputPointers.initialize(repeating: nil, count: Swift.max(1, inputKinds.count))
    constantCount = constantValues.count
    constants = .allocate(capacity: Swift.max(1, constantValues.count))
    for (i, c) in constantValues.enumerated() { (constants + i).initialize(to: Scalar(c)) }
    accumulatorPointers = .allocate(capacity: Swift.max(1, accumulated.count))
    accumulatorPointers.initialize(repeating: nil, count: Swift.max(1, accumulated.count))
    var offsets = [Int](repeating: -1, count: graph.nodes.count)
    var transposes: [(node: NodeID, slot: Int, offset: Int)] = []
    for (index, offset) in transposedWeights.sorted(by: { $0.value < $1.value }) {
      guard case .input(let slot) = locations[index] else { continue }
      offsets[index] = offset
      transposes.append((NodeID(index), slot, offset))
    }
    self.transposes = transposes
    transposedOffsets = offsets
    transposed = .allocate(capacity: Swift.max(1, transposedSize))
    staleSlots = .allocate(capacity: Swift.max(1, inputKinds.count))
    staleSlots.initialize(repeating: true, count: Swift.max(1, inputKinds.count))
  }

  deinit {
    inputPointers.deallocate()
    constants.deallocate()
    scratch.deallocate()
    accumulatorPointers.deallocate()
    transposed.deallocate()
    staleSlots.deallocate()
  }

  /// Binds input slot `slot` (see `inputKinds`) to `pointer`, valid while the plan runs.
  /// Binding marks the slot's transposed copy, if it has one, out of date: rebind after
  /// changing what a bound pointer holds.
  public func bind(_ slot: Int, to pointer: UnsafePointer<Scalar>) {
    inputPointers[slot] = pointer
    staleSlots[slot] = true
  }

  /// The slot of an input kind, if the graph has that input.
  public func slot(of kind: InputKind) -> Int? { inputKinds.firstIndex(of: kind) }

  /// Binds accumulator `slot` (see `accumulated`) to a buffer of the node's per-sample size.
  public func bindAccumulator(_ slot: Int, to pointer: UnsafeMutablePointer<Scalar>) {
    accumulatorPointers[slot] = pointer
  }

  /// Whether a run leaves node `id`'s value readable at `pointer(_:in:)`.
  public func holdsValue(_ id: NodeID) -> Bool { !transient.contains(id.index) }

  /// Where node `id`'s value is after a run in `arena`.
  public func pointer(_ id: NodeID, in arena: UnsafeMutablePointer<Scalar>) -> UnsafeMutablePointer<
    Scalar
  > {
    switch locations[id.index] {
    case .arena(let offset): return arena + offset
    case .input(let slot):
      // `run` refuses to start with an unbound input, so the fallback is never read.
      return UnsafeMutablePointer(mutating: inputPointers[slot] ?? UnsafePointer(constants))
    case .constant(let index): return constants + index
    }
  }
}
