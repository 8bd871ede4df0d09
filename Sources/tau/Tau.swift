// The `tau` command line: subcommands for each way of using Tau, and the exit codes the brief
// specifies (0 ok, 1 a Tau error, 2 usage, 130 interrupted).
import ArgumentParser
import Foundation
import TauTensor

@main
struct Tau: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tau",
    abstract: "A language and lab for studying gates in recurrent networks as learning rates.",
    discussion: "Without a subcommand, tau reads Tau lines interactively (or from standard input).",
    version: tauVersion,
    subcommands: [Run.self, Check.self, Merge.self, Bench.self, Interactive.self],
    defaultSubcommand: Interactive.self)

  /// ArgumentParser's own `main`, with usage errors mapped to exit code 2.
  static func main() {
    do {
      var command = try parseAsRoot()
      warnAboutAnInvalidMemoryLimit()
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

/// A TAU_MEMORY_LIMIT that is not a size is not an error (the default budget applies), but it
/// must not go unnoticed: the user meant some other budget.
private func warnAboutAnInvalidMemoryLimit() {
  guard let value = MemoryBudget.configured.invalidValue else { return }
  let fallback = MemoryBudget.format(MemoryBudget.configured.bytes)
  FileHandle.standardError.write(
    Data(
      ("tau: warning: \(MemoryBudget.environmentVariable)=\(value) is not a size (bytes, or with "
        + "a suffix: 512M, 8G); the memory budget is half of physical memory, \(fallback)\n").utf8))
}

/// The version printed by `tau --version`.
let tauVersion = "0.1.0"
