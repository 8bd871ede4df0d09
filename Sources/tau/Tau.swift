// The `tau` command line: subcommands for each way of using Tau, and the exit codes the brief
// specifies (0 ok, 1 a Tau error, 2 usage, 130 interrupted).
import ArgumentParser
import Foundation

@main
struct Tau: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tau",
    abstract: "A language and lab for studying gates in recurrent networks as learning rates.",
    discussion: "Without a subcommand, tau reads Tau lines interactively (or from standard input).",
    version: tauVersion,
    subcommands: [Run.self, Check.self, Bench.self, Interactive.self],
    defaultSubcommand: Interactive.self)

  /// ArgumentParser's own `main`, with usage errors mapped to exit code 2.
  static func main() {
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch {
      let code = exitCode(for: error)
      let message = fullMessage(for: error)
      if code == .success {
        if !message.isEmpty { print(message) }
        Foundation.exit(0)
      }
      if !message.isEmpty {
        FileHandle.standardError.write(Data((message + "\n").utf8))
      }
      Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
    }
  }
}

/// The version printed by `tau --version`.
let tauVersion = "0.1.0"
