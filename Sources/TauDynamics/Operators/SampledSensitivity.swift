// Sensitivities at chosen lags from sampled origins, streamed: for an origin k, one sweep of prefix
// products P_{k+h,k} = J_{k+h} P_{k+h-1,k} gives every lag h up to the largest asked, so the cost
// is origins × largest lag products instead of T², and only the transports of origins still in
// their sweep are kept (no T × N × N stack). Diagonal steps keep diagonals.
import TauGraph
import TauTensor

/// The pairs (t, k) = (k + h, k) a sampled sensitivity visits: every origin k with every lag h
/// for which k + h ≤ T.
public struct PairSample: Sendable, Equatable {
  /// The lags h, ascending and distinct, in 1 … T-1.
  public let lags: [Int]
  /// The origins k, ascending and distinct, in 1 … T-1 (the states' numbering: h_0 is the zero
  /// initial state, which the all-pairs sensitivities leave out too).
  public let origins: [Int]
  /// T.
  public let length: Int

  /// `lags` (nil: every lag 1 … T-1) from `count` origins drawn without replacement from
  /// 1 … T-1 by `seed` (nil, or at least T-1: every origin).
  public init(length: Int, lags: [Int]?, origins count: Int?, seed: UInt64) throws {
    guard length >= 2 else {
      throw TensorError.invalidArgument(
        operation: "sensitivity", message: "sampled lags need T ≥ 2, got T = \(length)")
    }
    let chosen = Array(Set(lags ?? Array(1..<length))).sorted()
    if let bad = chosen.first(where: { $0 < 1 || $0 >= length }) {
      throw TensorError.invalidArgument(
        operation: "sensitivity", message: "lag \(bad) is not in 1 … \(length - 1) (T = \(length))")
    }
    guard !chosen.isEmpty else {
      throw TensorError.invalidArgument(operation: "sensitivity", message: "no lag asked for")
    }
    if let count, count < 1 {
      throw TensorError.invalidArgument(
        operation: "sensitivity", message: "origins must be ≥ 1, got \(count)")
    }
    var candidates = Array(1..<length)
    let wanted = Swift.min(count ?? candidates.count, candidates.count)
    if wanted < candidates.count {
      // A partial Fisher–Yates shuffle: the first `wanted` entries are a uniform sample.
      var stream = RandomStream(seed: seed).substream("origins")
      for i in 0..<wanted {
        let j = i + Int(stream.next() % UInt64(candidates.count - i))
        candidates.swapAt(i, j)
      }
    }
    self.lags = chosen
    self.origins = candidates.prefix(wanted).sorted()
    self.length = length
  }

  /// Whether pair (origin index o, lag index l) exists: k + h ≤ T.
  public func contains(origin o: Int, lag l: Int) -> Bool { origins[o] + lags[l] <= length }

  /// The most origins whose sweeps overlap at one step: how many transports are kept at once.
  var overlap: Int {
    let span = lags[lags.count - 1]
    var (most, low) = (0, 0)
    for high in origins.indices {
      while origins[high] - origins[low] >= span { low += 1 }
      most = Swift.max(most, high - low + 1)
    }
    return most
  }
}

/// Sensitivities at the pairs of a `PairSample`, with what the pass recorded of the gates.
public struct SampledSensitivities: Sendable {
  public let sample: PairSample
  public let batch: Int
  /// S[b, o, l] = ‖P_{k_o + h_l, k_o}‖₂, [B × O × L]; NaN where k_o + h_l > T.
  public let values: Tensor<Double>
  /// The recorded gates' values, [B × T × G], as `StepJacobians.gates`.
  public let gates: Tensor<Double>?
  public let gateNodes: [NodeID]
  public let gateRetentions: [GateRetention]
  public let structure: JacobianStructure

