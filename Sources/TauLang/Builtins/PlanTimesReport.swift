// TAU_DEBUG=3: the time compiled plans spend per kind of instruction, reported when a built-in
// call that ran plans returns (`train`, an operator, `model.forward`), summed over that call.
import TauGraph

enum PlanTimesReport {
  /// How many built-in calls are in progress on this task (a `train` callback may call more).
  @TaskLocal static var depth = 0

  /// `body` with plan timing on, writing the plan times (`PlanProfile.takeReport`) after the
  /// outermost built-in call returns or throws, so a call's report covers everything it ran.
  /// Only used at TAU_DEBUG=3: otherwise built-ins run their bodies as they are.
  static func reporting(
    _ body: @escaping @Sendable (CallArguments) throws -> Value
  ) -> @Sendable (CallArguments) throws -> Value {
    { args in
      PlanProfile.setEnabled(true)
      let outer = depth
      defer {
        if outer == 0,
          let report = PlanProfile.takeReport(title: "plan times in '\(args.builtin.name)'")
        {
          args.interpreter.host.debug(report + "\n")
        }
      }
      return try $depth.withValue(outer + 1) { try body(args) }
    }
  }
}
