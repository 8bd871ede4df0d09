// The exact Jacobian Tau derives for a step, against central finite differences of the step in
// float64: the full dh'/dh and the part with the gates held fixed (the paper's A_t).
import TauGraph
import TauTensor

enum JacobianCheck {
  /// Step of the central differences: truncation (h²) and rounding (ε/h) errors both near 1e-10.
  static let step = 1e-6

  /// The worst relative error over a batch of probe points of forward mode (gates frozen when
  /// `frozenTangent`) against differences of the step (gates held at their values when
  /// `frozenDifferences`). The two flags differ only in the test that shows the check can fail.
  static func worstError(
    _ graph: Graph, inputs: [InputKind: Tensor<Double>], frozenTangent: Bool,
    frozenDifferences: Bool
  ) throws -> Double {
    guard graph.outputs.count == 1, let seed = graph.inputs(where: { $0 == .state(0) }).first,
      let state = inputs[.state(0)], state.rank == 2
    else { return .nan }
    let (batch, size) = (state.shape[0], state.shape[1])
    let tangent = try graph.jacobian(wrt: seed, freezingGates: frozenTangent)
    let primal = try ReferenceEvaluator.evaluate(graph, inputs: inputs)
    var tangentInputs = inputs
    for node in tangent.graph.nodes {
      if case .input(.primal(let id)) = node.op { tangentInputs[.primal(id)] = primal[id.index] }
    }
    // [B × size × size]: entry (b, i, j) is d next_i / d state_j of sequence b.
    let exact = try ReferenceEvaluator.evaluate(tangent.graph, inputs: tangentInputs)[
      tangent.jacobians[0].index
    ].scalars
    var held: [NodeID: Tensor<Double>] = [:]
    if frozenDifferences {
      for index in graph.nodes.indices where graph.nodes[index].isGate {
        held[NodeID(index)] = primal[index]
      }
    }
    let output = graph.outputs[0].index
    var numeric = [Double](repeating: 0, count: batch * size * size)
    for j in 0..<size {
      var plus = inputs
      var minus = inputs
      plus[.state(0)]?.withUnsafeMutableBufferPointer {
        for b in 0..<batch { $0[b * size + j] += step }
      }
      minus[.state(0)]?.withUnsafeMutableBufferPointer {
        for b in 0..<batch { $0[b * size + j] -= step }
      }
      let up = try ReferenceEvaluator.evaluate(graph, inputs: plus, overriding: held)[output]
      let down = try ReferenceEvaluator.evaluate(graph, inputs: minus, overriding: held)[output]
      let (upScalars, downScalars) = (up.scalars, down.scalars)
      for b in 0..<batch {
        for i in 0..<size {
          numeric[(b * size + i) * size + j] =
            (upScalars[b * size + i] - downScalars[b * size + i]) / (2 * step)
        }
      }
    }
    guard exact.count == numeric.count else { return .infinity }
    let scale = Swift.max(1e-3, numeric.map(Swift.abs).max() ?? 0)
    return (zip(exact, numeric).map { Swift.abs($0 - $1) }.max() ?? 0) / scale
  }
}
