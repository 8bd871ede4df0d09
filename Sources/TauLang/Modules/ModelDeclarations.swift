// What a saved model keeps of its source, and what loading it may run. A model file is data,
// often written by someone else: its stored source may hold only gate, cell and optimizer
// declarations, named functions, and `use` of the standard library, and it is checked in full
// (every body pure) before any of it is bound. Binding declarations runs nothing, so loading a
// model runs no code of the file's; building the model then evaluates bodies, which are pure.
import Foundation

enum ModelDeclarations {
  /// The source stored with a model of `cell`: `use` lines for the standard modules it needs,
  /// then the declarations and functions of every other file the cell reaches (through its
  /// arguments, the names its bodies use, and the modules those files use, transitively).
  static func source(of cells: [DeclarationValue], searchPath: SearchPath, stdlib: String?)
    -> String
  {
    var collector = SourceCollector(searchPath: searchPath, stdlib: stdlib)
    for cell in cells { collector.collect(.declaration(cell)) }
    while let file = collector.pending.popLast() { collector.include(file) }
    return (collector.uses + collector.declarations).joined(separator: "\n")
  }

  /// The stored source of model file `path`, checked as described above, and its cell
  /// expression; throws the diagnostics that make it unsafe or invalid, before anything runs.
  static func validated(source: String, cell: String, path: String, modules: ModuleLoader)
    throws -> (program: Program, cell: Expr)
  {
    let file = SourceFile(name: "\(path) (saved declarations)", text: source)
    let (program, syntaxErrors) = Parser.parse(file)
    if !syntaxErrors.isEmpty { throw DiagnosticList(syntaxErrors) }
    var unsafe: [Diagnostic] = []
    for statement in program.statements {
      switch statement.kind {
      case .declaration, .function: continue
      case .use(let module, _) where modules.searchPath.resolve(module).isSuccess: continue
      case .use(let module, let range):
        unsafe.append(
          Diagnostic(
            "file.unsafe",
            "'\(path)' uses module '\(module)', which is not part of the standard library; a model file may use only standard modules, and nothing of it was run",
            at: range))
      default:
        unsafe.append(
          Diagnostic(
            "file.unsafe",
            "'\(path)' holds a statement that is not a declaration; a model file may hold only gate, cell and optimizer declarations, functions and 'use' of the standard library, and nothing of it was run",
            at: statement.range))
      }
    }
    let cellFile = SourceFile(name: "\(path) (saved cell)", text: cell)
    let (cellProgram, cellErrors) = Parser.parse(cellFile)
    guard cellErrors.isEmpty, cellProgram.statements.count == 1,
      case .expression(let expression) = cellProgram.statements[0].kind,
      declarationNames(expression) != nil
    else {
      let range = SourceRange(file: cellFile, start: 0, end: cellFile.utf8.count)
      throw DiagnosticList(
        unsafe + [
          Diagnostic(
            "file.unsafe",
            "'\(path)' names its cell with something other than a declaration and literal arguments (like 'leaky(gate: multi(bias: -1))'); nothing of it was run",
            at: range)
        ])
    }
    if !unsafe.isEmpty { throw DiagnosticList(unsafe) }
    var checker = Checker(
      globals: modules.builtinSymbols, modules: modules, functionsArePure: true)
    let errors = checker.check(program)
    if !errors.isEmpty { throw DiagnosticList(errors) }
    return (program, expression)
  }

  /// The names in `leaky(gate: multi(bias: -1), alpha: 0.5, sizes: [1, 2])`, or nil when the
  /// expression is more than names, calls of names and literals (anything that could compute).
  static func declarationNames(_ expression: Expr) -> [Expr]? {
    switch expression.kind {
    case .name: return [expression]
    case .number, .string, .bool: return []
    case .unary(.negate, let operand):
      if case .number = operand.kind { return [] }
      return nil
    case .list(let items):
      return items.reduce([Expr]?([])) { names, item in
        names.flatMap { names in declarationNames(item).map { names + $0 } }
      }
    case .call(let callee, let arguments):
      guard case .name = callee.kind else { return nil }
      return arguments.reduce([Expr]?([callee])) { names, argument in
        names.flatMap { names in declarationNames(argument.value).map { names + $0 } }
      }
    default: return nil
    }
  }
}

extension Interpreter {
  /// The cells of a model file, one per layer: its stored declarations checked
  /// (`ModelDeclarations.validated`), then bound in a scope of their own with the standard modules
  /// they use, and the cell expression (a cell, or a list of cells for a stack) evaluated there.
  /// Nothing else runs.
  func bindStoredCells(source: String, cell: String, path: String) throws -> [DeclarationValue] {
    let (program, expression) = try ModelDeclarations.validated(
      source: source, cell: cell, path: path, modules: standardModules)
    let outer = modules
    modules = standardModules
    defer { modules = outer }
    let scope = Environment(parent: builtins)
    _ = try execute(program.statements, in: scope)
    for name in ModelDeclarations.declarationNames(expression) ?? [] {
      guard case .name(let text) = name.kind, case .declaration? = scope.lookup(text) else {
        throw DiagnosticList([
          Diagnostic(
            "file.unsafe",
            "'\(path)' names its cell with '\(name.range.file.text(of: name.range))', which is not a declaration of the file",
            at: name.range)
        ])
      }
    }
    let value = try evaluate(expression, in: scope)
    let items: [Value]
    if case .list(let list) = value { items = list } else { items = [value] }
    let cells = items.compactMap { item -> DeclarationValue? in
      guard case .declaration(let declaration) = item, declaration.declaration.kind == .cell
      else { return nil }
      return declaration
    }
    guard !cells.isEmpty, cells.count == items.count else {
      throw DiagnosticList([
        Diagnostic("file.invalid", "'\(path)' does not describe a cell", at: expression.range)
      ])
    }
    return cells
  }
}

