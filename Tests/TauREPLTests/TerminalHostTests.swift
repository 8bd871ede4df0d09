// The terminal host: printed text and plot previews to standard output, warnings and TAU_DEBUG
// text to standard error, and when a plot's preview is printed.
import Testing

@testable import TauLang
@testable import TauREPL

@Suite struct TerminalHostTests {
  /// A host writing into strings, with standard output a terminal or not.
  private final class Streams {
    var output = ""
    var errors = ""
    func host(plotPreview: Bool? = nil, outputIsTerminal: Bool = false) -> TerminalHost {
      TerminalHost(
        output: { self.output += $0 }, errors: { self.errors += $0 },
        renderDiagnostic: { "\($0.severity.rawValue): \($0.message)\n" }, progress: .quiet,
        plotPreview: plotPreview, outputIsTerminal: { outputIsTerminal })
    }
  }

  @Test func printedTextAndPreviewsGoToOutputTheRestToErrors() throws {
    let streams = Streams()
    let interpreter = Interpreter(host: streams.host())
    try interpreter.run(
      SourceFile(name: "t.tau", text: "print(1, \"a\")\nplot([1, 3, 2], title: \"t\")"))
    #expect(streams.output.hasPrefix("1 a\nt\n3 ┤"))
    #expect(streams.errors.isEmpty)
    streams.host().debug("# graph\n")
    streams.host().report(
      Diagnostic(
        "model.gateRange", "gate out of range",
        at: SourceRange(file: SourceFile(name: "t", text: ""), start: 0, end: 0),
        severity: .warning))
    #expect(streams.errors == "# graph\nwarning: gate out of range\n")
  }

  @Test func aPreviewIsPrintedWithoutAFileOrOnATerminal() {
    #expect(PlotPreview.shows(setting: nil, writesFile: false, isTerminal: { false }))
    #expect(!PlotPreview.shows(setting: nil, writesFile: true, isTerminal: { false }))
    #expect(PlotPreview.shows(setting: nil, writesFile: true, isTerminal: { true }))
    #expect(!PlotPreview.shows(setting: false, writesFile: false, isTerminal: { true }))
    #expect(PlotPreview.setting(environment: ["TAU_PLOT_PREVIEW": "1"]) == true)
    #expect(PlotPreview.setting(environment: ["TAU_PLOT_PREVIEW": "0"]) == false)
    #expect(PlotPreview.setting(environment: [:]) == nil)
    // The host applies it to the plots it is given.
    let plot = Artifact.plot(svg: "<svg/>", terminal: "preview\n", file: "p.svg")
    for (setting, isTerminal, shown) in [
      (nil, false, false), (nil, true, true), (true, false, true), (false, true, false),
    ] as [(Bool?, Bool, Bool)] {
      let streams = Streams()
      streams.host(plotPreview: setting, outputIsTerminal: isTerminal).produced(plot)
      #expect(streams.output == (shown ? "preview\n" : ""), "\(String(describing: setting))")
    }
  }
}
