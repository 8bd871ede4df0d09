// The interpreter's host on a text terminal, for the REPL and `tau run`: printed text to
// standard output, warnings rendered as diagnostics on standard error, `train`'s progress line
// and the elapsed time of long operators on standard error, and plots as braille previews.
import Foundation
import TauLang

/// Shows what a program reports on a terminal (or in the log of a batch job).
public final class TerminalHost: InterpreterHost {
  private let output: (String) -> Void
  private let errors: (String) -> Void
  private let renderDiagnostic: (Diagnostic) -> String
  private let progressStyle: ProgressStyle
  /// Whether `plot` prints its terminal preview: nil decides per plot (always without a file,
  /// with one only when standard output is a terminal).
  public var plotPreview: Bool?
  private let outputIsTerminal: () -> Bool
  /// `train`'s line, while a run is under way.
  private var trainingLine: ProgressLine?
  /// The elapsed-time lines of the operators running, innermost last.
  private var elapsedLines: [(activity: String, line: ElapsedTimeLine?)] = []

  /// - Parameters:
  ///   - output: where printed text goes (standard output).
  ///   - errors: where warnings and TAU_DEBUG text go (standard error).
  ///   - renderDiagnostic: how a warning or note is shown (text with or without colour, JSON).
  ///   - progress: `.quiet` for no progress lines (`tau run --quiet`). They are written to
  ///     standard error itself: they redraw a terminal line, which only a terminal can show.
  ///   - plotPreview: see `plotPreview`; TAU_PLOT_PREVIEW=1 or 0 sets it from the environment.
  public init(
    output: @escaping (String) -> Void = { print($0, terminator: "") },
    errors: @escaping (String) -> Void = writeStandardError,
    renderDiagnostic: @escaping (Diagnostic) -> String = {
      DiagnosticRenderer(colored: false).render([$0])
    },
    progress: ProgressStyle = .automatic,
    plotPreview: Bool? = PlotPreview.setting(),
    outputIsTerminal: @escaping () -> Bool = PlotPreview.standardOutputIsTerminal
  ) {
    self.output = output
    self.errors = errors
    self.renderDiagnostic = renderDiagnostic
    progressStyle = progress
    self.plotPreview = plotPreview
    self.outputIsTerminal = outputIsTerminal
  }

  public func write(_ text: String) { output(text) }

  public func report(_ diagnostic: Diagnostic) {
    trainingLine?.finish()  // the line would garble the message; the next step redraws it
    errors(renderDiagnostic(diagnostic))
  }

  public func progress(_ event: ProgressEvent) {
    switch event {
    case .began(let activity):
      elapsedLines.append((activity, ElapsedTimeLine(label: activity, style: progressStyle)))
    case .step(_, let step, let total, let loss):
      if trainingLine == nil { trainingLine = ProgressLine(total: total, style: progressStyle) }
      trainingLine?.update(step: step, loss: loss)
    case .ended(let activity):
      if let index = elapsedLines.lastIndex(where: { $0.activity == activity }) {
        elapsedLines.remove(at: index).line?.finish()
      } else {
        trainingLine?.finish()
        trainingLine = nil
      }
    }
  }

  public func produced(_ artifact: Artifact) {
    guard case .plot(_, let terminal, let file) = artifact else { return }
    let shows = PlotPreview.shows(
      setting: plotPreview, writesFile: file != nil, isTerminal: outputIsTerminal)
    if shows { output(terminal) }
  }

  public func debug(_ text: String) {
    trainingLine?.finish()
    errors(text)
  }
}
