// A parameter's cotangent in a pullback is a sum over the batch of per-sample pieces; per-example
// gradients (the gradient covariance, parameter Jacobians) need those pieces one sample at a
// time. Most are outer products u_b ⊗ v_b, which a caller can stack over time and multiply once
// per sample (Σ_t u_t ⊗ v_t = Uᵀ V) instead of forming n×m matrices at every step.

/// A parameter cotangent written as a sum of per-sample terms.
public struct PerSampleTerms: Sendable, Equatable {
  /// Outer products u ⊗ v of batched vectors.
  public var outerProducts: [OuterProduct] = []
  /// Other per-sample values of the parameter's shape (or shared values, when not batched).
  public var values: [NodeID] = []

  public struct OuterProduct: Sendable, Equatable {
    public var left: NodeID
    public var right: NodeID
  }
}

extension Graph {
  /// Splits node `id` into per-sample terms: sums of the parameter's shape are split into their
  /// operands, outer products of batched vectors are kept as pairs, anything else is a value.
  public func perSampleTerms(of id: NodeID) -> PerSampleTerms {
    var terms = PerSampleTerms()
    func split(_ id: NodeID) {
      let node = self[id]
      if case .outer = node.op, node.inputs.allSatisfy({ self[$0].isBatched }) {
        terms.outerProducts.append(.init(left: node.inputs[0], right: node.inputs[1]))
      } else if case .binary(.add) = node.op,
        node.inputs.allSatisfy({ self[$0].shape == node.shape })
      {
        for input in node.inputs { split(input) }
      } else {
        terms.values.append(id)
      }
    }
    split(id)
    return terms
  }
}
