// The envelope f(ℓ) against what it must be: the closed form (1 - α)^ℓ and τ = -1/log(1 - α) of
// a constant gate, and, for the first-order and diagonal kinds, the products of the exact step
// Jacobians' diagonals that `jacobian` returns, averaged here by hand.
import Foundation
import TauTensor
import Testing

@testable import TauLang

@Suite struct EnvelopeTests {
  private let model = """
    use cells
    use gates
    let net = rnn(leaky(gate: constant(0.1)), hidden: 3, input: 2, dtype: "f64", seed: 2)
    let b = adding(length: 40, input: 2, seed: 1).batch(2, 0)
    """

  private func run(_ source: String) throws -> Interpreter {
    let interpreter = Interpreter()
    let run = runSnippet(source, interpreter: interpreter)
    guard run.diagnostics.isEmpty else { throw DiagnosticList(run.diagnostics) }
    return interpreter
  }

  private func field(_ record: Value?, _ name: String) throws -> Value {
    guard case .record(let r)? = record, let value = r[name] else { throw DiagnosticList([]) }
    return value
  }

  private func doubles(_ value: Value) throws -> [Double] {
    guard case .tensor(let t) = value else { throw DiagnosticList([]) }
    return t.doubles
  }

  @Test func aConstantGatesEnvelopeIsItsClosedForm() throws {
    let interpreter = try run(
      model + "\nlet e = envelope(net, b, lags: [1, 2, 5, 9, 17, 30], kind: \"gate\")")
    let e = interpreter.globals.lookup("e")
    let lags = try doubles(field(e, "lag"))
    let f = try doubles(field(e, "f"))
    for (lag, value) in zip(lags, f) {
      #expect(abs(value - pow(0.9, lag)) < 1e-12 * pow(0.9, lag), "f(\(lag)) = \(value)")
    }
    let tau = -1 / log(0.9)
    for value in try doubles(field(e, "tau")) { #expect(abs(value - tau) < 1e-9 * tau) }
    guard case .number(let envelopeTau) = try field(e, "tau_env") else { throw DiagnosticList([]) }
    #expect(abs(envelopeTau - tau) < 1e-9 * tau)
    #expect(try doubles(field(e, "windows")) == lags.map { 2 * (39 - $0 + 1) })
  }

  /// μ from the exact Jacobians' diagonals, by hand: ∏ J_qq, or ∏ c (1 + Σ (J_qq - c)/c) with
  /// the constant retention c = 0.9, over every window of each lag.
  @Test(arguments: ["first-order", "diagonal"])
  func otherKindsMultiplyTheJacobiansDiagonals(_ kind: String) throws {
    let interpreter = try run(
      model
        + "\nlet e = envelope(net, b, lags: [1, 3, 8, 20], kind: \"\(kind)\")\nlet J = jacobian(net, b)"
    )
    guard case .tensor(let jacobians)? = interpreter.globals.lookup("J") else {
      throw DiagnosticList([])
    }
    let e = interpreter.globals.lookup("e")
    let (j, length, n, c) = (jacobians.doubles, 40, 3, 0.9)
    func diagonal(_ b: Int, _ t: Int, _ q: Int) -> Double {
      j[((b * length + t - 1) * n + q) * n + q]
    }
    let units = try doubles(field(e, "units"))
    let f = try doubles(field(e, "f"))
    for (l, h) in [1, 3, 8, 20].enumerated() {
      var perUnit = [Double](repeating: 0, count: n)
      var windows = 0
      for b in 0..<2 {
        for k in 1...(length - h) {
          windows += 1
          for q in 0..<n {
            let steps = (k + 1)...(k + h)
            let mu =
              kind == "diagonal"
              ? steps.reduce(1.0) { $0 * diagonal(b, $1, q) }
              : pow(c, Double(h)) * (1 + steps.reduce(0.0) { $0 + (diagonal(b, $1, q) - c) / c })
            perUnit[q] += abs(mu)
          }
        }
      }
      for q in 0..<n {
        let expected = perUnit[q] / Double(windows)
        #expect(abs(units[l * n + q] - expected) < 1e-12 * expected, "\(kind) lag \(h) unit \(q)")
      }
      let mass = perUnit.reduce(0, +) / Double(n * windows)
      #expect(abs(f[l] - mass) < 1e-12 * mass, "\(kind) f(\(h))")
    }
  }

  @Test(arguments: [
    ("rnn(lstm(), hidden: 2, input: 2)", "", "one per state entry (4); the gate has 2"),
    ("rnn(plain(), hidden: 2, input: 2)", "", "needs a gate; the cell has none"),
    ("rnn(plain(), hidden: 2, input: 2)", ", kind: \"diagonal\", lags: [12]", "lag 12 is not in"),
    ("rnn(leaky(), hidden: 2, input: 2)", ", kind: \"mu\"", "kind must be one of"),
    ("rnn(leaky(), hidden: 2, input: 2)", ", gate: \"forget\"", "has no gate 'forget'"),
  ])
  func badRequestsAreDiagnosed(_ net: String, _ options: String, _ message: String) {
    let run = runSnippet(
      """
      use cells
      envelope(\(net), randn([1, 10, 2], seed: 1)\(options))
      """)
    #expect(run.ids == ["value.invalid"], "\(run.diagnostics.map(\.message))")
    #expect(
      run.diagnostics.first?.message.contains(message) == true,
      "\(run.diagnostics.map(\.message))")
  }
}
