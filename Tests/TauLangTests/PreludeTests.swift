// The prelude: stdlib/tasks.tau is loaded into every session beside the built-ins, visible to
// scripts and modules without `use`, and shadowed by a script's own names like a built-in.
import Foundation
import TauTestSupport
import Testing

@testable import TauLang

@Suite struct PreludeTests {
  @Test func everyModuleOfThePreludeLoads() {
    for module in Prelude.programs {
      if case .failure(let list) = module.program {
        Issue.record("\(module.name): \(list.diagnostics.map(\.message))")
      }
    }
    #expect(Prelude.programs.map(\.name) == Prelude.moduleNames)
  }

  @Test func tasksNeedNoUse() {
    let interpreter = Interpreter()
    let run = runSnippet(
      "print(adding, adding(length: 4).name, narma10(length: 10).name)", interpreter: interpreter)
    #expect(run.ids == [], "\(run.diagnostics.map(\.message))")
    #expect(run.output == "<fn adding(length, input, seed)> adding narma10\n")
    // The prelude is not the session's own: `:vars` does not list it.
    #expect(interpreter.sessionBindings.isEmpty)
  }

  @Test func theCheckerKnowsThePreludesParameters() {
    let run = runSnippet("adding(length: 4, inputs: 2)")
    #expect(run.ids == ["call.unknownArgument"])
    #expect(run.diagnostics.first?.hint == "did you mean 'input:'?")
  }

  @Test func aScriptMayShadowAPreludeName() {
    let run = runSnippet("fn adding(length) { length * 2 }\nprint(adding(3))")
    #expect(run.ids == [], "\(run.diagnostics.map(\.message))")
    #expect(run.output == "6\n")
  }

  @Test func modulesSeeThePreludeAndUseTasksStillWorks() throws {
    let scratch = try TemporaryFolder("prelude")
    defer { scratch.remove() }
    let folder = scratch.path
    try "let probe = recall(length: 15).batch(2)\n".write(
      toFile: folder + "/probing.tau", atomically: true, encoding: .utf8)
    var path = SearchPath.standard(environment: [:])
    path.directories.insert(folder, at: 0)
    let run = runSnippet(
      "use probing\nuse tasks\nprint(probe.inputs.shape, copy(length: 4).batch(1).targets.shape)",
      interpreter: Interpreter(searchPath: path))
    #expect(run.ids == [], "\(run.diagnostics.map(\.message))")
    #expect(run.output == "[2, 15, 2] [1, 1]\n")
  }
}
