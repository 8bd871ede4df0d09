// The built-ins that tasks in Tau are made of: `stream` draws what a Swift loop over the same
// RandomStream draws, in the same order (its `rows` too); `get` and `set` read and replace the
// elements they are told to and nothing else; `cumsum` adds in order.
import Foundation
import Testing

@testable import TauLang
@testable import TauTensor

@Suite struct TaskBuiltinTests {
  /// The printed values of `source`'s last line, one per line, as numbers.
  private func numbers(_ source: String) throws -> [Double] {
    let interpreter = Interpreter()
    let run = runSnippet("let drawn = " + source, interpreter: interpreter)
    guard run.ids.isEmpty, let value = interpreter.globals.lookup("drawn") else {
      throw DiagnosticList(run.diagnostics)
    }
    switch value {
    case .tensor(let t): return t.doubles
    case .number(let x): return [x]
    case .list(let items):
      return items.compactMap { if case .number(let x) = $0 { x } else { nil } }
    default: return []
    }
  }

  @Test func drawsFollowTheSubStreamPathInOrder() throws {
    // One stream, drawn from by four functions in turn: each continues where the last stopped,
    // a tensor in row-major order, and a normal's spare (the polar method makes two) carries
    // over from one call to the next.
    var stream = RandomStream(seed: 5).substream("data").substream(3)
    let uniforms = (0..<4).map { _ in stream.uniform(Double.self) }
    let normals = (0..<4).map { _ in stream.normal() }
    let integer = stream.integer(below: 10)
    let permutation = stream.permutation(5)
    let last = stream.uniform(Double.self)
    let interpreter = Interpreter()
    let run = runSnippet(
      """
      let s = stream(5, "data", 3)
      let a = s.uniform([2, 2])
      let b = s.normal([3])
      let c = s.normal()
      let d = s.integer(10)
      let e = s.permutation(5)
      let f = s.uniform()
      """, interpreter: interpreter)
    #expect(run.ids == [])
    func look(_ name: String) -> Value? { interpreter.globals.lookup(name) }
    guard case .tensor(let a)? = look("a"), case .tensor(let b)? = look("b"),
      case .number(let c)? = look("c"), case .number(let d)? = look("d"),
      case .list(let e)? = look("e"), case .number(let f)? = look("f")
    else {
      Issue.record("unexpected values")
      return
    }
    #expect(a.shape == [2, 2] && a.doubles == uniforms)
    #expect(b.shape == [3] && b.doubles + [c] == normals)
    #expect(d == Double(integer))
    #expect(e.compactMap { if case .number(let x) = $0 { Int(x) } else { nil } } == permutation)
    #expect(f == last)
  }

