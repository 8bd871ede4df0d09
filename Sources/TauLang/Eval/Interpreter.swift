// The tree-walking evaluator: runs checked programs statement by statement.
import Foundation
import TauDynamics
import TauTensor

/// Runs Tau programs. One interpreter is one session: its global bindings persist across calls to
/// `run`, which is how the REPL keeps its state.
///
/// The interpreter never prints on its own: what a program prints, warns about, shows or writes
/// is reported to its `host`, and errors come back as `DiagnosticList` for the front end to
/// render.
public final class Interpreter {
  /// Where the program's output, warnings, progress and artifacts go (nowhere by default).
  public var host: any InterpreterHost
  /// The built-ins and constants; modules run in a child of this, user code in `globals`.
  let builtins: Environment
  let globals: Environment
  /// Where `use` finds modules (the standard library alone while a model file is read).
  public internal(set) var modules: ModuleLoader
  /// Active Tau calls, innermost last.
  var callDepth = 0
  /// Set while a gate or cell body is being lowered to a graph.
  var lowering: LoweringContext?
  /// The cells whose models are being built, outermost first (a body may build a model).
  var cellsBeingBuilt: [Declaration] = []
  static let maxCallDepth = 2000
  /// The native stack of the thread running `run`, checked at every expression (StackGuard.swift).
  var stackGuard: StackGuard?

  public init(searchPath: SearchPath = .standard(), host: any InterpreterHost = SilentHost()) {
    self.host = host
    modules = ModuleLoader(searchPath: searchPath)
    builtins = Environment()
    for builtin in BuiltinRegistry.all {
      builtins.define(builtin.name, .function(.builtin(builtin)))
    }
    for (name, value) in BuiltinRegistry.constants { builtins.define(name, value) }
    globals = Environment(parent: builtins)
    loadPrelude()  // Prelude.swift: the standard modules every session has, as the built-ins
  }

  /// The arguments after `--` on the command line, for the `args()` built-in.
  public var scriptArguments: [String] = []

  /// The part of a sweep this run does (`tau run --shard i/N`, or a Slurm job array): `shard`
  /// gives it its part of each list, and `export` and `plot` add it to their files' names.
  public var shard: Shard?

  /// What `sweep` knows of this run: its calls so far, their items, and what it replays
  /// (Sweep.swift).
  var sweeps = SweepState()

  /// How `sweep` starts worker processes; nil runs its items here, one after another (the REPL,
  /// a library host). `tau run` sets it.
  public var sweepWorkers: SweepWorkers?

  /// The files `export` wrote under a shard's names, in order (for the shard's manifest).
  public internal(set) var shardFiles: [String] = []

  /// Before a shard's first file in a folder: removes the manifest an earlier run of the same
  /// shard left there, so that a run that fails midway is not taken for a finished one.
  func startShardFolder(of file: String, _ shard: Shard) {
    let folder = URL(fileURLWithPath: file).deletingLastPathComponent()
    guard
      !shardFiles.contains(where: { URL(fileURLWithPath: $0).deletingLastPathComponent() == folder }
      )
    else { return }
    try? FileManager.default.removeItem(
      at: folder.appendingPathComponent(ShardManifest.fileName(shard)))
  }

  /// The folder a run may write files into, nil for anywhere: `tau merge` re-runs the script
  /// the shards' manifests name, with the arguments they record, and a folder someone else
  /// sent must not make that run write outside the folder being merged.
  public var writableFolder: String?

  /// `path` as this run writes it: with the shard in its name when there is one. Refused
  /// outside `writableFolder`.
  func outputPath(_ path: String, at range: SourceRange) throws -> String {
    if let writableFolder {
      func resolved(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
      }
      let folder = resolved(writableFolder)
      let target = resolved(URL(fileURLWithPath: path).deletingLastPathComponent().path)
      guard target == folder || target.hasPrefix(folder + "/") else {
        throw Diagnostic(
          "file.outsideFolder",
          "'\(path)' is outside \(writableFolder), the folder tau merge is merging: its re-run of the script writes only there",
          at: range,
          hint:
            "the shards' manifests record other arguments; merge with --tables-only, or re-run the script yourself"
        )
      }
    }
    guard let shard else { return path }
    return shard.fileName(path)
  }

