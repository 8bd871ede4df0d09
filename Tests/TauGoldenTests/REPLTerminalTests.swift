// The interactive `tau` end to end, as a person uses it: the real binary on a pseudo-terminal,
// so GNU readline edits the lines, Tab completes, and Ctrl-C reaches the process as SIGINT. The
// scenario types a gate over several lines, completes names, fields and named arguments,
// interrupts a training run and a loop, clears a line with Ctrl-C, leaves with Ctrl-D and reads
// the history file the session wrote.
import Foundation
import Glibc
import TauTestSupport
import Testing

/// The C library's pseudo-terminal and spawn extensions. Swift's Glibc module is imported
/// without `_GNU_SOURCE`/`_XOPEN_SOURCE`, so these are looked up at run time.
private enum LibC {
  /// POSIX_SPAWN_SETSID from glibc's <spawn.h> (a GNU extension, since glibc 2.26).
  static let spawnSetSID: Int32 = 0x80

  static func function<T>(_ name: String, as type: T.Type) -> T? {
    dlsym(UnsafeMutableRawPointer(bitPattern: 0), name).map { unsafeBitCast($0, to: type) }
  }

  static func openpt(_ flags: Int32) -> Int32 {
    typealias Signature = @convention(c) (Int32) -> Int32
    return function("posix_openpt", as: Signature.self)?(flags) ?? -1
  }

  /// grantpt, unlockpt and ptsname_r: the slave's path, or nil.
  static func unlockedSlavePath(_ master: Int32) -> String? {
    typealias Control = @convention(c) (Int32) -> Int32
    typealias Name = @convention(c) (Int32, UnsafeMutablePointer<CChar>?, Int) -> Int32
    guard let grantpt = function("grantpt", as: Control.self),
      let unlockpt = function("unlockpt", as: Control.self),
      let ptsname = function("ptsname_r", as: Name.self),
      grantpt(master) == 0, unlockpt(master) == 0
    else { return nil }
    var buffer = [UInt8](repeating: 0, count: 256)
    let status = buffer.withUnsafeMutableBytes {
      ptsname(master, $0.baseAddress?.assumingMemoryBound(to: CChar.self), $0.count)
    }
    guard status == 0 else { return nil }
    return String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self)
  }

  /// posix_spawn_file_actions_addchdir_np (glibc 2.29); false where it is missing.
  static func addChdir(_ actions: inout posix_spawn_file_actions_t, _ path: String) -> Bool {
    typealias Signature =
      @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, UnsafePointer<CChar>?)
      -> Int32
    guard let add = function("posix_spawn_file_actions_addchdir_np", as: Signature.self) else {
      return false
    }
    return add(&actions, path) == 0
  }

  /// posix_spawn_file_actions_addclosefrom_np (glibc 2.34); false where it is missing.
  static func addCloseFrom(_ actions: inout posix_spawn_file_actions_t, _ first: Int32) -> Bool {
    typealias Signature =
      @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32
    guard let add = function("posix_spawn_file_actions_addclosefrom_np", as: Signature.self)
    else { return false }
    return add(&actions, first) == 0
  }
}

/// Whether this machine can make pseudo-terminals (a sandbox without /dev/ptmx cannot).
private let canOpenPseudoTerminal: Bool = {
  let master = LibC.openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)
  guard master >= 0 else { return false }
  close(master)
  return true
}()

/// Control keys as a terminal sends them.
private enum Key {
  static let enter = "\r"
  static let tab = "\t"
  static let interrupt = "\u{3}"  // Ctrl-C
  static let endOfInput = "\u{4}"  // Ctrl-D
}

private struct TerminalFailure: Error, CustomStringConvertible {
  let description: String
}

/// A program running on the slave side of a pseudo-terminal, as its controlling terminal; the
/// test holds the master side, reads what the program shows and types into it.
private final class PseudoTerminalSession {
  private let master: Int32
  private let pid: pid_t
  private var output: [UInt8] = []
  /// Where the next `expect` starts looking: each expectation is met by new output.
  private var searchStart = 0
  /// The slave side is closed: the program and everything it started have gone.
  private var isClosed = false
  private var isReaped = false

