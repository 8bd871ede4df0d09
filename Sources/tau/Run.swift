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
      let interpreter = Interpreter()
      interpreter.scriptArguments = scriptArguments
      // Ctrl-C ends a script where it is: the rest of it would run on a half-done result.
      interpreter.interruptEndsProgram = true
      interpreter.progress = quiet ? .quiet : .automatic
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

/// `tau check FILE`: parse and check without running.
struct Check: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Parse and check a Tau script without running it.")

  @Argument(help: "The .tau file to check.")
  var file: String

  @Flag(help: "Print diagnostics as JSON (on standard error).")
  var json = false

  func run() throws {
    let source = try Console.readSource(file)
    do throws(DiagnosticList) {
      try Interpreter().check(source)
    } catch {
      Console.report(error.diagnostics, json: json)
      throw ExitCode(1)
    }
  }
}
