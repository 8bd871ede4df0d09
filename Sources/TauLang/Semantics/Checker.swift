// Static checks that run before anything executes: unknown names, call arity and argument
// names, duplicate declarations, misplaced `param`/`state`, assignment to immutable names, and
// effects (printing, files) named inside declaration bodies, which must be pure.

/// What the checker knows about a name.
struct Symbol {
  enum Kind {
    case value(isMutable: Bool)
    case callable(parameters: [ParameterSpec], callee: String)
  }
  var kind: Kind
  /// Where it was declared in the file being checked (nil for session and built-in names).
  var declaredAt: SourceRange?
  /// What the built-in this name stands for does outside the program, if anything.
  var effect: String? = nil
}

extension Symbol {
  /// The checker's view of a run-time value.
  init(_ value: Value, isMutable: Bool) {
    switch value {
    case .function(.builtin(let builtin)):
      self.init(
        kind: .callable(parameters: builtin.parameters, callee: "'\(builtin.name)'"),
        declaredAt: nil, effect: builtin.effect)
    case .function(.closure(let closure)):
      let parameters = closure.literal.parameters.map {
        ParameterSpec($0.name, hasDefault: $0.defaultValue != nil)
      }
      self.init(
        kind: .callable(parameters: parameters, callee: "fn '\(closure.literal.name ?? "")'"),
        declaredAt: nil)
    case .declaration(let d):
      let parameters = d.declaration.parameters.map { ParameterSpec($0.name, hasDefault: true) }
      self.init(
        kind: .callable(
          parameters: parameters, callee: "\(d.declaration.kind.rawValue) '\(d.declaration.name)'"),
        declaredAt: nil)
    default:
      self.init(kind: .value(isMutable: isMutable), declaredAt: nil)
    }
  }
}

/// Walks a program and collects diagnostics. It knows the session's existing names, so a REPL
/// entry can use what earlier entries defined.
struct Checker {
  private var scopes: [[String: Symbol]]
  private var diagnostics: [Diagnostic] = []
  private let modules: ModuleLoader
  /// The declaration whose body is being checked, if any.
  private var declarationKind: DeclarationKind?
  /// Function and declaration bodies wait until their enclosing block's names are all known.
  private var pendingBodies: [[PendingBody]] = []
  /// The pure body being checked ("gate 'multi'"), where effects are errors; nested blocks and
  /// functions inside it are pure too.
  private var pureBody: String?
  /// Whether function bodies must be pure as well (declarations read from a model file).
  private let functionsArePure: Bool

  private struct PendingBody {
    var parameters: [Parameter]
    var body: Block
    var kind: DeclarationKind?
    /// How messages name it: "gate 'multi'", "fn 'f'".
    var title: String
  }

  init(globals: [String: Symbol], modules: ModuleLoader, functionsArePure: Bool = false) {
    scopes = [globals]
    self.modules = modules
    self.functionsArePure = functionsArePure
  }

  mutating func check(_ program: Program) -> [Diagnostic] {
    checkBlock(program.statements, newScope: true)
    // Bodies are checked after their block, so restore source order for the reader.
    return diagnostics.enumerated().sorted {
      ($0.element.range.file === $1.element.range.file
        && $0.element.range.start != $1.element.range.start)
        ? $0.element.range.start < $1.element.range.start : $0.offset < $1.offset
    }.map(\.element)
  }

  // MARK: - Scopes

  private func lookup(_ name: String) -> Symbol? {
    for scope in scopes.reversed() { if let symbol = scope[name] { return symbol } }
    return nil
  }

  /// Names in scope, innermost scope first (the user's own names before the built-ins), each
  /// scope sorted, so hints are the same on every run.
  private var visibleNames: [String] {
    scopes.reversed().flatMap { $0.keys.sorted() }
  }

  private mutating func declare(_ name: String, _ symbol: Symbol, at range: SourceRange) {
    if let existing = scopes[scopes.count - 1][name], let previous = existing.declaredAt {
      let line = previous.file.lineAndColumn(of: previous.start).line
      diagnostics.append(
        Diagnostic(
          "check.duplicate", "'\(name)' is already declared in this scope (line \(line))",
          at: range,
          notes: [
            Diagnostic(
              "check.duplicate", "'\(name)' first declared here", at: previous, severity: .note)
          ]))
      return
    }
    scopes[scopes.count - 1][name] = symbol
  }

