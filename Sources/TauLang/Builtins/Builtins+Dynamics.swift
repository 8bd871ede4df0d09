// The operators of the paper's §3–7 as built-ins: exact Jacobians, transports, sensitivities,
// effective-learning-rate profiles, anisotropy, the gradient covariance, parameter Jacobians, the
// Fréchet check, Lyapunov exponents and the optimizer's rates. They run in float64 on any cell,
// from the transforms of its step graph.
import Foundation
import TauDynamics
import TauGraph
import TauTensor

extension BuiltinRegistry {
  static let dynamics: [Builtin] = [
    Builtin(
      "jacobian", ["model", "batch", "part=\"full\"", "convention=\"paper\"", "gate_term=none"],
      "[B×T×N×N] exact dh_t/dh_{t-1} on batch (f64); part: \"full\", \"dominant\" (gates frozen) or \"correction\""
    ) { args in
      let part = try choice(args, "part", JacobianPart.self)
      let conventions = try conventions(args)
      let jacobians = try stepJacobians(
        args, dominant: part != .full, gateTerm: conventions.gateTerm)
      return .tensor(.f64(try jacobians.part(part)))
    },
    Builtin(
      "transport",
      [
        "model", "batch", "t", "k", "part=\"full\"", "convention=\"paper\"", "order=none",
        "gate_term=none",
      ],
      "[B×N×N] P_{t,k} = J_t ⋯ J_{k+1} for states 0 ≤ k ≤ t ≤ T (P_{t,t} = I)"
    ) { args in
      let part = try choice(args, "part", JacobianPart.self)
      let conventions = try conventions(args)
      let jacobians = try stepJacobians(
        args, dominant: part != .full, gateTerm: conventions.gateTerm)
      return .tensor(
        .f64(
          try jacobians.transport(
            to: try args.integer("t"), from: try args.integer("k"), part: part,
            order: conventions.order)))
    },
    Builtin(
      "sensitivity",
      [
        "model", "batch", "method=none", "iters=5", "seed=0", "eps=1e-12", "start=none",
        "convention=\"paper\"", "order=none", "gate_term=none", "precision=none",
        "structure=\"auto\"", "lags=none", "origins=none",
      ],
      "[B×T×T] S[b,t,k] = ‖P_{t,k}‖₂ for all k < t; method \"exact\", \"power\" (on PᵀP) or \"power-on-P\" (the reference's), iters steps from a seeded or given start; with lags/origins, {lag, origin, s [B×O×L]} at sampled pairs"
    ) { args in
      let conventions = try conventions(args)
      if let sampled = try sampledSensitivities(args, conventions) {
        return sampledRecord(sampled)
      }
      return try allPairs(args) {
        let jacobians = try stepJacobians(args, gateTerm: conventions.gateTerm)
        return .tensor(.f64(try sensitivities(jacobians, conventions, args)))
      }
    },
    Builtin(
      "efflr",
      [
        "model", "batch", "predictor=none", "gate=none", "trim=0.01", "method=none", "iters=5",
        "seed=0", "eps=1e-12", "start=none", "sensitivity=none", "convention=\"paper\"",
        "order=none", "gate_term=none", "precision=none", "median=none", "window=none",
        "structure=\"auto\"", "lags=none", "origins=none", "level=0.95", "resamples=1000",
      ],
      "{lag, empirical, predicted, fitted, slope, intercept, r2, pairs, predictor, gate, factor}: the lag profile of the sensitivities and its fit to a product of the gate's factors; with lags/origins, also {median, median_low, median_high, empirical_low, empirical_high, origin, level} from sampled pairs"
    ) { args in
      let conventions = try conventions(args)
      guard case .model(let model) = args["model"] else {
        throw args.typeError("model", expected: "a model")
      }
      if let sampled = try sampledSensitivities(
        args, conventions, gates: try selectedGates(args, of: model))
      {
        return try sampledProfile(sampled, conventions, args, model: model)
      }
      return try allPairs(args) { try efflrAllPairs(args, conventions, model: model) }
    },
    envelope,
    Builtin(
      "anisotropy",
      [
        "model", "batch", "lags=[1, 2, 4, 8, 12, 16, 24, 32, 40]", "r=10", "k=16", "pairs=64",
        "seed=0", "convention=\"paper\"", "order=none", "gate_term=none", "first_state=none",
      ],
      "{lag, ai, ce, ai_q25, ai_q75, ce_q25, ce_q75, pairs}: medians over sampled transports of σ₁/σ_r and the top-r energy share"
    ) { args in
      let lags = try args.list("lags").map {
        try args.interpreter.wholeNumber($0, at: args.range("lags"))
      }
      let conventions = try conventions(args)
      let profile = try stepJacobians(args, gateTerm: conventions.gateTerm).anisotropy(
        lags: lags, r: try args.integer("r"), k: try args.integer("k"),
        pairs: try args.integer("pairs"), seed: UInt64(Swift.max(0, try args.integer("seed"))),
        order: conventions.order, firstState: conventions.firstState,
        epsilon: conventions.epsilon)
      return .record(
        Record([
          ("lag", vector(profile.lags.map(Double.init))),
          ("ai", vector(profile.ai)), ("ce", vector(profile.ce)),
          ("ai_q25", vector(profile.aiQuartiles.map(\.0))),
          ("ai_q75", vector(profile.aiQuartiles.map(\.1))),
          ("ce_q25", vector(profile.ceQuartiles.map(\.0))),
          ("ce_q75", vector(profile.ceQuartiles.map(\.1))),
          ("pairs", vector(profile.pairs.map(Double.init))),
        ]))
    },
    Builtin(
      "frechet",
      ["model", "batch", "eps=none", "convention=\"paper\"", "order=none", "gate_term=none"],
      "{eps, error, c2, slope, ratio}: ‖F(ε) - T₁(ε)‖_F of the first-order expansion around frozen gates, its log-log slope, and r_j = ‖B_j‖₂/‖A_j‖₂"
    ) { args in
      let eps =
        args.isGiven("eps")
        ? try tensorValue(args["eps"], at: args.range("eps"), context: "eps").doubles
        : FrechetCheck.defaultEps
      let conventions = try conventions(args)
      let check = try stepJacobians(args, dominant: true, gateTerm: conventions.gateTerm)
        .frechet(eps: eps, order: conventions.order)
      return .record(
        Record([
          ("eps", vector(check.eps)), ("error", vector(check.error)),
          ("c2", vector(check.c2)),
          ("slope", .number(check.slope)), ("ratio", vector(check.ratios)),
        ]))
    },
    Builtin(
      "lyapunov", ["model", "batch", "k=none"],
      "{exponents, per_sequence}: the k leading Lyapunov exponents by the QR method, mean over the batch"
    ) { args in
      let spectrum = try stepJacobians(args).lyapunovSpectrum(
        count: args.isGiven("k") ? try args.integer("k") : nil)
      let (sequences, count) = (spectrum.perSequence.count, spectrum.mean.count)
      return .record(
        Record([
          ("exponents", vector(spectrum.mean)),
          (
            "per_sequence",
            .tensor(
              .f64(
                try Tensor(
                  shape: [sequences, count], scalars: spectrum.perSequence.flatMap { $0 })))
          ),
        ]))
    },
    Builtin(
      "gradcov", ["model", "data", "samples=256", "r=10", "index=1000000", "loss=\"mse\""],
      "{ai, ce, spectrum, rows, columns}: the spectrum of true per-example gradients of the loss (rows unit, columns centred)"
    ) { args in
      let loss = try lossArgument(args)
      let batch = try examples(args)
      let model = try doubleModel(args)
      let supervision = try batch.supervision(
        loss, for: model, builtin: "gradcov", at: args.range("data"), \.asDouble)
      let result = try model.gradientCovariance(
        inputs: batch.inputs.asDouble, supervision: supervision, r: try args.integer("r"))
      return .record(
        Record([
          ("ai", .number(result.ai)), ("ce", .number(result.ce)),
          ("spectrum", vector(result.spectrum)), ("rows", .number(Double(result.rows))),
          ("columns", .number(Double(result.columns))),
        ]))
    },
    Builtin(
      "pjacobian", ["model", "batch"],
      "dh_T/dθ per sequence: a record shaped like model.params of [B×n×shape] blocks (the readout is not in h_T)"
    ) { args in
      let model = try doubleModel(args)
      let blocks = try model.parameterJacobians(inputs: try inputsTensor(args).asDouble)
      return .record(
        nestedRecord(
          blocks.sorted { $0.key < $1.key }.map { (dottedName($0.key), .tensor(.f64($0.value))) }))
    },
    Builtin(
      "rates", ["run", "statistic=\"median\""],
      "{step, cell, readout}: a statistic (median, mean, min, max) of the optimizer's effective rate per parameter at each checkpoint of a run"
    ) { args in
      guard case .record(let run) = args["run"], case .list(let entries)? = run["rates"] else {
        throw args.typeError("run", expected: "a run from train")
      }
      guard let statistic = RateStatistic(rawValue: try args.string("statistic")) else {
        throw Diagnostic(
          "value.invalid", "statistic must be \"median\", \"mean\", \"min\" or \"max\"",
          at: args.range("statistic"))
      }
      var history = RateHistory(statistic: statistic)
      for entry in entries {
        guard case .record(let record) = entry, case .number(let step)? = record["step"],
          case .record(let rates)? = record["rates"]
        else { continue }
        history.append(
          step: step,
          rates: leaves(rates).map { path, value in
            (path, try? tensorValue(value, at: args.range("run"), context: "rates").doubles)
          })
      }
      let fields =
        [("step", vector(history.steps))]
        + nestedRecord(history.series.map { ($0.path, vector($0.values)) }).fields
      return .record(Record(fields.map { ($0.0, $0.1) }))
    },
  ]

