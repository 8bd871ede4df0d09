// Sensitivities block by block: the blocks found for Mamba's scan (one per channel) and gated
// DeltaNet (one per value column), and the block-by-block norms against the dense path and
// against LAPACK's norm of the transports, for all pairs and sampled pairs.
import Testing

@testable import TauDynamics
@testable import TauLang
@testable import TauTensor

@Suite struct CouplingBlockTests {
  private func model(_ cell: String) throws -> (ModelValue, Interpreter) {
    let interpreter = Interpreter()
    let run = runSnippet(
      """
      use modern
      let net = rnn(\(cell), hidden: 4, input: 2, dtype: "f64", seed: 2)
      let b = adding(length: 30, input: 2, seed: 1).batch(3, 0)
      let fast = sensitivity(net, b)
      let slow = sensitivity(net, b, structure: "dense")
      let sampled = sensitivity(net, b, lags: [1, 4, 29], origins: 12).s
      let sampledSlow = sensitivity(net, b, lags: [1, 4, 29], origins: 12, structure: "dense").s
      var worst = 0
      for t in [2, 11, 30] {
        for k in [1, 6, t - 1] {
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
    guard run.diagnostics.isEmpty, case .model(let net)? = interpreter.globals.lookup("net") else {
      throw DiagnosticList(run.diagnostics)
    }
    return (net, interpreter)
  }

  private func tensor(_ name: String, _ interpreter: Interpreter) throws -> [Double] {
    guard case .tensor(let t)? = interpreter.globals.lookup(name) else { throw DiagnosticList([]) }
    return t.doubles
  }

  /// The state is h [4] then S row-major: mamba's S is [hidden × N] = [4 × 3], so channel i is
  /// h_i with row S[i, ·] at 4 + 3i …; DeltaNet's is [dk × hidden] = [3 × 4], so value column i
  /// is h_i with S[·, i] at 4 + i, 8 + i, 12 + i.
  @Test(arguments: [
    ("mamba(N: 3)", (0..<4).map { [$0, 4 + 3 * $0, 5 + 3 * $0, 6 + 3 * $0] }),
    ("gated_deltanet(dk: 3)", (0..<4).map { [$0, 4 + $0, 8 + $0, 12 + $0] }),
  ])
  func blocksAreChannelsAndTheirNormsAreExact(_ cell: String, _ channels: [[Int]]) throws {
    let (net, interpreter) = try model(cell)
    guard case .f64(let double) = net.network else { throw DiagnosticList([]) }
    var stream = RandomStream(seed: 5)
    let inputs = try Tensor<Double>.normal([2, 6, 2], using: &stream)
    let blocks = try double.stepJacobians(inputs).couplingBlocks()
    #expect(blocks.groups == channels, "\(blocks)")
    #expect(blocks.singles.isEmpty)
    let (fast, slow) = (try tensor("fast", interpreter), try tensor("slow", interpreter))
    let relative = zip(fast, slow).map { abs($0 - $1) / max(abs($1), 1e-300) }.max() ?? .infinity
    #expect(relative < 1e-12, "\(cell): blockwise against dense \(relative)")
    guard case .number(let worst)? = interpreter.globals.lookup("worst") else {
      throw DiagnosticList([])
    }
    #expect(worst < 1e-12, "\(cell) against the SVD of its transports: \(worst)")
    let (sampled, sampledSlow) = (
      try tensor("sampled", interpreter), try tensor("sampledSlow", interpreter)
    )
    for (a, b) in zip(sampled, sampledSlow) {
      #expect(a.isNaN == b.isNaN)
      if !a.isNaN { #expect(abs(a - b) <= 1e-12 * max(abs(b), 1e-300), "\(cell) sampled") }
    }
  }

  @Test func componentsJoinEitherDirectionAndGatherSingles() {
    // 0 → 2 and 3 ← 2 link {0, 2, 3}; 1 and 4 stay alone.
    let links: Set<[Int]> = [[0, 2], [3, 2]]
    let blocks = CouplingBlocks(size: 5) { links.contains([$0, $1]) }
    #expect(blocks.groups == [[0, 2, 3]] && blocks.singles == [1, 4] && blocks.splits)
    #expect(!CouplingBlocks(size: 3) { _, _ in true }.splits)
  }
}
