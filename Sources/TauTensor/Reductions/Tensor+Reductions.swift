// Reductions along axes: sum, mean, max, min, median and quantiles.

/// How a reduction combines the elements of one row.
public enum ReductionOperation: String, CaseIterable, Sendable {
  case sum  // Σ x (pairwise, so rounding error grows like log n)
  case mean  // Σ x / n (NaN for no elements)
  case maximum  // max x (NaN if any is NaN)
  case minimum  // min x (NaN if any is NaN)
}

extension Tensor {
  /// Reduces over `axes` (all axes when nil). With `keepingAxes` the reduced axes stay as size 1,
  /// so the result broadcasts against `self`.
  public func reduced(
    _ op: ReductionOperation, along axes: [Int]? = nil, keepingAxes: Bool = false
  ) throws -> Tensor {
    let rows = try rowsForReduction(along: axes, operation: op.rawValue)
    if rows.length == 0 && (op == .maximum || op == .minimum) {
      throw TensorError.invalidShape(
        operation: op.rawValue, shape: shape, reason: "no elements to reduce")
    }
    let result = Tensor(uninitializedShape: keepingAxes ? rows.keptShape : rows.shape) { output in
      reduceRows(
        op, rows.source.storage.base + rows.source.offset, rowCount: rows.count,
        rowLength: rows.length, output: output)
    }
    return result
  }

  /// The sum over `axes` (all when nil).
  public func sum(along axes: [Int]? = nil, keepingAxes: Bool = false) throws -> Tensor {
    try reduced(.sum, along: axes, keepingAxes: keepingAxes)
  }
  /// The mean over `axes` (all when nil).
  public func mean(along axes: [Int]? = nil, keepingAxes: Bool = false) throws -> Tensor {
    try reduced(.mean, along: axes, keepingAxes: keepingAxes)
  }
  /// The largest element over `axes` (all when nil).
  public func max(along axes: [Int]? = nil, keepingAxes: Bool = false) throws -> Tensor {
    try reduced(.maximum, along: axes, keepingAxes: keepingAxes)
  }
  /// The smallest element over `axes` (all when nil).
  public func min(along axes: [Int]? = nil, keepingAxes: Bool = false) throws -> Tensor {
    try reduced(.minimum, along: axes, keepingAxes: keepingAxes)
  }

  /// The `q`-quantile over `axes` (all when nil), interpolating linearly between order
  /// statistics as NumPy's default (`method="linear"`) does; NaN if a row holds a NaN.
  public func quantile(_ q: Scalar, along axes: [Int]? = nil, keepingAxes: Bool = false) throws
    -> Tensor
  {
    guard q >= 0, q <= 1 else {
      throw TensorError.invalidArgument(operation: "quantile", message: "q = \(q) is not in [0, 1]")
    }
    let rows = try rowsForReduction(along: axes, operation: "quantile")
    guard rows.length > 0 else {
      throw TensorError.invalidShape(
        operation: "quantile", shape: shape, reason: "no elements to reduce")
    }
    return Tensor(uninitializedShape: keepingAxes ? rows.keptShape : rows.shape) { output in
      let base = rows.source.storage.base + rows.source.offset
      var row = [Scalar](repeating: 0, count: rows.length)
      for r in 0..<rows.count {
        for i in 0..<rows.length { row[i] = base[r * rows.length + i] }
        if row.contains(where: \.isNaN) {
          output[r] = .nan
          continue
        }
        row.sort()
        let position = q * Scalar(rows.length - 1)
        let lower = Int(position.rounded(.down))
        let upper = Swift.min(lower + 1, rows.length - 1)
        let fraction = position - Scalar(lower)
        output[r] = row[lower] + (row[upper] - row[lower]) * fraction
      }
    }
  }

  /// The median over `axes` (all when nil): the 0.5-quantile.
  public func median(along axes: [Int]? = nil, keepingAxes: Bool = false) throws -> Tensor {
    try quantile(0.5, along: axes, keepingAxes: keepingAxes)
  }

