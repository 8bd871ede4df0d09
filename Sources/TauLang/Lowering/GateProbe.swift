// Gates are checked when a model is built: the step runs once on a seeded random probe, and a
// gate whose value leaves its range (by default [0, 1], a fraction of the step) is a warning at
// its declaration, before training blows the state up and blames the learning rate. NaN or
// infinity from a gate or from the cell is an error.
import Foundation
import TauGraph
import TauTensor

/// The step of a lowered cell on a few random states and inputs.
struct GateProbe {
  /// Sequences in the probe: enough to see a gate's spread, cheap at any size.
  static let batch = 8

  /// The value of every node of the step, by node index.
  let values: [Tensor<Double>]
  let lowered: LoweredCell

  /// States uniform in [-1, 1] (where tanh cells live), inputs standard normal, the model's
  /// initial parameters; the same numbers on every run.
  init(_ lowered: LoweredCell, parameters: [String: Tensor<Double>], inputSize: Int) throws {
    var stream = RandomStream(seed: 0).substream("gate probe")
    var inputs: [InputKind: Tensor<Double>] = [:]
    for (index, size) in lowered.stateSizes.enumerated() {
      inputs[.state(index)] = try .uniform(
        [Self.batch, size], from: -1, to: 1, using: &stream)
    }
    inputs[.input] = try .normal([Self.batch, inputSize], using: &stream)
    for (name, tensor) in parameters { inputs[.parameter(name)] = tensor }
    values = try ReferenceEvaluator.evaluate(lowered.graph, inputs: inputs)
    self.lowered = lowered
  }

  /// Warnings for gates outside their range; throws for a non-finite gate or next state.
  /// `site` is the `rnn` call, named in a note of each; `cells` are the model's layers' cells,
  /// bottom first (one for a plain model).
  func diagnostics(cells: [Declaration], at site: SourceRange?) throws -> [Diagnostic] {
    let built =
      site.map {
        [Diagnostic("model.built", "in the model built here", at: $0, severity: .note)]
      } ?? []
    var warnings: [Diagnostic] = []
    for gate in lowered.gates {
      let scalars = values[gate.node.index].scalars
      guard scalars.allSatisfy(\.isFinite) else {
        throw Diagnostic(
          "model.nonFinite",
          "\(gate.title) is \(nonFiniteName(scalars)) on a random probe of the model's states and inputs",
          at: gate.valueRange, notes: built)
      }
      let (lower, upper) = gate.bounds
      let (low, high) = (scalars.min() ?? 0, scalars.max() ?? 0)
      let slack = 1e-12 * Swift.max(1, upper - lower)
      guard low < lower - slack || high > upper + slack else { continue }
      warnings.append(
        Diagnostic(
          "model.gateRange",
          "\(gate.title) takes values in [\(shortNumber(low)), \(shortNumber(high))] on a random probe, outside its range [\(shortNumber(lower)), \(shortNumber(upper))]",
          at: gate.valueRange, severity: .warning,
          hint:
            "a gate scales the step, so values outside [0, 1] make the state grow; if this gate is meant to be signed, declare it as '\(gate.signedForm)'",
          notes: built))
    }
    for (index, output) in lowered.graph.outputs.enumerated() {
      let scalars = values[output.index].scalars
      guard !scalars.allSatisfy(\.isFinite) else { continue }
      // The layer whose state this is names the cell.
      let layer = lowered.layers.lastIndex { $0.stateOffset <= index } ?? 0
      guard let cell = cells.indices.contains(layer) ? cells[layer] : cells.first else { continue }
      throw Diagnostic(
        "model.nonFinite",
        "the next '\(lowered.stateNames[index])' of cell '\(cell.name)' is \(nonFiniteName(scalars)) on a random probe of the model's states and inputs",
        at: cell.body.statements.last?.range ?? cell.range, notes: built)
    }
    return warnings
  }
}

private func nonFiniteName(_ scalars: [Double]) -> String {
  scalars.contains(where: \.isNaN) ? "NaN" : "infinite"
}

/// Four significant digits: enough to see how far a value strays.
private func shortNumber(_ x: Double) -> String {
  let text = String(format: "%.4g", x)
  return text == "-0" ? "0" : text
}
