// TAU_DEBUG as the user sets it: read by the real binary at start, each level adding to the one
// below on standard error and leaving standard output as it is.
import Foundation
import TauTestSupport
import Testing

@Suite struct DebugOutputTests {
  @Test func eachLevelAddsItsOutput() throws {
    let scratch = try TemporaryFolder("debug")
    defer { scratch.remove() }
    let file = scratch.url.appendingPathComponent("debug.tau")
    try """
    use cells
    let m = rnn(plain, hidden: 2, input: 1, seed: 1)
    print(m.forward(ones([1, 3, 1])).output.shape)

    """.write(to: file, atomically: true, encoding: .utf8)
    let runs = try (0...3).map { level in
      try runTau(["run", file.path], environment: ["TAU_DEBUG": String(level)])
    }
    for run in runs { #expect(run.status == 0 && run.stdout == "[1, 1]\n", "\(run.stderr)") }
    #expect(runs[0].stderr.isEmpty)
    #expect(
      runs[1].stderr.hasPrefix("# plain lowered (state Jacobian: dense):\n%0 = state 0  [2]\n"))
    #expect(!runs[1].stderr.contains("plans:"))
    let plans = "# plain plans:\nforward step: plan for batch 1: 3 instructions"
    #expect(runs[2].stderr.hasPrefix(runs[1].stderr + plans), "\(runs[2].stderr)")
    #expect(runs[2].stderr.contains("\nbackward step: plan for batch 1: "))
    #expect(runs[2].stderr.contains("\n   0  matvec      %6 [2]×B arena 0  ←  %2 [2×2] param Wr"))
    #expect(!runs[2].stderr.contains("plan times"))
    // model.forward over 3 steps runs the forward step plan 3 times: matvec, matvec+=, tanh.
    #expect(runs[3].stderr.hasPrefix(runs[2].stderr), "\(runs[3].stderr)")
    let times = runs[3].stderr.dropFirst(runs[2].stderr.count).split(separator: "\n")
    #expect(times.first?.hasPrefix("# plan times in 'forward' (TAU_DEBUG=3): 3 runs, ") == true)
    #expect(times.count == 5)
    #expect(
      Set(times.dropFirst(2).map { $0.split(separator: " ").prefix(2).joined(separator: " ") })
        == ["matvec 3", "matvec+= 3", "tanh 3"])
  }
}
