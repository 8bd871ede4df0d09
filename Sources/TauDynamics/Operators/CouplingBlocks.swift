// State entries that no step couples. When no J_t of a batch has an entry (i, j) linking two
// groups of state entries, in either direction, every transport is block diagonal after a
// permutation, and its spectral norm is the largest of its blocks' norms. Mamba's scan splits so
// into one block per channel (h_i with its N entries S[·, i]), gated DeltaNet into one per value
// column, and a diagonal cell into single entries: the products then cost the blocks' sizes
// cubed, not N³. The groups are read from the Jacobians' exact zeros on the batch at hand, so
// the split is exact for it whatever produced the zeros.
import TauGraph
import TauTensor

/// Groups of state entries that the step Jacobians never couple, each sorted, ordered by their
/// first entry; entries coupled to nothing are gathered in `singles`.
struct CouplingBlocks: Sendable, Equatable {
  var groups: [[Int]]
  var singles: [Int]

  /// The connected components of the graph with an edge i – j wherever `coupled(i, j)`.
  init(size n: Int, coupled: (Int, Int) -> Bool) {
    var parent = Array(0..<n)
    func root(_ i: Int) -> Int {
      var i = i
      while parent[i] != i {
        parent[i] = parent[parent[i]]
        i = parent[i]
      }
      return i
    }
    for i in 0..<n {
      for j in 0..<n where i != j && coupled(i, j) {
        let (a, b) = (root(i), root(j))
        if a != b { parent[Swift.max(a, b)] = Swift.min(a, b) }
      }
    }
    var members: [Int: [Int]] = [:]
    for i in 0..<n { members[root(i), default: []].append(i) }
    let components = members.values.sorted { $0[0] < $1[0] }
    groups = components.filter { $0.count > 1 }
    singles = components.filter { $0.count == 1 }.map { $0[0] }
  }

  /// Whether the split helps: more than one block.
  var splits: Bool { groups.count + (singles.isEmpty ? 0 : 1) > 1 }
}

/// Which entries (i, j) of an N×N matrix are not exactly zero (NaN counts as non-zero), OR-ed
/// over every matrix added.
struct CouplingPattern: Sendable {
  let size: Int
  var nonzero: [Bool]

  init(size: Int) {
    self.size = size
    nonzero = Array(repeating: false, count: size * size)
  }

  mutating func add(_ matrix: UnsafePointer<Double>) {
    for e in 0..<(size * size) where matrix[e] != 0 || matrix[e].isNaN { nonzero[e] = true }
  }

  mutating func merge(_ other: CouplingPattern) {
    for e in nonzero.indices where other.nonzero[e] { nonzero[e] = true }
  }

  var blocks: CouplingBlocks {
    CouplingBlocks(size: size) { nonzero[$0 * size + $1] || nonzero[$1 * size + $0] }
  }
}

extension StepJacobians {
  /// The coupling blocks of these Jacobians.
  func couplingBlocks() -> CouplingBlocks {
    var pattern = CouplingPattern(size: size)
    full.contiguous().withUnsafeBufferPointer { all in
      guard let base = all.baseAddress else { return }
      for m in 0..<(batch * length) { pattern.add(base + m * size * size) }
    }
    return pattern.blocks
  }

  /// The Jacobians restricted to the state entries `entries` (rows and columns), with the
  /// structure given.
  func restricted(to entries: [Int], structure: JacobianStructure) throws -> StepJacobians {
    let (n, m) = (size, entries.count)
    let source = full.contiguous().scalars
    var result = [Double](repeating: 0, count: batch * length * m * m)
    for matrix in 0..<(batch * length) {
      for (r, i) in entries.enumerated() {
        for (c, j) in entries.enumerated() {
          result[(matrix * m + r) * m + c] = source[(matrix * n + i) * n + j]
        }
      }
    }
    var part = StepJacobians(
      batch: batch, length: length, size: m,
      full: try Tensor(shape: [batch, length, m, m], scalars: result), dominant: nil, gates: nil,
      states: states)
    part.structure = structure
    return part
  }

  /// `sensitivities` taken block by block when the coupling blocks split the state: the
  /// largest of the blocks' norms for each pair, NaN if any block's is. Nil when they do not.
  func blockwiseSensitivities(order: ProductOrder) throws -> Tensor<Double>? {
    let blocks = couplingBlocks()
    guard blocks.splits else { return nil }
    var result: [Double]?
    // One block at a time, folded into the running maximum, so that only two [B × T × T]
    // results are alive at once.
    func fold(_ part: Tensor<Double>) {
      guard var running = result else {
        result = part.contiguous().scalars
        return
      }
      result = nil
      combineLargest(&running, part.contiguous().scalars)
      result = running
    }
    for group in blocks.groups {
      fold(try restricted(to: group, structure: .dense).sensitivities(order: order, dense: true))
    }
    if !blocks.singles.isEmpty {
      fold(try restricted(to: blocks.singles, structure: .diagonal).sensitivities(order: order))
    }
    return try Tensor(shape: [batch, length, length], scalars: result ?? [])
  }
}

extension JacobianPass {
  /// The coupling blocks of the pass's Jacobians on `inputs`, nil when they do not split the
  /// state. A pass of its own: a sweep that streams the Jacobians needs them from the first step.
  func couplingBlocks(_ inputs: Tensor<Double>) throws -> CouplingBlocks? {
    let size = size
    var pattern = CouplingPattern(size: size)
    for part in try run(
      inputs, consumer: { PatternConsumer(pattern: .init(size: size), sequences: $0.count) }
    ).results {
      pattern.merge(part)
    }
    return pattern.blocks.splits ? pattern.blocks : nil
  }
}

/// The OR of the zero patterns of every step's J_t of a lane.
private struct PatternConsumer: StepConsumer {
  var pattern: CouplingPattern
  let sequences: Int

  mutating func consume(step t: Int, _ jacobians: [StepMatrices]) {
    for b in 0..<(jacobians[0].isBatched ? sequences : 1) { pattern.add(jacobians[0].matrix(b)) }
  }

  func finish() -> CouplingPattern { pattern }
}

/// `running[e] = max(running[e], part[e])`, NaN wherever either is NaN.
func combineLargest(_ running: inout [Double], _ part: [Double]) {
  for (e, value) in part.enumerated() {
    running[e] = value.isNaN || running[e].isNaN ? .nan : Swift.max(running[e], value)
  }
}
