// Which stdlib cells forward mode finds diagonal: the input-gated recurrences and a cell whose
// recurrence is elementwise are; a recurrent matrix, or several states joined, make the
// Jacobian dense.
import Testing

@testable import TauGraph
@testable import TauLang

@Suite struct JacobianStructureTests {
  static let cases: [(cell: String, structure: JacobianStructure)] = [
    ("mingru()", .diagonal), ("minlstm()", .diagonal), ("rglru()", .diagonal),
    ("elementwise()", .diagonal), ("leaky(gate: constant(0.5))", .dense),
    ("leaky(gate: multi)", .dense), ("plain()", .dense), ("gru()", .dense), ("lstm()", .dense),
    // A matrix state is joined to h, and the join is dense today, although S's block is not.
    ("mamba(N: 2)", .dense), ("gated_deltanet(dk: 2)", .dense),
    ("torch_gru()", .dense), ("torch_lstm()", .dense),
  ]

  @Test(arguments: cases.map(\.cell))
  func forwardModeFindsTheStructure(_ cell: String) throws {
    let interpreter = Interpreter()
    let run = runSnippet(
      """
      use cells
      use modern
      use torch
      # A leaky cell whose recurrence is elementwise: every unit on its own.
      cell elementwise {
        param w [hidden] = uniform(hidden)
        param Wi [hidden, input] = uniform(input)
        gate g = sigmoid(Wi @ x)
        g * tanh(w * h) + (1 - g) * h
      }
      let net = rnn(\(cell), hidden: 3, input: 2, dtype: "f64")
      """, interpreter: interpreter)
    guard run.diagnostics.isEmpty, case .model(let model)? = interpreter.globals.lookup("net")
    else { throw DiagnosticList(run.diagnostics) }
    let expected = try #require(Self.cases.first { $0.cell == cell }).structure
    #expect(try model.lowered.graph.stateJacobianStructure() == expected, "\(cell)")
  }

  /// `:type` of a model shows where its states sit and the structure found.
  @Test func theTypeSummaryShowsTheStatesAndTheStructure() throws {
    let interpreter = Interpreter()
    let run = runSnippet(
      """
      use modern
      let diagonal = rnn(mingru(), hidden: 3, input: 2)
      let matrix = rnn(gated_deltanet(dk: 2), hidden: 3, input: 2)
      """, interpreter: interpreter)
    guard run.diagnostics.isEmpty, let diagonal = interpreter.globals.lookup("diagonal"),
      let matrix = interpreter.globals.lookup("matrix")
    else { throw DiagnosticList(run.diagnostics) }
    #expect(typeSummary(diagonal).hasSuffix("; states h [3] (3 entries); state Jacobian diagonal"))
    #expect(
      typeSummary(matrix).hasSuffix("; states h [3], S [2×3] (9 entries); state Jacobian dense"))
  }
}
