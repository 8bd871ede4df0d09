// `x = append(x, v)` and `x = x + [v]` in a loop take amortised constant time per step, and
// lists keep value semantics: growing one binding never changes another.
import Testing

@testable import TauLang

@Suite struct ListGrowthTests {
  @Test(arguments: ["l = append(l, i)", "l = l + [i]", "l = append(list: l, value: i)"])
  func twoHundredThousandAppendsAreLinear(_ step: String) {
    // Copying the list on every step took minutes here (quadratic); linear takes about a second
    // in a debug build. The bound is generous so that a loaded machine does not fail it.
    let start = ContinuousClock.now
    let run = runSnippet("var l = []\nfor i in 1..200000 { \(step) }\nprint(len(l), l[199999])")
    #expect(ContinuousClock.now - start < .seconds(10))
    #expect(run.ids.isEmpty && run.output == "200000 200000\n")
  }

  @Test func growingOneBindingLeavesTheOthersAlone() {
    let run = runSnippet(
      """
      let a = [1]
      var b = a
      b = append(b, 2)
      var c = b
      c = c + [3]
      let f = fn() { c }
      let before = f()
      c = append(c, 4)
      print(a, b, before, c)
      """)
    #expect(run.ids.isEmpty)
    #expect(run.output == "[1] [1, 2] [1, 2, 3] [1, 2, 3, 4]\n")
  }

  @Test func theListIsTakenBeforeTheOtherArgumentRuns() {
    // Left to right, as any call: `append` gets l as it was before g() changed it.
    let run = runSnippet(
      """
      var l = [1]
      fn g() {
        l = append(l, 9)
        5
      }
      l = append(l, g())
      var m = [1]
      fn h() {
        m = [7]
        [5]
      }
      m = m + h()
      print(l, m)
      """)
    #expect(run.ids.isEmpty)
    #expect(run.output == "[1, 5] [1, 5]\n")
  }

  @Test func otherFormsStillRunTheOrdinaryWay() {
    let run = runSnippet(
      """
      var l = [1]
      l = append(l, l)
      var n = 1
      n = n + 1
      var t = [1, 2]
      t = t + zeros(2)
      print(l, n, t)
      """)
    #expect(run.ids.isEmpty)
    #expect(run.output.hasPrefix("[1, [1]] 2 Tensor<f64>[2]"))
    let bad = runSnippet("var l = [1]\nl = l + \"x\"")
    #expect(bad.ids == ["type.mismatch"])
    let shadowed = runSnippet("fn append(a, b) { 0 }\nvar l = [1]\nl = append(l, 2)\nprint(l)")
    #expect(shadowed.output == "0\n")
  }
}