  private mutating func unknownName(_ name: String, at range: SourceRange) {
    diagnostics.append(
      Diagnostic(
        "name.unknown", "unknown name '\(name)'", at: range,
        hint: nearestName(to: name, in: visibleNames).map { "did you mean '\($0)'?" }))
  }

  // MARK: - Statements

  private mutating func checkBlock(_ statements: [Stmt], newScope: Bool) {
    if newScope { scopes.append([:]) }
    pendingBodies.append([])
    // Functions and declarations are visible in the whole block (they are bound on entry).
    for statement in statements {
      switch statement.kind {
      case .function(let literal, let nameRange):
        if let name = literal.name {
          declare(
            name,
            Symbol(
              kind: .callable(
                parameters: specs(literal.parameters, allOptional: false), callee: "fn '\(name)'"),
              declaredAt: nameRange),
            at: nameRange)
        }
      case .declaration(let declaration):
        declare(
          declaration.name,
          Symbol(
            kind: .callable(
              parameters: specs(declaration.parameters, allOptional: true),
              callee: "\(declaration.kind.rawValue) '\(declaration.name)'"),
            declaredAt: declaration.nameRange),
          at: declaration.nameRange)
      default:
        break
      }
    }
    for statement in statements { checkStatement(statement) }
    for pending in pendingBodies.removeLast() { checkBody(pending) }
    if newScope { scopes.removeLast() }
  }

  private func specs(_ parameters: [Parameter], allOptional: Bool) -> [ParameterSpec] {
    parameters.map { ParameterSpec($0.name, hasDefault: allOptional || $0.defaultValue != nil) }
  }

  private mutating func checkStatement(_ statement: Stmt) {
    switch statement.kind {
    case .expression(let expression):
      checkExpression(expression)
    case .binding(let name, let nameRange, let value, let isMutable):
      checkExpression(value)
      declare(
        name, Symbol(kind: .value(isMutable: isMutable), declaredAt: nameRange), at: nameRange)
    case .assignment(let name, let nameRange, let value):
      checkExpression(value)
      guard let symbol = lookup(name) else { return unknownName(name, at: nameRange) }
      if case .value(isMutable: true) = symbol.kind { return }
      let notes =
        symbol.declaredAt.map {
          [Diagnostic("check.assignToLet", "'\(name)' declared here", at: $0, severity: .note)]
        } ?? []
      diagnostics.append(
        Diagnostic(
          "check.assignToLet", "cannot assign to '\(name)': it is not a 'var' or 'state'",
          at: nameRange, hint: "declare it with 'var \(name) = …' to make it mutable", notes: notes)
      )
    case .function(let literal, _):
      deferBody(
        parameters: literal.parameters, body: literal.body, kind: nil,
        title: "fn '\(literal.name ?? "")'")
    case .declaration(let declaration):
      let title = "\(declaration.kind.rawValue) '\(declaration.name)'"
      // Defaults are evaluated while the model is built, so they are part of the pure body.
      let outer = pureBody
      pureBody = pureBody ?? title
      for parameter in declaration.parameters {
        if let value = parameter.defaultValue { checkExpression(value) }
      }
      pureBody = outer
      deferBody(
        parameters: declaration.parameters, body: declaration.body, kind: declaration.kind,
        title: title)
    case .param(let name, let nameRange, let shape, let initializer),
      .state(let name, let nameRange, let shape, let initializer):
      let isParam: Bool
      if case .param = statement.kind { isParam = true } else { isParam = false }
      let keyword = isParam ? "param" : "state"
      if let kind = declarationKind, isParam ? kind.allowsParam : kind.allowsState {
        for expression in (shape ?? []) + (initializer.map { [$0] } ?? []) {
          checkExpression(expression)
        }
      } else {
        let allowed = isParam ? "a gate or cell" : "an optimizer or cell"
        diagnostics.append(
          Diagnostic(
            "check.misplaced", "'\(keyword)' is only allowed directly inside \(allowed)",
            at: statement.range))
      }
      // Declared either way, so a misplaced one does not also make its uses unknown names.
      declare(
        name, Symbol(kind: .value(isMutable: !isParam), declaredAt: nameRange), at: nameRange)
    case .inlineGate(let name, let nameRange, _, let value):
      checkExpression(value)
      if declarationKind != .cell { misplacedInlineGate(name, at: statement.range) }
      declare(name, Symbol(kind: .value(isMutable: false), declaredAt: nameRange), at: nameRange)
    case .forLoop(let variable, let variableRange, let sequence, let body):
      checkExpression(sequence)
      scopes.append([variable: Symbol(kind: .value(isMutable: false), declaredAt: variableRange)])
      let outer = declarationKind
      declarationKind = nil  // param/state belong at the top of a declaration body
      checkBlock(body.statements, newScope: true)
      declarationKind = outer
      scopes.removeLast()
    case .use(let module, let moduleRange):
      if let pureBody {
        diagnostics.append(
          Diagnostic(
            "check.impure", "'use' cannot appear in \(pureBody): a module may run statements",
            at: statement.range, hint: "write 'use \(module)' at the top of the file"))
        return
      }
      do {
        for (name, symbol) in try modules.exportedNames(of: module, at: moduleRange) {
          scopes[scopes.count - 1][name] = symbol
        }
      } catch let list as DiagnosticList {
        diagnostics += list.diagnostics
      } catch let diagnostic as Diagnostic {
        diagnostics.append(diagnostic)
      } catch {
        diagnostics.append(Diagnostic("module.invalid", "\(error)", at: moduleRange))
      }
    }
  }

