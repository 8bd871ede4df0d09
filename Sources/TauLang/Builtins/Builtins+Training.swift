// Training from Tau: `train(model, task, optimizer, …, loss:)`, `evaluate` and the tasks of the paper's
// §8 that are recurrences (ar2, narma10, narma20). A task is any record with a
// `batch(n, index: k)` function; the other tasks (stdlib/tasks.tau, loaded in every session) and
// the learning-rate schedules (stdlib/schedules.tau) are written in Tau.
import Foundation
import TauDynamics
import TauTensor

extension BuiltinRegistry {
  static let training: [Builtin] =
    SequenceTask.allCases.map(taskBuiltin) + [
      Builtin(
        "evaluate", ["model", "batch", "loss=\"mse\""],
        "{loss, predictions, accuracy}: the loss (\"mse\" or \"xent\") of model on batch {inputs, targets, mask}, the outputs it scored, and for xent the accuracy"
      ) {
        args in
        guard case .model(let model) = args["model"] else {
          throw args.typeError("model", expected: "a model")
        }
        let loss = try lossArgument(args)
        let batch = try batchTensors(args, "batch")
        func evaluated<S: TensorScalar>(
          _ network: RecurrentModel<S>, _ convert: (TensorValue) -> Tensor<S>,
          _ wrap: (Tensor<S>) -> TensorValue
        ) throws -> Value {
          let supervision = try batch.supervision(
            loss, for: network, builtin: "evaluate", at: args.range("batch"), convert)
          let result = try network.evaluate(inputs: convert(batch.inputs), supervision: supervision)
          var fields: [(String, Value)] = [
            ("loss", .number(Double(result.loss))), ("predictions", .tensor(wrap(result.outputs))),
          ]
          if let accuracy = result.accuracy {
            fields.append(("accuracy", .number(Double(accuracy))))
          }
          return .record(Record(fields))
        }
        switch model.network {
        case .f32(let network): return try evaluated(network, \.asFloat) { .f32($0) }
        case .f64(let network): return try evaluated(network, \.asDouble) { .f64($0) }
        }
      },
      Builtin(
        "train",
        [
          "model", "task", "optimizer", "steps=100", "batch=32", "checkpoints=none", "clip=none",
          "fixed=false", "log_every=0", "loss=\"mse\"",
        ],
        "trains a copy of model on task: {model, loss, checkpoints, rates, time}; the model passed in is unchanged"
      ) { args in
        guard case .model(let model) = args["model"] else {
          throw args.typeError("model", expected: "a model")
        }
        guard case .declaration(let optimizer) = args["optimizer"] else {
          throw args.typeError("optimizer", expected: "an optimizer")
        }
        guard case .record(let task) = args["task"], let batchFunction = task["batch"] else {
          throw args.typeError("task", expected: "a task (a record with a batch function)")
        }
        let steps = try args.integer("steps")
        let size = try args.integer("batch")
        guard steps >= 0, size > 0 else {
          throw Diagnostic("value.invalid", "steps must be ≥ 0 and batch > 0", at: args.callRange)
        }
        let checkpoints =
          args.isGiven("checkpoints")
          ? try args.list("checkpoints").map {
            try args.interpreter.wholeNumber($0, at: args.range("checkpoints"))
          } : []
        let clip = args.isGiven("clip") ? try args.number("clip") : nil
        let fixed = try args.bool("fixed")
        let program = try args.interpreter.lowerOptimizer(optimizer, at: args.range("optimizer"))
        let loss = try lossArgument(args)
        /// Batch k of the task as tensors, from its Tau-level `batch(n, index: k)`; with `fixed`
        /// the one batch is made once.
        var fixedBatch: BatchTensors?
        func batch(_ k: Int) throws -> BatchTensors {
          if fixed, let fixedBatch { return fixedBatch }
          let made = try makeBatch(k)
          if fixed { fixedBatch = made }
          return made
        }
        func makeBatch(_ k: Int) throws -> BatchTensors {
          // Ctrl-C noticed inside a task written in Tau stops the loop before this step.
          let value = try cancellingOnInterrupt {
            try args.interpreter.call(
              batchFunction,
              [
                EvaluatedArgument(
                  label: nil, value: .number(Double(size)), range: args.range("task")),
                EvaluatedArgument(
                  label: "index", value: .number(Double(fixed ? 0 : k)), range: args.range("task")),
              ], at: args.callRange, calleeRange: args.range("task"))
          }
          guard case .record(let record) = value,
            let batch = try BatchTensors(record, at: args.range("task"))
          else {
            throw Diagnostic(
              "type.mismatch", "a task's batch must be {inputs, targets}", at: args.range("task"))
          }
          return batch
        }
        /// Batch k in the network's precision, checked against it.
        func scored<S: TensorScalar>(
          _ k: Int, _ network: RecurrentModel<S>, _ convert: (TensorValue) -> Tensor<S>
        ) throws -> (Tensor<S>, Supervision<S>) {
          let made = try batch(k)
          return (
            convert(made.inputs),
            try made.supervision(
              loss, for: network, builtin: "train", at: args.range("task"), convert)
          )
        }
        let start = ContinuousClock.now
        let value: Value
        let failure: Diagnostic?
        switch model.network {
        case .f32(let network):
          var converted: (Tensor<Float>, Supervision<Float>)?  // a fixed batch, converted once
          let (run, stop) = try trained(
            network, program, steps, checkpoints, clip.map(Float.init), args
          ) {
            if fixed, let converted { return converted }
            let made = try scored($0, network, \.asFloat)
            converted = made
            return made
          }
          (value, failure) = (
            trainingRecord(run, model, start) {
              .model(model.with(network: .f32($0)))
            } tensor: {
              .tensor(.f32($0))
            }, stop
          )
        case .f64(let network):
          let (run, stop) = try trained(network, program, steps, checkpoints, clip, args) {
            try scored($0, network, \.asDouble)
          }
          (value, failure) = (
            trainingRecord(run, model, start) {
              .model(model.with(network: .f64($0)))
            } tensor: {
              .tensor(.f64($0))
            }, stop
          )
        }
        // A NaN stop is an error, but the run up to the last good step is kept (the REPL binds
        // it to `_`), so a long run is not lost to one bad step.
        if var failure {
          failure.partialResult = value
          throw failure
        }
        return value
      },
    ]

