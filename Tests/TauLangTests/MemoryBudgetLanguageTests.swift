// Programs that ask for more memory than the budget: a `memory.budget` diagnostic at the
// expression, with the size in the message, instead of a crash or the OOM killer.
import Foundation
import TauTensor
import TauTestSupport
import Testing

@testable import TauLang

/// Runs `source` with a budget of `limit` bytes for this test only.
private func runWithBudget(_ source: String, limit: Int = 1 << 30) -> SnippetRun {
  MemoryBudget.$scopedLimit.withValue(limit) { runSnippet(source) }
}

@Suite struct MemoryBudgetLanguageTests {
  @Test(arguments: [
    ("zeros([100000, 1]) @ zeros([1, 100000])", "'@' of a [100000×100000] f64 tensor needs"),
    ("rand([100000, 100000], seed: 1)", "'rand' of a [100000×100000] f64 tensor needs"),
    ("randn([100000, 100000], seed: 1)", "'randn' of a [100000×100000] f64 tensor needs"),
    ("zeros([100000]) + zeros([100000, 1])", "'+' of a [100000×100000] f64 tensor needs"),
    ("zeros([3037000500, 3037000500])", "needs more than 9223372036854775807 bytes"),
    (
      "use cells\nrnn(leaky(gate: multi), hidden: 1000000, input: 2)",
      "'rnn' of a [1000000×1000000]"
    ),
  ])
  func tooLargeTensorsAreRefused(_ source: String, _ message: String) throws {
    let run = runWithBudget(source)
    #expect(run.ids == ["memory.budget"])
    let diagnostic = try #require(run.diagnostics.first)
    #expect(diagnostic.message.contains(message), "\(diagnostic.message)")
    #expect(diagnostic.message.contains("memory budget of 1.0 GiB (1073741824 bytes)"))
    #expect(diagnostic.message.contains("TAU_MEMORY_LIMIT"))
    // At the expression that asked, not at the start of the file.
    let lastLine = source.split(separator: "\n").last.map(String.init) ?? source
    #expect(diagnostic.range.start == source.utf8.count - lastLine.utf8.count)
  }

  @Test(arguments: [
    "var l = [1]\nfor i in 1..40 { l = l + l }",
    "var l = [1]\nfor i in 1..40 { let m = l + l\n l = m }",
    "var l = [1]\nfor i in 1..40 { l = append(l, l) + l }",
    "var s = \"ab\"\nfor i in 1..60 { s = s + s }",
  ])
  func doublingAListOrStringIsRefused(_ source: String) {
    // 64 MiB: the refusal comes after a few doublings, quickly.
    let run = runWithBudget(source, limit: 64 << 20)
    #expect(run.ids == ["memory.budget"])
    #expect(
      run.diagnostics.first?.message.contains("more than the memory budget of 64.0 MiB") == true)
  }

  @Test func theStringOfALargeTensorIsBounded() {
    let run = runSnippet("let t = zeros(2000000)\nprint(len(str(t)))\nprint(str(t))")
    let lines = run.output.split(separator: "\n")
    #expect(run.ids.isEmpty && lines.count == 4)
    #expect(Int(lines.first ?? "") ?? .max < 200)
    #expect(lines.last == "min 0  max 0  mean 0")
  }

  @Test func aFileThatDeclaresAHugeShapeIsRefusedBeforeAllocating() throws {
    let scratch = try TemporaryFolder("budget")
    defer { scratch.remove() }
    let folder = scratch.url
    let file = folder.appendingPathComponent("huge.npy")
    let header = "{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 100000), }"
    var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0]
    bytes += Array(header.utf8) + [UInt8](repeating: 0, count: 16)
    try Data(bytes).write(to: file)
    let run = runSnippet("load(\"\(file.path)\")")
    #expect(run.ids == ["file.invalid"])
    #expect(run.diagnostics.first?.message.contains("(80000000000 bytes of data)") == true)
  }
}
