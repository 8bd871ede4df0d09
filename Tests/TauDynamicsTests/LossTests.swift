// The losses (mean squared error, cross-entropy), read out at the last or at every step, with and
// without a mask: BPTT gradients against central finite differences in float64, the compiled
// pass (split in two lanes) against the reference unrolling, and hand-computed values.
import TauTestSupport
import Testing

@testable import TauDynamics
@testable import TauGraph
@testable import TauTensor

/// A multi-gate cell with a readout of `outputs` units and a bias, all drawn from `seed`.
private func biasedModel(hidden n: Int, input m: Int, outputs: Int, seed: UInt64) throws
  -> RecurrentModel<Double>
{
  let step = try PaperCell.multi.graph(hidden: n, input: m)
  var stream = RandomStream(seed: seed)
  var parameters: [String: Tensor<Double>] = [:]
  for (name, id) in step.parameters {
    parameters[name] = try Tensor<Double>.uniform(
      step[id].shape, from: -0.8, to: 0.8, using: &stream)
  }
  return try RecurrentModel(
    step: step, parameters: parameters,
    readout: try Tensor<Double>.uniform([outputs, n], from: -0.8, to: 0.8, using: &stream),
    readoutBias: try Tensor<Double>.uniform([outputs], from: -0.5, to: 0.5, using: &stream),
    stateSizes: [n], inputSize: m)
}

/// Targets and a mask for a batch of `batch` × `length` and `outputs` units: mse values or xent
/// class indices, at the last step or at every step; the mask is 0/1 with some of each.
private func supervision(
  _ loss: Loss, _ readout: Readout, masked: Bool, batch: Int, length: Int, outputs: Int,
  seed: UInt64
) throws -> Supervision<Double> {
  var stream = RandomStream(seed: seed)
  let items = readout == .last ? [batch] : [batch, length]
  let targets: Tensor<Double>
  switch loss {
  case .mse: targets = try Tensor<Double>.normal(items + [outputs], using: &stream)
  case .xent:
    targets = try Tensor(
      shape: items,
      scalars: (0..<items.reduce(1, *)).map { _ in Double(stream.integer(below: outputs)) })
  }
  let count = items.reduce(1, *)
  let mask = try Tensor<Double>(shape: items, scalars: (0..<count).map { $0 % 3 == 1 ? 0 : 1 })
  return Supervision(loss: loss, targets: targets, mask: masked ? mask : nil)
}

@Suite struct LossTests {
  static let combinations: [(Loss, Readout, Bool)] = Loss.allCases.flatMap { loss in
    Readout.allCases.flatMap { readout in [false, true].map { (loss, readout, $0) } }
  }

  @Test(arguments: combinations)
  func gradientsMatchFiniteDifferences(loss: Loss, readout: Readout, masked: Bool) throws {
    let model = try biasedModel(hidden: 3, input: 2, outputs: 3, seed: 11)
    var stream = RandomStream(seed: 12)
    let inputs = try Tensor<Double>.normal([3, 4, 2], using: &stream)
    let scored = try supervision(
      loss, readout, masked: masked, batch: 3, length: 4, outputs: 3, seed: 13)
    let (value, gradients) = try model.gradient(inputs: inputs, supervision: scored)
    #expect(value > 0)
    let names = model.parameters.keys.sorted() + ["readout", "readoutBias"]
    #expect(Set(gradients.keys) == Set(names))
    for name in names {
      let base: Tensor<Double> =
        switch name {
        case "readout": model.readout
        case "readoutBias": try #require(model.readoutBias)
        default: try #require(model.parameters[name])
        }
      let numeric = try centralDifferenceGradient(at: base) { moved in
        try model.replacing(name, with: moved).gradient(inputs: inputs, supervision: scored).loss
      }
      expectClose(
        try #require(gradients[name]).scalars, numeric, tolerance: 1e-6,
        "\(loss) \(readout) masked \(masked): \(name)")
    }
  }

  /// gradcov's rows: each scored example's gradient of its own loss, as training on it alone
  /// gives it (readout and bias after the cell's parameters); examples of weight 0 are dropped.
  @Test(arguments: combinations)
  func perExampleRowsAreEachExamplesOwnGradient(loss: Loss, readout: Readout, masked: Bool)
    throws
  {
    let model = try biasedModel(hidden: 3, input: 2, outputs: 3, seed: 51)
    var stream = RandomStream(seed: 52)
    let inputs = try Tensor<Double>.normal([3, 4, 2], using: &stream)
    let scored = try supervision(
      loss, readout, masked: masked, batch: 3, length: 4, outputs: 3, seed: 53)
    let rows = try model.perExampleLossGradients(inputs: inputs, supervision: scored)
    let kept = masked && readout == .last ? [0, 2] : [0, 1, 2]
    #expect(rows.count == kept.count)
    for (row, b) in zip(rows, kept) {
      let alone = try model.gradient(
        inputs: try inputs.slicing(along: 0, from: b, to: b + 1).contiguous(),
        supervision: try scored.slicing(from: b, to: b + 1)
      ).gradients
      let expected = try (model.parameterOrder + ["readout", "readoutBias"]).flatMap {
        try #require(alone[$0]).scalars
      }
      expectClose(row, expected, tolerance: 1e-12, "\(loss) \(readout) masked \(masked): \(b)")
    }
  }

