// An optimizer compiled from its declaration: one element's update as a graph, run over all
// elements of a parameter at once as a plan (the graph's "batch" is the parameter's elements).
import Synchronization
import TauGraph
import TauTensor

/// One element's update rule. Inputs: `.input` the gradient, `.seed("param")` the parameter,
/// `.parameter("step")` the step number (1, 2, …), `.state(k)` the optimizer's states; all
/// scalars. Outputs: the amount subtracted from the parameter, the next states in order, and,
/// if the body binds `rate`, the effective learning rate.
public struct OptimizerProgram: Sendable {
  public let graph: Graph
  public let stateNames: [String]
  public let initialStates: [Double]
  public let hasRate: Bool

  public init(graph: Graph, stateNames: [String], initialStates: [Double], hasRate: Bool) {
    self.graph = graph
    self.stateNames = stateNames
    self.initialStates = initialStates
    self.hasRate = hasRate
  }
}

/// An optimizer in use: its states for every parameter and the step count.
public final class OptimizerRun<Scalar: TensorScalar>: @unchecked Sendable {
  // @unchecked: one training loop owns a run.
  public let program: OptimizerProgram
  /// Updates taken so far.
  public private(set) var step = 0
  private var states: [String: [Tensor<Scalar>]] = [:]
  /// The last effective rates by parameter (when the optimizer binds `rate`).
  public private(set) var rates: [String: Tensor<Scalar>] = [:]
  private var plans: [Int: Plan<Scalar>] = [:]

  public init(program: OptimizerProgram) { self.program = program }

  /// The parameters after one update with `gradients` (same names and shapes).
  public func update(_ parameters: [String: Tensor<Scalar>], gradients: [String: Tensor<Scalar>])
    throws -> [String: Tensor<Scalar>]
  {
    step += 1
    var stepValue = Scalar(step)
    var updated: [String: Tensor<Scalar>] = [:]
    for (name, parameter) in parameters {
      guard let gradient = gradients[name], gradient.shape == parameter.shape else {
        throw TensorError.shapeMismatch(
          operation: "update '\(name)'", lhs: parameter.shape, rhs: gradients[name]?.shape ?? [])
      }
      let count = parameter.count
      let plan = try plan(for: count)
      var current =
        try states[name]
        ?? program.initialStates.map {
          try Tensor<Scalar>(repeating: Scalar($0), shape: parameter.shape)
        }
      let arena = UnsafeMutablePointer<Scalar>.allocate(capacity: Swift.max(1, plan.arenaSize))
      defer { arena.deallocate() }
      let gradientValues = gradient.contiguous()
      let parameterValues = parameter.contiguous()
      var next = parameter
      try gradientValues.withUnsafeBufferPointer { g in
        try parameterValues.withUnsafeBufferPointer { p in
          try withUnsafePointer(to: &stepValue) { s in
            for (slot, kind) in plan.inputKinds.enumerated() {
              switch kind {
              case .input: plan.bind(slot, to: g.baseAddress!)
              case .seed("param"): plan.bind(slot, to: p.baseAddress!)
              case .parameter("step"): plan.bind(slot, to: s)
              case .state(let k):
                current[k].withUnsafeBufferPointer { plan.bind(slot, to: $0.baseAddress!) }
              default: break
              }
            }
            try plan.run(arena: arena)
          }
        }
      }
      let outputs = program.graph.outputs
      func read(_ position: Int) throws -> Tensor<Scalar> {
        let source = plan.pointer(outputs[position], in: arena)
        // An output that does not depend on the element (a constant) is one shared number.
        guard program.graph[outputs[position]].isBatched else {
          return try Tensor(repeating: source[0], shape: parameter.shape)
        }
        return try Tensor(
          shape: parameter.shape, scalars: Array(UnsafeBufferPointer(start: source, count: count)))
      }
      next = try parameter - read(0)
      for k in 0..<program.stateNames.count { current[k] = try read(1 + k) }
      if program.hasRate { rates[name] = try read(1 + program.stateNames.count) }
      states[name] = current
      updated[name] = next
    }
    return updated
  }

  private func plan(for count: Int) throws -> Plan<Scalar> {
    if let plan = plans[count] { return plan }
    let plan = try Plan<Scalar>.compile(program.graph, batch: count)
    plans[count] = plan
    return plan
  }
}