  /// efflr over every pair (the call's body when it gives no lags or origins).
  private static func efflrAllPairs(
    _ args: CallArguments, _ conventions: Conventions, model: ModelValue
  ) throws -> Value {
    let jacobians = try stepJacobians(
      args, gateTerm: conventions.gateTerm, gates: try selectedGates(args, of: model))
    let sensitivities: Tensor<Double>
    if args.isGiven("sensitivity") {
      sensitivities = try args.tensor("sensitivity").asDouble
      let expected = [jacobians.batch, jacobians.length, jacobians.length]
      guard sensitivities.shape == expected else {
        throw Diagnostic(
          "shape.mismatch",
          "sensitivity must be \(formatShape(expected)) for this batch, got \(formatShape(sensitivities.shape))",
          at: args.range("sensitivity"))
      }
    } else {
      sensitivities = try Self.sensitivities(jacobians, conventions, args)
    }
    let profile = try effectiveLearningRate(
      sensitivities: sensitivities,
      predictor: try jacobians.gatePredictor(conventions.predictor, window: conventions.window),
      trim: try args.number("trim"), median: conventions.median,
      epsilon: conventions.epsilon, minimumPairs: conventions.minimumPairs)
    return .record(
      profileRecord(
        profile, conventions, gate: gateName(jacobians.gateNodes, of: model),
        factor: jacobians.gates == nil ? nil : factorName(jacobians.gateRetentions, conventions)))
  }

