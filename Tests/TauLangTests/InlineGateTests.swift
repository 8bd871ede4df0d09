// Gates marked inside a cell body (`gate z = …`): the same graph, Jacobians and efflr as a
// separately declared gate, messages that name the cell, and the places the statement is refused.
import Foundation
import TauTestSupport
import Testing

@testable import TauGraph
@testable import TauLang
@testable import TauTensor

/// The stdlib leaky cell with `multi` written inline: the gate's weights are the cell's own.
private let inlineLeaky = """
  cell inline_leaky {
    param Wr [hidden, hidden] = uniform(hidden)
    param Wi [hidden, input]  = uniform(input)
    param Ur [hidden, hidden] = uniform(hidden)
    param Ui [hidden, input]  = uniform(input)
    gate g = sigmoid(Ur @ h + Ui @ x)
    g * tanh(Wr @ h + Wi @ x) + (1 - g) * h
  }
  """

/// The lowered cell of the model bound to `name` after running `source`.
private func loweredModel(_ source: String, _ name: String) throws -> LoweredCell {
  guard case .model(let model) = try global(source, name) else { throw DiagnosticList([]) }
  return model.lowered
}

@Suite struct InlineGateTests {
  /// With the declared gate's weights copied into the inline cell, every operator that reads
  /// gates agrees to the last bit: the full and the frozen-gate Jacobians and efflr's fit.
  @Test func anInlineGateActsAsTheDeclaredGate() throws {
    let scratch = try TemporaryFolder("inline-gate")
    defer { scratch.remove() }
    let weights = scratch.url.appendingPathComponent("w.safetensors").path
    let source = """
      use cells
      \(inlineLeaky)
      let declared = rnn(leaky(gate: multi), hidden: 5, input: 2, seed: 3, dtype: "f64")
      let p = declared.params
      save({cell: {Wr: p.cell.Wr, Wi: p.cell.Wi, Ur: p.cell.gate.Wr, Ui: p.cell.gate.Wi},
            readout: p.readout}, "\(weights)")
      let inline = load("\(weights)", into: rnn(inline_leaky, hidden: 5, input: 2, dtype: "f64"))
      let b = adding(length: 12, input: 2, seed: 1).batch(3)
      let J = [jacobian(declared, b), jacobian(inline, b)]
      let A = [jacobian(declared, b, part: "dominant"), jacobian(inline, b, part: "dominant")]
      let E = [efflr(declared, b), efflr(inline, b)]
      """
    let interpreter = Interpreter()
    let run = runSnippet(source, interpreter: interpreter)
    #expect(run.ids == [], "\(run.diagnostics.map(\.message))")
    func pair(_ name: String) throws -> (Value, Value) {
      guard case .list(let items)? = interpreter.globals.lookup(name), items.count == 2 else {
        throw DiagnosticList([])
      }
      return (items[0], items[1])
    }
    let (jDeclared, jInline) = try pair("J")
    let (aDeclared, aInline) = try pair("A")
    #expect(try tensor(jDeclared).scalars == tensor(jInline).scalars)
    #expect(try tensor(aDeclared).scalars == tensor(aInline).scalars)
    // The gate reads h, so the frozen-gate part differs from J: the mark was honoured.
    #expect(maxAbsDifference(try tensor(jDeclared), try tensor(aDeclared)) > 1e-3)
    guard case (.record(let declared), .record(let inline)) = try pair("E") else {
      throw DiagnosticList([])
    }
    for field in ["empirical", "predicted", "fitted"] {
      #expect(try tensor(declared[field]).scalars == tensor(inline[field]).scalars, "\(field)")
    }
    for field in ["slope", "intercept", "r2", "pairs"] {
      guard case .number(let a)? = declared[field], case .number(let b)? = inline[field] else {
        Issue.record("\(field) is not a number")
        continue
      }
      #expect(a == b, "\(field)")
    }
  }

