// `envelope`: the effective-learning-rate envelope f(ℓ) of the Learnability Window work and the
// per-unit time scales fitted to its decay, at chosen lags from every or sampled origins.
import TauDynamics
import TauTensor

extension BuiltinRegistry {
  static let envelope = Builtin(
    "envelope",
    [
      "model", "batch", "lags=\"geometric\"", "origins=none", "kind=\"first-order\"",
      "gate=none", "seed=0",
    ],
    "{lag, f, log_f, units, tau, tau_r2, tau_env, r2_env, beta, r2_power, windows, kind, gate}: f(ℓ) = mean over units of |μ_{t,ℓ}| and per-unit time scales τ from its decay"
  ) { args in
    guard case .model(let model) = args["model"] else {
      throw args.typeError("model", expected: "a model")
    }
    let kind = try choice(args, "kind", EnvelopeKind.self)
    let (network, inputs) = try modelInputs(args)
    guard let sample = try pairSample(args, length: inputs.shape[1]) else {
      throw args.typeError("lags", expected: "a list of whole numbers or \"geometric\"")
    }
    let gates = try selectedGates(args, of: model)
    let envelope: Envelope
    do {
      envelope = try network.envelope(inputs, sample: sample, kind: kind, gates: gates)
    } catch TensorError.invalidArgument(_, let message) {
      throw Diagnostic("value.invalid", message, at: args.range("kind"))
    }
    let numbers = { (values: [Double]) in vector(values) }
    return .record(
      Record([
        ("lag", numbers(envelope.lags.map(Double.init))),
        ("f", numbers(envelope.mass)),
        ("log_f", numbers(envelope.logMass)),
        ("units", .tensor(.f64(envelope.units))),
        ("tau", numbers(envelope.tau)),
        ("tau_r2", numbers(envelope.tauR2)),
        (
          "tau_env",
          .number(
            envelope.exponential.slope < 0
              ? -1 / envelope.exponential.slope
              : envelope.exponential.slope.isNaN ? .nan : .infinity)
        ),
        ("r2_env", .number(envelope.exponential.r2)),
        ("beta", .number(-envelope.powerLaw.slope)),
        ("r2_power", .number(envelope.powerLaw.r2)),
        ("windows", numbers(envelope.windows.map(Double.init))),
        ("kind", .string(kind.rawValue)),
        (
          "gate",
          kind == .diagonal
            ? .nothing : gateName(envelope.gateNodes, of: model).map(Value.string) ?? .nothing
        ),
      ]))
  }
}
