// Optimizers declared in Tau against hand-computed steps, the adding task, and training.
import Foundation
import Testing

@testable import TauDynamics
@testable import TauLang
@testable import TauTensor

/// The optimizer `source` (from stdlib/optimizers.tau) applied to one parameter for `steps`
/// updates with the given gradients.
func parameterAfter(
  _ optimizer: String, start: [Double], gradients: [[Double]]
) throws -> [[Double]] {
  let interpreter = Interpreter()
  let run = runSnippet("use optimizers\nlet o = \(optimizer)", interpreter: interpreter)
  #expect(run.ids == [], "\(run.diagnostics.map(\.message))")
  guard case .declaration(let declaration)? = interpreter.globals.lookup("o") else { return [] }
  let program = try interpreter.lowerOptimizer(
    declaration, at: SourceRange(file: SourceFile(name: "t", text: ""), start: 0, end: 0))
  let optimizer = OptimizerRun<Double>(program: program)
  var parameter = ["w": Tensor<Double>(start)]
  var trajectory: [[Double]] = []
  for gradient in gradients {
    parameter = try optimizer.update(parameter, gradients: ["w": Tensor(gradient)])
    trajectory.append(parameter["w"]?.scalars ?? [])
  }
  return trajectory
}

@Suite struct TrainingTests {
  @Test func sgdWithMomentumMatchesHandComputedSteps() throws {
    // v₁ = g₁ = 1 → w = 1 - 0.1 = 0.9; v₂ = 0.5·1 + 2 = 2.5 → 0.65; v₃ = 1.25 - 1 = 0.25 → 0.625
    let w = try parameterAfter(
      "sgd(lr: 0.1, momentum: 0.5)", start: [1], gradients: [[1], [2], [-1]])
    let expected = [0.9, 0.65, 0.625]
    for (a, e) in zip(w.map { $0[0] }, expected) { #expect(Swift.abs(a - e) < 1e-15) }
  }

  @Test func adamMatchesHandComputedSteps() throws {
    // Reference computed step by step from Kingma & Ba with lr 0.1, β = (0.9, 0.999), ε = 1e-8.
    var m = 0.0
    var v = 0.0
    var w = 0.5
    var expected: [Double] = []
    for (step, g) in [0.3, -0.2, 0.05].enumerated() {
      m = 0.9 * m + 0.1 * g
      v = 0.999 * v + 0.001 * g * g
      let mHat = m / (1 - Foundation.pow(0.9, Double(step + 1)))
      let vHat = v / (1 - Foundation.pow(0.999, Double(step + 1)))
      w -= 0.1 * mHat / (vHat.squareRoot() + 1e-8)
      expected.append(w)
    }
    let trajectory = try parameterAfter(
      "adam(lr: 0.1)", start: [0.5], gradients: [[0.3], [-0.2], [0.05]])
    for (a, e) in zip(trajectory.map { $0[0] }, expected) { #expect(Swift.abs(a - e) < 1e-12) }
  }

  @Test func addingTaskFollowsItsDefinition() throws {
    let run = runSnippet(
      """
      let task = adding(length: 10, input: 3, seed: 4)
      let b = task.batch(5)
      print(b.inputs.shape, b.targets.shape)
      print(b == task.batch(5), b == task.batch(5, index: 1))
      """)
    #expect(run.output == "[5, 10, 3] [5, 1]\ntrue false\n")
    let interpreter = Interpreter()
    _ = runSnippet(
      "let b = adding(length: 10, input: 3, seed: 4).batch(50)", interpreter: interpreter)
    guard case .record(let b)? = interpreter.globals.lookup("b"),
      case .tensor(let inputs)? = b["inputs"],
      case .tensor(let targets)? = b["targets"]
    else { throw DiagnosticList([]) }
    let x = inputs.doubles
    let y = targets.doubles
    for sample in 0..<50 {
      let marks = (0..<10).filter { x[(sample * 10 + $0) * 3 + 2] == 1 }
      #expect(marks.count == 2 && marks[0] < 5 && marks[1] >= 5)
      let sum = marks.reduce(0.0) { $0 + x[(sample * 10 + $1) * 3] }
      #expect(Swift.abs(sum - y[sample]) < 1e-15)
    }
  }

  @Test func adamDrivesTheAddingLossDown() throws {
    let run = runSnippet(
      """
      use cells
      use optimizers
      let net = rnn(leaky(gate: multi), hidden: 32, input: 2, seed: 1)
      let run = train(net, adding(length: 50, input: 2, seed: 1), adam(lr: 0.01), steps: 250, batch: 32, checkpoints: [0, 250])
      print(mean(run.loss[240:250]) < 0.1 * run.loss[0], len(run.loss), len(run.checkpoints))
      print(run.checkpoints[0].model.params.cell.Wr == net.params.cell.Wr, run.model.params.cell.Wr == net.params.cell.Wr)
      """)
    #expect(run.ids == [], "\(run.diagnostics.map(\.message))")
    #expect(run.output == "true 250 2\ntrue false\n")
  }

  @Test func trainingAndLongOperatorsReportTheirProgressToTheHost() throws {
    let run = runSnippet(
      """
      use cells
      use optimizers
      let net = rnn(leaky(gate: scalar), hidden: 4, input: 2, seed: 1)
      let run = train(net, adding(length: 6, input: 2), sgd(), steps: 3, batch: 2, log_every: 3)
      sensitivity(net, adding(length: 6, input: 2).batch(2))
      """)
    #expect(run.ids == [], "\(run.diagnostics.map(\.message))")
    let steps = run.events.compactMap { event -> Int? in
      guard case .step("train", let step, 3, let loss) = event, loss.isFinite else { return nil }
      return step
    }
    #expect(steps == [1, 2, 3])
    #expect(
      Array(run.events.suffix(3)) == [
        .ended(activity: "train"), .began(activity: "sensitivity"),
        .ended(activity: "sensitivity"),
      ])
    #expect(run.output.hasPrefix("step 3/3  loss "))
  }

  @Test func clippingBoundsTheGlobalGradientNorm() throws {
    // With SGD (lr 1, no momentum) one step moves the parameters by exactly the clipped gradient,
    // so the update's global norm is at most the clip.
    let run = runSnippet(
      """
      use cells
      use optimizers
      let net = rnn(plain, hidden: 4, input: 2, seed: 2, dtype: "f64")
      let task = adding(length: 8, input: 2, seed: 2)
      let r = train(net, task, sgd(lr: 1), steps: 1, batch: 16, clip: 0.001)
      let a = net.params
      let b = r.model.params
      let moved = sqrt(norm(a.cell.Wr - b.cell.Wr)^2 + norm(a.cell.Wi - b.cell.Wi)^2 + norm(a.readout.Wo - b.readout.Wo)^2)
      print(abs(moved - 0.001) < 1e-12)
      """)
    #expect(run.ids == [], "\(run.diagnostics.map(\.message))")
    #expect(run.output == "true\n")
  }

  /// log_every prints the mean loss of the steps since the previous line, and the last step.
  @Test func logEveryPrintsIntervalMeans() throws {
    let run = runSnippet(
      """
      use cells
      use optimizers
      let net = rnn(plain, hidden: 4, input: 2, seed: 1)
      let r = train(net, adding(length: 6, input: 2, seed: 1), sgd(), steps: 3, batch: 4, log_every: 2)
      print(mean(r.loss[0:2]), r.loss[2])
      """)
    #expect(run.ids == [], "\(run.diagnostics.map(\.message))")
    let lines = run.output.split(separator: "\n")
    let values = try #require(lines.last?.split(separator: " "))
    #expect(lines.dropLast() == ["step 2/3  loss \(values[0])", "step 3/3  loss \(values[1])"])
  }

  /// A NaN target at step 3 stops there; the error carries the run of steps 1 and 2.
  @Test func nonFiniteLossStopsWithTheStepAndKeepsTheRun() throws {
    let interpreter = Interpreter()
    let run = runSnippet(
      """
      use cells
      use optimizers
      let net = rnn(plain, hidden: 4, input: 2, seed: 1)
      fn targets(n, index) { if index == 2 { full([n, 1], nan) } else { ones([n, 1]) } }
      let bad = {batch: fn(n, index = 0) { {inputs: ones([n, 5, 2]), targets: targets(n, index)} }}
      train(net, bad, sgd(), steps: 4, batch: 2)
      """, interpreter: interpreter)
    #expect(run.ids == ["training.notFinite"])
    #expect(run.diagnostics.first?.message.contains("step 3: the loss is not finite") == true)
    let partial = try #require(run.diagnostics.first?.partialResult)
    interpreter.bind("partial", to: partial)
    let kept = runSnippet("print(len(partial.loss), partial.model)", interpreter: interpreter)
    #expect(kept.ids == [])
    #expect(kept.output.hasPrefix("2 <model plain"))
  }
}

@Suite struct MoreOptimizerTests {
  /// Three steps of each optimizer against the torch.optim update rules, computed here.
  @Test func rmspropAdagradAdamwAndNesterov() throws {
    let gradients = [0.3, -0.2, 0.05]
    func reference(_ rule: (Double, Double, Int, inout [Double]) -> Double) -> [Double] {
      var w = 0.5
      var state = [0.0, 0.0]
      return gradients.enumerated().map { step, g in
        w -= rule(g, w, step + 1, &state)
        return w
      }
    }
    let cases: [(String, [Double])] = [
      (
        "rmsprop(lr: 0.1)",
        reference { g, _, _, s in
          s[0] = 0.99 * s[0] + 0.01 * g * g
          return 0.1 * g / (s[0].squareRoot() + 1e-8)
        }
      ),
      (
        "adagrad(lr: 0.1)",
        reference { g, _, _, s in
          s[0] += g * g
          return 0.1 * g / (s[0].squareRoot() + 1e-10)
        }
      ),
      (
        "adamw(lr: 0.1, weight_decay: 0.1)",
        reference { g, w, t, s in
          s[0] = 0.9 * s[0] + 0.1 * g
          s[1] = 0.999 * s[1] + 0.001 * g * g
          let mHat = s[0] / (1 - Foundation.pow(0.9, Double(t)))
          let vHat = s[1] / (1 - Foundation.pow(0.999, Double(t)))
          return 0.1 * mHat / (vHat.squareRoot() + 1e-8) + 0.1 * 0.1 * w
        }
      ),
      (
        "sgd(lr: 0.1, momentum: 0.9, nesterov: true)",
        reference { g, _, _, s in
          s[0] = 0.9 * s[0] + g
          return 0.1 * (g + 0.9 * s[0])
        }
      ),
    ]
    for (optimizer, expected) in cases {
      let trajectory = try parameterAfter(
        optimizer, start: [0.5], gradients: gradients.map { [$0] })
      for (a, e) in zip(trajectory.map { $0[0] }, expected) {
        #expect(Swift.abs(a - e) < 1e-12, "\(optimizer): \(a) vs \(e)")
      }
    }
  }
}

@Suite struct ScheduleTests {
  /// The rate sgd exposes is its learning rate, so checkpoints show the schedule's values.
  @Test func schedulesFollowTheirFormulas() throws {
    let run = runSnippet(
      """
      use cells
      use optimizers
      let net = rnn(plain, hidden: 4, input: 2, seed: 1)
      let task = adding(length: 6, input: 2, seed: 1)
      let w = train(net, task, sgd(lr: warmup(0.1, steps: 4)), steps: 6, batch: 4, checkpoints: [1, 2, 6])
      print(map(w.rates, fn(e) { mean(e.rates.readout.Wo) }))
      let c = train(net, task, sgd(lr: cosine(0.1, steps: 4, floor: 0.02)), steps: 5, batch: 4, checkpoints: [1, 2, 4, 5])
      print(map(c.rates, fn(e) { mean(e.rates.readout.Wo) }))
      print(evaluate(c.model, task.batch(3)).predictions.shape)
      let s = train(net, task, sgd(lr: stepwise(0.1, at: [2, 4], factor: 0.5)), steps: 5, batch: 4, checkpoints: [1, 2, 3, 4, 5])
      print(map(s.rates, fn(e) { mean(e.rates.readout.Wo) }))
      """)
    #expect(run.ids == [], "\(run.diagnostics.map(\.message))")
    // cosine at step 1: 0.02 + 0.08 · ½(1 + cos(π/4)) = 0.0882843; stepwise halves after steps 2, 4
    #expect(
      run.output
        == "[0.025, 0.05, 0.1]\n[0.0882843, 0.06, 0.02, 0.02]\n[3, 1]\n[0.1, 0.1, 0.05, 0.05, 0.025]\n"
    )
  }
}
