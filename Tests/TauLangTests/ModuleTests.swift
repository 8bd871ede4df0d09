// `use`: plugins on the search path, loading once, cycles, missing and broken modules.
import Foundation
import TauTestSupport
import Testing

@testable import TauLang

private let plugins = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .appendingPathComponent("Fixtures/plugins").path

private func session() -> Interpreter {
  var path = SearchPath.standard(environment: [:])
  path.directories.insert(plugins, at: 0)
  return Interpreter(searchPath: path)
}

@Suite struct ModuleTests {
  @Test func pluginsLoadOnceAndExportTheirNames() {
    let interpreter = session()
    let run = runSnippet(
      "use softgate\nuse softgate\nprint(soft(temperature: 4), default_gate)",
      interpreter: interpreter)
    #expect(run.ids == [])
    #expect(run.output == "softgate loaded\n<gate soft(temperature: 4)> <gate multi>\n")
    // A later entry of the same session does not run the module again.
    let again = runSnippet("use softgate\nprint(soft)", interpreter: interpreter)
    #expect(again.output == "<gate soft>\n")
  }

  @Test func moduleNamesDoNotLeakWithoutUse() {
    #expect(runSnippet("print(soft)", interpreter: session()).ids == ["name.unknown"])
  }

  @Test func cyclesAreDiagnosedWithThePath() {
    let run = runSnippet("use cycle_a", interpreter: session())
    #expect(run.ids == ["module.cycle"])
    #expect(run.diagnostics.first?.message.contains("cycle_a → cycle_b → cycle_a") == true)
  }

  @Test func errorsInsideAModulePointIntoIt() {
    let run = runSnippet("use broken", interpreter: session())
    #expect(run.ids == ["input.unexpectedEnd"] || run.ids == ["parse.expected"])
    #expect(run.diagnostics.first?.range.file.name.hasSuffix("plugins/broken.tau") == true)
  }

  @Test func missingModulesListEveryPathTried() {
    let run = runSnippet("use nowhere", interpreter: session())
    #expect(run.ids == ["module.notFound"])
    let message = run.diagnostics.first?.message ?? ""
    #expect(message.contains(plugins + "/nowhere.tau"))
    #expect(message.contains("./plugins/nowhere.tau"))
  }

  @Test func scriptsFindTheModulesBesideThem() throws {
    let scratch = try TemporaryFolder("modules")
    defer { scratch.remove() }
    let folder = scratch.url
    try "let helper_value = 42\n".write(
      to: folder.appendingPathComponent("helper.tau"), atomically: true, encoding: .utf8)
    let host = RecordingHost()
    let interpreter = session()
    interpreter.host = host
    try interpreter.run(
      SourceFile(name: folder.path + "/main.tau", text: "use helper\nprint(helper_value)"))
    #expect(host.output == "42\n")
    // Without a folder (the interactive loop), the module is not found.
    #expect(runSnippet("use helper", interpreter: session()).ids == ["module.notFound"])
  }

  @Test func searchPathOrder() {
    let path = SearchPath.standard(environment: ["TAU_PATH": "/a:/b", "TAU_HOME": "/nonexistent"])
    #expect(Array(path.directories.prefix(3)) == ["/a", "/b", "./plugins"])
    #expect(path.directories.last?.hasSuffix("stdlib") == true)
  }

  @Test func stdlibIsFoundAndChecks() {
    let run = runSnippet(
      "use gates\nuse cells\nuse optimizers\nprint(leaky(gate: scalar), adam(lr: 0.01))")
    #expect(run.ids == [])
    #expect(run.output == "<cell leaky(gate: scalar)> <optimizer adam(lr: 0.01)>\n")
  }
}
