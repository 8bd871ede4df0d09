// The `tau` command line: subcommands for each way of using Tau.
import ArgumentParser

@main
struct Tau: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tau",
    abstract: "A language and lab for studying gates in recurrent networks as learning rates.",
    version: tauVersion,
    subcommands: [Bench.self])
}

/// The version printed by `tau --version`.
let tauVersion = "0.1.0"
