// Errors raised while a model is built lead back to the user's code: the gate whose value took
// part, the application that led into a gate, and the `rnn` call; shapes never show placeholders.
import Testing

@testable import TauLang

@Suite struct LoweringDiagnosticTests {
  @Test func anErrorInAStdlibCellLeadsBackToTheUsersGate() throws {
    let source = """
      use cells
      gate wide {
        param W [2, input] = uniform(input)
        sigmoid(W @ x)
      }
      let net = rnn(leaky(gate: wide), hidden: 16, input: 3)
      """
    let run = runSnippet(source)
    #expect(run.ids == ["shape.mismatch"])
    let error = try #require(run.diagnostics.first)
    #expect(error.range.file.name.hasSuffix("stdlib/cells.tau"))
    #expect(error.message == "shape mismatch in '*': [2] and [16]")
    #expect(error.notes.map(\.range.file.name) == ["test.tau", "test.tau"])
    #expect(
      error.notes[0].message == "[2] is the value of gate 'wide' (the cell's 'gate'), computed here"
    )
    #expect(error.notes[0].range.file.text(of: error.notes[0].range) == "sigmoid(W @ x)")
    #expect(error.notes[1].message == "while building cell 'leaky' with hidden 16 and input 3")
    #expect(error.notes[1].range.file.text(of: error.notes[1].range).hasPrefix("rnn(leaky"))
  }

  @Test func anErrorInsideAGateNamesItsApplication() throws {
    let run = runSnippet(
      "use cells\ngate bad {\n  param W [hidden, 2] = uniform(2)\n  sigmoid(W @ x)\n}\nrnn(lstm(forget_gate: bad), hidden: 4, input: 3)"
    )
    let error = try #require(run.diagnostics.first)
    #expect(error.range.file.name == "test.tau")
    #expect(
      error.notes.map(\.message) == [
        "in gate 'bad', applied here", "while building cell 'lstm' with hidden 4 and input 3",
      ])
    #expect(error.notes[0].range.file.text(of: error.notes[0].range) == "forget_gate(h, x)")
  }

  @Test func shapesInMessagesAreTheCallersOwn() {
    // No [-1×-1×3] placeholder, and the batch of 40 (which training splits in two) as given.
    let inputs = runSnippet(
      "use cells\nlet net = rnn(plain, hidden: 3, input: 3)\ngradient(net, {inputs: randn([5, 7, 4], seed: 1), targets: randn([5, 1], seed: 1)})"
    )
    #expect(
      inputs.diagnostics.first?.message
        == "invalid shape [5×7×4] in 'gradient': the model takes inputs [batch × length × 3], batch and length ≥ 1"
    )
    let targets = runSnippet(
      "use cells\nlet net = rnn(plain, hidden: 3, input: 2)\ngradient(net, {inputs: randn([40, 4, 2], seed: 1, dtype: \"f32\"), targets: randn([40, 2], seed: 1, dtype: \"f32\")})"
    )
    #expect(targets.diagnostics.first?.message == "shape mismatch in 'gradient': [40×1] and [40×2]")
  }

  @Test func cellsAndGatesThatBuildThemselvesAreCycles() throws {
    let cells = runSnippet(
      "cell a {\n  let n = rnn(b, hidden: 2, input: 1)\n  h\n}\ncell b {\n  let m = rnn(a, hidden: 2, input: 1)\n  h\n}\nrnn(a, hidden: 2, input: 1)"
    )
    #expect(cells.ids == ["model.cycle"])
    #expect(
      cells.diagnostics.first?.message == "cells build each other in a cycle: 'a' → 'b' → 'a'")
    let gates = runSnippet(
      "use cells\ngate g(f = g) { f(h, x) }\nrnn(leaky(gate: g), hidden: 2, input: 1)")
    #expect(gates.ids == ["model.cycle"])
    #expect(gates.diagnostics.first?.message == "gates apply each other in a cycle: 'g' → 'g'")
    // A gate applying another gate is not a cycle.
    #expect(
      runSnippet(
        "use cells\ngate outer(a = multi, b = scalar) { a(h, x) * b(h, x) }\nrnn(leaky(gate: outer), hidden: 2, input: 1)"
      ).ids == [])
  }
}
