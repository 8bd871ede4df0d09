// When `plot` prints its terminal preview: always when it writes no file, and when it writes one
// only if standard output is a terminal. TAU_PLOT_PREVIEW=1 or 0 (or an interpreter's
// `plotPreview`) overrides that, for scripts, the REPL and tests.
import Foundation

public enum PlotPreview {
  /// The setting of TAU_PLOT_PREVIEW: true for 1/true/yes, false for 0/false/no, else nil.
  public static func setting(environment: [String: String] = ProcessInfo.processInfo.environment)
    -> Bool?
  {
    switch environment["TAU_PLOT_PREVIEW"]?.lowercased() {
    case "1", "true", "yes": return true
    case "0", "false", "no": return false
    default: return nil
    }
  }

  /// Whether to print the preview, given the setting (nil: automatic) and whether a file is
  /// written; `isTerminal` is asked only when it matters.
  public static func shows(setting: Bool?, writesFile: Bool, isTerminal: () -> Bool) -> Bool {
    if let setting { return setting }
    return !writesFile || isTerminal()
  }

  public static func standardOutputIsTerminal() -> Bool { isatty(STDOUT_FILENO) != 0 }
}