  /// Starts `executable` in its own session with the pseudo-terminal on descriptors 0, 1 and 2.
  init(executable: String, environment: [String: String], rows: UInt16, columns: UInt16) throws {
    let master = LibC.openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)
    guard master >= 0 else { throw TerminalFailure(description: "posix_openpt: \(errnoText())") }
    guard let slavePath = LibC.unlockedSlavePath(master) else {
      let reason = errnoText()
      close(master)
      throw TerminalFailure(description: "cannot set up the pseudo-terminal: \(reason)")
    }
    var size = winsize(ws_row: rows, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
    _ = ioctl(master, UInt(TIOCSWINSZ), &size)
    _ = fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK)

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    // POSIX_SPAWN_SETSID runs before the file actions, so opening the slave (without
    // O_NOCTTY) in the new session makes it the controlling terminal.
    posix_spawn_file_actions_addopen(&actions, 0, slavePath, O_RDWR, 0)
    posix_spawn_file_actions_adddup2(&actions, 0, 1)
    posix_spawn_file_actions_adddup2(&actions, 0, 2)
    // Descriptors other tests opened without close-on-exec (pipes) must not leak into the child.
    _ = LibC.addCloseFrom(&actions, 3)
    _ = LibC.addChdir(&actions, packageRoot.path)  // where `tau` is run from elsewhere too

    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var noSignals = sigset_t()
    sigemptyset(&noSignals)
    posix_spawnattr_setsigmask(&attributes, &noSignals)
    var defaultSignals = sigset_t()
    sigemptyset(&defaultSignals)
    sigaddset(&defaultSignals, SIGINT)
    sigaddset(&defaultSignals, SIGPIPE)
    posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
    posix_spawnattr_setflags(
      &attributes, Int16(LibC.spawnSetSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

    let arguments: [UnsafeMutablePointer<CChar>?] = [strdup("tau"), nil]
    let variables: [UnsafeMutablePointer<CChar>?] =
      environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { for pointer in arguments + variables { free(pointer) } }
    var pid: pid_t = 0
    let status = posix_spawn(&pid, executable, &actions, &attributes, arguments, variables)
    guard status == 0 else {
      close(master)
      throw TerminalFailure(
        description: "cannot start \(executable): \(String(cString: strerror(status)))")
    }
    self.master = master
    self.pid = pid
  }

  deinit {
    if !isReaped {
      kill(pid, SIGKILL)
      var status: Int32 = 0
      _ = waitpid(pid, &status, 0)
    }
    close(master)
  }

  /// Everything the program has shown, with control characters made visible.
  var transcript: String {
    let lines = rawOutput.replacingOccurrences(of: "\r\n", with: "\n")
    var text = ""
    for scalar in lines.unicodeScalars {
      switch scalar {
      case "\n": text += "\n"
      case "\r": text += "\\r"
      case "\u{1B}": text += "\\e"
      case _ where scalar.value < 0x20 || scalar.value == 0x7F:
        text += "\\u{\(String(scalar.value, radix: 16))}"
      default: text.unicodeScalars.append(scalar)
      }
    }
    return text
  }

  /// The output as text, exactly as received.
  var rawOutput: String { String(decoding: output, as: UTF8.self) }

  /// Types `keys`.
  func send(_ keys: String) throws {
    let bytes = Array(keys.utf8)
    var sent = 0
    let deadline = ContinuousClock.now + .seconds(10)
    while sent < bytes.count {
      let count = bytes[sent...].withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
      if count > 0 {
        sent += count
      } else if count < 0, errno == EAGAIN || errno == EINTR, ContinuousClock.now < deadline {
        readAvailable(waitingAtMost: .milliseconds(10))  // let the program drain its input
      } else {
        throw TerminalFailure(
          description: "cannot type \(keys.debugDescription): \(errnoText())\n\(transcript)")
      }
    }
  }

  /// Reads until the output after the previous match contains `text`.
  func expect(_ text: String, timeout: Duration = .seconds(20)) throws {
    let wanted = Array(text.utf8)
    let deadline = ContinuousClock.now + timeout
    while true {
      if let end = firstMatch(of: wanted) {
        searchStart = end
        return
      }
      let now = ContinuousClock.now
      guard !isClosed, now < deadline else {
        let reason = isClosed ? "the program closed the terminal" : "timed out after \(timeout)"
        throw TerminalFailure(
          description: """
            expected \(text.debugDescription) in the terminal output after byte \(searchStart) \
            (\(reason)); the whole transcript:
            \(transcript)
            """)
      }
      readAvailable(waitingAtMost: min(deadline - now, .milliseconds(100)))
    }
  }

  /// Waits for the program to exit and returns its exit status; after `timeout` it kills the
  /// program and returns nil. A program killed by a signal gives 128 + the signal.
  func waitForExit(timeout: Duration = .seconds(10)) -> Int32? {
    let deadline = ContinuousClock.now + timeout
    var status: Int32 = 0
    while ContinuousClock.now < deadline {
      let result = waitpid(pid, &status, WNOHANG)
      if result == pid {
        isReaped = true
        // Read what it wrote last (the slave stays readable until it is drained).
        while !isClosed, readAvailable(waitingAtMost: .milliseconds(50)) {}
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
      }
      if result < 0, errno != EINTR { return nil }
      readAvailable(waitingAtMost: .milliseconds(20))
    }
    kill(pid, SIGKILL)
    _ = waitpid(pid, &status, 0)
    isReaped = true
    return nil
  }

  /// The end of the first occurrence of `wanted` at or after `searchStart`.
  private func firstMatch(of wanted: [UInt8]) -> Int? {
    guard !wanted.isEmpty else { return searchStart }
    guard output.count - searchStart >= wanted.count else { return nil }
    for start in searchStart...(output.count - wanted.count)
    where output[start..<start + wanted.count].elementsEqual(wanted) {
      return start + wanted.count
    }
    return nil
  }

  /// Reads what is there, waiting at most `limit` for something; whether anything came.
  @discardableResult
  private func readAvailable(waitingAtMost limit: Duration) -> Bool {
    guard !isClosed else { return false }
    let (seconds, attoseconds) = limit.components
    let milliseconds = Int32(clamping: max(0, seconds * 1000 + attoseconds / 1_000_000_000_000_000))
    var descriptor = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
    guard poll(&descriptor, 1, milliseconds) > 0 else { return false }
    var buffer = [UInt8](repeating: 0, count: 4096)
    var gotSome = false
    while true {
      let count = read(master, &buffer, buffer.count)
      if count > 0 {
        output += buffer[..<count]
        gotSome = true
      } else if count < 0, errno == EINTR {
        continue
      } else {
        // EAGAIN: drained for now. EIO or end of file: the slave side is gone (Linux).
        if count == 0 || errno != EAGAIN { isClosed = true }
        return gotSome
      }
    }
  }
}

private func errnoText() -> String { String(cString: strerror(errno)) }

@Suite struct REPLTerminalTests {
  @Test(.enabled(if: canOpenPseudoTerminal, "this machine cannot open a pseudo-terminal"))
  func interactiveSessionOnATerminal() throws {
    let scratch = try TemporaryFolder("repl-terminal")
    defer { scratch.remove() }
    let folder = scratch.url
    let historyFile = folder.appendingPathComponent("history")
    let inputrc = folder.appendingPathComponent("inputrc")
    // Bracketed paste would wrap the echo in escape sequences that differ between readlines.
    try "set enable-bracketed-paste off\n".write(to: inputrc, atomically: true, encoding: .utf8)

    var environment = ProcessInfo.processInfo.environment
    for name in ["TAU_PATH", "TAU_HISTORY_SIZE", "COLUMNS", "LINES"] { environment[name] = nil }
    environment["NO_COLOR"] = "1"
    environment["TERM"] = "xterm"
    environment["TAU_HISTORY"] = historyFile.path
    environment["INPUTRC"] = inputrc.path
    environment["HOME"] = folder.path
    let tau = try PseudoTerminalSession(
      executable: TauProcess.executable.path,
      environment: environment, rows: 40, columns: 200)
    // Each line is typed only once its prompt is there, as a person would: keys typed earlier
    // are echoed by the terminal before readline takes over, which makes the transcript vary.
    try tau.expect("tau> ")

    // (1) A gate over three lines, with continuation prompts; then Tab completes its name.
    try tau.send("gate half(a = 0.5) {" + Key.enter)
    try tau.expect("\r\n...> ")
    try tau.send("  a" + Key.enter)
    try tau.expect("\r\n...> ")
    try tau.send("}" + Key.enter)
    try tau.expect("\r\ntau> ")
    try tau.send("hal" + Key.tab + "(a: 0.25)" + Key.enter)
    try tau.expect("half(a: 0.25)\r\n<gate half(a: 0.25)>\r\n")
    try tau.expect("tau> ")
    try tau.send("use cells; use optimizers" + Key.enter)
    try tau.expect("\r\ntau> ")  // `use` and `let` print nothing

    // (2) Ctrl-C during training: the run stops at the next step and `run` gets the steps done.
    // Tab turns `st` into the named argument `steps: `.
    try tau.send("let net = rnn(leaky(gate: half), hidden: 64, input: 2)" + Key.enter)
    try tau.expect("\r\ntau> ")
    try tau.send(
      "let run = train(net, adding(length: 200, input: 2), sgd(), st" + Key.tab + "100000)"
        + Key.enter)
    try tau.expect("sgd(), steps: 100000)\r\n")
    try tau.expect("\r  step ")  // the progress line: training is under way
    try tau.send(Key.interrupt)
    try tau.expect("training interrupted before step ")
    try tau.expect(" done\r\n")
    try tau.expect("tau> ")

    // (3) Bindings made before the interruption are there; Tab completes a field.
    try tau.send("net.hi" + Key.tab + Key.enter)
    try tau.expect("net.hidden\r\n64\r\n")
    try tau.expect("tau> ")
    try tau.send("len(run.loss) > 0" + Key.enter)
    try tau.expect("\r\ntrue\r\n")
    try tau.expect("tau> ")

    // (4) Ctrl-C during a loop, once the loop has said it runs (the printed text differs from
    // the echo of the typed line).
    try tau.send(
      "for i in 1..100000000 { if i == 2 { print(\"loop\", \"running\") } }" + Key.enter)
    try tau.expect("\r\nloop running\r\n")
    try tau.send(Key.interrupt)
    try tau.expect("interrupted before iteration ")
    try tau.expect("stopped by Ctrl-C; all bindings are kept\r\n")
    try tau.expect("tau> ")

    // (5) Ctrl-C at the prompt drops the line typed so far. The test waits for the new prompt:
    // keys sent right after Ctrl-C can be read before the SIGINT handler has run.
    try tau.send("garbage")
    try tau.expect("garbage")
    try tau.send(Key.interrupt)
    try tau.expect("\r\ntau> ")
    try tau.send("1+1" + Key.enter)
    try tau.expect("\r\n2\r\n")
    try tau.expect("tau> ")
    // ... and the whole entry when it is on its second line: the next prompt is a first one.
    try tau.send("[1," + Key.enter)
    try tau.expect("\r\n...> ")
    try tau.send("2")
    try tau.expect("2")
    try tau.send(Key.interrupt)
    try tau.expect("\r\ntau> ")
    try tau.send("[3]" + Key.enter)
    try tau.expect("\r\n[3]\r\n")
    try tau.expect("tau> ")

    // (6) Ctrl-D on an empty line ends the session cleanly.
    try tau.send(Key.endOfInput)
    let status = tau.waitForExit(timeout: .seconds(10))
    #expect(status == 0, "exit status (nil: still running after 10 s)\n\(tau.transcript)")
    #expect(!tau.rawOutput.contains("error"), "an entry failed\n\(tau.transcript)")

    // The history holds each entry once, as typed after completion; a multi-line entry is one
    // entry; the lines dropped by Ctrl-C are not there.
    let history = try String(contentsOf: historyFile, encoding: .utf8)
    let entries = [
      "gate half(a = 0.5) {\n  a\n}",
      "half(a: 0.25)",
      "use cells; use optimizers",
      "let net = rnn(leaky(gate: half), hidden: 64, input: 2)",
      "let run = train(net, adding(length: 200, input: 2), sgd(), steps: 100000)",
      "net.hidden",
      "len(run.loss) > 0",
      "for i in 1..100000000 { if i == 2 { print(\"loop\", \"running\") } }",
      "1+1",
      "[3]",
    ]
    let expected = entries.map { entry in
      "#\n" + entry.split(separator: "\n").map { "\t\($0)\n" }.joined()
    }.joined()
    #expect(history.contains("#\n\tgate half(a = 0.5) {\n\t  a\n\t}\n"))
    #expect(history.contains("#\n\t1+1\n"))
    #expect(!history.contains("garbage") && !history.contains("[1,"))
    #expect(history == expected)
  }
}
