// Averages that charts are built from: the mean ± std of a sample, a line averaged over several
// runs with its spread as a band, and a large matrix averaged in blocks down to a drawable size.
import Foundation

/// The mean and population standard deviation (NumPy's default) of the finite values of a
/// sample.
public struct MeanAndStd: Sendable {
  /// The mean of the finite values; nan when there are none.
  public var mean: Double
  /// The population standard deviation of the finite values; nan when there are none.
  public var std: Double

  /// The mean and std of the finite values of `values`.
  public init(of values: [Double]) {
    let finite = values.filter(\.isFinite)
    guard !finite.isEmpty else {
      mean = .nan
      std = .nan
      return
    }
    let n = Double(finite.count)
    let mean = finite.reduce(0, +) / n
    let variance = finite.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
    self.mean = mean
    std = variance.squareRoot()
  }
}

extension Series {
  /// The point-by-point mean of `rows` (one y list per run, each as long as `x`) with a ±1 std
  /// band, over the finite values at each point. `isGeometric` (for a log axis) takes both in
  /// log space over the positive values: the geometric mean, times or divided by the geometric
  /// std, a band that a log axis can draw (mean − std goes below zero there as soon as the
  /// values spread over decades).
  public init(meanOf rows: [[Double]], name: String, x: [Double], isGeometric: Bool = false) {
    // A row too short for a point has no value there, as a nan.
    func column(_ i: Int) -> [Double] { rows.map { i < $0.count ? $0[i] : .nan } }
    if isGeometric {
      let stats = x.indices.map { i in
        MeanAndStd(of: column(i).map { $0 > 0 ? Foundation.log($0) : .nan })
      }
      self.init(
        name: name, x: x, y: stats.map { Foundation.exp($0.mean) },
        band: Band(
          lower: stats.map { Foundation.exp($0.mean - $0.std) },
          upper: stats.map { Foundation.exp($0.mean + $0.std) }))
      return
    }
    let stats = x.indices.map { MeanAndStd(of: column($0)) }
    let mean = stats.map(\.mean)
    let std = stats.map(\.std)
    self.init(
      name: name, x: x, y: mean,
      band: Band(lower: zip(mean, std).map(-), upper: zip(mean, std).map(+)))
  }
}

extension HeatMap {
  /// The largest side drawn cell by cell by default; larger matrices are averaged in blocks.
  public static let maxDrawnSide = 300

  /// The `rows × columns` row-major matrix `values` as a heat map, averaged over blocks (of the
  /// finite values) when it has more than `maxRows` rows or `maxColumns` columns; then
  /// `originalSize` keeps its size.
  public init(
    _ values: [Double], rows: Int, columns: Int, maxRows: Int = HeatMap.maxDrawnSide,
    maxColumns: Int = HeatMap.maxDrawnSide
  ) {
    let newRows = Swift.max(1, Swift.min(rows, maxRows))
    let newColumns = Swift.max(1, Swift.min(columns, maxColumns))
    guard newRows != rows || newColumns != columns else {
      self.init(rows: rows, columns: columns, values: values)
      return
    }
    var means: [Double] = []
    for r in 0..<newRows {
      for c in 0..<newColumns {
        var block: [Double] = []
        for i in (r * rows / newRows)..<((r + 1) * rows / newRows) {
          for j in (c * columns / newColumns)..<((c + 1) * columns / newColumns) {
            block.append(values[i * columns + j])
          }
        }
        means.append(MeanAndStd(of: block).mean)
      }
    }
    self.init(rows: newRows, columns: newColumns, values: means, originalSize: (rows, columns))
  }
}