  /// The elements rearranged as `count` contiguous rows of `length`, one row per output element,
  /// holding the elements that reduce into it.
  private func rowsForReduction(along axes: [Int]?, operation: String) throws -> (
    source: Tensor, count: Int, length: Int, shape: [Int], keptShape: [Int]
  ) {
    let reducedAxes = try Set(
      (axes ?? Array(0..<rank)).map { try resolvedAxis($0, operation: operation) })
    let kept = (0..<rank).filter { !reducedAxes.contains($0) }
    let order = kept + reducedAxes.sorted()
    let source = try permuted(order).contiguous()
    let length = reducedAxes.reduce(1) { $0 * shape[$1] }
    let keptShape = (0..<rank).map { reducedAxes.contains($0) ? 1 : shape[$0] }
    let outShape = kept.map { shape[$0] }
    return (source, outShape.reduce(1, *), length, outShape, keptShape)
  }
}

/// Reduces `rowCount` contiguous rows of `rowLength` elements each into `output`.
@_specialize(where S == Float)
@_specialize(where S == Double)
func reduceRows<S: TensorScalar>(
  _ op: ReductionOperation, _ input: UnsafePointer<S>, rowCount: Int, rowLength: Int,
  output: UnsafeMutablePointer<S>
) {
  for r in 0..<rowCount {
    let row = input + r * rowLength
    switch op {
    case .sum: output[r] = pairwiseSum(row, rowLength)
    case .mean: output[r] = pairwiseSum(row, rowLength) / S(rowLength)
    case .maximum: output[r] = extremum(row, rowLength, >)
    case .minimum: output[r] = extremum(row, rowLength, <)
    }
  }
}

/// The element of `x[0..<n]` (n ≥ 1) that wins `isBetter` against all others; NaN if any is NaN.
@inline(__always)
func extremum<S: TensorScalar>(_ x: UnsafePointer<S>, _ n: Int, _ isBetter: (S, S) -> Bool) -> S {
  var best = x[0]
  for i in 0..<n {
    if x[i].isNaN { return .nan }
    if isBetter(x[i], best) { best = x[i] }
  }
  return best
}

/// Σ x[0..<n] by pairwise summation over blocks of 128 (NumPy's scheme): error O(ε log n).
func pairwiseSum<S: TensorScalar>(_ x: UnsafePointer<S>, _ n: Int) -> S {
  if n <= 128 {
    // Eight accumulators let the loop vectorise without reassociation.
    var acc = (S.zero, S.zero, S.zero, S.zero, S.zero, S.zero, S.zero, S.zero)
    var i = 0
    while i + 8 <= n {
      acc.0 += x[i]
      acc.1 += x[i + 1]
      acc.2 += x[i + 2]
      acc.3 += x[i + 3]
      acc.4 += x[i + 4]
      acc.5 += x[i + 5]
      acc.6 += x[i + 6]
      acc.7 += x[i + 7]
      i += 8
    }
    var total = ((acc.0 + acc.1) + (acc.2 + acc.3)) + ((acc.4 + acc.5) + (acc.6 + acc.7))
    while i < n {
      total += x[i]
      i += 1
    }
    return total
  }
  let half = (n / 2) & ~7
  return pairwiseSum(x, half) + pairwiseSum(x + half, n - half)
}

extension Tensor {
  /// Whether every element is finite (no NaN, no infinity); the training loop's check.
  public var isFinite: Bool {
    withUnsafeBufferPointer { allFinite($0.baseAddress, $0.count) }
  }
}

@_specialize(where S == Float)
@_specialize(where S == Double)
func allFinite<S: TensorScalar>(_ x: UnsafePointer<S>?, _ count: Int) -> Bool {
  guard let x else { return true }
  // Summing x·0 is NaN exactly when some element is NaN or infinite. The terms are 0 or NaN,
  // so the order of the sum does not matter: eight running sums keep the adds independent.
  var probes = (S.zero, S.zero, S.zero, S.zero, S.zero, S.zero, S.zero, S.zero)
  var i = 0
  while i + 8 <= count {
    probes.0 += x[i] * 0
    probes.1 += x[i + 1] * 0
    probes.2 += x[i + 2] * 0
    probes.3 += x[i + 3] * 0
    probes.4 += x[i + 4] * 0
    probes.5 += x[i + 5] * 0
    probes.6 += x[i + 6] * 0
    probes.7 += x[i + 7] * 0
    i += 8
  }
  var probe = probes.0 + probes.1 + probes.2 + probes.3 + probes.4 + probes.5 + probes.6 + probes.7
  while i < count {
    probe += x[i] * 0
    i += 1
  }
  return probe == 0
}