  /// `body`, with a refusal of the memory budget (all pairs keep [B×T×N×N] Jacobians and a
  /// [B×T×T] result) pointing at sampled lags.
  private static func allPairs(_ args: CallArguments, _ body: () throws -> Value) throws -> Value {
    do {
      return try body()
    } catch let error as TensorError {
      guard case .outOfMemory = error else { throw error }
      throw Diagnostic(
        "memory.budget", error.named(args.builtin.name).description, at: args.callRange,
        hint:
          "all pairs keep every step's Jacobian and a [B×T×T] result; lags: \"geometric\" with origins: 64 streams them"
      )
    }
  }

  /// The model argument in float64.
  private static func doubleModel(_ args: CallArguments) throws -> RecurrentModel<Double> {
    guard case .model(let model) = args["model"] else {
      throw args.typeError("model", expected: "a model")
    }
    switch model.network {
    case .f32(let single): return try single.inDouble()
    case .f64(let double): return double
    }
  }

  /// The `batch` argument's inputs: a batch record or an inputs tensor.
  private static func inputsTensor(_ args: CallArguments) throws -> TensorValue {
    if case .record(let batch) = args["batch"], let value = batch["inputs"] {
      return try tensorValue(value, at: args.range("batch"), context: "inputs")
    } else if case .tensor(let value) = args["batch"] {
      return value
    }
    throw args.typeError("batch", expected: "a batch record {inputs, targets} or an inputs tensor")
  }

