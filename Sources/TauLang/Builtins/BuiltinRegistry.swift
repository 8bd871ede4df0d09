// The one table of built-in functions. Adding a built-in means adding one entry to one of the
// lists below; `:help`, completion, the checker and docs/LANGUAGE.md all read this table.
import Foundation

/// Every built-in function and constant of the language.
public enum BuiltinRegistry {
  public static let all: [Builtin] = sections.flatMap(\.builtins)

  /// The built-ins by topic, as `:help` lists them.
  public static let sections: [(topic: String, builtins: [Builtin])] = [
    ("core", core), ("math", math), ("tensors", tensors + tensorUpdates + randomStreams),
    ("linear algebra", linearAlgebra),
    ("initializers", initializers), ("models", models), ("files", io), ("training", training),
    ("dynamics", dynamics.map { $0.showingElapsedTime() }), ("plots", plots), ("sweeps", sweeps),
  ]

  /// Built-in names that are values, not functions.
  public static let constants: [(String, Value)] = [
    ("pi", .number(Double.pi)), ("e", .number(M_E)), ("inf", .number(.infinity)),
    ("nan", .number(.nan)), ("none", .nothing),
  ]

  /// The built-ins that reach outside the program, and what each does there. Gate, cell and
  /// optimizer bodies may not name them (the checker) nor call them (the interpreter, while a
  /// model is built), so a declaration from a file someone else wrote computes and nothing more.
  static let effects: [String: String] = [
    "print": "writes output", "plot": "writes output and files", "export": "writes files",
    "save": "writes files", "load": "reads files", "args": "reads the command line",
    "error": "stops the program", "shard": "reads the command line",
    "sweep": "starts processes and reads the command line",
    "end_shard": "ends the program",
  ]

  /// The built-in called `name`.
  public static func named(_ name: String) -> Builtin? { all.first { $0.name == name } }
}
