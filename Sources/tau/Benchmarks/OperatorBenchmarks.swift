// Issue 6's figures: the operators on the paper's probes, through the language as a script calls
// them, in milliseconds per call. S1: multi gate, n = 64, T = 80, B = 12; S2: T = 120, B = 64.
import TauLang

struct OperatorBenchmarks {
  let minimumSeconds: Double

  var all: [Benchmark] {
    [
      ("jacobians", "S1", "jacobian(net, probe)"),
      ("sensitivity", "S1", "sensitivity(net, probe)"),
      ("sensitivity-power5", "S1", "sensitivity(net, probe, method: \"power\")"),
      ("efflr", "S1", "efflr(net, probe)"),
      ("anisotropy", "S2", "anisotropy(net, probe)"),
      ("lyapunov", "S1", "lyapunov(net, probe)"),
      ("frechet", "F", "frechet(net, probe)"),
      ("gradcov", "S2", "gradcov(net, adding(length: 120, input: 6, seed: 2), samples: 256)"),
    ].map { name, setting, call in figure(name, setting, call) }
  }

  private func figure(_ name: String, _ setting: String, _ call: String) -> Benchmark {
    let (model, probe, label) =
      switch setting {
      case "S2":
        (
          "rnn(leaky(gate: multi), hidden: 64, input: 6, seed: 1)",
          "adding(length: 120, input: 6, seed: 1).batch(64)", "multi-n64-T120-B64"
        )
      case "F":
        (
          "rnn(leaky(gate: multi), hidden: 64, input: 3, init: normal(0.2), seed: 0)",
          "sinusoids(length: 100, input: 3, seed: 0).batch(1)", "multi-n64-T100"
        )
      default:
        (
          "rnn(leaky(gate: multi), hidden: 64, input: 4, seed: 1)",
          "adding(length: 80, input: 4, seed: 1).batch(12)", "multi-n64-T80-B12"
        )
      }
    let shown = name == "gradcov" ? "multi-n64-T120-M256" : label
    return Benchmark(name: "operators/\(name)/f64/\(shown)") {
      let interpreter = Interpreter()
      try interpreter.run(
        SourceFile(
          name: "<bench>", text: "use cells\nlet net = \(model)\nlet probe = \(probe)"))
      let file = SourceFile(name: "<bench>", text: "\(call);")
      let seconds = try medianSeconds(minimumSeconds: minimumSeconds) { try interpreter.run(file) }
      return (seconds * 1e3, "ms")
    }
  }
}