  /// gradcov's examples: a batch record as given, or `samples` fresh sequences from a task, batch
  /// number `index` (by default one no training run shorter than a million steps sees).
  private static func examples(_ args: CallArguments) throws -> BatchTensors {
    guard case .record(let data) = args["data"] else {
      throw args.typeError("data", expected: "a task or a batch record {inputs, targets}")
    }
    var batch = data
    if data["inputs"] == nil, let function = data["batch"] {
      let (samples, index) = (try args.integer("samples"), try args.integer("index"))
      guard samples >= 2, index >= 0 else {
        throw Diagnostic(
          "value.invalid", "samples must be ≥ 2 and index ≥ 0", at: args.range("samples"))
      }
      let made = try args.interpreter.call(
        function,
        [
          EvaluatedArgument(label: nil, value: .number(Double(samples)), range: args.range("data")),
          EvaluatedArgument(
            label: "index", value: .number(Double(index)), range: args.range("data")),
        ], at: args.callRange, calleeRange: args.range("data"))
      guard case .record(let record) = made else {
        throw Diagnostic(
          "type.mismatch", "a task's batch must be {inputs, targets}", at: args.range("data"))
      }
      batch = record
    }
    guard let tensors = try BatchTensors(batch, at: args.range("data")) else {
      throw args.typeError("data", expected: "a task or a batch record {inputs, targets}")
    }
    return tensors
  }

  /// Every tensor of a nested record, with its dotted path (`cell.gate.Wr`).
  private static func leaves(_ record: Record, prefix: String = "") -> [(String, Value)] {
    record.fields.flatMap { name, value -> [(String, Value)] in
      if case .record(let inner) = value { return leaves(inner, prefix: prefix + name + ".") }
      return [(prefix + name, value)]
    }
  }

  /// The model's step Jacobians on the `batch` argument (a batch record or an inputs tensor).
  private static func stepJacobians(
    _ args: CallArguments, dominant: Bool = false, gateTerm: GateTerm = .pre,
    gates: [NodeID]? = nil
  ) throws -> StepJacobians {
    let (network, inputs) = try modelInputs(args)
    do {
      return try network.stepJacobians(
        inputs, dominant: dominant, gateTerm: gateTerm, gates: gates)
    } catch let error as GraphError {
      throw Diagnostic("shape.mismatch", error.message, at: args.callRange)
    } catch TensorError.invalidArgument(_, let message) where gateTerm == .post {
      throw Diagnostic(
        "value.invalid", "gate_term \"post\": \(message)", at: args.range("gate_term"))
    }
  }

  /// The model in float64 and the `batch` argument's inputs (a batch record or an inputs
  /// tensor), checked against each other.
  static func modelInputs(_ args: CallArguments) throws -> (RecurrentModel<Double>, Tensor<Double>)
  {
    let network = try doubleModel(args)
    let inputs = try inputsTensor(args)
    guard inputs.shape.count == 3, inputs.shape[2] == network.inputSize else {
      throw Diagnostic(
        "shape.mismatch",
        "the model reads [B×T×\(network.inputSize)] inputs, got \(formatShape(inputs.shape))",
        at: args.range("batch"))
    }
    return (network, inputs.asDouble)
  }

  /// The `method`, `iters`, `seed` and `eps` arguments as a norm method; `fallback` when
  /// `method` is not given.
  private static func normMethod(_ args: CallArguments, fallback: NormMethod) throws -> NormMethod {
    guard args.isGiven("method") else { return fallback }
    let iterations = try args.integer("iters")
    guard iterations >= 0 else {
      throw Diagnostic("value.invalid", "iters must be ≥ 0", at: args.range("iters"))
    }
    let seed = UInt64(Swift.max(0, try args.integer("seed")))
    switch try args.string("method") {
    case "exact": return .exact
    case "power": return .power(iterations: iterations, seed: seed)
    case "power-on-P":
      let epsilon = try args.number("eps")
      guard epsilon >= 0, epsilon.isFinite else {
        throw Diagnostic("value.invalid", "eps must be ≥ 0", at: args.range("eps"))
      }
      return .powerOnP(iterations: iterations, epsilon: epsilon, seed: seed)
    case let other:
      throw Diagnostic(
        "value.invalid",
        "method must be \"exact\", \"power\" or \"power-on-P\", got \"\(other)\"",
        at: args.range("method"))
    }
  }