  /// Whether Ctrl-C ends the whole program (`tau run`): `train` then stops at its next step
  /// and reports the interruption, so nothing after it runs. False (the REPL): `train` returns
  /// the steps done and the entry goes on, since the session keeps its bindings anyway.
  public var interruptEndsProgram = false

  /// Binds `name` in the session, as a `let` would (the REPL's `_`).
  public func bind(_ name: String, to value: Value) { globals.define(name, value) }

  /// Names bound in the session (built-ins included), for completion.
  public var globalNames: Set<String> { globals.visibleNames }

  /// The session's own bindings (not the built-ins), sorted by name, for `:vars`.
  public var sessionBindings: [(name: String, value: Value)] {
    globals.bindings.keys.sorted().compactMap { name in globals.lookup(name).map { (name, $0) } }
  }

  /// Modules the session brought in with a top-level `use`, in order, for `:reload`.
  public private(set) var usedModules: [String] = []

  /// What the checker needs to know about the session's names.
  var globalSymbols: [String: Symbol] {
    var symbols: [String: Symbol] = [:]
    for name in globals.visibleNames {
      guard let binding = globals.binding(name) else { continue }
      symbols[name] = Symbol(binding.value, isMutable: binding.isMutable)
    }
    return symbols
  }

  /// Parses, checks and runs `file`, returning the value of its last statement.
  @discardableResult
  public func run(_ file: SourceFile) throws(DiagnosticList) -> Value {
    let program = try check(file)
    defer { clearInterrupt() }  // a Ctrl-C that stopped this run, or came as it ended, is spent
    let outerGuard = stackGuard
    stackGuard = StackGuard.current()
    defer { stackGuard = outerGuard }
    do {
      return try execute(program.statements, in: globals)
    } catch is ShardEnded {
      return .nothing
    } catch let diagnostic as Diagnostic {
      throw DiagnosticList([diagnostic])
    } catch let list as DiagnosticList {
      throw list
    } catch is Interrupted, is Cancelled {
      throw DiagnosticList([
        .interrupted("interrupted", at: SourceRange(file: file, start: 0, end: 0))
      ])
    } catch {
      throw DiagnosticList([
        Diagnostic("runtime.internal", "\(error)", at: SourceRange(file: file, start: 0, end: 0))
      ])
    }
  }

  /// The standard library alone, for what a model file may `use`: a plugin on the search path
  /// that shares a standard module's name is never what a stranger's file gets.
  lazy var standardModules = ModuleLoader(
    searchPath: SearchPath(
      directories: SearchPath.standardLibraryDirectory(
        environment: ProcessInfo.processInfo.environment
      ).map { [$0] } ?? []))

  /// Parses and checks `file` without running it.
  @discardableResult
  public func check(_ file: SourceFile) throws(DiagnosticList) -> Program {
    let (program, syntaxErrors) = Parser.parse(file)
    if !syntaxErrors.isEmpty { throw DiagnosticList(syntaxErrors) }
    var checker = Checker(globals: globalSymbols, modules: modules)
    let errors = checker.check(program)
    if !errors.isEmpty { throw DiagnosticList(errors) }
    return program
  }

  // MARK: - Statements

  /// Runs a statement list in `env`; functions and declarations are bound first, so they may
  /// refer to each other in any order. Returns the last statement's value.
  func execute(_ statements: [Stmt], in env: Environment) throws -> Value {
    for statement in statements {
      switch statement.kind {
      case .function(let literal, _):
        if let name = literal.name {
          env.define(name, .function(.closure(Closure(literal: literal, environment: env))))
        }
      case .declaration(let declaration):
        env.define(
          declaration.name,
          .declaration(DeclarationValue(declaration: declaration, arguments: [:], environment: env))
        )
      default:
        break
      }
    }
    var last: Value = .nothing
    for statement in statements { last = try execute(statement, in: env) }
    return last
  }

