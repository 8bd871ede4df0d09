// Parsing `:` lines: names, unique prefixes, arguments, and errors that point into the line.
import Foundation
import TauLang
import TauTestSupport
import Testing

@testable import TauREPL

@Suite struct MetaCommandTests {
  @Test(arguments: [
    (":help", MetaCommand.help(topic: nil)), (":help leaky", .help(topic: "leaky")),
    (":h :load", .help(topic: ":load")), (":type x[0] + 1", .type(expression: "x[0] + 1")),
    (":load examples/x.tau", .load(path: "examples/x.tau")),
    (":load \"my file.tau\"", .load(path: "my file.tau")), (":reload", .reload),
    (":vars", .vars), (":time let r = train(net)", .time(entry: "let r = train(net)")),
    (":reset", .reset), (":quit", .quit), (":q", .quit), ("  :ty  x  ", .type(expression: "x")),
    ("?leaky", .help(topic: "leaky")), (" ? train ", .help(topic: "train")),
    ("?", .help(topic: nil)),
  ])
  func commandsParse(_ line: String, _ expected: MetaCommand) throws {
    #expect(try MetaCommand.parse(line).get() == expected)
  }

  @Test(arguments: [
    (":bogus", "repl.unknownCommand", 0), (":t x", "repl.ambiguousCommand", 0),
    (":type", "repl.missingArgument", 0), (":load   ", "repl.missingArgument", 0),
    (":quit now", "repl.unexpectedArgument", 6), (":", "repl.unknownCommand", 0),
    ("", "repl.unknownCommand", 0), ("\t:vars\tx", "repl.unexpectedArgument", 7),
  ])
  func mistakesAreDiagnosticsInTheLine(_ line: String, _ id: String, _ column: Int) {
    guard case .failure(let diagnostic) = MetaCommand.parse(line) else {
      Issue.record("\(line) parsed")
      return
    }
    #expect(diagnostic.id.rawValue == id)
    #expect(diagnostic.range.start == column)
    #expect(diagnostic.range.file.name == "<repl>")
  }

  @Test func unknownCommandsSuggestTheNearestOne() throws {
    guard case .failure(let diagnostic) = MetaCommand.parse(":hepl") else {
      Issue.record(":hepl parsed")
      return
    }
    #expect(diagnostic.hint == "did you mean ':help'?")
  }

  @Test func theArgumentOffsetSkipsTheCommand() {
    #expect(MetaCommand.argumentOffset(in: ":type x") == 6)
    #expect(MetaCommand.argumentOffset(in: "  :time   let a = 1") == 10)
    #expect(MetaCommand.argumentOffset(in: ":vars") == 5)
  }

  @Test func everyCommandHasHelp() {
    for spec in MetaCommand.specs {
      #expect(!spec.summary.isEmpty)
      #expect(spec.usage.hasPrefix(":" + spec.name))
    }
  }
}

@Suite struct REPLDocumentationTests {
  @Test func everyCommandIsInTheLanguageReference() throws {
    let docs = try String(
      contentsOf: packageRoot.appendingPathComponent("docs/LANGUAGE.md"), encoding: .utf8)
    for spec in MetaCommand.specs {
      #expect(docs.contains("| `:\(spec.name)"), "docs/LANGUAGE.md §4.16 lacks :\(spec.name)")
    }
  }

  @Test func theOverviewListsCommandsBuiltinsAndModules() {
    let interpreter = testInterpreter(directory: FileManager.default.temporaryDirectory)
    let overview = Help(interpreter: interpreter, style: TerminalStyle(isEnabled: false))
      .overview(version: "9.9")
    #expect(overview.hasPrefix("Tau 9.9: "))
    for spec in MetaCommand.specs { #expect(overview.contains(spec.usage)) }
    for builtin in BuiltinRegistry.all {
      #expect(overview.contains(" \(builtin.name),") || overview.contains(" \(builtin.name)\n"))
    }
    #expect(overview.contains("cells: ") && overview.contains("leaky"))
  }
}