  /// GP[b, o, l]: the gate predictor (`StepJacobians.gatePredictor`) at the sampled pairs,
  /// [B × O × L], NaN where the pair does not exist; nil without a gate.
  public func gatePredictor(_ kind: GatePredictor, window: GateWindow = .transport) throws
    -> Tensor<Double>?
  {
    guard let gates else { return nil }
    let factors = GateFactors(gates, retentions: gateRetentions, kind: kind)
    let sample = sample
    let (origins, lags) = (sample.origins, sample.lags)
    let perSequence = try concurrentMap(batch) { b -> [Double] in
      var result = [Double](repeating: .nan, count: origins.count * lags.count)
      for (o, k) in origins.enumerated() {
        try checkCancellation()
        var l = 0
        factors.sweep(
          b, from: k, through: Swift.min(sample.length, k + lags[lags.count - 1]), window: window,
          lags: lags
        ) { _, mean in
          result[o * lags.count + l] = mean
          l += 1
        }
      }
      return result
    }
    return try Tensor(
      shape: [batch, origins.count, lags.count], scalars: perSequence.flatMap { $0 })
  }
}

extension RecurrentModel where Scalar == Double {
  /// The sensitivities of `inputs` [B × T × m] at the pairs of `sample`, streamed from one
  /// forward-mode pass. `method`, `order`, `gates` and `dense` as for `stepJacobians` and
  /// `StepJacobians.sensitivities`; the same pair gets the same value (the power methods draw the
  /// same start vectors), up to the exact norm's warm starts.
  public func sampledSensitivities(
    _ inputs: Tensor<Double>, sample: PairSample, method: NormMethod = .exact,
    order: ProductOrder = .forward, gates selected: [NodeID]? = nil, dense: Bool = false
  ) throws -> SampledSensitivities {
    let (pass, recorded) = try jacobianPass(
      inputs, dominant: false, gates: selected, operation: "sensitivity")
    guard inputs.shape[1] == sample.length else {
      throw TensorError.invalidArgument(
        operation: "sensitivity",
        message: "the sample is for T = \(sample.length), the inputs have T = \(inputs.shape[1])")
    }
    let structure = pass.structure
    let settings = SweepSettings(
      sample: sample, size: pass.size, method: method, order: order,
      diagonal: structure == .diagonal && !dense && method == .exact,
      cold: structure == .diagonal)
    // Dense steps whose zeros split the state into uncoupled blocks sweep each block on its own.
    let blocks =
      structure == .dense && method == .exact && !dense ? try pass.couplingBlocks(inputs) : nil
    let (record, parts) = try pass.run(inputs) { range in
      BlockSweepConsumer(settings: settings, blocks: blocks, sequences: range)
    }
    let batch = inputs.shape[0]
    return SampledSensitivities(
      sample: sample, batch: batch,
      values: try Tensor(
        shape: [batch, sample.origins.count, sample.lags.count], scalars: parts.flatMap { $0 }),
      gates: record.gates, gateNodes: recorded,
      gateRetentions: gateRetentions(recorded, in: pass), structure: structure)
  }
}

/// One lane's sweeps, block by block when `blocks` split the state: each block's rows and
/// columns of J_t are copied out and swept as a smaller state, and a pair's norm is the largest
/// of the blocks'.
private final class BlockSweepConsumer: StepConsumer {
  private let sweeps: [SweepConsumer]
  private let entries: [[Int]]
  private let buffers: [UnsafeMutablePointer<Double>]
  private let sequences: Range<Int>
  private let size: Int

  init(settings: SweepSettings, blocks: CouplingBlocks?, sequences: Range<Int>) {
    self.sequences = sequences
    size = settings.size
    guard let blocks else {
      (sweeps, entries, buffers) = (
        [SweepConsumer(settings: settings, sequences: sequences)], [], []
      )
      return
    }
    entries = blocks.groups + (blocks.singles.isEmpty ? [] : [blocks.singles])
    sweeps = entries.enumerated().map { index, group in
      let isSingles = index == blocks.groups.count
      return SweepConsumer(
        settings: SweepSettings(
          sample: settings.sample, size: group.count, method: settings.method,
          order: settings.order, diagonal: isSingles, cold: isSingles),
        sequences: sequences)
    }
    buffers = entries.map {
      .allocate(capacity: Swift.max(1, sequences.count * $0.count * $0.count))
    }
  }

