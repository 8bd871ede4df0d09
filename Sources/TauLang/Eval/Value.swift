// The values a Tau program computes with. Values are immutable; tensors and lists share storage
// until written (copy-on-write), so passing a value around never copies it.
import TauTensor

/// A Tau value. The large payloads (a model is 296 bytes, a declaration 128, a function 65) are
/// boxed, so that a value is 32 bytes: a list of a million numbers takes 32 MB, not 296 MB.
public enum Value: Sendable {
  case nothing
  case number(Double)
  case bool(Bool)
  case string(String)
  case list([Value])
  case record(Record)
  /// `a..b`: the integers from `lower` to `upper`, both included.
  case range(lower: Int, upper: Int)
  case tensor(TensorValue)
  indirect case function(Function)
  /// A `gate`, `cell` or `optimizer`, possibly with some parameters bound: `leaky(gate: multi)`.
  indirect case declaration(DeclarationValue)
  /// A value inside a gate or cell body being lowered to a graph (h, x, params and what they make).
  case traced(TracedValue)
  /// A recurrent model built by `rnn`.
  indirect case model(ModelValue)

  /// The type name used in messages and by `type(x)`.
  public var typeName: String {
    switch self {
    case .nothing: return "nothing"
    case .number: return "number"
    case .bool: return "bool"
    case .string: return "string"
    case .list: return "list"
    case .record: return "record"
    case .range: return "range"
    case .tensor: return "tensor"
    case .function: return "function"
    case .declaration(let d): return d.declaration.kind.rawValue
    case .traced(let t): return t.shape.isEmpty ? "traced scalar" : "traced \(formatShape(t.shape))"
    case .model: return "model"
    }
  }
}

/// Named fields in declaration order.
public struct Record: Sendable {
  public private(set) var names: [String] = []
  private var values: [String: Value] = [:]

  public init(_ fields: [(String, Value)] = []) {
    for (name, value) in fields { self[name] = value }
  }

  /// The storage of the field values, shared by copies until one of them changes.
  var storageAddress: UnsafeRawPointer? { TauLang.storageAddress(of: values) }

  public subscript(name: String) -> Value? {
    get { values[name] }
    set {
      if values[name] == nil, newValue != nil { names.append(name) }
      if newValue == nil { names.removeAll { $0 == name } }
      values[name] = newValue
    }
  }

  public var fields: [(name: String, value: Value)] {
    names.compactMap { name in values[name].map { (name, $0) } }
  }
}

/// A tensor of either precision, as the language sees it.
public typealias TensorValue = AnyTensor

/// A callable: a closure written in Tau or a built-in.
public enum Function: Sendable {
  case closure(Closure)
  case builtin(Builtin)

  public var name: String {
    switch self {
    case .closure(let c): return c.literal.name ?? "fn"
    case .builtin(let b): return b.name
    }
  }
}

/// A Tau function together with the environment it was defined in.
public final class Closure: Sendable {
  public let literal: FunctionLiteral
  let environment: Environment
  init(literal: FunctionLiteral, environment: Environment) {
    self.literal = literal
    self.environment = environment
  }
}

/// A declaration and the arguments bound to its parameters so far.
public struct DeclarationValue: Sendable {
  public let declaration: Declaration
  public var arguments: [String: Value]
  let environment: Environment
}
