// `sweep(items, fn)` in one process: its value is map's, its items' results travel as data that
// reads back bit for bit, an item that would depend on state outside it is refused, a shard
// computes its part, and a replay (what `tau merge` runs) returns every shard's items without
// calling the function. The worker processes are tested through the binary (SweepRunTests).
import Foundation
import Testing

@testable import TauLang
@testable import TauTensor

@Suite struct SweepTests {
  @Test func storedValuesReadBackBitForBit() throws {
    let f32 = try Tensor<Float>(shape: [2, 2], scalars: [1.5, -0.0, .infinity, 1e-38])
    let f64 = try Tensor<Double>(
      shape: [3], scalars: [.pi, -.infinity, Double.leastNonzeroMagnitude])
    let value = Value.record(
      Record([
        ("x", .number(0.1 + 0.2)), ("neg", .number(-0.0)), ("nan", .number(.nan)),
        ("big", .number(.infinity)), ("s", .string("ü\n\"")), ("b", .bool(true)),
        ("r", .range(lower: 2, upper: 7)), ("n", .nothing),
        ("l", .list([.tensor(.f32(f32)), .tensor(.f64(f64)), .list([])])),
      ]))
    let stored = try StoredValue(value)
    let data = try StoredValue.encoder.encode(stored)
    let back = try StoredValue.decoder.decode(StoredValue.self, from: data).value()
    #expect(try StoredValue.encoder.encode(StoredValue(back)) == data)
    guard case .record(let record) = back, case .list(let l)? = record["l"],
      case .tensor(.f32(let t32)) = l[0], case .tensor(.f64(let t64)) = l[1],
      case .number(let x)? = record["x"], case .number(let neg)? = record["neg"],
      case .number(let nan)? = record["nan"]
    else {
      Issue.record("not the record stored: \(back)")
      return
    }
    #expect(record.names == ["x", "neg", "nan", "big", "s", "b", "r", "n", "l"])
    #expect(t32.shape == [2, 2] && t32.scalars.map(\.bitPattern) == f32.scalars.map(\.bitPattern))
    #expect(t64.scalars.map(\.bitPattern) == f64.scalars.map(\.bitPattern))
    #expect(x.bitPattern == (0.1 + 0.2).bitPattern && neg.sign == .minus && nan.isNaN)
  }

  @Test func codeIsNotData() {
    let value = Value.record(Record([("runs", .list([.number(1), .function(.builtin(print))]))]))
    #expect {
      _ = try StoredValue(value)
    } throws: { ($0 as? StoredValue.NotData)?.path == ".runs[1]" }
  }

  private var print: Builtin { BuiltinRegistry.named("print")! }

  @Test func aSweepIsMapInListOrderWithItsItemsPrinting() throws {
    let run = runSnippet(
      """
      let base = 10
      let r = sweep([3, 1, 2], fn(i) { var t = base; for k in 1..i { t = t + k }; print("item", i); t })
      print(r, r == map([3, 1, 2], fn(i) { base + i * (i + 1) / 2 }))
      print(sweep([], fn(i) { i }), sweep([1, 2], fn(i) { sweep([i, i], fn(j) { j * 10 }) }))
      """)
    #expect(run.diagnostics.isEmpty, "\(run.diagnostics)")
    #expect(run.output == "item 3\nitem 1\nitem 2\n[16, 11, 13] true\n[] [[10, 10], [20, 20]]\n")
  }

  @Test(arguments: [
    ("var total = 0\nsweep([1, 2], fn(i) { total = total + i })", "cannot assign 'total'"),
    ("var xs = []\nsweep([1], fn(i) { xs = append(xs, i) })", "cannot assign 'xs'"),
    (
      "var n = 0\nfn bump() { n = n + 1 }\nsweep([1], fn(i) { bump() })",
      "cannot assign 'n'"
    ),
    ("let s = stream(1)\nsweep([1], fn(i) { s.uniform() })", "cannot draw from a random stream"),
    ("sweep([1], fn(i) { rnn(plain, hidden: 2, input: 1) })", "returned a model"),
  ])
  func itemsThatDependOnOutsideStateAreRefused(_ source: String, _ message: String) {
    let run = runSnippet("use cells\n" + source)
    let ids = run.diagnostics.map(\.id.rawValue)
    #expect(ids == ["sweep.sharedState"] || ids == ["sweep.notData"], "\(run.diagnostics)")
    #expect(run.diagnostics.first?.message.contains(message) == true, "\(run.diagnostics)")
  }

  private let script = """
    let r = sweep(1..5, fn(seed) { print("seed", seed); {seed: seed, w: randn([2], seed: seed)} })
    print(len(r), r[0].seed)
    end_shard()
    print("whole:", map(r, fn(x) { x.w[0] }))
    """

  @Test func shardsComputeTheirPartAndAReplayOfAllIsTheUnshardedRun() throws {
    let whole = runSnippet(script)
    #expect(whole.diagnostics.isEmpty)
    var records: [SweepRecord] = []
    for index in 1...2 {
      let interpreter = Interpreter()
      interpreter.shard = try Shard(index: index, count: 2)
      let part = runSnippet(script, interpreter: interpreter)
      #expect(part.diagnostics.isEmpty, "\(part.diagnostics)")
      #expect(!part.output.contains("whole:"), "end_shard ends a shard's run")
      records.append(interpreter.sweepRecord)
    }
    #expect(records.map { $0.calls[0].count } == [2, 3])
    let replaying = Interpreter()
    replaying.replaySweeps(try SweepRecord.joined(records))
    // The function is not called: the stored items are returned, and what they printed.
    let replayed = runSnippet(
      script.replacingOccurrences(of: "print(\"seed\", seed);", with: "error(\"computed\");"),
      interpreter: replaying)
    #expect(replayed.diagnostics.isEmpty, "\(replayed.diagnostics)")
    #expect(replayed.output == whole.output)
  }

  @Test func aReplayOfAnotherListIsRefused() throws {
    let interpreter = Interpreter()
    interpreter.shard = try Shard(index: 1, count: 2)
    _ = runSnippet(script, interpreter: interpreter)
    let replaying = Interpreter()
    replaying.replaySweeps(interpreter.sweepRecord)
    let run = runSnippet(script, interpreter: replaying)
    #expect(run.diagnostics.map(\.id.rawValue) == ["sweep.replayMismatch"])
  }
}
