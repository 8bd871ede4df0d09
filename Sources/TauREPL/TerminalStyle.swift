// Colours, only on a terminal and never when NO_COLOR is set (https://no-color.org).
import Foundation

/// Wraps text in ANSI styles when enabled; otherwise returns it unchanged.
public struct TerminalStyle: Sendable {
  public let isEnabled: Bool

  public init(isEnabled: Bool) { self.isEnabled = isEnabled }

  /// Colour for output written to `descriptor` (1 for standard output, 2 for errors).
  public static func forDescriptor(
    _ descriptor: Int32, environment: [String: String] = ProcessInfo.processInfo.environment
  ) -> TerminalStyle {
    TerminalStyle(isEnabled: isatty(descriptor) != 0 && environment["NO_COLOR"] == nil)
  }

  func bold(_ text: String) -> String { paint(text, "1") }
  func dim(_ text: String) -> String { paint(text, "2") }
  func yellow(_ text: String) -> String { paint(text, "33") }

  /// A readline prompt: escapes are bracketed by \u{1}…\u{2} so readline counts only the
  /// visible characters when it positions the cursor.
  func prompt(_ text: String, isContinuation: Bool) -> String {
    guard isEnabled else { return text }
    let code = isContinuation ? "2" : "1;32"
    return "\u{1}\u{1B}[\(code)m\u{2}" + text + "\u{1}\u{1B}[0m\u{2}"
  }

  private func paint(_ text: String, _ code: String) -> String {
    isEnabled ? "\u{1B}[\(code)m" + text + "\u{1B}[0m" : text
  }
}
