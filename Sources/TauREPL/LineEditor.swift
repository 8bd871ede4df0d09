// Reading lines. On a terminal, GNU readline through its callback interface over poll(), so that
// Ctrl-C comes back to Swift instead of being swallowed inside read(); every
// readline call of Tau is in this file. Otherwise, plain lines from standard input.
import CReadline
import Glibc

/// What reading a line gave.
public enum LineInput: Equatable, Sendable {
  case line(String)
  /// Ctrl-C at the prompt: the line (and the entry it continues) is dropped.
  case interrupted
  /// Ctrl-D on an empty line, or the end of standard input.
  case end
}

/// Where the REPL's lines come from.
public protocol LineEditor: AnyObject {
  func readLine(prompt: String) -> LineInput
  /// Records a finished entry (perhaps several lines) in the history.
  func remember(_ entry: String)
  /// The earlier lines of the entry being typed, so completion sees the whole entry.
  var pendingText: String { get set }
}

/// Standard input that is not a terminal: no prompts, no history, no completion.
public final class PlainEditor: LineEditor {
  public var pendingText = ""
  public init() {}
  public func readLine(prompt: String) -> LineInput {
    Swift.readLine(strippingNewline: true).map(LineInput.line) ?? .end
  }
  public func remember(_ entry: String) {}
}

/// GNU readline: editing, history (kept in a `HistoryFile`) and Tab completion.
public final class ReadlineEditor: LineEditor {
  private let history: HistoryFile
  /// Set when the history file could not be written, so the warning is printed once.
  private var historyFailed = false
  private let warn: (String) -> Void

  public var pendingText: String {
    get { ReadlineBridge.shared.pendingText }
    set { ReadlineBridge.shared.pendingText = newValue }
  }

  /// - Parameters:
  ///   - complete: completions for the entry typed so far, up to the cursor.
  ///   - warn: where to say that the history file cannot be written.
  public init(
    history: HistoryFile, complete: @escaping (String) -> Completions,
    warn: @escaping (String) -> Void
  ) {
    self.history = history
    self.warn = warn
    ReadlineBridge.shared.complete = complete
    creadline_set_name("tau")  // for `$if tau` in ~/.inputrc
    creadline_set_catch_signals(0)  // Tau owns SIGINT
    creadline_set_word_break_characters(" \t\n\"\\'`@$><=;|&{(,)}[]+-*/^%:.!#~")
    creadline_set_attempted_completion(attemptCompletion)
    using_history()
    stifle_history(Int32(clamping: history.limit))
    for entry in history.entries() { add_history(entry) }
  }

  public func readLine(prompt: String) -> LineInput {
    let bridge = ReadlineBridge.shared
    bridge.line = nil
    bridge.isDone = false
    rl_callback_handler_install(prompt) { line in
      let bridge = ReadlineBridge.shared
      bridge.line = line.map { String(cString: $0) }
      free(line)
      bridge.isDone = true
      rl_callback_handler_remove()
    }
    var descriptors = [
      pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
      pollfd(fd: InterruptSignal.wakeUp.read, events: Int16(POLLIN), revents: 0),
    ]
    while !bridge.isDone {
      if InterruptSignal.wasPressed {
        rl_free_line_state()
        rl_callback_sigcleanup()
        rl_cleanup_after_signal()
        rl_callback_handler_remove()
        print("")
        return .interrupted
      }
      let ready = poll(&descriptors, 2, -1)
      if ready < 0 {
        if errno == EINTR { continue }
        rl_callback_handler_remove()
        return .end
      }
      if descriptors[1].revents != 0 { InterruptSignal.drainWakeUp() }  // checked at the top
      if descriptors[0].revents != 0 { rl_callback_read_char() }
    }
    return bridge.line.map(LineInput.line) ?? .end
  }

  public func remember(_ entry: String) {
    // Keep one copy of an entry: remove the earlier ones from readline's list first.
    if let list = history_list() {
      var index = 0
      var duplicates: [Int32] = []
      while let item = list[index] {
        if let line = item.pointee.line, String(cString: line) == entry {
          duplicates.append(Int32(index))
        }
        index += 1
      }
      for duplicate in duplicates.reversed() {
        if let removed = remove_history(duplicate) { free_history_entry(removed) }
      }
    }
    add_history(entry)
    do {
      try history.append(entry)
    } catch {
      guard !historyFailed else { return }
      historyFailed = true
      warn(
        "tau: warning: cannot write the history file '\(history.path)': \(error.localizedDescription)\n"
      )
    }
  }
}

/// State that readline's C callbacks reach: they cannot capture context. Readline calls them
/// only on the thread that called `rl_callback_read_char`, so unchecked access is sound.
final class ReadlineBridge: @unchecked Sendable {
  static let shared = ReadlineBridge()
  var line: String?
  var isDone = false
  var pendingText = ""
  var complete: (String) -> Completions = { _ in .none }
  var matches: [String] = []
  var nextMatch = 0
}

/// readline's attempted-completion hook: Tau decides the candidates from the whole entry, then
/// lines them up with the word readline will replace.
private let attemptCompletion:
  @convention(c) (UnsafePointer<CChar>?, Int32, Int32) -> UnsafeMutablePointer<
    UnsafeMutablePointer<CChar>?
  >? = { text, start, end in
    creadline_set_completion_over(1)  // never fall back to readline's file names
    creadline_suppress_append()
    let bridge = ReadlineBridge.shared
    guard let buffer = creadline_line_buffer() else { return nil }
    let bytes = Array(
      UnsafeBufferPointer(
        start: UnsafeRawPointer(buffer).assumingMemoryBound(to: UInt8.self), count: strlen(buffer)))
    let point = Swift.min(Int(creadline_point()), bytes.count)
    let lower = Swift.min(Int(start), point)
    let upper = Swift.min(Swift.max(Int(end), lower), bytes.count)
    let before = String(decoding: bytes[..<point], as: UTF8.self)
    let typed = String(decoding: bytes[lower..<upper], as: UTF8.self)
    bridge.matches = aligned(bridge.complete(bridge.pendingText + before), toWord: typed)
    bridge.nextMatch = 0
    guard !bridge.matches.isEmpty else { return nil }
    return rl_completion_matches(text) { _, state in
      let bridge = ReadlineBridge.shared
      guard bridge.nextMatch < bridge.matches.count else { return nil }
      defer { bridge.nextMatch += 1 }
      return strdup(bridge.matches[bridge.nextMatch])  // readline frees it
    }
  }

/// Candidates rewritten to replace `typed`, the word readline chose (its word breaks differ from
/// Tau's: `:help` is `help` to readline, a path is its last component).
func aligned(_ completions: Completions, toWord typed: String) -> [String] {
  let word = completions.word
  if typed.hasSuffix(word) {
    let extra = typed.dropLast(word.count)
    return completions.candidates.map { extra + $0 }
  }
  if word.hasSuffix(typed) {
    let extra = word.dropLast(typed.count)
    return completions.candidates.filter { $0.hasPrefix(extra) }.map {
      String($0.dropFirst(extra.count))
    }
  }
  return []
}
