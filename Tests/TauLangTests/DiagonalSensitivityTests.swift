// Sensitivities of diagonal cells by their diagonals against the general path that multiplies
// full matrices, in both orders, and NaN kept; and the structure option refused when misspelled.
import Testing

@testable import TauLang
@testable import TauTensor

@Suite struct DiagonalSensitivityTests {
  @Test(arguments: ["mingru()", "rglru()", "minlstm()"])
  func diagonalsGiveTheGeneralPathsNumbers(_ cell: String) throws {
    let interpreter = Interpreter()
    let run = runSnippet(
      """
      use modern
      let net = rnn(\(cell), hidden: 5, input: 2, dtype: "f64", seed: 2)
      let b = adding(length: 30, input: 2, seed: 1).batch(3, 0)
      let fast = sensitivity(net, b)
      let slow = sensitivity(net, b, structure: "dense")
      let reversed = sensitivity(net, b, order: "reverse")
      let e = efflr(net, b)
      let f = efflr(net, b, structure: "dense")
      # An independent value: LAPACK's spectral norm of transports P_{t,k}.
      var worst = 0
      for t in [2, 9, 30] {
        for k in [1, 5, t - 1] {
          if k < t {
            let P = transport(net, b, t, k)
            for s in 0..2 {
              let exact = norm(P[s], kind: "spectral")
              worst = max(worst, abs(fast[s, t - 1, k - 1] - exact) / exact)
            }
          }
        }
      }
      """, interpreter: interpreter)
    guard run.diagnostics.isEmpty, case .tensor(let fast)? = interpreter.globals.lookup("fast"),
      case .tensor(let slow)? = interpreter.globals.lookup("slow"),
      case .tensor(let reversed)? = interpreter.globals.lookup("reversed"),
      case .record(let e)? = interpreter.globals.lookup("e"),
      case .record(let f)? = interpreter.globals.lookup("f")
    else { throw DiagnosticList(run.diagnostics) }
    #expect(fast.shape == [3, 30, 30])
    guard case .number(let worst)? = interpreter.globals.lookup("worst") else {
      throw DiagnosticList(run.diagnostics)
    }
    #expect(worst < 1e-12, "\(cell) against the SVD of its transports: \(worst)")
    for (label, other) in [("dense", slow), ("reverse", reversed)] {
      let worst =
        zip(fast.doubles, other.doubles).map { abs($0 - $1) / max(abs($1), 1e-300) }
        .max() ?? .infinity
      #expect(worst < 1e-12, "\(cell) against \(label): \(worst)")
    }
    guard case .number(let fastSlope)? = e["slope"], case .number(let slowSlope)? = f["slope"]
    else { throw DiagnosticList(run.diagnostics) }
    #expect(abs(fastSlope - slowSlope) < 1e-10, "\(cell): \(fastSlope) and \(slowSlope)")
  }

  @Test func aMisspelledStructureIsAnError() {
    let run = runSnippet(
      """
      use modern
      let net = rnn(mingru(), hidden: 2, input: 2)
      sensitivity(net, randn([1, 3, 2], seed: 1), structure: "diag")
      """)
    #expect(run.ids == ["value.invalid"], "\(run.diagnostics.map(\.message))")
  }
}
