// Loads modules for `use`: each file is found on the search path, checked, run once, and its
// top-level names exported. Cycles and missing files are diagnostics at the `use` site.
import Foundation

/// Finds, checks and runs modules, each at most once per session.
public final class ModuleLoader {
  public let searchPath: SearchPath
  /// Exports of modules already run, by name.
  private var loaded: [String: Record] = [:]
  /// Checker symbols of modules already checked, by name.
  private var checked: [String: [String: Symbol]] = [:]
  /// Modules being checked or run, outermost first, to detect cycles.
  private var inProgress: [String] = []

  init(searchPath: SearchPath) { self.searchPath = searchPath }

  /// Forgets loaded modules, so the next `use` reads them again (for `:reload`).
  public func reset() {
    loaded.removeAll()
    checked.removeAll()
  }

  /// The names `use name` brings into scope, checking the module (and its own `use`s) on the way.
  func exportedNames(of name: String, at site: SourceRange) throws -> [String: Symbol] {
    if let symbols = checked[name] { return symbols }
    let file = try read(name, at: site)
    try enter(name, at: site)
    defer { inProgress.removeLast() }
    let (program, syntaxErrors) = Parser.parse(file)
    if !syntaxErrors.isEmpty { throw DiagnosticList(syntaxErrors) }
    var checker = Checker(globals: builtinSymbols, modules: self)
    let errors = checker.check(program)
    if !errors.isEmpty { throw DiagnosticList(errors) }
    var symbols = Self.topLevelSymbols(program)
    // A module also passes on what it uses (`use cells` brings the gates), as it does at run
    // time, where its whole top-level scope is exported.
    for statement in program.statements {
      if case .use(let inner, let innerRange) = statement.kind {
        symbols.merge(try exportedNames(of: inner, at: innerRange)) { own, _ in own }
      }
    }
    checked[name] = symbols
    return symbols
  }

  /// Runs module `name` once, in its own scope (it sees only the built-ins), and returns its
  /// top-level bindings.
  func load(_ name: String, at site: SourceRange, interpreter: Interpreter) throws -> Record {
    if let exports = loaded[name] { return exports }
    _ = try exportedNames(of: name, at: site)
    let file = try read(name, at: site)
    try enter(name, at: site)
    defer { inProgress.removeLast() }
    let program = Parser.parse(file).program
    let scope = Environment(parent: interpreter.builtins)
    _ = try interpreter.execute(program.statements, in: scope)
    let exports = Record(
      scope.bindings.keys.sorted().compactMap { key in scope.lookup(key).map { (key, $0) } })
    loaded[name] = exports
    return exports
  }

  /// The names every module sees: the built-ins and the prelude (Prelude.swift).
  var builtinSymbols: [String: Symbol] {
    Self.registrySymbols.merging(Prelude.symbols) { builtin, _ in builtin }
  }

  /// The built-in functions and constants.
  static var registrySymbols: [String: Symbol] {
    var symbols: [String: Symbol] = [:]
    for builtin in BuiltinRegistry.all {
      symbols[builtin.name] = Symbol(.function(.builtin(builtin)), isMutable: false)
    }
    for (name, value) in BuiltinRegistry.constants {
      symbols[name] = Symbol(value, isMutable: false)
    }
    return symbols
  }

  private func enter(_ name: String, at site: SourceRange) throws {
    if let start = inProgress.firstIndex(of: name) {
      let cycle = (inProgress[start...] + [name]).joined(separator: " → ")
      throw Diagnostic("module.cycle", "modules use each other in a cycle: \(cycle)", at: site)
    }
    inProgress.append(name)
  }

  private func read(_ name: String, at site: SourceRange) throws -> SourceFile {
    switch searchPath.resolve(name, besides: Self.folder(of: site.file)) {
    case .failure(let notFound):
      throw Diagnostic(
        "module.notFound",
        "module '\(name)' not found; tried:" + notFound.tried.map { "\n    \($0)" }.joined(),
        at: site, hint: "set TAU_PATH to the folder that holds \(name).tau")
    case .success(let path):
      guard let data = FileManager.default.contents(atPath: path) else {
        throw Diagnostic("module.unreadable", "cannot read module file '\(path)'", at: site)
      }
      return SourceFile(name: path, text: String(decoding: data, as: UTF8.self))
    }
  }

  /// The folder of a source file (`.` for a bare file name), or nil for `<repl>` and the like.
  static func folder(of file: SourceFile) -> String? {
    guard !file.name.hasPrefix("<") else { return nil }
    guard let slash = file.name.lastIndex(of: "/") else { return "." }
    return slash == file.name.startIndex ? "/" : String(file.name[..<slash])
  }

  /// Names declared at a module's top level, as the checker sees them.
  static func topLevelSymbols(_ program: Program) -> [String: Symbol] {
    var symbols: [String: Symbol] = [:]
    for statement in program.statements {
      switch statement.kind {
      case .binding(let name, _, _, _):
        symbols[name] = Symbol(kind: .value(isMutable: false), declaredAt: nil)
      case .function(let literal, _):
        if let name = literal.name {
          let parameters = literal.parameters.map {
            ParameterSpec($0.name, hasDefault: $0.defaultValue != nil)
          }
          symbols[name] = Symbol(
            kind: .callable(parameters: parameters, callee: "fn '\(name)'"), declaredAt: nil)
        }
      case .declaration(let d):
        let parameters = d.parameters.map { ParameterSpec($0.name, hasDefault: true) }
        symbols[d.name] = Symbol(
          kind: .callable(parameters: parameters, callee: "\(d.kind.rawValue) '\(d.name)'"),
          declaredAt: nil)
      default:
        break
      }
    }
    return symbols
  }
}
