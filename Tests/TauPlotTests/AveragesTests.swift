// Averages and labels charts are built from: mean ± std by hand, lines averaged over runs
// (arithmetic and geometric bands), heat maps averaged in blocks, histogram bins, and the short
// number form of captions.
import Testing

@testable import TauPlot

private func close(_ a: [Double], _ b: [Double], tolerance: Double = 1e-12) -> Bool {
  a.count == b.count
    && zip(a, b).allSatisfy { Swift.abs($0 - $1) <= tolerance * Swift.max(1, Swift.abs($1)) }
}

@Suite struct AveragesTests {
  @Test func meanAndPopulationStdOfTheFiniteValues() {
    let stats = MeanAndStd(of: [1, 2, 3, .nan, .infinity])
    #expect(stats.mean == 2 && Swift.abs(stats.std - (2.0 / 3).squareRoot()) < 1e-15)
    let none = MeanAndStd(of: [.nan])
    #expect(none.mean.isNaN && none.std.isNaN)
  }

  /// Rows (1, 2), (2, 4), (3, 9): means 2 and 5, population stds √(2/3) and √(26/3).
  @Test func linesAveragedOverRunsGetAStdBand() throws {
    let s = Series(meanOf: [[1, 2], [2, 4], [3, 9]], name: "ai", x: [1, 2])
    #expect(s.name == "ai" && s.x == [1, 2] && s.y == [2, 5])
    let std = [(2.0 / 3).squareRoot(), (26.0 / 3).squareRoot()]
    let band = try #require(s.band)
    #expect(close(band.lower, [2 - std[0], 5 - std[1]]))
    #expect(close(band.upper, [2 + std[0], 5 + std[1]]))
  }

  /// Geometric: 1 and 100 give 10 ×/÷ 10, the band 1 … 100; 0.001 and 0.1 give 0.01 ×/÷ 10.
  /// A value ≤ 0 is left out of the log-space average.
  @Test func geometricAveragesForALogAxis() throws {
    let s = Series(
      meanOf: [[1, 0.001], [100, 0.1], [-1, 0]], name: "s", x: [1, 2], isGeometric: true)
    let band = try #require(s.band)
    #expect(close(s.y + band.lower + band.upper, [10, 0.01, 1, 0.001, 100, 0.1]))
  }

  /// A 4 × 4 matrix of 0 … 15 averaged to 2 × 2: each block of four, e.g. (0 + 1 + 4 + 5)/4.
  @Test func largeHeatMapsAreAveragedInBlocks() {
    let values = (0..<16).map(Double.init)
    let map = HeatMap(values, rows: 4, columns: 4, maxRows: 2, maxColumns: 2)
    #expect(map.rows == 2 && map.columns == 2 && map.values == [2.5, 4.5, 10.5, 12.5])
    #expect(map.originalSize?.rows == 4 && map.originalSize?.columns == 4)
    let small = HeatMap(values, rows: 4, columns: 4)
    #expect(small == HeatMap(rows: 4, columns: 4, values: values) && small.originalSize == nil)
  }

  @Test func histogramsCountValuesInEqualBins() throws {
    let h = try #require(Histogram(values: [1, 2, 2, 3, 4, 4, 4, 5, .nan], bins: 4))
    #expect(h == Histogram(edges: [1, 2, 3, 4, 5], counts: [1, 2, 1, 4]))
    // One distinct value: a unit-wide range around it.
    #expect(Histogram(values: [2, 2, .nan], bins: 2)?.counts == [0, 2])
    #expect(Histogram(values: [.nan], bins: 2) == nil && Histogram(values: [1], bins: 0) == nil)
    let extreme = try #require(Histogram(values: [-1.7e308, 1.7e308], bins: 2))
    #expect(extreme.counts == [1, 1] && extreme.edges == [-1.7e308, 0, 1.7e308])
  }

  @Test func captionNumbersAreShort() {
    #expect(PlotLabel.number(3) == "3" && PlotLabel.number(-120) == "-120")
    #expect(PlotLabel.number(0.123456) == "0.1235" && PlotLabel.number(1.5e20) == "1.5e+20")
    #expect(PlotLabel.number(1e6) == "1e+06")
    #expect(PlotLabel.number(.nan) == "nan" && PlotLabel.number(-.infinity) == "-inf")
  }
}