  @Test func anInlineGateIsMarkedAndNamedAfterItsCell() throws {
    let lowered = try loweredModel(
      """
      cell mingru {
        param Wz [hidden, input] = uniform(input)
        param Wh [hidden, input] = uniform(input)
        gate z = sigmoid(Wz @ x)
        gate kept = h
        z * (Wh @ x) + (1 - z) * kept
      }
      let net = rnn(mingru, hidden: 3, input: 2)
      """, "net")
    #expect(lowered.gates.map(\.name) == ["z", "kept"])
    #expect(lowered.gates.allSatisfy { $0.isInline && $0.declaration.name == "mingru" })
    #expect(lowered.gates[0].title == "gate 'z' of cell 'mingru'")
    #expect(lowered.gates.allSatisfy { lowered.graph[$0.node].isGate })
    // h itself is the state input: the mark goes on a fresh node, not on the input.
    guard case .binary(.add) = lowered.graph[lowered.gates[1].node].op else {
      Issue.record("'gate kept = h' marked \(lowered.graph[lowered.gates[1].node].op)")
      return
    }
    #expect(lowered.graph.nodes.filter(\.isGate).count == 2)
  }

  @Test func theProbeNamesTheCellAndTheInlineRange() throws {
    let run = runSnippet(
      "cell c {\n  gate w = 2 + 0 * sum(h)\n  w * h\n}\nlet net = rnn(c, hidden: 3, input: 1)")
    #expect(run.ids == [])
    let warning = try #require(run.warnings.first)
    #expect(warning.id == "model.gateRange")
    #expect(warning.message.hasPrefix("gate 'w' of cell 'c' takes values in [2, 2]"))
    #expect(warning.range.file.text(of: warning.range) == "2 + 0 * sum(h)")
    #expect(warning.hint?.contains("'gate w in [-1, 1] = …'") == true)
    let signed = runSnippet(
      "cell c {\n  gate w in [-1, 1] = tanh(sum(h))\n  w * h\n}\nrnn(c, hidden: 3, input: 1)")
    #expect(signed.ids == [] && signed.warnings.isEmpty)
  }

  @Test func aShapeErrorNotesTheInlineGate() throws {
    let run = runSnippet(
      """
      cell c {
        param W [2, input] = uniform(input)
        gate z = sigmoid(W @ x)
        z * h
      }
      rnn(c, hidden: 4, input: 3)
      """)
    let error = try #require(run.diagnostics.first)
    #expect(error.id == "shape.mismatch")
    #expect(
      error.notes.contains {
        $0.message == "[2] is the value of gate 'z' of cell 'c', computed here"
      })
  }

  @Test func theStatementBelongsDirectlyInACellBody() {
    expectDiagnostic("check.misplaced", "‸gate z = 0.5")
    expectDiagnostic("check.misplaced", "gate g {\n  ‸gate z = sigmoid(sum(h))\n  z\n}")
    expectDiagnostic("check.misplaced", "fn f() {\n  ‸gate z = 0.5\n  z\n}")
    expectDiagnostic("check.misplaced", "cell c {\n  if true { ‸gate z = 0.5 }\n  h\n}")
    expectDiagnostic("check.misplaced", "optimizer o {\n  ‸gate z = 0.5\n  z * grad\n}")
    expectDiagnostic("parse.unexpected", "cell c {\n  gate z‸(a) = 0.5\n  z * h\n}")
    // The name is bound like a `let`: used after, not assignable.
    expectDiagnostic("check.assignToLet", "cell c {\n  gate z = 0.5\n  ‸z = 0.2\n  z * h\n}")
    let top = runSnippet("gate z = 0.5")
    #expect(top.diagnostics.first?.hint == "to declare a gate of its own, write 'gate z { … }'")
  }

  @Test func theStatementParsesWithItsRange() {
    let (program, diagnostics) = Parser.parse(
      SourceFile(name: "t.tau", text: "cell c {\n  gate z in [-1, 1] =\n    tanh(h)\n  z * h\n}"))
    #expect(diagnostics.isEmpty)
    guard case .declaration(let cell) = program.statements[0].kind,
      case .inlineGate(let name, _, let bounds, let value) = cell.body.statements[0].kind
    else {
      Issue.record("not an inline gate: \(program.statements)")
      return
    }
    #expect(name == "z" && bounds?.lower == -1 && bounds?.upper == 1)
    #expect(value.range.file.text(of: value.range) == "tanh(h)")
  }
}
