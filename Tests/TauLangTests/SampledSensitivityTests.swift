// Sensitivities and efflr at sampled lags and origins against the all-pairs computation they
// stand in for: the same pairs give the same numbers (every norm method, both orders, the
// diagonal and dense paths), every pair reproduces the all-pairs profile, the bootstrap
// intervals cover the all-pairs medians, and a long sequence never makes a T × N × N tensor.
import Foundation
import TauTensor
import Testing

@testable import TauLang

@Suite struct SampledSensitivityTests {
  /// Runs `source` and returns its globals `names`, or throws its diagnostics.
  private func globals(_ source: String, _ names: [String]) throws -> [String: Value] {
    let interpreter = Interpreter()
    let run = runSnippet(source, interpreter: interpreter)
    guard run.diagnostics.isEmpty else { throw DiagnosticList(run.diagnostics) }
    var found: [String: Value] = [:]
    for name in names { found[name] = interpreter.globals.lookup(name) }
    return found
  }

  private func doubles(_ value: Value?) throws -> [Double] {
    guard case .tensor(let t)? = value else { throw DiagnosticList([]) }
    return t.doubles
  }

  @Test(arguments: [
    ("leaky(gate: multi)", ""), ("leaky(gate: multi)", ", order: \"reverse\""),
    ("leaky(gate: multi)", ", method: \"power\", iters: 3, seed: 5"),
    ("leaky(gate: multi)", ", method: \"power-on-P\", iters: 3, seed: 5, order: \"reverse\""),
    ("mingru()", ""), ("mingru()", ", structure: \"dense\""), ("lstm()", ""),
  ])
  func sampledPairsHaveTheAllPairsValues(_ cell: String, _ options: String) throws {
    let found = try globals(
      """
      use cells
      use gates
      use modern
      let net = rnn(\(cell), hidden: 5, input: 2, dtype: "f64", seed: 2)
      let b = adding(length: 30, input: 2, seed: 1).batch(3, 0)
      let all = sensitivity(net, b\(options))
      let s = sensitivity(net, b, lags: [1, 2, 3, 7, 29], origins: 9\(options))
      """, ["all", "s"])
    guard case .record(let sampled)? = found["s"] else { throw DiagnosticList([]) }
    let (all, values) = (try doubles(found["all"]), try doubles(sampled["s"]))
    let (lags, origins) = (try doubles(sampled["lag"]), try doubles(sampled["origin"]))
    #expect(lags == [1, 2, 3, 7, 29] && origins.count == 9)
    let (length, l) = (30, lags.count)
    var (worst, compared) = (0.0, 0)
    for b in 0..<3 {
      for (o, k) in origins.map(Int.init).enumerated() {
        for (j, h) in lags.map(Int.init).enumerated() {
          let value = values[(b * origins.count + o) * l + j]
          guard k + h <= length else {
            #expect(value.isNaN, "pair (\(k + h), \(k)) lies beyond T and must be NaN")
            continue
          }
          let expected = all[(b * length + k + h - 1) * length + k - 1]
          worst = max(worst, abs(value - expected) / max(abs(expected), 1e-300))
          compared += 1
        }
      }
    }
    #expect(compared > 60)
    #expect(worst < 1e-10, "\(cell)\(options): \(worst)")
  }

  @Test(arguments: ["leaky(gate: multi)", "mingru()"])
  func everyPairReproducesTheAllPairsProfile(_ cell: String) throws {
    let found = try globals(
      """
      use cells
      use gates
      use modern
      let net = rnn(\(cell), hidden: 4, input: 2, dtype: "f64", seed: 3)
      let b = adding(length: 20, input: 2, seed: 2).batch(2, 0)
      let all = efflr(net, b)
      let sampled = efflr(net, b, lags: 1..19, origins: 100)
      """, ["all", "sampled"])
    guard case .record(let all)? = found["all"], case .record(let sampled)? = found["sampled"]
    else { throw DiagnosticList([]) }
    for field in ["lag", "empirical", "predicted", "fitted"] {
      let (a, s) = (try doubles(all[field]), try doubles(sampled[field]))
      #expect(a.count == s.count, "\(field)")
      let worst = zip(a, s).map { abs($0 - $1) / max(abs($0), 1e-300) }.max() ?? .infinity
      #expect(worst < 1e-10, "\(cell) \(field): \(worst)")
    }
    for field in ["slope", "intercept", "r2", "pairs"] {
      guard case .number(let a)? = all[field], case .number(let s)? = sampled[field] else {
        throw DiagnosticList([])
      }
      #expect(abs(a - s) <= 1e-10 * max(1, abs(a)), "\(cell) \(field): \(a) and \(s)")
    }
    // With every pair drawn, each resample's median brackets the median itself.
    let (median, low, high) = (
      try doubles(sampled["median"]), try doubles(sampled["median_low"]),
      try doubles(sampled["median_high"])
    )
    #expect(zip(zip(low, high), median).allSatisfy { $0.0 <= $1 && $1 <= $0.1 })
  }

