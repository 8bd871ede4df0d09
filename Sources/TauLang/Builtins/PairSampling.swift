// `lags:` and `origins:` of the operators that measure transports: which pairs (t, k) to visit
// instead of all of them, so that a long sequence costs origins × largest lag products, not T².
import TauDynamics
import TauGraph
import TauTensor

extension BuiltinRegistry {
  /// The pairs `lags` and `origins` ask for on sequences of `length` steps; nil when the call
  /// gives neither (all pairs).
  static func pairSample(_ args: CallArguments, length: Int) throws -> PairSample? {
    guard args.isGiven("lags") || args.isGiven("origins") else { return nil }
    let lags = args.isGiven("lags") ? try lagList(args, length: length) : nil
    var origins: Int?
    if args.isGiven("origins") {
      origins = try args.integer("origins")
      guard let count = origins, count >= 1 else {
        throw Diagnostic("value.invalid", "origins must be ≥ 1", at: args.range("origins"))
      }
    }
    do {
      return try PairSample(
        length: length, lags: lags, origins: origins,
        seed: UInt64(Swift.max(0, try args.integer("seed"))))
    } catch TensorError.invalidArgument(_, let message) {
      throw Diagnostic(
        "value.invalid", message, at: args.range(args.isGiven("lags") ? "lags" : "origins"))
    }
  }

  /// `lags`: whole numbers as a list, a range or a tensor, or "geometric" for 1, 2, 4, … up to
  /// T - 1.
  private static func lagList(_ args: CallArguments, length: Int) throws -> [Int] {
    let at = args.range("lags")
    switch args["lags"] {
    case .string("geometric"):
      return Array(sequence(first: 1) { $0 * 2 }.prefix { $0 < length })
    case .tensor(let tensor) where tensor.shape.count <= 1:
      return try tensor.doubles.map { try args.interpreter.wholeNumber(.number($0), at: at) }
    case .list, .range:
      return try args.list("lags").map { try args.interpreter.wholeNumber($0, at: at) }
    default:
      throw args.typeError("lags", expected: "a list of whole numbers or \"geometric\"")
    }
  }

  /// The sensitivities at the pairs `lags`/`origins` ask for, or nil when the call gives neither.
  /// Sampling streams float64 products with the gate term at h_{t-1}; the norm methods and
  /// orders are those of all pairs.
  static func sampledSensitivities(
    _ args: CallArguments, _ conventions: Conventions, gates: [NodeID]? = nil
  ) throws -> SampledSensitivities? {
    let (network, inputs) = try modelInputs(args)
    guard let sample = try pairSample(args, length: inputs.shape[1]) else { return nil }
    for (name, unsupported) in [
      ("start", args.isGiven("start")), ("sensitivity", args.isGiven("sensitivity")),
      ("precision", conventions.precision != .f64), ("gate_term", conventions.gateTerm != .pre),
    ] where unsupported {
      throw Diagnostic(
        "value.invalid",
        "lags: and origins: measure their pairs in float64 with the gate term at h_{t-1}: they do not take \(name) \(describeConflict(name))",
        at: args.isGiven(name) ? args.range(name) : args.range("convention"))
    }
    do {
      return try network.sampledSensitivities(
        inputs, sample: sample, method: conventions.norm, order: conventions.order,
        gates: gates, dense: try choice(args, "structure", StructureChoice.self) == .dense)
    } catch let error as GraphError {
      throw Diagnostic("shape.mismatch", error.message, at: args.callRange)
    }
  }

  /// What to change when a sampled call meets an option it does not take.
  private static func describeConflict(_ name: String) -> String {
    switch name {
    case "precision": return "\"f32\" (give precision: \"f64\")"
    case "gate_term": return "\"post\" (give gate_term: \"pre\")"
    default: return "(sampled pairs are measured as they stream)"
    }
  }

  /// `sensitivity`'s result for sampled pairs: {lag, origin, s [B×O×L]}, NaN where k + h > T.
  static func sampledRecord(_ sampled: SampledSensitivities) -> Value {
    .record(
      Record([
        ("lag", vector(sampled.sample.lags.map(Double.init))),
        ("origin", vector(sampled.sample.origins.map(Double.init))),
        ("s", .tensor(.f64(sampled.values))),
      ]))
  }
}

extension BuiltinRegistry {
  /// efflr's record: the profile, its fit, and what the predictor multiplies; a sampled
  /// profile adds its raw medians, their intervals and the origins.
  static func profileRecord(
    _ profile: EffectiveLearningRateProfile, _ conventions: Conventions, gate: String?,
    factor: String?, sample: PairSample? = nil, level: Double? = nil
  ) -> Record {
    let fit = profile.fit
    var fields: [(String, Value)] = [
      ("lag", vector(profile.lags.map(Double.init))),
      ("empirical", vector(profile.empirical)),
      ("predicted", profile.predicted.map(vector) ?? .nothing),
      ("fitted", profile.fitted.map(vector) ?? .nothing),
      ("slope", .number(fit?.slope ?? .nan)),
      ("intercept", .number(fit?.intercept ?? .nan)),
      ("r2", .number(fit?.r2 ?? .nan)),
      ("pairs", .number(Double(profile.pairsUsed))),
      ("predictor", .string(conventions.predictor.rawValue)),
      ("gate", gate.map(Value.string) ?? .nothing),
      ("factor", factor.map(Value.string) ?? .nothing),
    ]
    if let sample, let level, let medians = profile.medianIntervals,
      let empirical = profile.empiricalIntervals
    {
      fields += [
        ("median", vector(profile.medians)),
        ("median_low", vector(medians.map(\.low))),
        ("median_high", vector(medians.map(\.high))),
        ("empirical_low", vector(empirical.map(\.low))),
        ("empirical_high", vector(empirical.map(\.high))),
        ("origin", vector(sample.origins.map(Double.init))),
        ("level", .number(level)),
      ]
    }
    return Record(fields)
  }

  /// efflr on sampled pairs: the profile with bootstrap intervals at `level`.
  static func sampledProfile(
    _ sampled: SampledSensitivities, _ conventions: Conventions, _ args: CallArguments,
    model: ModelValue
  ) throws -> Value {
    let (level, resamples) = (try args.number("level"), try args.integer("resamples"))
    guard level > 0, level < 1 else {
      throw Diagnostic("value.invalid", "level must be in (0, 1)", at: args.range("level"))
    }
    guard resamples >= 1 else {
      throw Diagnostic("value.invalid", "resamples must be ≥ 1", at: args.range("resamples"))
    }
    let profile = try effectiveLearningRate(
      sampled: sampled,
      predictor: try sampled.gatePredictor(conventions.predictor, window: conventions.window),
      trim: try args.number("trim"), median: conventions.median, epsilon: conventions.epsilon,
      minimumPairs: conventions.minimumPairs, level: level, resamples: resamples,
      seed: UInt64(Swift.max(0, try args.integer("seed"))))
    return .record(
      profileRecord(
        profile, conventions, gate: gateName(sampled.gateNodes, of: model),
        factor: sampled.gates == nil ? nil : factorName(sampled.gateRetentions, conventions),
        sample: sampled.sample, level: level))
  }
}