  func execute(_ statement: Stmt, in env: Environment) throws -> Value {
    switch statement.kind {
    case .expression(let expression):
      return try evaluate(expression, in: env)
    case .binding(let name, _, let value, let isMutable):
      env.define(name, try evaluate(value, in: env), isMutable: isMutable)
    case .assignment(let name, let nameRange, let value):
      try checkSweepAssignment(name, at: nameRange, in: env)
      if try assignGrowingList(name, value, in: env) { break }
      let newValue = try evaluate(value, in: env)
      guard env.assign(name, newValue) else {
        throw Diagnostic("check.assignToLet", "cannot assign to '\(name)'", at: nameRange)
      }
    case .function, .declaration:
      break  // bound when the block was entered
    case .param(let name, let nameRange, let shape, let initializer):
      try lowerParam(name, nameRange: nameRange, shape: shape, initializer: initializer, in: env)
    case .state(let name, let nameRange, let shape, let initializer):
      try lowerState(name, nameRange: nameRange, shape: shape, initializer: initializer, in: env)
    case .inlineGate(let name, let nameRange, let bounds, let value):
      try lowerInlineGate(
        name, nameRange: nameRange, bounds: bounds, value: value, at: statement.range, in: env)
    case .forLoop(let variable, _, let sequence, let body):
      let value = try evaluate(sequence, in: env)
      var iteration = 0
      func runBody(_ item: Value) throws {
        iteration += 1
        do { try checkInterrupt() } catch {
          throw Diagnostic.interrupted(
            "interrupted before iteration \(iteration) of 'for \(variable)'", at: statement.range)
        }
        let scope = Environment(parent: env)
        scope.define(variable, item)
        _ = try execute(body.statements, in: scope)
      }
      if case .range(let lower, let upper) = value {
        // Counted, not materialised: `for i in 1..1000000000` needs no memory.
        if lower <= upper { for i in lower...upper { try runBody(.number(Double(i))) } }
      } else {
        for item in try iterationItems(value, at: sequence.range) { try runBody(item) }
      }
    case .use(let module, let moduleRange):
      let exports = try modules.load(module, at: moduleRange, interpreter: self)
      for (name, value) in exports.fields { env.define(name, value) }
      if env === globals, !usedModules.contains(module) { usedModules.append(module) }
    }
    return .nothing
  }

  private func iterationItems(_ value: Value, at range: SourceRange) throws -> [Value] {
    switch value {
    case .list(let items): return items
    case .string(let s): return s.map { .string(String($0)) }
    case .record(let r):
      return r.fields.map { .record(Record([("name", .string($0.name)), ("value", $0.value)])) }
    case .tensor(let t):
      let count = t.shape.first ?? 0
      return try (0..<count).map { try indexTensor(t, [.index($0)], at: range) }
    default:
      throw Diagnostic("type.mismatch", "cannot iterate over a \(value.typeName)", at: range)
    }
  }

  // MARK: - Expressions

