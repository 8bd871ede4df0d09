// The Swift example of README.md, verbatim, so the documentation cannot drift from the API.
import Testing

@testable import TauTensor

@Suite struct ReadmeExampleTests {
  @Test func readmeSwiftExampleRuns() throws {
    var rng = RandomStream(seed: 1).substream("init")
    let w = try Tensor<Double>.uniform([64, 64], from: -0.125, to: 0.125, using: &rng)
    let h = try Tensor<Double>.normal([12, 64], using: &rng)
    let a = try h.matmul(w.transposed())
    let next = a.tanh()
    let (_, s, _) = try w.svd()
    #expect(next.shape == [12, 64])
    #expect(try s.max().item() > 0)
    #expect(next.description.hasPrefix("Tensor<f64>[12×64]\n"))
  }
}