  /// `gate z = …` where no cell body holds it directly: the hint says what was likely meant.
  private mutating func misplacedInlineGate(_ name: String, at range: SourceRange) {
    let hint: String
    switch (declarationKind, pureBody) {
    case (.gate?, _):
      hint = "a gate's body is its value already: end it with the expression"
    case (nil, let title?) where title.hasPrefix("cell"):
      hint = "write it at the top of the cell's body, outside 'if', 'for' and functions"
    case (nil, nil):
      hint = "to declare a gate of its own, write 'gate \(name) { … }'"
    default:
      hint = "mark gates in a cell's body, or declare one with 'gate \(name) { … }'"
    }
    diagnostics.append(
      Diagnostic(
        "check.misplaced",
        "'gate \(name) = …' marks a gate of a cell and is only allowed directly inside a cell body",
        at: range, hint: hint))
  }

  /// Checks a function or declaration body once the enclosing block's names are known.
  private mutating func deferBody(
    parameters: [Parameter], body: Block, kind: DeclarationKind?, title: String
  ) {
    pendingBodies[pendingBodies.count - 1].append(
      PendingBody(parameters: parameters, body: body, kind: kind, title: title))
  }

  private mutating func checkBody(_ pending: PendingBody) {
    scopes.append([:])
    for name in pending.kind?.implicitNames ?? [] {
      scopes[scopes.count - 1][name] = Symbol(kind: .value(isMutable: false), declaredAt: nil)
    }
    for parameter in pending.parameters {
      // A function's defaults are evaluated at call time and may use the parameters before them.
      if pending.kind == nil, let value = parameter.defaultValue { checkExpression(value) }
      scopes[scopes.count - 1][parameter.name] = Symbol(
        kind: .value(isMutable: false), declaredAt: parameter.nameRange)
    }
    let outer = (declarationKind, pureBody)
    declarationKind = pending.kind
    if pending.kind != nil || functionsArePure { pureBody = pureBody ?? pending.title }
    checkBlock(pending.body.statements, newScope: true)
    (declarationKind, pureBody) = outer
    scopes.removeLast()
    if let kind = pending.kind, !endsWithExpression(pending.body) {
      diagnostics.append(
        Diagnostic(
          "check.missingValue",
          "\(kind == .optimizer ? "an" : "a") \(kind.rawValue) body must end with an expression: \(kind.resultDescription)",
          at: pending.body.range))
    }
  }

