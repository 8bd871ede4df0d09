// plot and export through Tau values: records, lists of records and tensors read as charts and
// tidy tables, the built-ins' files, previews and diagnostics, with hand-computed expectations.
// What TauPlot does with a chart or table alone (axes, SVG layout, the terminal preview, the
// CSV and JSON writers, output files) is tested in TauPlotTests.
import Foundation
import TauPlot
import TauTestSupport
import Testing

@testable import TauLang

/// The value of the last statement of `source`.
private func evaluate(_ source: String) throws -> Value {
  try Interpreter().run(SourceFile(name: "test.tau", text: source))
}

private func svg(_ source: String) throws -> String {
  SVGPlot(plot: try PlotData.plot(try evaluate(source))).render()
}

private func occurrences(of needle: String, in text: String) -> Int {
  text.components(separatedBy: needle).count - 1
}

@Suite struct PlotTests {
  // MARK: - SVG

  @Test func recordsGiveOnePathPerSeriesALegendAndACaption() throws {
    let text = try svg(
      """
      {lag: tensor([1, 2, 3]), empirical: [0.9, 0.5, 0.2], predicted: [1, 0.6, 0.1],
       fitted: [0.95, 0.55, nan], slope: 1.23, r2: 0.98, predictor: "retention"}
      """)
    #expect(occurrences(of: "<path class=\"series\"", in: text) == 3)
    for name in ["empirical", "predicted", "fitted"] {
      #expect(text.contains("<text class=\"legend\"") && text.contains(">\(name)</text>"))
    }
    #expect(text.contains(">slope = 1.23, r2 = 0.98</text>"))
    #expect(text.contains(">lag</text>"))
    // The NaN ends the third line after two points: one M, one L.
    let third = try #require(
      text.components(separatedBy: "\n").last { $0.contains(">fitted</title>") })
    #expect(occurrences(of: "M", in: third) == 1 && occurrences(of: " L", in: third) == 1)
  }

  @Test func listsOfRecordsGiveTheMeanAndAStdBand() throws {
    let plot = try PlotData.plot(
      try evaluate(
        """
        [{lag: [1, 2], ai: [1, 2], slope: 1}, {lag: [1, 2], ai: [2, 4], slope: 2},
         {lag: [1, 2], ai: [3, 9], slope: 3}]
        """))
    guard case .lines(let chart) = plot.chart else {
      Issue.record("expected lines")
      return
    }
    #expect(chart.legendTitle == "mean ± std over 3")
    let ai = try #require(chart.series.first)
    #expect(chart.series.count == 1 && ai.name == "ai" && ai.x == [1, 2] && ai.y == [2, 5])
    // Population std: √((1 + 0 + 1)/3) and √((9 + 1 + 16)/3).
    let std = [(2.0 / 3).squareRoot(), (26.0 / 3).squareRoot()]
    let band = try #require(ai.band)
    for i in 0..<2 {
      #expect(Swift.abs(band.lower[i] - (ai.y[i] - std[i])) < 1e-12)
      #expect(Swift.abs(band.upper[i] - (ai.y[i] + std[i])) < 1e-12)
    }
    #expect(plot.caption == ["slope = 2 ± 0.8165"])
    let text = SVGPlot(plot: plot).render()
    #expect(occurrences(of: "<path class=\"band\"", in: text) == 1)
    #expect(text.contains(">mean ± std over 3:</text>"))
  }

  /// On a log axis the band is geometric: values 1 and 100 give 10 ×/÷ 10, the band 1 … 100
  /// (an arithmetic band, 50.5 ± 49.5, would reach 1 at the bottom only by accident and go
  /// below zero for a wider spread).
  @Test func logAxesAverageGeometrically() throws {
    let plot = try PlotData.plot(
      try evaluate("[{lag: [1, 2], s: [1, 0.001]}, {lag: [1, 2], s: [100, 0.1]}]"), isLogY: true)
    guard case .lines(let chart) = plot.chart, let s = chart.series.first, let band = s.band else {
      Issue.record("expected lines with a band")
      return
    }
    #expect(chart.legendTitle == "geometric mean ×/÷ std over 2")
    for (value, expected) in zip(s.y + band.lower + band.upper, [10, 0.01, 1, 0.001, 100, 0.1]) {
      #expect(Swift.abs(value - expected) < 1e-12 * expected)
    }
  }

  @Test func quantileFieldsShadeTheirSeries() throws {
    let plot = try PlotData.plot(
      try evaluate("{lag: [1, 2], ai: [1, 2], ai_q25: [0.5, 1], ai_q75: [1.5, 3], ce: [4, 5]}"))
    guard case .lines(let chart) = plot.chart else {
      Issue.record("expected lines")
      return
    }
    #expect(chart.series.map(\.name) == ["ai", "ce"])
    #expect(chart.series[0].band == Band(lower: [0.5, 1], upper: [1.5, 3]))
    #expect(chart.series[1].band == nil)
  }

  /// A matrix is a heat map of its values as they are, or averaged down to 300 cells a side.
  @Test func matricesAreHeatMapsAveragedWhenLarge() throws {
    let plot = try PlotData.plot(try evaluate("reshape(range(12), [3, 4])"))
    #expect(
      plot.chart.heatMap == HeatMap(rows: 3, columns: 4, values: (0..<12).map(Double.init)))
    #expect(plot.xLabel == "column" && plot.yLabel == "row" && plot.caption == [])
    let large = try PlotData.plot(try evaluate("zeros([301, 2])"))
    #expect(large.chart.heatMap?.rows == 300 && large.chart.heatMap?.columns == 2)
    #expect(large.caption == ["averaged from 301×2 to 300×2 cells"])
  }

  @Test func histogramsCountValuesInEqualBins() throws {
    let plot = try PlotData.plot(try evaluate("[1, 2, 2, 3, 4, 4, 4, 5]"), kind: .hist, bins: 4)
    #expect(
      plot.chart.histogram == Histogram(edges: [1, 2, 3, 4, 5], counts: [1, 2, 1, 4]))
    #expect(occurrences(of: "<rect class=\"bin\"", in: SVGPlot(plot: plot).render()) == 4)
  }

  @Test func recordsOfNumbersAreBars() throws {
    let plot = try PlotData.plot(try evaluate("{seed: 1, plain: 3.1, scalar: 7.2, multi: 9}"))
    #expect(
      plot.chart.bars == BarChart(labels: ["plain", "scalar", "multi"], values: [3.1, 7.2, 9]))
    #expect(occurrences(of: "<rect class=\"bar\"", in: SVGPlot(plot: plot).render()) == 3)
  }

  @Test func logAxesSkipNonPositiveValuesAndSaySo() throws {
    let plot = try PlotData.plot(try evaluate("[1, 0, 10, -1]"), isLogY: true)
    #expect(plot.caption == ["2 values ≤ 0 not shown on the log scale"])
    #expect(throws: PlotArgumentError.self) {
      try PlotData.plot(try evaluate("[0, -1]"), isLogY: true)
    }
  }

  /// `logx` needs a line plot with positive x values (the Fréchet figure: ε from 1e-5 to 1).
  @Test func logXNeedsALinePlotWithPositiveX() throws {
    #expect(runSnippet("plot([1, 2, 3], kind: \"hist\", logx: true)").ids == ["value.invalid"])
    #expect(runSnippet("plot([1, 2], x: [-1, 0], logx: true)").ids == ["plot.logScale"])
  }

  @Test func extremeValuesDrawWithoutOverflowing() throws {
    let values = "[1e308, -1e308, 1, nan, 5e-324]"
    for kind in [PlotKind.auto, .bar, .hist, .heatmap] {
      let plot = try PlotData.plot(try evaluate(values), kind: kind)
      let logPlot = try PlotData.plot(try evaluate(values), kind: kind, isLogY: true)
      #expect(SVGPlot(plot: logPlot).render().contains("</svg>"))
      #expect(TerminalPlot.render(logPlot).hasSuffix("log scale\n"))
      #expect(SVGPlot(plot: plot).render().contains("</svg>"))
      #expect(TerminalPlot.render(plot).contains("└") || kind == .bar)
    }
  }

  @Test func plotWritesTheFileAndReturnsItsPath() throws {
    let scratch = try TemporaryFolder("plot")
    defer { scratch.remove() }
    let folder = scratch.path
    let run = runSnippet(
      "print(plot([1, 3, 2], file: \"\(folder)/new/p.svg\", title: \"t\"))",
    )
    #expect(run.ids == [] && run.output == "\(folder)/new/p.svg\n")
    let written = try String(contentsOfFile: "\(folder)/new/p.svg", encoding: .utf8)
    #expect(written.hasPrefix("<?xml") && written.contains("<title>t</title>"))
    guard case .plot(let svg, _, "\(folder)/new/p.svg")? = run.artifacts.first else {
      Issue.record("no plot reported: \(run.artifacts)")
      return
    }
    #expect(svg == written)
    // Without a file: none, and the host gets the SVG and the preview all the same.
    let unsaved = runSnippet("print(plot([1, 3, 2], title: \"t\") == none)")
    #expect(unsaved.output == "true\n")
    guard case .plot(let document, let preview, nil)? = unsaved.artifacts.first else {
      Issue.record("no plot reported: \(unsaved.artifacts)")
      return
    }
    #expect(document.hasPrefix("<?xml") && document.contains("<title>t</title>"))
    #expect(preview.hasPrefix("t\n3 ┤"))
  }

  // MARK: - Export

  @Test func csvOfARecordIsTidy() throws {
    let table = try TidyTable(
      try evaluate(
        """
        {seed: 1, model: "leaky, \\"gated\\"", lag: [1, 2], ai: tensor([0.1, 0.25], dtype: "f32"),
         slope: -1.5, ok: true, ratio: [nan, inf, 3]}
        """))
    #expect(
      TableWriters.csv(table) == #"""
        seed,model,ok,lag,index,metric,value
        1,"leaky, ""gated""",true,1,,ai,0.1
        1,"leaky, ""gated""",true,2,,ai,0.25
        1,"leaky, ""gated""",true,,,slope,-1.5
        1,"leaky, ""gated""",true,,1,ratio,NaN
        1,"leaky, ""gated""",true,,2,ratio,Inf
        1,"leaky, ""gated""",true,,3,ratio,3

        """#)
  }

  @Test func listsOfRecordsAndNestedRecordsConcatenate() throws {
    let table = try TidyTable(
      try evaluate(
        "[{seed: 1, fit: {slope: 2, r2: 0.5}}, {seed: 2, fit: {slope: 3, r2: 1e-20}}]"))
    #expect(
      TableWriters.csv(table) == """
        seed,metric,value
        1,fit.slope,2
        1,fit.r2,0.5
        2,fit.slope,3
        2,fit.r2,1e-20

        """)
  }

  @Test func bareTensorsGetCoordinateColumns() throws {
    let vector = try TidyTable(try evaluate("tensor([5, 6])"))
    #expect(TableWriters.csv(vector) == "index,value\n1,5\n2,6\n")
    let matrix = try TidyTable(try evaluate("tensor([[1, 2], [3, 4.5]])"))
    #expect(TableWriters.csv(matrix) == "row,column,value\n0,0,1\n0,1,2\n1,0,3\n1,1,4.5\n")
    let cube = try TidyTable(try evaluate("zeros([1, 1, 2])"))
    #expect(cube.columns == ["i0", "i1", "i2", "value"])
  }

  @Test func jsonReadsBackWithTheSameColumns() throws {
    let table = try TidyTable(
      try evaluate("{task: \"add\\n\", eps: [0.1, 0.01], error: [1, nan], c2: 2.5}"))
    let text = TableWriters.json(table)
    let rows = try #require(
      try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
    #expect(rows.count == 3)
    #expect(rows[0]["task"] as? String == "add\n")
    #expect(rows[0]["eps"] as? Double == 0.1 && rows[0]["metric"] as? String == "error")
    #expect(rows[1]["value"] is NSNull && rows[1]["eps"] as? Double == 0.01)
    #expect(rows[2]["eps"] is NSNull && rows[2]["value"] as? Double == 2.5)
    #expect(text.hasPrefix("[\n  {\"task\": \"add\\n\", \"eps\": 0.1, \"metric\": \"error\""))
  }

  @Test func exportWritesAtomicallyAndReturnsThePath() throws {
    let scratch = try TemporaryFolder("plot")
    defer { scratch.remove() }
    let folder = scratch.path
    let run = runSnippet(
      """
      print(export({lag: [1, 2], ai: [3, 4]}, "\(folder)/t.csv"))
      export([1, 2], "\(folder)/t.json")
      plot([1, 2], file: "\(folder)/p.svg")
      plot([1, 2], file: "\(folder)/p.svg")
      """)
    #expect(run.ids == [])
    #expect(run.output == "\(folder)/t.csv\n")
    let files = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
    #expect(files == ["p.svg", "t.csv", "t.json"])
  }

  // MARK: - Diagnostics

  @Test func badExtensionsAreDiagnosedAtTheFileArgument() {
    expectDiagnostic("file.extension", "plot([1, 2], ‸file: \"fig.png\")")
    expectDiagnostic("file.extension", "export([1, 2], ‸\"table.txt\")")
    expectDiagnostic("file.extension", "export([1, 2], ‸\"table\")")
  }

  @Test func unplottableValuesAreDiagnosed() {
    expectDiagnostic("plot.unsupported", "plot(‸\"hello\")")
    expectDiagnostic("plot.unsupported", "plot(‸zeros([2, 2, 2]))")
    expectDiagnostic("plot.unsupported", "plot(‸{name: \"x\"})")
    expectDiagnostic("plot.unsupported", "plot(‸[[1, 2], [3]])")
    expectDiagnostic("plot.empty", "plot(‸[nan, inf])")
    expectDiagnostic("plot.logScale", "plot([0, -1], ‸logy: true)")
    expectDiagnostic("plot.unknownField", "plot({lag: [1, 2], ai: [3, 4]}, ‸x: \"step\")")
    expectDiagnostic("value.invalid", "plot([1, 2], ‸kind: \"pie\")")
    expectDiagnostic("value.invalid", "plot([1, 2], kind: \"hist\", ‸bins: 0)")
    expectDiagnostic("export.unsupported", "export(‸print, \"a.csv\")")
    expectDiagnostic("export.empty", "export(‸{name: \"x\"}, \"a.csv\")")
  }

  @Test func unwritablePathsAreDiagnosedNotCrashes() throws {
    let scratch = try TemporaryFolder("plot")
    defer { scratch.remove() }
    let folder = scratch.path
    try Data("x".utf8).write(to: URL(fileURLWithPath: "\(folder)/file"))
    try FileManager.default.createDirectory(
      atPath: "\(folder)/d.svg", withIntermediateDirectories: false)
    for path in ["\(folder)/file/p.svg", "\(folder)/file/deeper/p.svg", "\(folder)/d.svg"] {
      let run = runSnippet("plot([1, 2], file: \"\(path)\")")
      #expect(run.ids == ["file.unwritable"], "\(path): \(run.ids)")
    }
    let run = runSnippet("export([1], \"\(folder)/file/t.csv\")")
    #expect(run.ids == ["file.unwritable"])
    // Missing folders are created, as `mkdir -p` does.
    let nested = runSnippet("export([1], \"\(folder)/new/deeper/t.csv\")")
    #expect(
      nested.ids == [] && FileManager.default.fileExists(atPath: "\(folder)/new/deeper/t.csv"))
  }
}

extension Chart {
  fileprivate var heatMap: HeatMap? {
    if case .heatMap(let map) = self { return map }
    return nil
  }

  fileprivate var histogram: Histogram? {
    if case .histogram(let h) = self { return h }
    return nil
  }

  fileprivate var bars: BarChart? {
    if case .bars(let b) = self { return b }
    return nil
  }
}