  /// The call's conventions: the set `convention` names, with each convention the built-in
  /// takes as a parameter and the call gives replacing that set's choice.
  private static func conventions(_ args: CallArguments) throws -> Conventions {
    func given(_ name: String) -> Bool {
      args.builtin.parameters.contains { $0.name == name } && args.isGiven(name)
    }
    var result: Conventions
    switch try args.string("convention") {
    case "paper": result = .paper
    case "reference": result = .reference
    case let other:
      throw Diagnostic(
        "value.invalid", "convention must be \"paper\" or \"reference\", got \"\(other)\"",
        at: args.range("convention"))
    }
    if given("order") { result.order = try choice(args, "order", ProductOrder.self) }
    if given("gate_term") { result.gateTerm = try choice(args, "gate_term", GateTerm.self) }
    if given("median") { result.median = try choice(args, "median", MedianRule.self) }
    if given("window") { result.window = try choice(args, "window", GateWindow.self) }
    if given("precision") { result.precision = try choice(args, "precision", Precision.self) }
    if given("predictor") { result.predictor = try choice(args, "predictor", GatePredictor.self) }
    if given("first_state") {
      result.firstState = try args.integer("first_state")
      guard result.firstState == 0 || result.firstState == 1 else {
        throw Diagnostic(
          "value.invalid", "first_state must be 0 or 1", at: args.range("first_state"))
      }
    }
    if args.builtin.parameters.contains(where: { $0.name == "method" }) {
      // The reference's estimate takes this call's iters, eps and seed.
      let fallback: NormMethod =
        result.norm == .exact
        ? .exact
        : .powerOnP(
          iterations: Swift.max(0, try args.integer("iters")), epsilon: try args.number("eps"),
          seed: UInt64(Swift.max(0, try args.integer("seed"))))
      result.norm = try normMethod(args, fallback: fallback)
    }
    return result
  }

  /// The sensitivities of `jacobians` by `conventions`, with the call's `start` vectors if given.
  private static func sensitivities(
    _ jacobians: StepJacobians, _ conventions: Conventions, _ args: CallArguments
  ) throws -> Tensor<Double> {
    let starts = args.isGiven("start") ? try args.tensor("start").asDouble : nil
    if let starts,
      starts.shape != [jacobians.batch, jacobians.length, jacobians.length, jacobians.size]
    {
      throw Diagnostic(
        "shape.mismatch",
        "start must be \(formatShape([jacobians.batch, jacobians.length, jacobians.length, jacobians.size])) (one vector per pair), got \(formatShape(starts.shape))",
        at: args.range("start"))
    }
    // "auto" uses the structure forward mode found (a diagonal J_t's products are diagonals);
    // "dense" multiplies full matrices whatever it is, to compare the two.
    let structure = try choice(args, "structure", StructureChoice.self)
    return try jacobians.sensitivities(
      method: conventions.norm, order: conventions.order, precision: conventions.precision,
      starts: starts, dense: structure == .dense)
  }

  /// A string argument that names a case of `T`.
  static func choice<T: RawRepresentable & CaseIterable>(
    _ args: CallArguments, _ name: String, _: T.Type
  ) throws -> T where T.RawValue == String {
    let text = try args.string(name)
    guard let value = T(rawValue: text) else {
      let options = T.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
      throw Diagnostic(
        "value.invalid", "\(name) must be one of \(options), got \"\(text)\"", at: args.range(name))
    }
    return value
  }

  /// A list of numbers as a 1-D f64 tensor.
  static func vector(_ values: [Double]) -> Value {
    .tensor(.f64(Tensor(values)))
  }
}

/// `structure:` of the operators that multiply transports.
enum StructureChoice: String, CaseIterable {
  case auto, dense
}
