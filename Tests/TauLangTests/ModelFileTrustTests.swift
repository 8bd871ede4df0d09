// Model files written by strangers: loading one runs nothing but declarations, whatever its
// metadata says, and declaration bodies are pure.
import Foundation
import TauTensor
import TauTestSupport
import Testing

@testable import TauLang

/// A genuine saved model of `leaky(gate: multi)` whose stored metadata `edit` then rewrites, as
/// an attacker with a hex editor would.
private func craftedModel(
  in folder: String, _ edit: (inout [String: String]) -> Void
) throws -> String {
  let path = folder + "/crafted.safetensors"
  let saved = runSnippet(
    "use cells\nsave(rnn(leaky(gate: multi), hidden: 3, input: 2, seed: 1), \"\(path)\")")
  #expect(saved.ids == [])
  var file = try SafetensorsFile.decode(
    try Data(contentsOf: URL(fileURLWithPath: path)), path: path)
  edit(&file.metadata)
  try file.encoded().write(to: URL(fileURLWithPath: path))
  return path
}

@Suite struct ModelFileTrustTests {
  @Test func topLevelStatementsInAModelFileRunNothing() throws {
    let scratch = try TemporaryFolder("trust")
    defer { scratch.remove() }
    let folder = scratch.path
    let marker = folder + "/written.npy"
    let path = try craftedModel(in: folder) {
      $0["tau.source"]! += "\nsave(tensor([1]), \"\(marker)\")\nprint(\"loaded\")"
    }
    let run = runSnippet("let m = load(\"\(path)\")")
    #expect(run.ids == ["file.unsafe", "file.unsafe"])
    #expect(run.output == "")
    #expect(!FileManager.default.fileExists(atPath: marker))
    let first = try #require(run.diagnostics.first)
    #expect(first.message.contains("not a declaration"))
    #expect(first.range.file.text(of: first.range).hasPrefix("save(tensor([1])"))
    #expect(first.notes.last?.range.file.name == "test.tau")  // and where the user loaded it
  }

  @Test func effectfulBodiesInAModelFileRunNothing() throws {
    let scratch = try TemporaryFolder("trust")
    defer { scratch.remove() }
    let folder = scratch.path
    let path = try craftedModel(in: folder) {
      $0["tau.source"] = "use cells\ngate noisy { print(\"gate ran\")\n 0.5 }"
      $0["tau.cell"] = "leaky(gate: noisy)"
    }
    let run = runSnippet("load(\"\(path)\")")
    #expect(run.ids == ["check.impure"])
    #expect(run.output == "")
    // Functions in a model file are pure too, since a body may call them.
    let helper = try craftedModel(in: folder) {
      $0["tau.source"] = "use cells\nfn f(v) { save(v, \"x.npy\")\n v }\ngate g { f(0.5) }"
      $0["tau.cell"] = "leaky(gate: g)"
    }
    #expect(runSnippet("load(\"\(helper)\")").ids == ["check.impure"])
  }

