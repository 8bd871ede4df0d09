// `tau run FILE`: parse, check and run a script.
import ArgumentParser
import TauLang

struct Run: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run a Tau script.",
    discussion: "Arguments after -- are passed to the script.")

  @Argument(help: "The .tau file to run.")
  var file: String

  @Flag(help: "Print diagnostics as JSON (on standard error).")
  var json = false

  @Flag(help: "Print no progress lines on standard error.")
  var quiet = false

  @Argument(parsing: .postTerminator, help: "Arguments for the script.")
  var scriptArguments: [String] = []

  func run() throws {
    let source = try Console.readSource(file)
    let json = json
    let scriptArguments = scriptArguments
    let quiet = quiet
    Console.installInterruptHandler()
    let status = withLargeStack { () -> Int32 in
      let interpreter = Interpreter(host: Console.host(json: json, quiet: quiet))
      interpreter.scriptArguments = scriptArguments
      // Ctrl-C ends a script where it is: the rest of it would run on a half-done result.
      interpreter.interruptEndsProgram = true
      do throws(DiagnosticList) {
        try interpreter.run(source)
        return 0
      } catch {
        if let stop = error.diagnostics.first(where: \.isInterruption) {
          Console.writeError("tau: \(stop.message) at \(stop.location)\n")
          return 130
        }
        Console.report(error.diagnostics, json: json)
        return 1
      }
    }
    if status != 0 { throw ExitCode(status) }
  }
}

/// `tau check FILE`: parse and check without running; `--validate` also builds and checks every
/// gate and cell the file declares.
struct Check: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Parse and check a Tau script without running it.",
    discussion: """
      With --validate, every gate and cell of the file (a plugin, say) is built at two sizes \
      and checked: shapes, gate values in their range, no NaN, and the derived Jacobian (full \
      and gates frozen) against finite differences. One line per declaration; exit status 1 \
      when a check fails. None of the file's statements run, only its declarations are bound.
      """)

  @Argument(help: "The .tau file to check.")
  var file: String

  @Flag(help: "Build and check every gate and cell the file declares.")
  var validate = false

  @Flag(help: "Print diagnostics as JSON (on standard error).")
  var json = false

  func run() throws {
    let source = try Console.readSource(file)
    let (json, validate) = (json, validate)
    let failed = withLargeStack { () -> Bool in
      let interpreter = Interpreter()  // silent: the checks report what they find themselves
      do throws(DiagnosticList) {
        guard validate else {
          try interpreter.check(source)
          return false
        }
        let checks = try interpreter.validateDeclarations(in: source)
        for check in checks { print(check.line) }
        if checks.isEmpty { print("no gate or cell declared in \(source.name)") }
        let problems = checks.flatMap(\.diagnostics)
        if !problems.isEmpty { Console.report(problems, json: json) }
        return !problems.isEmpty
      } catch {
        Console.report(error.diagnostics, json: json)
        return true
      }
    }
    if failed { throw ExitCode(1) }
  }
}