  private func endsWithExpression(_ body: Block) -> Bool {
    guard case .expression = body.statements.last?.kind else { return false }
    return true
  }

  // MARK: - Expressions

  private mutating func checkExpression(_ expression: Expr) {
    if expression.leftOperand?.leftOperand != nil { return checkChain(expression) }
    switch expression.kind {
    case .number, .string, .bool, .invalid:
      break
    case .name(let name):
      guard let symbol = lookup(name) else { return unknownName(name, at: expression.range) }
      if let pureBody, let effect = symbol.effect {
        diagnostics.append(
          Diagnostic(
            "check.impure",
            "'\(name)' \(effect), which \(pureBody) may not do: declaration bodies are pure",
            at: expression.range,
            hint: "compute the value in the body; print, plot or save it after building the model"))
      }
    case .list(let items):
      for item in items { checkExpression(item) }
    case .record(let fields):
      for field in fields { checkExpression(field.value) }
    case .unary(_, let operand):
      checkExpression(operand)
    case .binary(_, let lhs, let rhs), .range(let lhs, let rhs):
      checkExpression(lhs)
      checkExpression(rhs)
    case .call(let callee, let arguments):
      checkExpression(callee)
      for argument in arguments { checkExpression(argument.value) }
      if case .name(let name) = callee.kind, let symbol = lookup(name),
        case .callable(let parameters, let calleeName) = symbol.kind
      {
        checkCall(arguments, parameters: parameters, callee: calleeName, at: expression.range)
      }
    case .index(let base, let items):
      checkExpression(base)
      for item in items {
        switch item {
        case .single(let index): checkExpression(index)
        case .slice(let lower, let upper, _):
          lower.map { checkExpression($0) }
          upper.map { checkExpression($0) }
        }
      }
    case .field(let base, _, _):
      checkExpression(base)
    case .ifElse(let condition, let then, let otherwise):
      checkExpression(condition)
      checkNestedBlock(then)
      otherwise.map { checkNestedBlock($0) }
    case .function(let literal):
      pendingBodies.append([
        PendingBody(
          parameters: literal.parameters, body: literal.body, kind: nil, title: "anonymous fn")
      ])
      for pending in pendingBodies.removeLast() { checkBody(pending) }
    }
  }

  /// A chain (`1 + 1 + …`, `a.b.c`) in a loop, since it may be as long as the file: its bottom
  /// link first, then each link above with its left operand, checked already, left out.
  private mutating func checkChain(_ expression: Expr) {
    let (links, _) = expression.leftSpine
    for link in links.reversed() {
      let leftIsLink = link.leftOperand?.leftOperand != nil
      checkExpression(leftIsLink ? link.replacingLeftOperand(with: .invalid) : link)
    }
  }

  /// An `if` branch: its own scope. A gate's or cell's branch may declare a `param` (an optional
  /// parameter such as a bias, decided when the model is built), never a `state` (a model's states
  /// are fixed by its cell).
  private mutating func checkNestedBlock(_ block: Block) {
    let outer = declarationKind
    declarationKind = outer?.allowsParam == true ? .gate : nil  // a gate's rule: params only
    checkBlock(block.statements, newScope: true)
    declarationKind = outer
  }

  /// Arity and argument names of a call whose callee is known statically; the same binder as at
  /// run time, so the two never disagree.
  private mutating func checkCall(
    _ arguments: [CallArgument], parameters: [ParameterSpec], callee: String, at range: SourceRange
  ) {
    let placeholders = arguments.map { argument in
      EvaluatedArgument(
        label: argument.label, value: .nothing,
        range: argument.labelRange.map { $0.to(argument.value.range) } ?? argument.value.range)
    }
    do {
      _ = try bindArguments(placeholders, to: parameters, callee: callee, callRange: range)
    } catch let diagnostic as Diagnostic {
      diagnostics.append(diagnostic)
    } catch {}
  }
}

extension DeclarationKind {
  /// What the last expression of a body means, for messages.
  var resultDescription: String {
    switch self {
    case .gate: return "the gate's value"
    case .cell: return "the next state"
    case .optimizer: return "the step to subtract"
    }
  }
}
