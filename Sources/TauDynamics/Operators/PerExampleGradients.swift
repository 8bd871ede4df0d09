// Per-example parameter gradients by one batched backward pass: the pullback runs over the whole
// batch as in training, but each parameter's cotangent is kept per sample. Outer-product pieces
// (u_t ⊗ v_t) are stacked over time and multiplied once per sample at the end (Σ_t u_t v_tᵀ =
// Uᵀ V, one GEMM with k = T), so no n×n matrix is formed per step and sample.
import TauGraph
import TauTensor

/// Per-example gradients of a batch, with what the lanes' forward passes saw.
struct PerExampleResult: Sendable {
  /// [B × shape] by parameter name.
  var gradients: [String: Tensor<Double>]
  /// ŷ [B × output] and h_T [B × n].
  var outputs: Tensor<Double>
  var last: Tensor<Double>
}

extension RecurrentModel where Scalar == Double {
  /// For each sequence b, the gradient of ⟨seeds[b], h_T,b⟩ with respect to every parameter of
  /// the cell (not the readout): [B × shape] by parameter name. `seeds` is [B × n]. The batch is
  /// split over both cores (examples are independent).
  public func perExampleGradients(inputs: Tensor<Double>, seeds: Tensor<Double>) throws
    -> [String: Tensor<Double>]
  {
    // Inputs of the wrong shape are the forward pass's to report.
    guard inputs.rank != 3 || seeds.shape == [inputs.shape[0], hiddenSize] else {
      throw TensorError.shapeMismatch(
        operation: "per-example gradients", lhs: seeds.shape, rhs: [inputs.shape[0], hiddenSize])
    }
    return try perExampleGradients(inputs: inputs, alongside: seeds) { _, seeds in seeds }
      .gradients
  }

  /// Per-example gradients whose seeds each lane computes from its own forward pass and its rows
  /// of `companion` ([B × …], split with the inputs), so the batch runs forward once. Seeds
  /// [B × n] are h_T's cotangents; seeds [B × T × n] are added to each h_t's.
  func perExampleGradients(
    inputs: Tensor<Double>, alongside companion: Tensor<Double>,
    seeds: @escaping @Sendable (Trajectory<Double>, Tensor<Double>) throws -> Tensor<Double>
  ) throws -> PerExampleResult {
    let batch = inputs.rank == 3 ? inputs.shape[0] : 0
    guard batch >= 2 else {
      return try laneGradients(inputs: inputs, companion: companion, seeds: seeds, lane: 0)
    }
    let halves = try splittingBatch(inputs, companion) { x, c, lane in
      try self.laneGradients(inputs: x, companion: c, seeds: seeds, lane: lane)
    }
    let (first, second) = (halves[0].result, halves[1].result)
    var gradients: [String: Tensor<Double>] = [:]
    for (name, block) in first.gradients {
      guard let other = second.gradients[name] else { continue }
      gradients[name] = try Tensor.concatenating([block, other], along: 0)
    }
    return PerExampleResult(
      gradients: gradients,
      outputs: try Tensor.concatenating([first.outputs, second.outputs], along: 0),
      last: try Tensor.concatenating([first.last, second.last], along: 0))
  }

  /// pjacobian: dh_T/dθ for every sequence, [B × n × shape] by parameter name, by per-example
  /// reverse mode with the n unit cotangents of h_T as B·n examples.
  public func parameterJacobians(inputs: Tensor<Double>) throws -> [String: Tensor<Double>] {
    guard inputs.rank == 3 else {
      throw TensorError.modelInputs(inputs.shape, inputSize: inputSize, operation: "pjacobian")
    }
    let (batch, n) = (inputs.shape[0], hiddenSize)
    let x = inputs.contiguous().scalars
    let stride = inputs.count / Swift.max(1, batch)
    var repeated = [Double]()
    repeated.reserveCapacity(batch * n * stride)
    var seeds = [Double](repeating: 0, count: batch * n * n)
    for b in 0..<batch {
      for i in 0..<n {
        repeated += x[(b * stride)..<((b + 1) * stride)]
        seeds[(b * n + i) * n + i] = 1
      }
    }
    let gradients = try perExampleGradients(
      inputs: try Tensor(shape: [batch * n] + Array(inputs.shape.dropFirst()), scalars: repeated),
      seeds: try Tensor(shape: [batch * n, n], scalars: seeds))
    return try gradients.mapValues { try $0.reshaped([batch, n] + Array($0.shape.dropFirst())) }
  }