  func evaluate(_ expression: Expr, in env: Environment) throws -> Value {
    try stackGuard?.check(at: expression.range, callDepth: callDepth)
    switch expression.kind {
    case .number(let x): return .number(x)
    case .string(let s): return .string(s)
    case .bool(let b): return .bool(b)
    case .name(let name):
      guard let value = env.lookup(name) else {
        throw Diagnostic(
          "name.unknown", "unknown name '\(name)'", at: expression.range,
          hint: nearestName(to: name, in: env.visibleNames.sorted()).map { "did you mean '\($0)'?" }
        )
      }
      return value
    case .list(let items):
      let list = Value.list(try items.map { try evaluate($0, in: env) })
      try checkNesting(of: list, at: expression.range)
      return list
    case .record(let fields):
      let record = Value.record(
        Record(try fields.map { ($0.name, try evaluate($0.value, in: env)) }))
      try checkNesting(of: record, at: expression.range)
      return record
    case .unary(let op, let operand):
      return try unary(op, try evaluate(operand, in: env), at: expression.range)
    case .binary, .range, .call, .index, .field:
      return try evaluateChain(expression, in: env)  // Interpreter+Chains.swift
    case .ifElse(let condition, let then, let otherwise):
      if try truth(try evaluate(condition, in: env), at: condition.range) {
        return try execute(then.statements, in: Environment(parent: env))
      }
      guard let otherwise else { return .nothing }
      return try execute(otherwise.statements, in: Environment(parent: env))
    case .function(let literal):
      return .function(.closure(Closure(literal: literal, environment: env)))
    case .invalid:
      throw Diagnostic("parse.invalid", "this expression did not parse", at: expression.range)
    }
  }

  func truth(_ value: Value, at range: SourceRange) throws -> Bool {
    guard case .bool(let b) = value else {
      throw Diagnostic(
        "type.mismatch", "expected true or false, got \(value.typeName)", at: range)
    }
    return b
  }

  func wholeNumber(_ value: Value, at range: SourceRange) throws -> Int {
    guard case .number(let x) = value, let n = Int(exactly: x) else {
      throw Diagnostic(
        "type.mismatch", "expected a whole number, got \(describeShort(value))", at: range)
    }
    return n
  }

  // MARK: - Calls

  /// Calls a function or binds arguments of a declaration.
  func call(
    _ callee: Value, _ arguments: [EvaluatedArgument], at range: SourceRange,
    calleeRange: SourceRange
  ) throws -> Value {
    do { try checkInterrupt() } catch {
      throw Diagnostic.interrupted("interrupted before calling '\(calleeName(callee))'", at: range)
    }
    switch callee {
    case .function(.builtin(let builtin)):
      // The checker rejects effects it can see in a body; this catches the ones it cannot (a
      // built-in passed in as an argument, or called through a function).
      if lowering != nil, let effect = builtin.effect {
        throw Diagnostic(
          "runtime.impure",
          "'\(builtin.name)' \(effect) and was called while a model was being built: gate, cell and optimizer bodies are pure",
          at: range)
      }
      let (slots, ranges) = try bindArguments(
        arguments, to: builtin.parameters, callee: "'\(builtin.name)'", callRange: range)
      let values = zip(builtin.parameters, slots).map { parameter, slot in
        slot ?? builtin.defaults[parameter.name] ?? .nothing
      }
      let callArguments = CallArguments(
        builtin: builtin, values: values, ranges: ranges, callRange: range, interpreter: self)
      if builtin.showsElapsedTime { host.progress(.began(activity: builtin.name)) }
      defer { if builtin.showsElapsedTime { host.progress(.ended(activity: builtin.name)) } }
      do {
        return try builtin.body(callArguments)
      } catch let error as TensorError {
        // Name the built-in the user called, not the runtime operation behind it.
        throw Diagnostic(tensorErrorID(error), error.named(builtin.name).description, at: range)
      } catch is Cancelled {
        throw Diagnostic.interrupted("'\(builtin.name)' interrupted", at: range)
      }
    case .function(.closure(let closure)):
      return try callClosure(closure, arguments, at: range)
    case .declaration(let value):
      if value.declaration.kind == .gate, lowering != nil,
        arguments.contains(where: {
          if case .traced = $0.value { return true } else { return false }
        })
      {
        let written = calleeRange.file.text(of: calleeRange)
        let name =
          written.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
          ? written : value.declaration.name
        return try applyGate(value, arguments, name: name, at: range)
      }
      return try bindDeclaration(value, arguments, at: range)
    default:
      throw Diagnostic(
        "type.notCallable", "a \(callee.typeName) cannot be called", at: calleeRange)
    }
  }

