// save/load of models and tensors from Tau: round trips, loading into a model, and errors that
// name the key and both shapes without half-loading anything.
import Foundation
import TauTestSupport
import Testing

@testable import TauLang

@Suite struct ModelFileTests {
  @Test func modelsRoundTripWithTheirOwnCells() throws {
    let scratch = try TemporaryFolder("io")
    defer { scratch.remove() }
    let folder = scratch.path
    let source = """
      use cells
      gate sticky(bias = -2) {
        param Wr [hidden, hidden] = uniform(hidden)
        sigmoid(Wr @ h + bias)
      }
      let net = rnn(leaky(gate: sticky(bias: -1.25)), hidden: 4, input: 3, seed: 2, dtype: "f64")
      save(net, "\(folder)/m.safetensors")
      let again = load("\(folder)/m.safetensors")
      let inputs = randn([2, 5, 3], seed: 1)
      print(again)
      print(net.forward(inputs).output == again.forward(inputs).output)
      let other = rnn(leaky(gate: sticky(bias: -1.25)), hidden: 4, input: 3, seed: 9, dtype: "f64")
      print(load("\(folder)/m.safetensors", into: other).forward(inputs).output == net.forward(inputs).output)
      """
    let run = runSnippet(source)
    #expect(run.ids == [], "\(run.diagnostics.map(\.message))")
    #expect(
      run.output
        == "<model leaky(gate: sticky(bias: -1.25)), hidden: 4, input: 3, f64, 48 parameters>\ntrue\ntrue\n"
    )
    // Atomic writes leave no temporary files behind.
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["m.safetensors"])
  }

  @Test func readoutBiasesAreSavedAndLoaded() throws {
    let scratch = try TemporaryFolder("io")
    defer { scratch.remove() }
    let folder = scratch.path
    let source = """
      use cells
      let net = rnn(plain, hidden: 3, input: 2, output: 2, bias: true, seed: 5)
      print(keys(net.params.readout), net.params.readout.bo.shape)
      save(net, "\(folder)/b.safetensors")
      let inputs = randn([2, 4, 2], seed: 3, dtype: "f32")
      print(load("\(folder)/b.safetensors").forward(inputs).output == net.forward(inputs).output)
      let g = gradient(net, {inputs: inputs, targets: zeros([2, 2], dtype: "f32")})
      print(g.grads.readout.bo.shape)
      """
    let run = runSnippet(source)
    #expect(run.ids == [], "\(run.diagnostics.map(\.message))")
    #expect(run.output == "[\"Wo\", \"bo\"] [2]\ntrue\n[2]\n")
  }

  @Test func tensorsAndRecordsRoundTrip() throws {
    let scratch = try TemporaryFolder("io")
    defer { scratch.remove() }
    let folder = scratch.path
    let source = """
      let t = randn([3, 2], seed: 4, dtype: "f32")
      save(t, "\(folder)/t.npy")
      print(load("\(folder)/t.npy") == t, load("\(folder)/t.npy").dtype)
      save({a: t, b: {c: ones(2)}}, "\(folder)/r.safetensors")
      let r = load("\(folder)/r.safetensors")
      print(r.a == t, r.b.c)
      """
    #expect(runSnippet(source).output == "true f32\ntrue Tensor<f64>[2]\n[1, 1]\n")
  }

  @Test func mismatchedWeightsAreErrorsNamingKeyAndShapes() throws {
    let scratch = try TemporaryFolder("io")
    defer { scratch.remove() }
    let folder = scratch.path
    let save = runSnippet(
      "use cells\nsave(rnn(plain, hidden: 4, input: 3), \"\(folder)/p.safetensors\")")
    #expect(save.ids == [])
    let wrongSize = runSnippet(
      "use cells\nload(\"\(folder)/p.safetensors\", into: rnn(plain, hidden: 5, input: 3))")
    #expect(wrongSize.ids == ["file.mismatch"])
    #expect(
      wrongSize.diagnostics.first?.message.contains("'cell.Wi' is [4×3]") == true
        || wrongSize.diagnostics.first?.message.contains("'cell.Wr' is [4×4]") == true)
    let wrongCell = runSnippet(
      "use cells\nload(\"\(folder)/p.safetensors\", into: rnn(leaky(gate: multi), hidden: 4, input: 3))"
    )
    #expect(wrongCell.ids == ["file.mismatch"])
    #expect(wrongCell.diagnostics.first?.message.contains("lacks 'cell.gate.Wr'") == true)
  }

  @Test func damagedAndMissingFilesAreErrors() throws {
    let scratch = try TemporaryFolder("io")
    defer { scratch.remove() }
    let folder = scratch.path
    try Data([1, 2, 3]).write(to: URL(fileURLWithPath: folder + "/bad.safetensors"))
    #expect(runSnippet("load(\"\(folder)/bad.safetensors\")").ids == ["file.invalid"])
    #expect(runSnippet("load(\"\(folder)/none.npy\")").ids == ["file.unreadable"])
    #expect(runSnippet("save(ones(2), \"\(folder)/no/such/dir/x.npy\")").ids == ["file.unwritable"])
    #expect(runSnippet("save(ones(2), \"\(folder)/x.txt\")").ids == ["value.invalid"])
    #expect(runSnippet("save([1, 2], \"\(folder)/x.npy\")").ids == ["type.mismatch"])
  }
}