extension Result {
  fileprivate var isSuccess: Bool {
    if case .success = self { return true }
    return false
  }
}

/// Walks from a cell to every file whose declarations it needs.
private struct SourceCollector {
  let searchPath: SearchPath
  /// The standard library's folder, as a standardised path ending in `/`.
  let stdlibPrefix: String?
  var uses: [String] = []
  var declarations: [String] = []
  /// Files found but not yet included, and every file found so far.
  var pending: [SourceFile] = []
  private var seen: [SourceFile] = []
  /// Declarations and functions already walked (by the range of their body).
  private var visited: Set<SourceRange> = []

  init(searchPath: SearchPath, stdlib: String?) {
    self.searchPath = searchPath
    stdlibPrefix = stdlib.map { URL(fileURLWithPath: $0).standardizedFileURL.path + "/" }
  }

  /// Follows a value the cell holds: a declaration (its file, arguments and the names its body
  /// uses), a function, or a list of them.
  mutating func collect(_ value: Value) {
    switch value {
    case .declaration(let d):
      guard visited.insert(d.declaration.body.range).inserted else { return }
      found(d.declaration.range.file)
      for argument in d.arguments.values { collect(argument) }
      let defaults = d.declaration.parameters.compactMap(\.defaultValue)
      for name in referencedNames(d.declaration.body, defaults) {
        if let value = d.environment.lookup(name) { collect(value) }
      }
    case .function(.closure(let closure)):
      guard visited.insert(closure.literal.body.range).inserted else { return }
      found(closure.literal.body.range.file)
      let defaults = closure.literal.parameters.compactMap(\.defaultValue)
      for name in referencedNames(closure.literal.body, defaults) {
        if let value = closure.environment.lookup(name) { collect(value) }
      }
    case .list(let items):
      for item in items { collect(item) }
    default:
      break
    }
  }

  /// Adds a file's declarations and functions, and follows its `use` statements.
  mutating func include(_ file: SourceFile) {
    if let stdlib = standardModule(file.name) { return addUse(stdlib) }
    for statement in Parser.parse(file).program.statements {
      switch statement.kind {
      case .declaration, .function:
        declarations.append(file.text(of: statement.range))
      case .use(let module, _):
        guard
          case .success(let path) = searchPath.resolve(
            module, besides: ModuleLoader.folder(of: file))
        else { continue }
        if let name = standardModule(path) {
          addUse(name)
        } else if let data = FileManager.default.contents(atPath: path) {
          found(SourceFile(name: path, text: String(decoding: data, as: UTF8.self)))
        }
      default:
        break
      }
    }
  }

  private mutating func addUse(_ module: String) {
    if !uses.contains("use " + module) { uses.append("use " + module) }
  }

  private mutating func found(_ file: SourceFile) {
    let isNew = !seen.contains { other in
      other === file || (!file.name.hasPrefix("<") && other.name == file.name)
    }
    guard isNew else { return }
    seen.append(file)
    pending.insert(file, at: 0)
  }

  /// The module name of a file in the standard library's folder.
  private func standardModule(_ path: String) -> String? {
    let standardized = URL(fileURLWithPath: path).standardizedFileURL
    guard let stdlibPrefix, standardized.path.hasPrefix(stdlibPrefix) else { return nil }
    return standardized.deletingPathExtension().lastPathComponent
  }
}

/// Every name a body (and its parameters' defaults) mentions; a superset of its free names.
private func referencedNames(_ body: Block, _ defaults: [Expr]) -> Set<String> {
  var names: Set<String> = []
  func walk(_ expression: Expr) {
    switch expression.kind {
    case .name(let name): names.insert(name)
    case .number, .string, .bool, .invalid: break
    case .list(let items): items.forEach(walk)
    case .record(let fields): fields.map(\.value).forEach(walk)
    case .unary(_, let operand): walk(operand)
    case .binary(_, let lhs, let rhs), .range(let lhs, let rhs):
      walk(lhs)
      walk(rhs)
    case .call(let callee, let arguments):
      walk(callee)
      arguments.map(\.value).forEach(walk)
    case .index(let base, let items):
      walk(base)
      for item in items {
        switch item {
        case .single(let index): walk(index)
        case .slice(let lower, let upper, _):
          lower.map(walk)
          upper.map(walk)
        }
      }
    case .field(let base, _, _): walk(base)
    case .ifElse(let condition, let then, let otherwise):
      walk(condition)
      block(then)
      otherwise.map(block)
    case .function(let literal):
      literal.parameters.compactMap(\.defaultValue).forEach(walk)
      block(literal.body)
    }
  }
  func block(_ body: Block) {
    for statement in body.statements {
      switch statement.kind {
      case .expression(let e), .binding(_, _, let e, _), .assignment(_, _, let e),
        .inlineGate(_, _, _, let e):
        walk(e)
      case .function(let literal, _):
        literal.parameters.compactMap(\.defaultValue).forEach(walk)
        block(literal.body)
      case .declaration(let d):
        d.parameters.compactMap(\.defaultValue).forEach(walk)
        block(d.body)
      case .param(_, _, let shape, let initializer), .state(_, _, let shape, let initializer):
        (shape ?? []).forEach(walk)
        initializer.map(walk)
      case .forLoop(_, _, let sequence, let body):
        walk(sequence)
        block(body)
      case .use: break
      }
    }
  }
  defaults.forEach(walk)
  block(body)
  return names
}
