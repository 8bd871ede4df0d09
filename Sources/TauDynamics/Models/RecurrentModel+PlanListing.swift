// The plans a model's training runs, as text (TAU_DEBUG=2 prints them when `rnn` builds a model).
import TauGraph
import TauTensor

extension RecurrentModel {
  /// The step's forward plan and its backward (pullback) plan as `CompiledStep` compiles them
  /// for `batch` samples, each listed with what every compilation pass did. Batched buffers
  /// scale with the batch; the instructions are the same for every batch.
  public func planListing(batch: Int = 1) throws -> String {
    let compiled = try CompiledStep<Scalar>(
      step: step, stateCount: stateSizes.count, batch: batch)
    return "forward step: " + compiled.forward.listing() + "\nbackward step: "
      + compiled.backward.listing()
  }
}
