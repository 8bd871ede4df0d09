// The syntax tree. Every node carries the source range it came from, so that any later error,
// from the checker to a shape mismatch at run time, can point into the source.

/// An expression and where it is.
public struct Expr: Sendable {
  public var kind: ExprKind
  public var range: SourceRange
  /// Written in parentheses: `(a < b) == c` is not a chained comparison.
  public var isParenthesized = false
}

public indirect enum ExprKind: Sendable {
  case number(Double)
  case string(String)
  case bool(Bool)
  case name(String)
  case list([Expr])
  case record([RecordField])
  case unary(UnaryOperator, Expr)
  case binary(BinaryOperator, Expr, Expr)
  /// `a..b`, both ends included.
  case range(Expr, Expr)
  case call(Expr, [CallArgument])
  case index(Expr, [IndexItem])
  case field(Expr, name: String, nameRange: SourceRange)
  case ifElse(condition: Expr, then: Block, otherwise: Block?)
  /// `fn (a, b = 1) { … }`
  case function(FunctionLiteral)
  /// Stands in for an expression that failed to parse; never evaluated.
  case invalid
}

public enum UnaryOperator: String, Sendable {
  case negate = "-"
  case not = "not"
}

public enum BinaryOperator: String, Sendable {
  case add = "+"
  case subtract = "-"
  case multiply = "*"
  case divide = "/"
  case remainder = "%"
  case power = "^"
  case matmul = "@"
  case equal = "=="
  case notEqual = "!="
  case less = "<"
  case lessEqual = "<="
  case greater = ">"
  case greaterEqual = ">="
  case and = "and"
  case or = "or"
}

public struct RecordField: Sendable {
  public var name: String
  public var nameRange: SourceRange
  public var value: Expr
}

/// A call argument: positional (`label == nil`) or named (`steps: 800`).
public struct CallArgument: Sendable {
  public var label: String?
  public var labelRange: SourceRange?
  public var value: Expr
}

/// One position inside `x[…]`: an index, a slice `a:b` (either end optional), or `:`.
public enum IndexItem: Sendable {
  case single(Expr)
  case slice(lower: Expr?, upper: Expr?, range: SourceRange)
}

/// A parameter of a function or declaration, with an optional default.
public struct Parameter: Sendable {
  public var name: String
  public var nameRange: SourceRange
  public var defaultValue: Expr?
}

public struct FunctionLiteral: Sendable {
  public var name: String?
  public var parameters: [Parameter]
  public var body: Block
}

/// `{ statements }`; its value is the last statement's, if that is an expression.
public struct Block: Sendable {
  public var statements: [Stmt]
  public var range: SourceRange
}

/// A statement and where it is.
public struct Stmt: Sendable {
  public var kind: StmtKind
  public var range: SourceRange
}

public enum StmtKind: Sendable {
  case expression(Expr)
  /// `let x = …` (immutable) or `var x = …` (mutable).
  case binding(name: String, nameRange: SourceRange, value: Expr, isMutable: Bool)
  /// `x = …`, to a `var` or a `state`.
  case assignment(name: String, nameRange: SourceRange, value: Expr)
  /// `fn name(…) { … }`
  case function(FunctionLiteral, nameRange: SourceRange)
  /// `gate`, `cell` or `optimizer` declarations.
  case declaration(Declaration)
  /// `param W [hidden, input] = uniform(input)` (in gates and cells).
  case param(name: String, nameRange: SourceRange, shape: [Expr]?, initializer: Expr?)
  /// `state v = 0` (in optimizers and cells).
  case state(name: String, nameRange: SourceRange, shape: [Expr]?, initializer: Expr?)
  /// `gate z = sigmoid(Wz @ x)` (directly in a cell body): binds `z` like `let` and marks its
  /// value as a gate named `z`, as applying a declared gate does. `bounds` as a gate's range.
  case inlineGate(name: String, nameRange: SourceRange, bounds: ValueBounds?, value: Expr)
  case forLoop(variable: String, variableRange: SourceRange, sequence: Expr, body: Block)
  case use(module: String, moduleRange: SourceRange)
}

/// The three declaration forms of the model language.
public enum DeclarationKind: String, Sendable {
  case gate, cell, optimizer

  /// Names a body of this kind sees without declaring them.
  public var implicitNames: [String] {
    switch self {
    case .gate, .cell: return ["h", "x", "hidden", "input"]
    case .optimizer: return ["grad", "param", "step"]
    }
  }

  /// Whether `param` (`state`) statements may appear in the body.
  public var allowsParam: Bool { self != .optimizer }
  public var allowsState: Bool { self != .gate }
}

/// `gate name(parameters) { body }`, likewise for `cell` and `optimizer`.
public struct Declaration: Sendable {
  public var kind: DeclarationKind
  public var name: String
  public var nameRange: SourceRange
  public var parameters: [Parameter]
  /// `gate signed in [-1, 1] { … }`: the values the gate may take (nil: [0, 1]).
  public var valueBounds: ValueBounds?
  /// `cell torch_gru(…) layered { … }`: its parameters carry the layer suffix (`weight_ih_l0`)
  /// even in a model of one layer, as PyTorch names them; other cells' only when stacked.
  public var namesLayers = false
  public var body: Block
  public var range: SourceRange
}

/// The closed interval a gate's value is declared to lie in, and where it is written.
public struct ValueBounds: Sendable {
  public var lower: Double
  public var upper: Double
  public var range: SourceRange
}

extension Declaration {
  /// The values a gate may take: its declared bounds, else [0, 1] (a fraction of the step).
  public var gateRange: (lower: Double, upper: Double) {
    valueBounds.map { ($0.lower, $0.upper) } ?? (0, 1)
  }
}

/// A parsed source file or REPL entry.
public struct Program: Sendable {
  public var statements: [Stmt]
  public var file: SourceFile
}