  deinit {
    for buffer in buffers { buffer.deallocate() }
  }

  func consume(step t: Int, _ jacobians: [StepMatrices]) throws {
    guard !entries.isEmpty else { return try sweeps[0].consume(step: t, jacobians) }
    let n = size
    for (index, group) in entries.enumerated() {
      let (m, buffer) = (group.count, buffers[index])
      for b in 0..<sequences.count {
        let j = jacobians[0].matrix(b)
        for (r, i) in group.enumerated() {
          for (c, k) in group.enumerated() { buffer[(b * m + r) * m + c] = j[i * n + k] }
        }
      }
      try sweeps[index].consume(
        step: t, [StepMatrices(base: UnsafePointer(buffer), size: m, isBatched: true)])
    }
  }

  func finish() -> [Double] {
    var result = sweeps[0].finish()
    for sweep in sweeps.dropFirst() { combineLargest(&result, sweep.finish()) }
    return result
  }
}

/// What every lane's sweep shares.
private struct SweepSettings: Sendable {
  let sample: PairSample
  let size: Int
  let method: NormMethod
  let order: ProductOrder
  /// Keep diagonals and take max |∏ d| (exact norms of diagonal steps).
  let diagonal: Bool
  /// Restart the exact norm from a generic vector for every pair (diagonal steps on the dense
  /// path; see `StepJacobians.sensitivities`).
  let cold: Bool
}

/// One lane's sweeps: for each of its sequences, the transports of the origins whose sweep is
/// under way, in a ring of `overlap` slots, multiplied by each J_t as it arrives. Forward
/// products are kept transposed (Pᵀ ← Pᵀ J_tᵀ) and reverse ones as they are (P ← P J_t), so
/// either is one tall GEMM over the slots of the origins in flight.
private final class SweepConsumer: StepConsumer {
  let settings: SweepSettings
  let sequences: Range<Int>
  /// Lag h's index in `sample.lags`, or -1: [largest lag + 1].
  private let lagIndex: [Int]
  private let slots: Int
  private let block: Int
  private var current: UnsafeMutablePointer<Double>
  private var next: UnsafeMutablePointer<Double>
  private let vectors: UnsafeMutablePointer<Double>
  private let work: UnsafeMutablePointer<Double>
  private let scratch: MatrixScratch
  /// [lane's sequences × O × L], NaN until measured.
  private var values: [Double]
  /// The origins in flight are `low ..< high` (indices into `sample.origins`).
  private var (low, high) = (0, 0)

  init(settings: SweepSettings, sequences: Range<Int>) {
    self.settings = settings
    self.sequences = sequences
    let sample = settings.sample
    let n = settings.size
    var index = [Int](repeating: -1, count: sample.lags[sample.lags.count - 1] + 1)
    for (l, h) in sample.lags.enumerated() { index[h] = l }
    lagIndex = index
    slots = Swift.max(1, sample.overlap)
    block = settings.diagonal ? n : n * n
    let capacity = sequences.count * slots * block
    current = .allocate(capacity: Swift.max(1, capacity))
    next = .allocate(capacity: Swift.max(1, settings.diagonal ? 1 : capacity))
    vectors = .allocate(capacity: Swift.max(1, sequences.count * slots * n))
    work = .allocate(capacity: 2 * n)
    scratch = MatrixScratch(n: n)
    values = Array(
      repeating: .nan, count: sequences.count * sample.origins.count * sample.lags.count)
  }

  deinit {
    for buffer in [current, next, vectors, work] { buffer.deallocate() }
  }

  /// Slot `o`'s block of sequence `b` (of the lane) in `buffer`.
  private func slot(_ buffer: UnsafeMutablePointer<Double>, _ b: Int, _ o: Int)
    -> UnsafeMutablePointer<Double>
  {
    buffer + (b * slots + o % slots) * block
  }

