// The prelude: standard modules whose names every session and module sees without `use`, as it
// sees the built-ins. The standard library is Tau wherever Tau can say it, and this is how a part
// of it that scripts always had (the tasks) stays where scripts expect it.
import Foundation

/// The standard modules loaded into every interpreter beside the built-ins, parsed and checked
/// once per process.
public enum Prelude {
  /// Their names, in loading order (a later module sees the earlier ones).
  public static let moduleNames = ["tasks"]

  /// Each module's checked program, or why it could not be read, parsed or checked. A prelude
  /// module sees only the built-ins and may not `use` another module.
  static let programs: [(name: String, program: Result<Program, DiagnosticList>)] = {
    let folder = SearchPath.standardLibraryDirectory(
      environment: ProcessInfo.processInfo.environment)
    var symbols = ModuleLoader.registrySymbols
    var loaded: [(name: String, program: Result<Program, DiagnosticList>)] = []
    for name in moduleNames {
      let path = folder.map { $0 + "/" + name + ".tau" }
      guard let path, let data = FileManager.default.contents(atPath: path) else {
        let site = SourceRange(file: SourceFile(name: "<prelude>", text: ""), start: 0, end: 0)
        let missing = Diagnostic(
          "module.notFound",
          path.map { "the standard module '\(name)' was not found at \($0)" }
            ?? "the standard library folder was not found, so '\(name)' is not loaded",
          at: site, hint: "set TAU_HOME to the folder that holds stdlib/\(name).tau")
        loaded.append((name, .failure(DiagnosticList([missing]))))
        continue
      }
      let file = SourceFile(name: path, text: String(decoding: data, as: UTF8.self))
      let (program, syntaxErrors) = Parser.parse(file)
      if !syntaxErrors.isEmpty {
        loaded.append((name, .failure(DiagnosticList(syntaxErrors))))
        continue
      }
      var errors = program.statements.compactMap { statement -> Diagnostic? in
        guard case .use(_, let range) = statement.kind else { return nil }
        return Diagnostic("module.prelude", "a prelude module may not use another", at: range)
      }
      if errors.isEmpty {
        var checker = Checker(
          globals: symbols, modules: ModuleLoader(searchPath: SearchPath(directories: [])))
        errors = checker.check(program)
      }
      if !errors.isEmpty {
        loaded.append((name, .failure(DiagnosticList(errors))))
        continue
      }
      symbols.merge(ModuleLoader.topLevelSymbols(program)) { _, own in own }
      loaded.append((name, .success(program)))
    }
    return loaded
  }()

  /// What the checker knows of the prelude's names.
  static let symbols: [String: Symbol] = programs.reduce(into: [:]) { symbols, module in
    if case .success(let program) = module.program {
      symbols.merge(ModuleLoader.topLevelSymbols(program)) { _, own in own }
    }
  }
}

extension Interpreter {
  /// Runs each prelude module in its own scope and binds its top-level names beside the
  /// built-ins. A module that cannot be loaded is reported as a warning: the session still
  /// works, without its names.
  func loadPrelude() {
    for module in Prelude.programs {
      switch module.program {
      case .failure(let list):
        for var diagnostic in list.diagnostics {
          diagnostic.severity = .warning
          host.report(diagnostic)
        }
      case .success(let program):
        let scope = Environment(parent: builtins)
        do {
          _ = try execute(program.statements, in: scope)
        } catch let diagnostic as Diagnostic {
          var warning = diagnostic
          warning.severity = .warning
          host.report(warning)
          continue
        } catch {
          continue
        }
        for name in scope.bindings.keys.sorted() {
          if let value = scope.lookup(name) { builtins.define(name, value) }
        }
      }
    }
  }
}