  /// The precision target on a small case: 32 origins of T = 200 at geometric lags;
  /// the all-pairs median of at least 95 % of the lags lies inside the sampled 95 % interval,
  /// over 40 draws of the origins (311 of 320 when this was written).
  @Test func intervalsCoverTheAllPairsMedians() throws {
    let found = try globals(
      """
      use cells
      use gates
      let net = rnn(leaky(gate: multi), hidden: 6, input: 2, dtype: "f64", seed: 4)
      let b = adding(length: 200, input: 2, seed: 3).batch(4, 0)
      let all = sensitivity(net, b)
      var draws = []
      for seed in 1..40 { draws = draws + [efflr(net, b, lags: "geometric", origins: 32, seed: seed)] }
      """, ["all", "draws"])
    guard case .list(let draws)? = found["draws"] else { throw DiagnosticList([]) }
    let all = try doubles(found["all"])
    let length = 200
    var (covered, total) = (0, 0)
    for case .record(let draw) in draws {
      let lags = try doubles(draw["lag"]).map(Int.init)
      #expect(lags == [1, 2, 4, 8, 16, 32, 64, 128])
      let (low, high) = (try doubles(draw["median_low"]), try doubles(draw["median_high"]))
      for (l, h) in lags.enumerated() {
        let atLag = (0..<4).flatMap { b in
          (h + 1...length).map { t in all[(b * length + t - 1) * length + t - h - 1] }
        }
        let sorted = atLag.sorted()
        let truth = (sorted[(sorted.count - 1) / 2] + sorted[sorted.count / 2]) / 2
        total += 1
        if low[l] <= truth && truth <= high[l] { covered += 1 }
        #expect(low[l] < high[l], "a degenerate interval at lag \(h)")
      }
    }
    #expect(total == 320)
    #expect(Double(covered) >= 0.95 * Double(total), "\(covered) of \(total) lags covered")
  }

  /// T = 3,000 under a 4 MB budget: all pairs need a [B × T × T] tensor (and the Jacobians a
  /// [B × T × N × N] one) and are refused; the sampled sweep streams.
  @Test func longSequencesStreamWithinASmallBudget() throws {
    let source = """
      use modern
      let net = rnn(mingru(), hidden: 8, input: 2, dtype: "f64", seed: 1)
      let b = adding(length: 3000, input: 2, seed: 1).batch(2, 0)
      let e = efflr(net, b, lags: "geometric", origins: 16, resamples: 200)
      let d = efflr(net, b, lags: [1, 64], origins: 8, resamples: 50, structure: "dense")
      """
    let interpreter = Interpreter()
    let run = MemoryBudget.$scopedLimit.withValue(4 << 20) {
      runSnippet(source, interpreter: interpreter)
    }
    guard run.diagnostics.isEmpty, case .record(let e)? = interpreter.globals.lookup("e") else {
      throw DiagnosticList(run.diagnostics)
    }
    #expect(try doubles(e["lag"]).last == 2048)
    let refused = MemoryBudget.$scopedLimit.withValue(4 << 20) {
      runSnippet(
        """
        use modern
        let net = rnn(mingru(), hidden: 8, input: 2, dtype: "f64", seed: 1)
        efflr(net, adding(length: 3000, input: 2, seed: 1).batch(2, 0))
        """)
    }
    #expect(refused.ids == ["memory.budget"])
    #expect(refused.diagnostics.first?.hint?.contains("lags: \"geometric\"") == true)
  }

  @Test(arguments: [
    ("lags: [0, 2]", "lag 0 is not in 1 … 9"),
    ("lags: [2, 10]", "lag 10 is not in 1 … 9"),
    ("lags: [1.5]", "whole number"),
    ("lags: \"linear\"", "a list of whole numbers or \"geometric\""),
    ("origins: 0", "origins must be ≥ 1"),
    ("lags: [1], precision: \"f32\"", "precision \"f32\""),
    ("lags: [1], convention: \"reference\"", "precision \"f32\""),
    ("lags: [1], level: 1", "level must be in (0, 1)"),
    ("lags: [1], resamples: 0", "resamples must be ≥ 1"),
  ])
  func badSamplingArgumentsAreDiagnosed(_ arguments: String, _ message: String) {
    let run = runSnippet(
      """
      use cells
      let net = rnn(leaky(), hidden: 2, input: 2)
      efflr(net, randn([1, 10, 2], seed: 1), \(arguments))
      """)
    #expect(run.diagnostics.count == 1)
    #expect(
      run.diagnostics.first?.message.contains(message) == true,
      "\(run.diagnostics.map(\.message))")
  }
}
