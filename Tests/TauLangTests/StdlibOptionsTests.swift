// `options` of stdlib/options.tau: command-line arguments read against declared defaults, and the
// errors for what does not fit them, reported at the user's call.
import Testing

@testable import TauLang

private let declared =
  "use options\nlet o = ‸options({out: \"results\", seeds: 1, lr: 0.01, plots: false})\n"

/// Runs `source` (a `‸` marks where errors belong, and is removed) with script arguments.
private func run(_ source: String, _ arguments: [String]) -> (SnippetRun, Int?) {
  let (text, offset) = unmark(source)
  let interpreter = Interpreter()
  interpreter.scriptArguments = arguments
  return (runSnippet(text, interpreter: interpreter), offset)
}

/// The message of the one error running `declared` with `arguments` gives, checking that it is
/// a `value.invalid` at the options call.
private func failure(
  _ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation
) -> String? {
  let (result, offset) = run(declared, arguments)
  #expect(result.ids == ["value.invalid"], sourceLocation: sourceLocation)
  #expect(result.diagnostics.first?.range.start == offset, sourceLocation: sourceLocation)
  #expect(result.diagnostics.first?.stack.isEmpty == true, sourceLocation: sourceLocation)
  return result.diagnostics.first?.message
}

@Suite struct StdlibOptionsTests {
  @Test func givenOptionsReplaceTheirDefaultsReadAsTheDefaultsType() {
    let cases: [([String], String)] = [
      ([], "{out: \"results\", seeds: 1, lr: 0.01, plots: false}"),
      (
        ["--seeds", "20", "--out", "runs/a", "--lr", "3e-4", "--plots"],
        "{out: \"runs/a\", seeds: 20, lr: 0.0003, plots: true}"
      ),
      // A flag may be given true or false; an option given twice keeps the last value.
      (
        ["--plots", "false", "--seeds", "2", "--seeds", "3"],
        "{out: \"results\", seeds: 3, lr: 0.01, plots: false}"
      ),
      (["--plots", "--seeds", "-1"], "{out: \"results\", seeds: -1, lr: 0.01, plots: true}"),
    ]
    for (arguments, expected) in cases {
      let (result, _) = run(declared + "print(o)", arguments)
      #expect(result.ids == [], "\(arguments): \(result.diagnostics.map(\.message))")
      #expect(result.output == expected + "\n", "\(arguments)")
    }
  }

  @Test func whatDoesNotFitIsAnErrorAtTheCallListingTheOptions() {
    let known = "known: --out, --seeds, --lr, --plots"
    #expect(failure(["--sed", "3"]) == "unknown option --sed; \(known)")
    #expect(failure(["--seeds=3"]) == "unknown option --seeds=3; \(known)")
    #expect(failure(["--seeds", "two"]) == "option --seeds expects a number, got 'two'")
    #expect(failure(["--seeds"]) == "option --seeds needs a value")
    #expect(failure(["--out", "--seeds", "2"]) == "option --out needs a value")
    #expect(
      failure(["results"])
        == "unexpected argument 'results'; options are written --name value; \(known)")
  }

  @Test func helpListsTheOptionsWithTheirDefaultsAndStops() {
    let (result, _) = run(declared + "print(\"not reached\")", ["--seeds", "2", "--help"])
    #expect(
      result.output
        == "options (with their defaults):\n  --out results\n  --seeds 1\n  --lr 0.01\n  --plots false\n"
    )
    #expect(
      result.diagnostics.first?.message == "stopped after --help; run without it to run the script")
    // A script that declares `help` gets it as an option like any other.
    let (own, _) = run("use options\nprint(options({help: false}))", ["--help"])
    #expect(own.output == "{help: true}\n")
  }

  @Test func defaultsMustBeNumbersStringsOrBooleans() {
    let (result, offset) = run("use options\nlet o = ‸options({seeds: [1, 2]})", [])
    #expect(result.ids == ["value.invalid"])
    #expect(result.diagnostics.first?.range.start == offset)
    #expect(
      result.diagnostics.first?.message
        == "the default of option 'seeds' must be a number, a string or true/false, got a list")
  }
}
