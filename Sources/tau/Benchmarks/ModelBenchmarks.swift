// Training-step figures: one forward pass plus BPTT gradient of the leaky cell with a multi gate
// (the paper's S1 model) through compiled plans, at the sizes of issue 4's benchmark table.
import TauDynamics
import TauLang
import TauTensor

struct ModelBenchmarks {
  let minimumSeconds: Double

  var all: [Benchmark] {
    [(64, 80, 64), (128, 100, 32), (512, 100, 32)].flatMap { n, t, b in
      [
        gradientStep("f32", n: n, length: t, batch: b),
        gradientFlops("f32", n: n, length: t, batch: b),
      ]
    } + [gradientStep("f64", n: 64, length: 80, batch: 64)]
  }

  /// Matrix-product flops of one forward + BPTT pass: 4 products of n×n and 4 of n×m per sample
  /// and step forward (cell and gate, h and x), and twice as many backward (inputs and weights).
  static func flops(n: Int, m: Int, length: Int, batch: Int) -> Double {
    3 * Double(batch * length) * (4 * Double(n * n) + 4 * Double(n * m))
  }

  /// Microseconds per gradient step (forward + backward through time, no optimizer update).
  func gradientStep(_ dtype: String, n: Int, length: Int, batch: Int) -> Benchmark {
    Benchmark(name: "bptt/\(dtype)/multi-n\(n)-T\(length)-B\(batch)") {
      (try seconds(dtype, n: n, length: length, batch: batch) * 1e6, "µs/step")
    }
  }

  /// The same, as achieved GFLOP/s of its matrix products.
  func gradientFlops(_ dtype: String, n: Int, length: Int, batch: Int) -> Benchmark {
    Benchmark(name: "bptt-flops/\(dtype)/multi-n\(n)-T\(length)-B\(batch)") {
      let seconds = try seconds(dtype, n: n, length: length, batch: batch)
      return (Self.flops(n: n, m: 4, length: length, batch: batch) / seconds / 1e9, "GFLOP/s")
    }
  }

  /// Median seconds of one gradient step of a model built by the language, as a user would.
  private func seconds(_ dtype: String, n: Int, length: Int, batch: Int) throws -> Double {
    let source = """
      use cells
      rnn(leaky(gate: multi), hidden: \(n), input: 4, seed: 1, dtype: "\(dtype)")
      """
    guard case .model(let model) = try Interpreter().run(SourceFile(name: "<bench>", text: source))
    else { return .nan }
    var stream = RandomStream(seed: 1)
    switch model.network {
    case .f32(let network):
      let inputs = try Tensor<Float>.uniform([batch, length, 4], using: &stream)
      let targets = try Tensor<Float>.uniform([batch, 1], using: &stream)
      return try medianSeconds(minimumSeconds: minimumSeconds) {
        _ = try network.gradient(inputs: inputs, targets: targets)
      }
    case .f64(let network):
      let inputs = try Tensor<Double>.uniform([batch, length, 4], using: &stream)
      let targets = try Tensor<Double>.uniform([batch, 1], using: &stream)
      return try medianSeconds(minimumSeconds: minimumSeconds) {
        _ = try network.gradient(inputs: inputs, targets: targets)
      }
    }
  }
}

/// Issue 5's figures: training steps per second (BPTT gradient and SGD update) of the paper's
/// S1 (T = 80) and S2 (T = 120) settings, through `train` as a script would run it, on a fixed
/// batch as the Python peers use (a fresh adding batch per step costs about 1 ms more).
struct TrainingBenchmarks {
  let minimumSeconds: Double

  var all: [Benchmark] {
    [("S1", 80), ("S2", 120)].flatMap { name, length in
      ["f32", "f64"].map { dtype in training(name, length: length, dtype: dtype) }
    }
      + [
        ("plain-adam", "plain", "adam(lr: 0.001)"),
        ("scalar-sgd", "leaky(gate: scalar)", "sgd(lr: 0.01)"),
        ("multi-sgd", "leaky(gate: multi)", "sgd(lr: 0.01)"),
      ].map { name, cell, optimizer in suiteArm(name, cell: cell, optimizer: optimizer) }
  }

  /// A training step of one of S2's three arms as the paper's script trains it (issue 18): a
  /// fresh batch of the adding task every step, 6 inputs, T = 120, B = 64, f32. Most of the
  /// suite's time is 300 runs of 1,200 of these (see `tau bench --one-core`).
  func suiteArm(_ name: String, cell: String, optimizer: String) -> Benchmark {
    Benchmark(name: "train/f32/S2-\(name)-n64-T120-B64-fresh") {
      // The model and task are made once: the timed runs are training steps alone (`train`
      // starts from the same model each time and leaves it as it was).
      try stepsPerSecond(
        setup: """
          use cells
          use optimizers
          let net = rnn(\(cell), hidden: 64, input: 6, seed: 1)
          let task = adding(length: 120, input: 6, seed: 1)
          """,
        timed: "train(net, task, \(optimizer), steps: 20, batch: 64)")
    }
  }

  func training(_ setting: String, length: Int, dtype: String) -> Benchmark {
    Benchmark(name: "train/\(dtype)/\(setting)-multi-n64-T\(length)-B64-sgd") {
      try stepsPerSecond(
        timed: """
          use cells
          use optimizers
          let net = rnn(leaky(gate: multi), hidden: 64, input: 4, seed: 1, dtype: "\(dtype)")
          train(net, adding(length: \(length), input: 4, seed: 1), sgd(lr: 0.01), steps: 20, batch: 64, fixed: true)
          """)
    }
  }

  /// Steps per second of `timed`, a script training 20 steps, run after `setup` in the same
  /// interpreter.
  private func stepsPerSecond(setup: String = "", timed: String) throws -> (Double, String) {
    let interpreter = Interpreter()
    _ = try interpreter.run(SourceFile(name: "<bench>", text: setup))
    let file = SourceFile(name: "<bench>", text: timed)
    let seconds = try medianSeconds(minimumSeconds: minimumSeconds) {
      _ = try interpreter.run(file)
    }
    return (20 / seconds, "steps/s")
  }
}