  func consume(step t: Int, _ jacobians: [StepMatrices]) throws {
    let (origins, span) = (settings.sample.origins, settings.sample.lags.last ?? 1)
    // In flight after this step: origins k with t - span ≤ k ≤ t - 1.
    while low < origins.count, origins[low] < t - span { low += 1 }
    let continuing = high
    while high < origins.count, origins[high] < t { high += 1 }
    guard low < high else { return }
    try checkCancellation()
    let n = settings.size
    for b in 0..<sequences.count {
      let j = jacobians[0].matrix(b)
      if settings.diagonal {
        for i in 0..<n { work[i] = j[i * n + i] }
        for o in low..<high {
          let d = slot(current, b, o)
          if o >= continuing {
            d.update(from: work, count: n)
          } else {
            for i in 0..<n { d[i] *= work[i] }
          }
        }
      } else {
        advance(b, j, from: low, to: continuing)
        for o in Swift.max(low, continuing)..<high {
          let target = slot(next, b, o)
          for row in 0..<n {
            for column in 0..<n {
              // Forward: Pᵀ = J_{k+1}ᵀ; reverse: P = J_{k+1}.
              target[settings.order == .forward ? column * n + row : row * n + column] =
                j[row * n + column]
            }
          }
          scratch.resetVector(vectors + (b * slots + o % slots) * n)
        }
      }
      for o in low..<high {
        let l = lagIndex[t - origins[o]]
        if l >= 0 { measure(b, o, l, t: t) }
      }
    }
    if !settings.diagonal { swap(&current, &next) }
  }

  /// The slots of origins `first ..< end` of sequence `b` times J_t (`j`), into `next`: one GEMM
  /// per contiguous run of the ring.
  private func advance(_ b: Int, _ j: UnsafePointer<Double>, from first: Int, to end: Int) {
    let n = settings.size
    var o = first
    while o < end {
      let run = Swift.min(end - o, slots - o % slots)
      Double.gemm(
        transposeA: false, transposeB: settings.order == .forward, m: n * run, n: n, k: n,
        alpha: 1, a: slot(current, b, o), lda: n, b: j, ldb: n, beta: 0, c: slot(next, b, o),
        ldc: n)
      o += run
    }
  }

  /// Pair (origin o, lag l) of sequence `b`, whose transport ends at step `t`.
  private func measure(_ b: Int, _ o: Int, _ l: Int, t: Int) {
    let n = settings.size
    let sample = settings.sample
    let norm: Double
    if settings.diagonal {
      let d = slot(current, b, o)
      var (largest, isNaN) = (0.0, false)
      for i in 0..<n {
        isNaN = isNaN || d[i].isNaN
        largest = Swift.max(largest, Swift.abs(d[i]))
      }
      norm = isNaN ? .nan : largest
    } else {
      let product = UnsafePointer(slot(next, b, o))
      let onP = settings.order == .forward  // forward blocks hold Pᵀ
      let k = sample.origins[o]
      func start(_ seed: UInt64) -> [Double] {
        var stream = RandomStream(seed: seed).substream(sequences.lowerBound + b)
          .substream(t).substream(k)
        return (0..<n).map { _ in stream.normal() }
      }
      switch settings.method {
      case .exact:
        let vector = vectors + (b * slots + o % slots) * n
        if settings.cold { scratch.resetVector(vector) }
        norm = scratch.spectralNorm(product, transposed: true, vector: vector)
      case .power(let iterations, let seed):
        norm = scratch.powerEstimate(
          product, transposed: onP, iterations: iterations, start: start(seed))
      case .powerOnP(let iterations, let epsilon, let seed):
        norm = powerOnP(
          product, n: n, transposed: onP, iterations: iterations, epsilon: epsilon,
          start: start(seed), work: work)
      }
    }
    values[(b * sample.origins.count + o) * sample.lags.count + l] = norm
  }

  func finish() -> [Double] { values }
}