  private func callClosure(
    _ closure: Closure, _ arguments: [EvaluatedArgument], at range: SourceRange
  )
    throws -> Value
  {
    let literal = closure.literal
    let name = literal.name.map { "fn '\($0)'" } ?? "anonymous fn"
    let specs = literal.parameters.map {
      ParameterSpec($0.name, hasDefault: $0.defaultValue != nil)
    }
    let (slots, _) = try bindArguments(arguments, to: specs, callee: name, callRange: range)
    callDepth += 1
    defer { callDepth -= 1 }
    if callDepth > Interpreter.maxCallDepth {
      throw Diagnostic(
        "runtime.callDepth",
        "too many nested calls (more than \(Interpreter.maxCallDepth)): is a recursion missing its base case?",
        at: range)
    }
    let scope = Environment(parent: closure.environment)
    do {
      for (parameter, slot) in zip(literal.parameters, slots) {
        // Defaults are evaluated at call time, after the parameters before them.
        let value =
          try slot
          ?? evaluate(parameter.defaultValue ?? Expr(kind: .invalid, range: range), in: scope)
        scope.define(parameter.name, value)
      }
      return try execute(literal.body.statements, in: scope)
    } catch var diagnostic as Diagnostic {
      if let last = diagnostic.stack.last, last.function == name, last.callSite == range {
        diagnostic.stack[diagnostic.stack.count - 1].repeatCount += 1
      } else if diagnostic.stack.count < 50 {
        diagnostic.stack.append(StackFrame(function: name, callSite: range))
      }
      throw diagnostic
    }
  }

  /// `leaky(gate: multi)`: a copy of the declaration with these parameters bound.
  private func bindDeclaration(
    _ value: DeclarationValue, _ arguments: [EvaluatedArgument], at range: SourceRange
  ) throws -> Value {
    let declaration = value.declaration
    let specs = declaration.parameters.map { ParameterSpec($0.name, hasDefault: true) }
    let (slots, _) = try bindArguments(
      arguments, to: specs, callee: "\(declaration.kind.rawValue) '\(declaration.name)'",
      callRange: range)
    var bound = value
    for (parameter, slot) in zip(declaration.parameters, slots) {
      if let slot { bound.arguments[parameter.name] = slot }
    }
    return .declaration(bound)
  }
}

/// The diagnostic ID for a tensor runtime error.
func tensorErrorID(_ error: TensorError) -> DiagnosticID {
  switch error {
  case .shapeMismatch: return "shape.mismatch"
  case .invalidShape: return "shape.invalid"
  case .invalidAxis: return "shape.invalidAxis"
  case .indexOutOfRange: return "index.outOfRange"
  case .invalidArgument: return "value.invalid"
  case .lapackFailure: return "linalg.failure"
  case .invalidFile: return "file.invalid"
  case .outOfMemory: return "memory.budget"
  }
}

extension TensorError {
  /// The same error reported as coming from `operation`.
  func named(_ operation: String) -> TensorError {
    switch self {
    case .shapeMismatch(_, let lhs, let rhs):
      return .shapeMismatch(operation: operation, lhs: lhs, rhs: rhs)
    case .invalidShape(_, let shape, let reason):
      return .invalidShape(operation: operation, shape: shape, reason: reason)
    case .invalidAxis(_, let axis, let rank):
      return .invalidAxis(operation: operation, axis: axis, rank: rank)
    case .indexOutOfRange(_, let index, let shape):
      return .indexOutOfRange(operation: operation, index: index, shape: shape)
    case .invalidArgument(_, let message):
      return .invalidArgument(operation: operation, message: message)
    case .outOfMemory(_, let shape, let dtype, let bytes, let budget):
      return .outOfMemory(
        operation: operation, shape: shape, dtype: dtype, bytes: bytes, budget: budget)
    case .lapackFailure, .invalidFile: return self
    }
  }
}
