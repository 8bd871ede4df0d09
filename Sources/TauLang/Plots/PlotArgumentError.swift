// The errors of `plot` and `export` at the argument at fault: the adapters that read Tau values
// throw PlotArgumentError, TauPlot throws its own PlotError, and `reportingPlotErrors` in
// Builtins+Plots.swift turns both into diagnostics at the argument's range.
import TauPlot

/// An error from reading a value for `plot` or `export`, naming the argument at fault.
struct PlotArgumentError: Error, Equatable {
  var id: DiagnosticID
  var message: String
  var argument = "value"
  var hint: String?

  init(_ id: DiagnosticID, _ message: String, argument: String = "value", hint: String? = nil) {
    self.id = id
    self.message = message
    self.argument = argument
    self.hint = hint
  }
}

extension PlotError {
  /// The diagnostic ID of each kind of TauPlot error.
  var diagnosticID: DiagnosticID {
    switch kind {
    case .wrongExtension: return "file.extension"
    case .unwritable: return "file.unwritable"
    }
  }
}