  /// One summary line per task, for `:help` and the docs.
  private static let taskSummaries: [SequenceTask: String] = [
    .ar2:
      "target = x_T of x_t = 1.6 x_{t-1} − 0.7 x_{t-2} + N(0, 0.05²); the inputs are U[0,1] distractors",
    .narma10:
      "u ~ U[0, 0.5] in channel 0; target = y_T of y_{t+1} = 0.3 y_t + 0.05 y_t Σ_{i<10} y_{t-i} + 1.5 u_{t-9} u_t + 0.1",
    .narma20:
      "u ~ U[0, 0.5] in channel 0; target = y_T of y_{t+1} = 0.1 y_t + 0.04 y_t Σ_{i<20} y_{t-i} + 1.5 u_{t-19} u_t + 0.2",
  ]

  /// `ar2(length:, input:, seed:)` and the NARMA tasks: a task record with `batch(n, index: k)`.
  private static func taskBuiltin(_ task: SequenceTask) -> Builtin {
    Builtin(
      task.rawValue, ["length", "input=\(task.minimumInput)", "seed=0"],
      "the \(task.rawValue) task: " + (taskSummaries[task] ?? "")
    ) { args in
      let length = try args.integer("length")
      let input = try args.integer("input")
      let seed = try args.integer("seed")
      guard length >= task.minimumLength, input >= task.minimumInput, seed >= 0 else {
        throw Diagnostic(
          "value.invalid",
          "\(task.rawValue) needs length ≥ \(task.minimumLength), input ≥ \(task.minimumInput) and seed ≥ 0",
          at: args.callRange)
      }
      let batch = Builtin(
        "batch", ["n", "index=0"], "batch number `index` of n sequences: {inputs, targets}"
      ) {
        batchArgs in
        let n = try batchArgs.integer("n")
        let index = try batchArgs.integer("index")
        guard n > 0, index >= 0 else {
          throw Diagnostic("value.invalid", "n must be > 0 and index ≥ 0", at: batchArgs.callRange)
        }
        let (inputs, targets) = task.batch(
          n: n, length: length, input: input, seed: UInt64(seed), index: index)
        return .record(
          Record([
            ("inputs", .tensor(.f64(try Tensor(shape: [n, length, input], scalars: inputs)))),
            ("targets", .tensor(.f64(try Tensor(shape: [n, 1], scalars: targets)))),
          ]))
      }
      return .record(
        Record([
          ("name", .string(task.rawValue)), ("length", .number(Double(length))),
          ("input", .number(Double(input))), ("batch", .function(.builtin(batch))),
        ]))
    }
  }

