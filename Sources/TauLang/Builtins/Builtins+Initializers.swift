// Parameter initialiser specifications: `param W [hidden, input] = uniform(input)`. Each is a
// record naming the distribution; the model builder materialises it once the shape is known.

extension BuiltinRegistry {
  static let initializers: [Builtin] = [
    Builtin(
      "uniform", ["fan_in"],
      "initialiser U(±1/√fan_in), PyTorch's default for linear layers: {init: \"uniform\", low, high}"
    ) { args in
      let fanIn = try args.number("fan_in")
      guard fanIn > 0 else {
        throw Diagnostic(
          "value.invalid", "fan_in must be > 0, got \(formatNumber(fanIn))",
          at: args.range("fan_in"))
      }
      let bound = 1 / fanIn.squareRoot()
      return .record(
        Record([("init", .string("uniform")), ("low", .number(-bound)), ("high", .number(bound))]))
    },
    Builtin(
      "normal", ["std", "mean=0"], "initialiser N(mean, std²): {init: \"normal\", mean, std}"
    ) { args in
      let std = try args.number("std")
      guard std >= 0 else {
        throw Diagnostic(
          "value.invalid", "std must be ≥ 0, got \(formatNumber(std))", at: args.range("std"))
      }
      return .record(
        Record([
          ("init", .string("normal")), ("mean", .number(try args.number("mean"))),
          ("std", .number(std)),
        ]))
    },
    Builtin(
      "orthogonal", ["gain=1"],
      "initialiser: a (semi-)orthogonal matrix times gain: {init: \"orthogonal\", gain}"
    ) { args in
      .record(
        Record([("init", .string("orthogonal")), ("gain", .number(try args.number("gain")))]))
    },
    Builtin(
      "glorot", [], "initialiser U(±√(6/(fan_in + fan_out))) (Glorot/Xavier): {init: \"glorot\"}"
    ) { _ in
      .record(Record([("init", .string("glorot"))]))
    },
  ]
}
