// The terminal preview: braille dots set by hand-drawn lines, and the frame of a line chart
// with its range, axis, x range and legend.
import Testing

@testable import TauPlot

@Suite struct TerminalPlotTests {
  @Test func brailleLinesSetTheirDots() {
    var canvas = BrailleCanvas(columns: 2, rows: 1)
    canvas.line(from: (0, 0), to: (3, 0))
    #expect(canvas.lines == ["⠉⠉"])
    canvas.line(from: (0, 3), to: (0, 3))
    #expect(canvas.lines == ["⡉⠉"])
  }

  /// The diagonal (0, 0) … (3, 3) sets one dot per dot row: (0, 0) and (1, 1) in the first
  /// character (bits 0x01 and 0x10: U+2811), (2, 2) and (3, 3) in the second (0x04 and 0x80:
  /// U+2884).
  @Test func aDiagonalSetsOneDotPerRow() {
    var canvas = BrailleCanvas(columns: 2, rows: 1)
    canvas.line(from: (0, 0), to: (3, 3))
    #expect(canvas.lines == ["\u{2811}\u{2884}"])
    #expect(canvas.lines == ["⠑⢄"])
  }

  /// A steep line (0, 0) … (1, 3), by Bresenham's steps: (0, 0), (0, 1), (1, 2), (1, 3), bits
  /// 0x01 + 0x02 + 0x20 + 0x80 = 0xA3. Dots off the canvas change nothing.
  @Test func aSteepLineAndDotsOffTheCanvas() {
    var canvas = BrailleCanvas(columns: 1, rows: 1)
    canvas.line(from: (0, 0), to: (1, 3))
    #expect(canvas.lines == ["\u{28A3}"])
    canvas.set(-1, 0)
    canvas.set(2, 0)
    canvas.set(0, 4)
    #expect(canvas.lines == ["\u{28A3}"])
    #expect(BrailleCanvas(columns: 3, rows: 2).lines == ["   ", "   "])
  }

  @Test func previewShowsTheRangeAndTheLegend() {
    let loss = Series(name: "loss", x: [1, 2, 3], y: [0.5, 0.25, 0.125])
    let plot = Plot(chart: .lines(LineChart(series: [loss], showsLegend: true)), xLabel: "step")
    let text = TerminalPlot.render(plot)
    let lines = text.components(separatedBy: "\n")
    // 12 rows, the axis, the x range, the legend, and the final newline.
    #expect(lines.count == TerminalPlot.rows + 4, "\(text)")
    #expect(lines[0].hasPrefix("  0.5 ┤⠑"))
    #expect(lines[1].hasPrefix("      │"))
    #expect(lines[11].hasPrefix("0.125 ┤") && lines[11].hasSuffix("⣀"))
    #expect(lines[12] == "      └" + String(repeating: "─", count: TerminalPlot.columns))
    #expect(
      lines[13].hasPrefix("       1 ") && lines[13].contains(" step ") && lines[13].hasSuffix(" 3"))
    #expect(lines[14] == "       loss")
  }

  /// Bars are eighths of a 40-character bar: 9 is the longest, full; 4.5 is half, 20 blocks.
  @Test func barsAreEighthBlocks() {
    let bars = BarChart(labels: ["a", "bb"], values: [9, 4.5], errors: [1, 0.25])
    let text = TerminalPlot.render(Plot(chart: .bars(bars), title: "t", yLabel: "ms"))
    let full = String(repeating: "█", count: 40)
    let half = String(repeating: "█", count: 20)
    #expect(
      text == "t\na  " + full + " 9 ± 1\nbb " + half + String(repeating: " ", count: 20)
        + " 4.5 ± 0.25\ny: ms\n")
  }
}