  @Test func aModelFileMayUseOnlyTheStandardLibrary() throws {
    let scratch = try TemporaryFolder("trust")
    defer { scratch.remove() }
    let folder = scratch.path
    let marker = folder + "/plugin-ran.npy"
    try "save(tensor([1]), \"\(marker)\")\ngate evil_gate { 0.5 }\n".write(
      toFile: folder + "/evil.tau", atomically: true, encoding: .utf8)
    var searchPath = SearchPath.standard(environment: [:])
    searchPath.directories.insert(folder, at: 0)
    let path = try craftedModel(in: folder) {
      $0["tau.source"] = "use cells\nuse evil"
      $0["tau.cell"] = "leaky(gate: evil_gate)"
    }
    let run = runSnippet("load(\"\(path)\")", interpreter: Interpreter(searchPath: searchPath))
    #expect(run.ids == ["file.unsafe"])
    #expect(run.diagnostics.first?.message.contains("module 'evil'") == true)
    #expect(!FileManager.default.fileExists(atPath: marker))
    // `use` inside a declaration body is refused as well.
    let inBody = try craftedModel(in: folder) {
      $0["tau.source"] = "use cells\ngate g { use evil\n 0.5 }"
      $0["tau.cell"] = "leaky(gate: g)"
    }
    #expect(
      runSnippet("load(\"\(inBody)\")", interpreter: Interpreter(searchPath: searchPath)).ids
        == ["check.impure"])
    #expect(!FileManager.default.fileExists(atPath: marker))
    // The same plugin does run when the user asks for it: the marker test can fail.
    _ = runSnippet("use evil", interpreter: Interpreter(searchPath: searchPath))
    #expect(FileManager.default.fileExists(atPath: marker))
  }

  @Test func theCellExpressionCannotCarryStatementsOrEffects() throws {
    let scratch = try TemporaryFolder("trust")
    defer { scratch.remove() }
    let folder = scratch.path
    for cell in ["leaky\nprint(\"x\")", "leaky(gate: print)", "leaky(gate: [1, 2][0])", "print"] {
      let path = try craftedModel(in: folder) { $0["tau.cell"] = cell }
      let run = runSnippet("load(\"\(path)\")")
      #expect(run.ids == ["file.unsafe"], "\(cell)")
      #expect(run.output == "")
    }
  }

  @Test func declarationBodiesArePure() {
    expectDiagnostic("check.impure", "gate g {\n  ‸print(h)\n  0.5\n}")
    expectDiagnostic("check.impure", "cell c { let s = ‸save\n h }")
    expectDiagnostic("check.impure", "gate g(a = ‸args()) { 0.5 }")
    expectDiagnostic("check.impure", "optimizer o { if true { ‸error(\"no\") }\n grad }")
    expectDiagnostic("check.impure", "gate g { let f = fn(v) { ‸plot(v) }\n 0.5 }")
    expectDiagnostic("check.impure", "gate g { ‸use cells\n 0.5 }")
    // Functions outside declarations may print, and a body may use the pure built-ins.
    #expect(runSnippet("fn f(v) { print(v) }\nf(1)").output == "1\n")
    #expect(runSnippet("gate g { sigmoid(sum(h)) }\nprint(g)").ids == [])
  }

  @Test func effectsTheCheckerCannotSeeStopTheBuild() {
    // Through a function, and passed in as an argument: caught when the body runs.
    let throughFunction = runSnippet(
      "use cells\nfn f(v) { print(\"effect\")\n v }\ngate g { f(0.5) }\nrnn(leaky(gate: g), hidden: 2, input: 1)"
    )
    #expect(throughFunction.ids == ["runtime.impure"])
    #expect(throughFunction.output == "")
    let asArgument = runSnippet("use cells\nrnn(leaky(gate: print), hidden: 2, input: 1)")
    #expect(asArgument.ids == ["runtime.impure"])
    #expect(asArgument.output == "")
  }

  @Test func pluginGatesAreSavedWithoutTheirModules() throws {
    // A plugin gate that uses another plugin: the file stores both declarations and only
    // `use` of the standard library, and loads bit-exactly without the plugins on the path.
    let scratch = try TemporaryFolder("trust")
    defer { scratch.remove() }
    let folder = scratch.path
    try "use gates\ngate inner(b = 1) { param w [hidden] = uniform(hidden)\n sigmoid(w * h + b) }\n"
      .write(toFile: folder + "/inner_plugin.tau", atomically: true, encoding: .utf8)
    try
      "use inner_plugin\nprint(\"outer ran\")\ngate outer(a = inner, b = multi) { a(h, x) * b(h, x) }\n"
      .write(toFile: folder + "/outer_plugin.tau", atomically: true, encoding: .utf8)
    var searchPath = SearchPath.standard(environment: [:])
    searchPath.directories.insert(folder, at: 0)
    let path = folder + "/m.safetensors"
    let saved = runSnippet(
      """
      use cells
      use outer_plugin
      let net = rnn(leaky(gate: outer), hidden: 3, input: 2, seed: 4, dtype: "f64")
      save(net, "\(path)")
      save(net.forward(randn([2, 5, 2], seed: 1)).output, "\(folder)/y.npy")
      """, interpreter: Interpreter(searchPath: searchPath))
    #expect(saved.ids == [], "\(saved.diagnostics.map(\.message))")
    let stored = try SafetensorsFile.decode(
      try Data(contentsOf: URL(fileURLWithPath: path)), path: path
    ).metadata["tau.source"]
    #expect(stored?.contains("use inner_plugin") == false)
    #expect(stored?.contains("print") == false)
    let loaded = runSnippet(
      "print(load(\"\(path)\").forward(randn([2, 5, 2], seed: 1)).output == load(\"\(folder)/y.npy\"))"
    )
    #expect(loaded.ids == [], "\(loaded.diagnostics.map(\.message))")
    #expect(loaded.output == "true\n")
  }

  @Test func aModelWhoseDeclarationsCannotStandAloneIsNotSaved() throws {
    let scratch = try TemporaryFolder("trust")
    defer { scratch.remove() }
    let folder = scratch.path
    let run = runSnippet(
      "use cells\nlet b = 2\ngate g { sigmoid(sum(h) + b) }\nsave(rnn(leaky(gate: g), hidden: 2, input: 1), \"\(folder)/m.safetensors\")"
    )
    #expect(run.ids == ["file.unsaveable"])
    #expect(run.diagnostics.first?.message.contains("unknown name 'b'") == true)
    #expect(!FileManager.default.fileExists(atPath: folder + "/m.safetensors"))
  }
}