  @Test func rowsDrawWhatALoopOverTheRowsDraws() throws {
    // Row by row, and within a row in field order: a, k, p, z.
    var stream = RandomStream(seed: 2).substream("rows")
    var a: [Double] = []
    var k: [Double] = []
    var p: [Double] = []
    var z: [Double] = []
    for _ in 0..<3 {
      a += [stream.uniform(Double.self), stream.uniform(Double.self)]
      k.append(Double(stream.integer(below: 5)))
      p += stream.permutation(4).map(Double.init)
      z.append(stream.normal())
    }
    let interpreter = Interpreter()
    let run = runSnippet(
      """
      let d = stream(2, "rows").rows(3, {a: {uniform: [2]}, k: {integer: 5}, p: {permutation: 4}, z: {normal: 1}, none: {uniform: [0]}})
      print(keys(d), d.a.shape, d.k.shape, d.p.shape, d.z.shape, d.none.shape)
      """, interpreter: interpreter)
    #expect(run.ids == [], "\(run.diagnostics.map(\.message))")
    #expect(
      run.output == "[\"a\", \"k\", \"p\", \"z\", \"none\"] [3, 2] [3] [3, 4] [3, 1] [3, 0]\n")
    guard case .record(let d)? = interpreter.globals.lookup("d") else {
      Issue.record("no rows")
      return
    }
    func elements(_ name: String) -> [Double] {
      if case .tensor(let t)? = d[name] { return t.doubles }
      return []
    }
    #expect(elements("a") == a && elements("k") == k && elements("p") == p && elements("z") == z)
  }

  @Test func badRowsAreDiagnosed() {
    for plan in [
      "{a: 1}", "{a: {uniform: [2], normal: [2]}}", "{a: {poisson: 2}}", "{a: {integer: 0}}",
      "{a: {permutation: -1}}", "{a: {uniform: [-1]}}", "{a: {normal: \"x\"}}",
    ] {
      #expect(runSnippet("stream(1).rows(2, \(plan))").ids == ["value.invalid"], "\(plan)")
    }
    #expect(runSnippet("stream(1).rows(-1, {})").ids == ["value.invalid"])
    #expect(runSnippet("stream(1).rows(2, [1])").ids == ["type.mismatch"])
  }

  @Test func getReadsTheGivenElements() {
    let run = runSnippet(
      """
      let x = tensor([[1, 2, 3], [4, 5, 6]])
      print(get(x, [1, 2]), get(x, [[0, 0], [1, -1], [0, 1]]) == [1, 6, 2])
      print(get(x, tensor([[0, 1], [1, 0]])) == [2, 4], get(x, tensor([1, 1])), get(x, []).shape)
      print(set(x, tensor([[0, 1], [1, 0]]), tensor([7, 8])) == [[1, 7, 3], [8, 5, 6]])
      print(get(tensor([1, 2], dtype: "f32"), [[1]]).dtype)
      """)
    #expect(run.ids == [], "\(run.diagnostics.map(\.message))")
    #expect(run.output == "6 true\ntrue 5 [0]\ntrue\nf32\n")
    #expect(runSnippet("get(zeros([2, 2]), [0, 2])").ids == ["index.outOfRange"])
    #expect(runSnippet("get(zeros([2, 2]), zeros([1, 2, 2]))").ids == ["value.invalid"])
    #expect(runSnippet("get(zeros([2, 2]), tensor([0.5, 1]))").ids == ["type.mismatch"])
  }

  @Test func cumsumAddsInOrder() {
    let run = runSnippet(
      """
      print(cumsum([1, 2, 3]) == [1, 3, 6], cumsum(tensor([[1, 2], [3, 4]]), axis: 1) == [[1, 3], [3, 7]])
      print(cumsum(tensor([[1, 2], [3, 4]])) == [[1, 2], [4, 6]], cumsum(tensor([1, 2], dtype: "f32")).dtype)
      # 1e16 + 1 rounds back to 1e16, so a loop's total is 0; sum's eight running totals keep
      # the ones apart from 1e16 and give 6.
      let x = [1e16, 1, 1, 1, 1, 1, 1, 1, -1e16]
      print(cumsum(x)[-1], sum(x), cumsum(zeros([2, 0]), axis: 1).shape)
      """)
    #expect(run.ids == [], "\(run.diagnostics.map(\.message))")
    #expect(run.output == "true true\ntrue f32\n0 6 [2, 0]\n")
    #expect(runSnippet("cumsum([1, 2], axis: 1)").ids == ["shape.invalidAxis"])
  }

  @Test func aStreamNamedRandIsRand() throws {
    // rand(shape, seed) draws from the sub-stream "rand" of its seed.
    #expect(
      try numbers("stream(9, \"rand\").uniform([3, 4])") == (try numbers("rand([3, 4], seed: 9)")))
    #expect(
      try numbers("stream(9, \"randn\").normal([5])") == (try numbers("randn([5], seed: 9)")))
  }

  @Test func differentPathsDrawDifferentNumbers() throws {
    let a = try numbers("stream(1, \"a\", 0).uniform(4)")
    #expect(a != (try numbers("stream(1, \"a\", 1).uniform(4)")))
    #expect(a != (try numbers("stream(1, \"b\", 0).uniform(4)")))
    #expect(a != (try numbers("stream(2, \"a\", 0).uniform(4)")))
    #expect(a == (try numbers("stream(1, \"a\", 0).uniform(4)")))
  }

  @Test func badDrawsAreDiagnosed() {
    #expect(runSnippet("stream(-1)").ids == ["value.invalid"])
    #expect(runSnippet("stream(1, [2])").ids == ["type.mismatch"])
    #expect(runSnippet("stream(1, 0.5)").ids == ["type.mismatch"])
    #expect(runSnippet("stream(1).integer(0)").ids == ["value.invalid"])
    #expect(runSnippet("stream(1).permutation(-1)").ids == ["value.invalid"])
    #expect(runSnippet("stream(1).uniform([2, -1])").ids == ["value.invalid"])
  }

  @Test func setReplacesTheGivenElements() {
    let run = runSnippet(
      """
      let x = tensor([[1, 2, 3], [4, 5, 6]])
      print(set(x, [0, 1], 9) == [[1, 9, 3], [4, 5, 6]])
      print(set(x, [[0, 0], [1, -1]], [7, 8]) == [[7, 2, 3], [4, 5, 8]])
      print(set(x, [[1, 0], [0, 2]], 0) == [[1, 2, 0], [0, 5, 6]])
      print(set(x, [], 1) == x, x == [[1, 2, 3], [4, 5, 6]])
      print(set(tensor([1, 2], dtype: "f32"), [1], 0.5).dtype, set(x, [1, 1], 0.25)[1, 1])
      """)
    #expect(run.ids == [], "\(run.diagnostics.map(\.message))")
    #expect(run.output == "true\ntrue\ntrue\ntrue true\nf32 0.25\n")
  }

  @Test func badPositionsAreDiagnosed() {
    #expect(runSnippet("set(zeros([2, 2]), [2, 0], 1)").ids == ["index.outOfRange"])
    #expect(runSnippet("set(zeros([2, 2]), [0], 1)").ids == ["index.outOfRange"])
    #expect(runSnippet("set(zeros([2, 2]), [0.5, 0], 1)").ids == ["type.mismatch"])
    #expect(runSnippet("set(zeros([2, 2]), [[0, 0], 1], 1)").ids == ["type.mismatch"])
    #expect(runSnippet("set(zeros([2, 2]), [[0, 0], [1, 1]], [1])").ids == ["value.invalid"])
  }
}
