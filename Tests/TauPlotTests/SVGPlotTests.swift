// The SVG renderer: page positions from the layout rules, thinning of long lines, escaping,
// valid and deterministic XML, heat-map cells, bins, and a log x axis, with hand-computed
// expectations.
import Foundation
import Testing

@testable import TauPlot

#if canImport(FoundationXML)
  import FoundationXML
#endif

private func occurrences(of needle: String, in text: String) -> Int {
  text.components(separatedBy: needle).count - 1
}

private func lines(_ series: [Series], legend: Bool = false, xLabel: String? = nil) -> Plot {
  Plot(chart: .lines(LineChart(series: series, showsLegend: legend)), xLabel: xLabel)
}

@Suite struct SVGPlotTests {
  @Test func pagePositionsOfKnownPoints() throws {
    let frame = PlotFrame(
      left: 50, top: 40, width: 500, height: 300, x: AxisScale(lower: 0, upper: 10),
      y: AxisScale(lower: 1e-3, upper: 10, isLog: true))
    let p = try #require(frame.position(2.5, 0.1))
    #expect(p.x == 175 && p.y == 190)  // x: 50 + 0.25·500; y: 40 + (1 - 2/4)·300
    #expect(frame.position(2.5, 0) == nil)  // not on a log axis
    #expect(frame.position(.nan, 1) == nil)
  }

  @Test func renderedLineLandsWhereTheLayoutRulesPutIt() {
    // x = 1, 2 spans 0.98…2.02 (2% padding); y spans -0.05…1.05 (5%) with labels "0.0" … "1.0".
    // Left margin 10 + 3·7 + 8 = 39, right edge 640 - 20, so 581 wide; top 12 + 6 = 18, bottom
    // 420 - 28 = 392, so 374 high. (1, 0) → (39 + 581·0.02/1.04, 18 + 374·(1 - 0.05/1.1))
    // = (50.17, 375); (2, 1) → (39 + 581·1.02/1.04, 18 + 374·0.05/1.1) = (608.83, 35).
    let text = SVGPlot(plot: lines([Series(name: "", x: [1, 2], y: [0, 1])])).render()
    #expect(text.contains("d=\"M50.17,375 L608.83,35\""), "\(text)")
  }

  @Test func coordinatesHaveAtMostTwoDecimals() {
    #expect(SVGDocument.number(12) == "12")
    #expect(SVGDocument.number(12.5) == "12.5")
    #expect(SVGDocument.number(12.256) == "12.26")
    #expect(SVGDocument.number(-0.001) == "0")
    #expect(SVGDocument.number(.infinity) == "0")
    #expect(SVGDocument.escaped("a<b & 'c'\t\u{1}") == "a&lt;b &amp; &apos;c&apos; \u{FFFD}")
  }

  @Test func longLinesAreThinnedButKeepTheirExtremes() throws {
    var y = [Double](repeating: 0, count: 10_000)
    y[5000] = 1
    y[7000] = -1
    let plot = lines([Series(name: "", x: (1...10_000).map(Double.init), y: y)])
    let path = try #require(
      SVGPlot(plot: plot).render().components(separatedBy: "\n").first {
        $0.contains("class=\"series\"")
      })
    let points = occurrences(of: " L", in: path) + 1
    #expect(points > 581 && points <= 4 * 582, "\(points) points")
    let frame = SVGPlot(plot: plot).frame()
    for value in [1.0, -1] {
      let top = SVGDocument.number(try #require(frame.pageY(value)))
      #expect(path.contains(",\(top) "), "the extreme \(value) is kept")
    }
  }

  @Test func svgIsDeterministicValidXMLWithATitle() throws {
    var plot = lines([Series(name: "y", x: [1, 2, 3], y: [3, 1, 2])], legend: true, xLabel: "x")
    plot.title = "a < b & \"c\""
    let first = SVGPlot(plot: plot).render()
    #expect(first == SVGPlot(plot: plot).render())
    #expect(first.contains("<title>a &lt; b &amp; &quot;c&quot;</title>"))
    #expect(first.contains("width=\"640\" height=\"420\"") && first.contains("sans-serif"))
    #expect(SVGPlot(plot: lines([])).render().contains("<title>Tau plot</title>"))
    plot.title = nil
    #expect(SVGPlot(plot: plot, fallbackTitle: "fig").render().contains("<title>fig</title>"))
    #if canImport(FoundationXML) || canImport(Darwin)
      let parser = XMLParser(data: Data(first.utf8))
      #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
    #endif
  }

  @Test func matricesAreHeatMapsWithRowZeroAtTheBottom() throws {
    let map = HeatMap(rows: 3, columns: 4, values: (0..<12).map(Double.init))
    let text = SVGPlot(plot: Plot(chart: .heatMap(map))).render()
    #expect(occurrences(of: "<rect class=\"cell\"", in: text) == 12)
    #expect(text.contains("<rect class=\"colorbar\""))
    let cells = text.components(separatedBy: "\n").filter { $0.contains("class=\"cell\"") }
    func y(_ line: String) -> Double? {
      line.components(separatedBy: " y=\"").dropFirst().first?.components(separatedBy: "\"")
        .first.flatMap(Double.init)
    }
    // Cells go row by row from row 0; row 0 is lowest on the page (largest y).
    #expect(try #require(y(cells[0])) > (try #require(y(cells[11]))))
    // Value 0 is dark viridis, 11 the yellow end.
    #expect(cells[0].contains("#440154") && cells[11].contains("#fde725"))
  }

  @Test func histogramsAndBarsDrawOneRectangleEach() {
    let h = Histogram(edges: [1, 2, 3, 4, 5], counts: [1, 2, 0, 4])
    // An empty bin draws nothing.
    let bins = SVGPlot(plot: Plot(chart: .histogram(h))).render()
    #expect(occurrences(of: "<rect class=\"bin\"", in: bins) == 3)
    let bars = BarChart(labels: ["a", "b"], values: [1, 2], errors: [0.5, 0])
    let text = SVGPlot(plot: Plot(chart: .bars(bars))).render()
    #expect(occurrences(of: "<rect class=\"bar\"", in: text) == 2)
    // A zero error draws no whisker.
    #expect(occurrences(of: "<path class=\"whisker\"", in: text) == 1)
  }

  /// A log x axis from ε = 1e-5 to 1: padding of 2% of its 5 decades on each side gives
  /// 10^-5.1 … 10^0.1, and the ticks are the six decades 1e-05 … 1, labelled with %g.
  @Test func logXAxesTickAtDecades() throws {
    var plot = lines([Series(name: "error", x: [1e-5, 1e-3, 1], y: [1, 2, 3])], legend: true)
    plot.isLogX = true
    let renderer = SVGPlot(plot: plot)
    let (x, _) = renderer.scales()
    #expect(x.isLog)
    #expect(Swift.abs(log10(x.lower) + 5.1) < 1e-12 && Swift.abs(log10(x.upper) - 0.1) < 1e-12)
    let ticks = renderer.xTickLabels(x)
    #expect(ticks.map(\.value) == [1e-5, 1e-4, 1e-3, 0.01, 0.1, 1])
    #expect(ticks.map(\.label) == ["1e-05", "0.0001", "0.001", "0.01", "0.1", "1"])
  }
}