  /// 34 sequences run as halves of 17 on two threads; the mask leaves the first half only one
  /// scored item, so the halves' weights differ from their sizes.
  @Test(arguments: combinations)
  func splitBatchesMatchTheReference(loss: Loss, readout: Readout, masked: Bool) throws {
    let model = try biasedModel(hidden: 3, input: 2, outputs: 2, seed: 21)
    var stream = RandomStream(seed: 22)
    let inputs = try Tensor<Double>.normal([34, 4, 2], using: &stream)
    var scored = try supervision(
      loss, readout, masked: masked, batch: 34, length: 4, outputs: 2, seed: 23)
    if let mask = scored.mask {
      var weights = mask.scalars
      let perSequence = weights.count / 34
      for i in 0..<(17 * perSequence) { weights[i] = i == 5 ? 1 : 0 }
      scored.mask = try Tensor(shape: mask.shape, scalars: weights)
    }
    try expectMatchesReference(
      try model.gradient(inputs: inputs, supervision: scored),
      try model.referenceGradient(inputs: inputs, supervision: scored))
  }

  /// Scoring every step with a mask that keeps only the last is the last-step loss.
  @Test(arguments: Loss.allCases)
  func everyStepMaskedToTheLastIsTheLastStep(loss: Loss) throws {
    let model = try biasedModel(hidden: 4, input: 2, outputs: 3, seed: 31)
    var stream = RandomStream(seed: 32)
    let (batch, length) = (5, 6)
    let inputs = try Tensor<Double>.normal([batch, length, 2], using: &stream)
    let last = try supervision(
      loss, .last, masked: false, batch: batch, length: length, outputs: 3, seed: 33)
    // Every step's targets: the last step's at t = T − 1, anything elsewhere.
    let noise = try supervision(
      loss, .every, masked: false, batch: batch, length: length, outputs: 3, seed: 34)
    let width = loss == .mse ? 3 : 1
    var values = noise.targets.scalars
    for b in 0..<batch {
      for o in 0..<width {
        values[(b * length + length - 1) * width + o] = last.targets.scalars[b * width + o]
      }
    }
    let mask = try Tensor<Double>(
      shape: [batch, length],
      scalars: (0..<(batch * length)).map { $0 % length == length - 1 ? 1 : 0 })
    let every = Supervision(
      loss: loss, targets: try Tensor(shape: noise.targets.shape, scalars: values), mask: mask)
    let expected = try model.gradient(inputs: inputs, supervision: last)
    let actual = try model.gradient(inputs: inputs, supervision: every)
    #expect(Swift.abs(actual.loss - expected.loss) < 1e-14)
    for (name, gradient) in expected.gradients {
      expectClose(
        try #require(actual.gradients[name]).scalars, gradient.scalars, tolerance: 1e-13, name)
    }
  }

  /// The default loss is the sequence-to-one mean squared error bit for bit, and a mask of ones
  /// changes nothing but rounding.
  @Test func unmaskedLastStepMeanSquaredErrorIsTheOldLoss() throws {
    let model = try biasedModel(hidden: 3, input: 2, outputs: 2, seed: 41)
    var stream = RandomStream(seed: 42)
    let inputs = try Tensor<Double>.normal([6, 5, 2], using: &stream)
    let targets = try Tensor<Double>.normal([6, 2], using: &stream)
    let output = try model.forward(inputs).output
    let old = try model.meanSquaredError(output, targets)
    let score = try Supervision(targets: targets).score(output)
    #expect(score.loss == old.loss && score.cotangent == old.cotangent)
    let ones = try Supervision(targets: targets, mask: Tensor.ones([6])).score(output)
    #expect(Swift.abs(ones.loss - old.loss) < 1e-15)
  }

  /// log-sum-exp by hand: logits (1, 2, 3) with class 2, and (0, 0, 0) with class 0 at weight 3.
  @Test func crossEntropyByHand() throws {
    let logits = try Tensor<Double>([[1, 2, 3], [0, 0, 0], [5, 1, 1]])
    let scored = Supervision(
      loss: .xent, targets: Tensor<Double>([2, 0, 1]), mask: Tensor<Double>([1, 3, 0]))
    let score = try scored.score(logits)
    let first = Double.log(1 + Double.exp(-1) + Double.exp(-2))  // log Σ e^z − 3
    let second = Double.log(3.0)
    #expect(Swift.abs(score.loss - (first + 3 * second) / 4) < 1e-15)
    #expect(score.weight == 4)
    let z = Double.exp(1.0) + Double.exp(2) + Double.exp(3)
    let expected: [Double] = [
      Double.exp(1) / z / 4, Double.exp(2) / z / 4, (Double.exp(3) / z - 1) / 4,
      3 * (1.0 / 3 - 1) / 4, 3 * (1.0 / 3) / 4, 3 * (1.0 / 3) / 4, 0, 0, 0,
    ]
    expectClose(score.cotangent.scalars, expected, tolerance: 1e-15, "cotangent")
    // Equal logits predict the first class: so the second row is right under the mask, and a
    // target 1 there is wrong.
    #expect(try scored.accuracy(logits) == 1)
    let unweighted = Supervision(loss: .xent, targets: Tensor<Double>([2, 1, 0]))
    #expect(try unweighted.accuracy(logits) == 2.0 / 3)
  }

  /// Logits far beyond exp's range give the loss of their differences.
  @Test func crossEntropyIsStableForLargeLogits() throws {
    let huge = try Supervision(loss: .xent, targets: Tensor<Double>([0])).score(
      try Tensor<Double>([[1000, 1001]]))
    let small = try Supervision(loss: .xent, targets: Tensor<Double>([0])).score(
      try Tensor<Double>([[0, 1]]))
    #expect(huge.loss.isFinite && Swift.abs(huge.loss - small.loss) < 1e-12)
    #expect(try (huge.cotangent - small.cotangent).abs().max().item() < 1e-15)
  }

  @Test func maskedMeanSquaredErrorByHand() throws {
    let output = try Tensor<Double>([[1, 2], [3, 4], [5, 6]])
    let scored = Supervision(
      targets: try Tensor<Double>([[0, 0], [0, 0], [0, 0]]), mask: Tensor<Double>([2, 0, 1]))
    let score = try scored.score(output)
    // (2·(1 + 4) + 1·(25 + 36)) / (2 · 3)
    #expect(Swift.abs(score.loss - 71.0 / 6) < 1e-14)
    expectClose(
      score.cotangent.scalars, [4.0 / 6, 8.0 / 6, 0, 0, 10.0 / 6, 12.0 / 6], tolerance: 1e-15,
      "cotangent")
  }

  @Test func targetsAndMasksThatFitNoFormAreErrors() throws {
    func readout(_ scored: Supervision<Double>) throws -> Readout {
      try scored.readout(batch: 4, length: 5, outputs: 3)
    }
    #expect(try readout(Supervision(targets: Tensor.zeros([4, 3]))) == .last)
    #expect(try readout(Supervision(targets: Tensor.zeros([4, 5, 3]))) == .every)
    #expect(try readout(Supervision(loss: .xent, targets: Tensor.zeros([4]))) == .last)
    #expect(try readout(Supervision(loss: .xent, targets: Tensor.zeros([4, 5]))) == .every)
    #expect(throws: TensorError.shapeMismatch(operation: "loss", lhs: [4, 3], rhs: [4, 2])) {
      try readout(Supervision(targets: Tensor.zeros([4, 2])))
    }
    #expect(throws: TensorError.self) {
      try readout(Supervision(loss: .xent, targets: Tensor.zeros([4, 3])))
    }
    #expect(throws: TensorError.self) {
      try readout(Supervision(targets: Tensor.zeros([4, 3]), mask: Tensor.ones([4, 5])))
    }
    #expect(throws: TensorError.self) {
      try readout(Supervision(targets: Tensor.zeros([4, 3]), mask: Tensor.zeros([4])))
    }
    #expect(throws: TensorError.self) {
      try readout(Supervision(targets: Tensor.zeros([4, 3]), mask: Tensor([1, 1, -1, 1])))
    }
    #expect(throws: TensorError.self) {
      try Supervision(loss: .xent, targets: Tensor<Double>([0.5])).score(Tensor([[0, 1]]))
    }
    #expect(throws: TensorError.self) {
      try Supervision(loss: .xent, targets: Tensor<Double>([2])).score(Tensor([[0, 1]]))
    }
    let single = try biasedModel(hidden: 2, input: 1, outputs: 1, seed: 1)
    #expect(throws: TensorError.self) {
      try single.gradient(
        inputs: Tensor.zeros([2, 3, 1]),
        supervision: Supervision(loss: .xent, targets: Tensor.zeros([2])))
    }
  }
}
