// A host that keeps everything it is told, in order: for tests, and for front ends that show a
// program's results after it ran (a notebook cell, a server response).

/// Records a program's output, diagnostics, progress and artifacts.
public final class RecordingHost: InterpreterHost {
  /// Everything `write` received, concatenated.
  public private(set) var output = ""
  /// Warnings and notes, in order.
  public private(set) var diagnostics: [Diagnostic] = []
  public private(set) var events: [ProgressEvent] = []
  public private(set) var artifacts: [Artifact] = []
  /// TAU_DEBUG text, concatenated.
  public private(set) var debugOutput = ""

  public init() {}

  public func write(_ text: String) { output += text }
  public func report(_ diagnostic: Diagnostic) { diagnostics.append(diagnostic) }
  public func progress(_ event: ProgressEvent) { events.append(event) }
  public func produced(_ artifact: Artifact) { artifacts.append(artifact) }
  public func debug(_ text: String) { debugOutput += text }
}
