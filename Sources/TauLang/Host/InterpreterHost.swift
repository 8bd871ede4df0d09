// The interpreter's only way out, like Wren's host callbacks: it never prints, never touches a
// terminal, and reports everything a program produces to the host that runs it. The terminal
// front ends (TauREPL, `tau`) render these reports as lines and colours; tests record them; a
// notebook or server front end can keep a plot's SVG without writing a file.

/// What a running Tau program reports to the program that embeds the interpreter.
///
/// Every call happens on the thread that runs the interpreter, in program order.
public protocol InterpreterHost: AnyObject {
  /// Text the program prints (`print`, `train`'s `log_every` lines); it ends with its own newline.
  func write(_ text: String)
  /// A warning or note that does not stop the program (a gate outside its range, a training run
  /// cut short by Ctrl-C). Errors that stop the program are thrown, not reported.
  func report(_ diagnostic: Diagnostic)
  /// How a long computation is getting on.
  func progress(_ event: ProgressEvent)
  /// Something the program made: a chart, or a file it wrote.
  func produced(_ artifact: Artifact)
  /// Internal detail asked for with TAU_DEBUG (lowered graphs, plans, timings).
  func debug(_ text: String)
}

/// A sign of life from a computation that may take a while.
public enum ProgressEvent: Sendable, Equatable {
  /// A built-in with no steps to count began (`sensitivity`, `anisotropy`, …).
  case began(activity: String)
  /// `train` finished step `step` of `total`, whose batch loss was `loss`.
  case step(activity: String, step: Int, total: Int, loss: Double)
  /// The activity ended, normally or not.
  case ended(activity: String)
}

/// What a program produced besides its printed text.
public enum Artifact: Sendable, Equatable {
  /// A chart drawn by `plot`: the whole SVG document, its rendering for a text terminal, and the
  /// file the SVG was written to (nil when the call named none).
  case plot(svg: String, terminal: String, file: String?)
  /// A file the program wrote (`export`, `save`, `write`), already complete on disk.
  case file(path: String)
}

/// A host that drops everything: the default, so that embedding the library prints nothing
/// unless asked to.
public final class SilentHost: InterpreterHost {
  public init() {}
  public func write(_ text: String) {}
  public func report(_ diagnostic: Diagnostic) {}
  public func progress(_ event: ProgressEvent) {}
  public func produced(_ artifact: Artifact) {}
  public func debug(_ text: String) {}
}