  private func laneGradients(
    inputs: Tensor<Double>, companion: Tensor<Double>,
    seeds makeSeeds: (Trajectory<Double>, Tensor<Double>) throws -> Tensor<Double>, lane: Int
  ) throws -> PerExampleResult {
    let trajectory = try forward(inputs, lane: lane)
    let (workspace, compiled) = (trajectory.workspace, trajectory.compiled)
    defer { compiled.recycle(workspace) }
    let (batch, length, n) = (workspace.batch, workspace.length, hiddenSize)
    let seeds = try makeSeeds(trajectory, companion)
    // [B × n] seeds h_T; [B × T × n] seeds every h_t (a loss on every step's output).
    let everyStep = seeds.shape == [batch, length, n]
    guard seeds.shape == [batch, n] || everyStep else {
      throw TensorError.shapeMismatch(
        operation: "per-example gradients", lhs: seeds.shape, rhs: [batch, n])
    }
    let readStates = compiled.stateInputs.enumerated().compactMap {
      $0.element == nil ? nil : $0.offset
    }
    var graph = compiled.pullback.graph
    graph.outputs = Array(compiled.pullback.cotangents.prefix(readStates.count))
    let parameterCotangents = Array(compiled.pullback.cotangents.dropFirst(readStates.count))
    let terms = parameterCotangents.map { graph.perSampleTerms(of: $0) }
    let kept = Set(
      terms.flatMap { $0.outerProducts.flatMap { [$0.left, $0.right] } + $0.values })
    let plan = try Plan<Double>.compile(graph, batch: batch, preserving: kept)
    let arena = UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(1, plan.arenaSize))
    defer { arena.deallocate() }

    // State cotangents, updated in place step by step; h_T's starts at the seeds.
    let stateSeeds = stateSizes.map { UnsafeMutablePointer<Double>.allocate(capacity: batch * $0) }
    defer { for buffer in stateSeeds { buffer.deallocate() } }
    for (i, size) in stateSizes.enumerated() {
      stateSeeds[i].initialize(repeating: 0, count: batch * size)
    }
    let initial = seeds.contiguous().scalars
    if !everyStep { for i in 0..<(batch * n) { stateSeeds[readoutState][i] = initial[i] } }
    // Per term, u and v of every step: [B × T × p].
    func width(_ id: NodeID) -> Int { graph[id].shape.reduce(1, *) }
    var stacks = terms.map { term in
      term.outerProducts.map { product in
        (
          left: [Double](repeating: 0, count: batch * length * width(product.left)),
          right: [Double](repeating: 0, count: batch * length * width(product.right))
        )
      }
    }
    let shapes = compiled.parameterNames.map { parameters[$0]?.shape ?? [] }
    var totals = shapes.map { [Double](repeating: 0, count: batch * $0.reduce(1, *)) }
    bindPullbackParameters(plan, workspace)
    for t in stride(from: length - 1, through: 0, by: -1) {
      try checkCancellation()
      if everyStep {
        for b in 0..<batch {
          for i in 0..<n {
            stateSeeds[readoutState][b * n + i] += initial[(b * length + t) * n + i]
          }
        }
      }
      bindPullback(plan, step: t, seeds: stateSeeds, workspace, compiled)
      try plan.run(arena: arena)
      for (index, term) in terms.enumerated() {
        for (position, product) in term.outerProducts.enumerated() {
          func stack(_ id: NodeID, into buffer: inout [Double]) {
            let p = width(id)
            let source = plan.pointer(id, in: arena)
            buffer.withUnsafeMutableBufferPointer { stacked in
              guard let base = stacked.baseAddress else { return }
              for b in 0..<batch {
                (base + (b * length + t) * p).update(from: source + b * p, count: p)
              }
            }
          }
          stack(product.left, into: &stacks[index][position].left)
          stack(product.right, into: &stacks[index][position].right)
        }
        let size = shapes[index].reduce(1, *)
        for value in term.values {
          let source = plan.pointer(value, in: arena)
          let batched = graph[value].isBatched
          for b in 0..<batch {
            for i in 0..<size {
              totals[index][b * size + i] += source[(batched ? b * size : 0) + i]
            }
          }
        }
      }
      for (position, state) in readStates.enumerated() {
        let source = plan.pointer(compiled.pullback.cotangents[position], in: arena)
        stateSeeds[state].update(from: source, count: batch * stateSizes[state])
      }
    }
    // Σ_t u_t v_tᵀ for each sample: (p × T)·(T × q).
    for (index, term) in terms.enumerated() {
      for (position, product) in term.outerProducts.enumerated() {
        let (p, q) = (width(product.left), width(product.right))
        stacks[index][position].left.withUnsafeBufferPointer { u in
          stacks[index][position].right.withUnsafeBufferPointer { v in
            totals[index].withUnsafeMutableBufferPointer { g in
              guard let u = u.baseAddress, let v = v.baseAddress, let g = g.baseAddress else {
                return
              }
              for b in 0..<batch {
                Double.gemm(
                  transposeA: true, transposeB: false, m: p, n: q, k: length, alpha: 1,
                  a: u + b * length * p, lda: p, b: v + b * length * q, ldb: q, beta: 1,
                  c: g + b * p * q, ldc: q)
              }
            }
          }
        }
      }
    }
    var result: [String: Tensor<Double>] = [:]
    for (index, name) in compiled.parameterNames.enumerated() {
      result[name] = try Tensor(shape: [batch] + shapes[index], scalars: totals[index])
    }
    return PerExampleResult(
      gradients: result, outputs: trajectory.output,
      last: try trajectory.states.selecting(length - 1, along: 1).contiguous())
  }
}
