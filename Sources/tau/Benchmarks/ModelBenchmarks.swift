// Training-step figures: one BPTT gradient of the paper's S1 model (leaky cell with a multi gate,
// n = 64, T = 80, B = 64) through compiled plans.
import TauDynamics
import TauLang
import TauTensor

struct ModelBenchmarks {
  let minimumSeconds: Double

  var all: [Benchmark] {
    [gradientStep("f32"), gradientStep("f64")]
  }

  /// Gradient steps per second (forward + backward through time, no optimizer update).
  func gradientStep(_ dtype: String) -> Benchmark {
    Benchmark(name: "bptt/\(dtype)/multi-n64-T80-B64") {
      let interpreter = Interpreter()
      let source =
        "use cells\nlet net = rnn(leaky(gate: multi), hidden: 64, input: 4, seed: 1, dtype: \"\(dtype)\")\nnet"
      guard case .model(let model) = try interpreter.run(SourceFile(name: "<bench>", text: source))
      else {
        return (0, "steps/s")
      }
      var stream = RandomStream(seed: 1)
      let seconds: Double
      switch model.network {
      case .f32(let network):
        let inputs = try Tensor<Float>.uniform([64, 80, 4], using: &stream)
        let targets = try Tensor<Float>.uniform([64, 1], using: &stream)
        seconds = try medianSeconds(minimumSeconds: minimumSeconds) {
          _ = try network.gradient(inputs: inputs, targets: targets)
        }
      case .f64(let network):
        let inputs = try Tensor<Double>.uniform([64, 80, 4], using: &stream)
        let targets = try Tensor<Double>.uniform([64, 1], using: &stream)
        seconds = try medianSeconds(minimumSeconds: minimumSeconds) {
          _ = try network.gradient(inputs: inputs, targets: targets)
        }
      }
      return (1 / seconds, "steps/s")
    }
  }
}
