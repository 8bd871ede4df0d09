// `tau` with no subcommand: the interactive session (TauREPL), or a script read from standard
// input when that is not a terminal.
import ArgumentParser
import TauLang
import TauREPL

struct Interactive: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "repl", abstract: "The interactive session (the default without a subcommand).")

  func run() throws {
    withLargeStack { REPL.run(version: tauVersion) }
  }
}
