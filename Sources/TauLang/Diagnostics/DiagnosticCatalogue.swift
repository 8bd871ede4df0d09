// Every diagnostic ID Tau reports, with what it means: the one list of them. Call sites write an
// ID as a string literal (`Diagnostic("value.invalid", …)`); in a debug build, a literal missing
// from this list stops at once (`DiagnosticID.init(stringLiteral:)`), and the test suite checks
// every literal in Sources against it too. docs/LANGUAGE.md §4.14 shows the list as a table,
// which DocumentationTests compares with this one.

/// The diagnostic IDs, by the stage that reports them.
public enum DiagnosticCatalogue {
  /// One kind of diagnostic: its ID, the stage that reports it, and what it means.
  public struct Entry: Sendable {
    public let id: String
    public let stage: String
    public let meaning: String
  }

  /// Every ID, grouped by stage in the order a program meets them. (Stored as strings, not
  /// `DiagnosticID`s: making those from literals consults this list.)
  public static let entries: [Entry] =
    [
      (
        "parsing", "lex.invalid",
        "a character or number that is not Tau (a stray symbol, a malformed number)"
      ),
      ("parsing", "parse.expected", "a token other than the one the grammar needs there"),
      (
        "parsing", "parse.unexpected",
        "a construct where it is not allowed (a value range on a declaration other than a gate)"
      ),
      ("parsing", "parse.chainedComparison", "comparisons chained without `and` (`a < b < c`)"),
      ("parsing", "parse.invalidAssignment", "an assignment to something other than a plain name"),
      ("parsing", "parse.positionalAfterNamed", "a positional argument after named ones"),
      ("parsing", "parse.strayBrace", "a `}` with no open block"),
      ("parsing", "parse.tooDeep", "an expression nested more deeply than the parser allows"),
      ("parsing", "parse.invalidRange", "a gate's range without finite ends lower < upper"),
      ("parsing", "parse.invalid", "an expression that did not parse reached the interpreter"),
      (
        "parsing", "input.unexpectedEnd",
        "the input ended inside a construct (the session then reads another line)"
      ),
      ("checking", "name.unknown", "a name that is not defined"),
      (
        "checking", "check.duplicate",
        "a name, parameter, argument or field declared or given twice"
      ),
      (
        "checking", "check.assignToLet",
        "an assignment to a name not declared with `var` or `state`"
      ),
      (
        "checking", "check.misplaced",
        "a keyword outside the declarations that allow it (`param` outside a gate or cell, `gate z = …` outside a cell body)"
      ),
      (
        "checking", "check.missingValue",
        "a gate, cell or optimizer body that does not end with its result"
      ),
      (
        "checking", "check.impure",
        "an effect (`use`, `print`, …) in a gate, cell or optimizer body"
      ),
      ("checking", "call.arity", "too many positional arguments"),
      ("checking", "call.unknownArgument", "a named argument the callee has no parameter for"),
      ("checking", "call.duplicateArgument", "an argument given twice"),
      ("checking", "call.missingArgument", "a required argument not given"),
      (
        "modules", "module.notFound", "a module `use` names that no folder of the search path holds"
      ),
      ("modules", "module.cycle", "modules that use each other in a cycle"),
      ("modules", "module.prelude", "a prelude module (loaded in every session) that says `use`"),
      ("modules", "module.unreadable", "a module file that cannot be read"),
      ("modules", "module.invalid", "a module that does not parse or check"),
      (
        "models", "model.gateRange",
        "a gate value outside its declared range on the probe (a warning)"
      ),
      ("models", "model.nonFinite", "a gate or state that is NaN or infinite on the probe"),
      ("models", "model.built", "where the model was built (a note of the two above)"),
      (
        "models", "model.cycle",
        "a gate or cell that applies itself, through a default or an argument"
      ),
      (
        "models", "lowering.unsupported",
        "an operation or statement a gate or cell body cannot lower to a graph"
      ),
      (
        "models", "lowering.result", "a cell body whose result is not the record of its next states"
      ),
      (
        "models", "validate.jacobian",
        "`tau check --validate`: a derived Jacobian that differs from finite differences"
      ),
      (
        "training", "training.notFinite",
        "training stopped at a step whose loss or gradient is not finite"
      ),
      (
        "training", "training.interrupted",
        "a note: Ctrl-C stopped `train` in the REPL, which returns the steps done"
      ),
      ("files", "file.unreadable", "a file that cannot be read"),
      ("files", "file.unwritable", "a file that cannot be written"),
      ("files", "file.invalid", "a file that is not what its format says"),
      ("files", "file.mismatch", "a model file whose parameters do not fit the model"),
      (
        "files", "file.unsafe",
        "a model file that would do more than declare (non-standard modules, statements)"
      ),
      ("files", "file.unsaveable", "a model whose declarations cannot be stored on their own"),
      ("files", "file.extension", "a path whose extension is not one the built-in writes"),
      (
        "files", "file.outsideFolder",
        "a file outside the folder `tau merge` is merging, written by its re-run of the script"
      ),
      ("plots", "plot.empty", "nothing to plot (no values, or none finite)"),
      ("plots", "plot.unsupported", "a value `plot` cannot draw"),
      ("plots", "plot.mismatch", "series or records that do not match each other"),
      ("plots", "plot.length", "an x of a length no series has"),
      ("plots", "plot.logScale", "a log scale over values none of which is positive"),
      ("plots", "plot.unknownField", "a series name the record does not have"),
      ("plots", "export.empty", "nothing to export: the value holds no numbers"),
      ("plots", "export.unsupported", "a value `export` cannot write as a table"),
      ("run time", "type.mismatch", "a value of the wrong type"),
      ("run time", "type.notCallable", "a call of something that is not a function"),
      ("run time", "value.invalid", "an argument outside what the operation accepts"),
      ("run time", "value.ragged", "nested lists that do not form a rectangular tensor"),
      ("run time", "value.tooDeep", "a list or record nested more deeply than allowed"),
      ("run time", "index.invalid", "an index of the wrong kind or number"),
      ("run time", "index.outOfRange", "an index outside the value"),
      ("run time", "field.unknown", "a field the value does not have"),
      ("run time", "shape.mismatch", "tensor shapes that do not fit together"),
      ("run time", "shape.invalid", "a shape that is not allowed there"),
      ("run time", "shape.invalidAxis", "an axis the tensor does not have"),
      ("run time", "memory.budget", "a value larger than the memory budget (`TAU_MEMORY_LIMIT`)"),
      (
        "run time", "linalg.failure",
        "a decomposition that failed (a singular matrix, no convergence)"
      ),
      ("run time", "runtime.assertion", "a failed `assert`"),
      ("run time", "runtime.error", "a call of `error`"),
      (
        "run time", "runtime.callDepth",
        "calls nested too deeply (a recursion without its base case)"
      ),
      (
        "run time", "runtime.impure",
        "a built-in with an effect called while a model was being built"
      ),
      ("run time", "runtime.interrupted", "the program stopped by Ctrl-C"),
      (
        "run time", "sweep.sharedState",
        "a `sweep` item that assigns a variable or draws from a stream made outside it"
      ),
      ("run time", "sweep.notData", "a `sweep` item that returns a function, model or declaration"),
      (
        "run time", "sweep.replayMismatch",
        "stored sweep results that do not fit the script's list (`tau merge`)"
      ),
      ("run time", "sweep.badResult", "a stored sweep result that does not read back"),
      (
        "run time", "sweep.workerFailed",
        "a sweep worker process that did not deliver the item it was computing (computed in the script's process)"
      ),
      (
        "run time", "sweep.workerMismatch",
        "a sweep worker process that reached another sweep than its parent's"
      ),
      ("run time", "runtime.internal", "an error of Tau itself, reported instead of a crash"),
      ("session", "repl.unknownCommand", "a `:` command the session does not have"),
      ("session", "repl.ambiguousCommand", "a `:` command abbreviation that fits several commands"),
      ("session", "repl.unexpectedArgument", "an argument to a `:` command that takes none"),
      ("session", "repl.missingArgument", "a `:` command without the argument it needs"),
    ].map { Entry(id: $0.1, stage: $0.0, meaning: $0.2) }

  /// The catalogued IDs.
  static let ids = Set(entries.map(\.id))

  /// What diagnostics with `id` mean, if the catalogue has it.
  public static func meaning(of id: DiagnosticID) -> String? {
    entries.first { $0.id == id.rawValue }?.meaning
  }
}
