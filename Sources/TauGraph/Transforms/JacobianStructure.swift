// The structure of a step's state Jacobian, read off its graph by forward mode: the operators can
// then take the cheap path for a diagonal Jacobian (each unit evolving on its own), and the listing
// can say which a cell has.

extension Graph {
  /// The structure of the Jacobian of the step's next state with respect to its state, over all
  /// states joined (an LSTM's [h; c]), gates free.
  public func stateJacobianStructure() throws(GraphError) -> JacobianStructure {
    let joined = try concatenatingStates()
    guard let seed = joined.inputs(where: { $0 == .state(0) }).first else { return .diagonal }
    return try joined.jacobian(wrt: seed).structures.first ?? .dense
  }
}
