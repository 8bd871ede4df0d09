// The one error type TauPlot throws. Its message is written for the user; the caller (TauLang's
// `plot` and `export`) decides where it points and which diagnostic ID it gets from its kind.

/// A figure or table that could not be written.
public struct PlotError: Error, Equatable, Sendable {
  /// What went wrong, for the caller to classify the error by.
  public enum Kind: Equatable, Sendable {
    /// The file name's extension is not one the writer writes.
    case wrongExtension
    /// The file or its folder could not be written.
    case unwritable
  }

  /// What went wrong.
  public var kind: Kind
  /// A sentence for the user, lower-case, naming the path and the reason.
  public var message: String

  init(_ kind: Kind, _ message: String) {
    self.kind = kind
    self.message = message
  }
}