  /// `body()`, with an interruption it reports (a Ctrl-C noticed by Tau code) thrown as
  /// `Cancelled`, which the training loop turns into a clean stop with the steps done.
  private static func cancellingOnInterrupt<T>(_ body: () throws -> T) throws -> T {
    do {
      return try body()
    } catch let diagnostic as Diagnostic where diagnostic.isInterruption {
      throw Cancelled()
    }
  }

  /// Runs the loop. A NaN stop comes back as a diagnostic next to the run so far; Ctrl-C returns
  /// the run so far (the REPL keeps it in `_`), with a note of the step it stopped at.
  private static func trained<S: TensorScalar>(
    _ network: RecurrentModel<S>, _ program: OptimizerProgram, _ steps: Int, _ checkpoints: [Int],
    _ clip: S?, _ args: CallArguments, batch: (Int) throws -> (Tensor<S>, Supervision<S>)
  ) throws -> (TrainingRecord<S>, Diagnostic?) {
    let logEvery = try args.integer("log_every")
    guard logEvery >= 0 else {
      throw Diagnostic("value.invalid", "log_every must be ≥ 0", at: args.range("log_every"))
    }
    let host = args.interpreter.host
    defer { host.progress(.ended(activity: "train")) }
    var (logged, loggedSteps) = (0.0, 0)
    do {
      let run = try network.train(
        steps: steps, optimizer: OptimizerRun(program: program), checkpoints: checkpoints,
        clip: clip,
        progress: { step, loss in
          host.progress(.step(activity: "train", step: step, total: steps, loss: Double(loss)))
          // log_every prints the mean loss since the last line: single-batch losses are noisy.
          (logged, loggedSteps) = (logged + Double(loss), loggedSteps + 1)
          if logEvery > 0, step % logEvery == 0 || step == steps {
            let mean = describe(.number(logged / Double(loggedSteps)))
            host.write("step \(step)/\(steps)  loss \(mean)\n")
            (logged, loggedSteps) = (0, 0)
          }
        },
        batch: { k in try batch(k) })
      return (run, nil)
    } catch TrainingStop<S>.notFinite(let step, let what, let record) {
      let failure = Diagnostic(
        "training.notFinite",
        "training stopped at step \(step): \(what) is not finite (NaN or infinity)",
        at: args.callRange,
        hint: "lower the learning rate or clip the gradients (clip: 1)")
      return (record, failure)
    } catch TrainingStop<S>.cancelled(let step, let record) {
      if args.interpreter.interruptEndsProgram {
        // `tau run`: the interrupt stays set and ends the program here.
        throw Diagnostic.interrupted("'train' interrupted before step \(step)", at: args.callRange)
      }
      clearInterrupt()  // handled: the steps done are the result, and the program goes on
      let done = step == 2 ? "1 step" : "\(step - 1) steps"
      host.report(
        Diagnostic(
          "training.interrupted",
          "training interrupted before step \(step); returning the \(done) done",
          at: args.callRange, severity: .note))
      return (record, nil)
    }
  }

  private static func trainingRecord<S: TensorScalar>(
    _ run: TrainingRecord<S>, _ model: ModelValue, _ start: ContinuousClock.Instant,
    wrap: (RecurrentModel<S>) -> Value, tensor: (Tensor<S>) -> Value
  ) -> Value {
    let elapsed = ContinuousClock.now - start
    let seconds =
      Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    let checkpoints = run.checkpoints.map {
      Value.record(Record([("step", .number(Double($0.step))), ("model", wrap($0.model))]))
    }
    let rates = run.rates.map { entry in
      Value.record(
        Record([
          ("step", .number(Double(entry.step))),
          (
            "rates",
            .record(
              nestedRecord(
                entry.rates.sorted { $0.key < $1.key }.map {
                  (dottedName($0.key), tensor($0.value))
                })
            )
          ),
        ]))
    }
    return .record(
      Record([
        ("model", wrap(run.model)), ("loss", tensor(Tensor(run.losses))),
        ("checkpoints", .list(checkpoints)), ("rates", .list(rates)), ("time", .number(seconds)),
      ]))
  }
}

/// The name `model.params` uses for a RecurrentModel parameter: `gate.Wr` → `cell.gate.Wr`,
/// `readout` → `readout.Wo`, `readoutBias` → `readout.bo`.
func dottedName(_ name: String) -> String {
  switch name {
  case "readout": return "readout.Wo"
  case "readoutBias": return "readout.bo"
  default: return "cell." + name
  }
}
