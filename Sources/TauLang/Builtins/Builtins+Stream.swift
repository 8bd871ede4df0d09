// `stream(seed, path...)`: a seeded random stream as a Tau value, so that data generators written
// in Tau (stdlib/tasks.tau) draw exactly the numbers a Swift loop over the same RandomStream
// would. Tau values are immutable, so a stream is a record of functions that share one hidden
// RandomStream, as closures share a captured `var`: each draw continues where the last stopped.
import Synchronization
import TauTensor

extension BuiltinRegistry {
  static let randomStreams: [Builtin] = [
    Builtin(
      "stream", ["seed", "path..."],
      "a random stream {uniform, normal, integer, permutation, rows}: seed's sub-stream named by path (strings and whole numbers), drawn in order"
    ) { args in
      let seed = try args.integer("seed")
      guard seed >= 0 else {
        throw Diagnostic("value.invalid", "seed must be ≥ 0, got \(seed)", at: args.range("seed"))
      }
      var stream = RandomStream(seed: UInt64(seed))
      for item in try args.list("path") {
        switch item {
        case .string(let name): stream = stream.substream(name)
        case .number(let x) where Int(exactly: x) != nil:
          stream = stream.substream(Int(x))
        default:
          throw Diagnostic(
            "type.mismatch",
            "a stream's path holds names (strings) and whole numbers, got \(describeShort(item))",
            at: args.range("path"))
        }
      }
      return streamRecord(SharedStream(stream))
    }
  ]

  /// The record of draws on one shared stream. Each function consumes the stream exactly as the
  /// RandomStream method it names: a tensor is filled in row-major order, so `uniform([T, c])`
  /// draws what `for t { for c { stream.uniform() } }` would.
  private static func streamRecord(_ shared: SharedStream) -> Value {
    let uniform = Builtin(
      "uniform", ["shape=none"],
      "U[0, 1): a number, or an f64 tensor of shape filled in row-major order"
    ) { args in
      if !args.isGiven("shape") {
        return .number(try shared.draw(args) { $0.uniform(Double.self) })
      }
      let shape = try args.shape("shape")
      return .tensor(.f64(try shared.draw(args) { try Tensor<Double>.uniform(shape, using: &$0) }))
    }
    let normal = Builtin(
      "normal", ["shape=none"],
      "N(0, 1): a number, or an f64 tensor of shape filled in row-major order"
    ) { args in
      if !args.isGiven("shape") { return .number(try shared.draw(args) { $0.normal() }) }
      let shape = try args.shape("shape")
      return .tensor(.f64(try shared.draw(args) { try Tensor<Double>.normal(shape, using: &$0) }))
    }
    let integer = Builtin(
      "integer", ["below"], "a whole number uniform on 0 … below - 1 (below ≥ 1)"
    ) { args in
      let below = try args.integer("below")
      guard below >= 1 else {
        throw Diagnostic(
          "value.invalid", "integer needs below ≥ 1, got \(below)", at: args.range("below"))
      }
      return .number(Double(try shared.draw(args) { $0.integer(below: below) }))
    }
    let permutation = Builtin(
      "permutation", ["count"], "the numbers 0 … count - 1 in a uniformly random order"
    ) { args in
      let count = try args.integer("count")
      guard count >= 0 else {
        throw Diagnostic(
          "value.invalid", "permutation needs count ≥ 0, got \(count)", at: args.range("count"))
      }
      try checkListSize(count, plus: 0, operation: "permutation", at: args.callRange)
      return .list(try shared.draw(args) { $0.permutation(count) }.map { .number(Double($0)) })
    }
    let rows = Builtin(
      "rows", ["n", "draws"],
      "n rows of the draws {name: {uniform: shape}, name: {normal: shape}, name: {integer: below}, name: {permutation: count}, …}, drawn row after row and in field order within a row: {name: [n×…] tensor}"
    ) { args in
      let n = try args.integer("n")
      guard n >= 0 else {
        throw Diagnostic("value.invalid", "rows needs n ≥ 0, got \(n)", at: args.range("n"))
      }
      let plan = try rowPlan(args)
      var outputs = try plan.map { try Tensor<Double>(repeating: 0, shape: [n] + $0.shape) }
      try shared.draw(args) { stream in
        for row in 0..<n {
          for (field, draw) in plan.enumerated() {
            let width = draw.shape.reduce(1, *)
            outputs[field].withUnsafeMutableBufferPointer { buffer in
              draw.fill(buffer.baseAddress.map { $0 + row * width }, width, &stream)
            }
          }
        }
      }
      return .record(Record(zip(plan, outputs).map { ($0.name, .tensor(.f64($1))) }))
    }
    return .record(
      Record([
        ("uniform", .function(.builtin(uniform))), ("normal", .function(.builtin(normal))),
        ("integer", .function(.builtin(integer))),
        ("permutation", .function(.builtin(permutation))), ("rows", .function(.builtin(rows))),
      ]))
  }

  /// The draws of one row of `rows`, in order: each field's name, the shape of what it draws,
  /// and how it fills that many elements.
  private static func rowPlan(_ args: CallArguments) throws -> [RowDraw] {
    guard case .record(let plan) = args["draws"] else {
      throw args.typeError("draws", expected: "a record of draws")
    }
    let range = args.range("draws")
    func invalid(_ field: String, _ why: String) -> Diagnostic {
      Diagnostic(
        "value.invalid", "rows: draw '\(field)' \(why)", at: range,
        hint:
          "write each draw as {uniform: shape}, {normal: shape}, {integer: below} or {permutation: count}"
      )
    }
    return try plan.fields.map { field in
      guard case .record(let draw) = field.value, draw.names.count == 1,
        let kind = draw.names.first, let argument = draw[kind]
      else { throw invalid(field.name, "is not a record of one draw") }
      func count(atLeast lowest: Int) throws -> Int {
        guard case .number(let x) = argument, let k = Int(exactly: x), k >= lowest else {
          throw invalid(field.name, "needs a whole number ≥ \(lowest) for '\(kind)'")
        }
        return k
      }
      switch kind {
      case "uniform", "normal":
        let items: [Value]
        if case .list(let list) = argument { items = list } else { items = [argument] }
        let shape = try items.map { item -> Int in
          guard case .number(let x) = item, let k = Int(exactly: x), k >= 0 else {
            throw invalid(field.name, "needs a shape (whole numbers ≥ 0) for '\(kind)'")
          }
          return k
        }
        if kind == "normal" {
          return RowDraw(name: field.name, shape: shape) { output, width, stream in
            stream.fillNormal(UnsafeMutableBufferPointer(start: output, count: width))
          }
        }
        return RowDraw(name: field.name, shape: shape) { output, width, stream in
          stream.fillUniform(UnsafeMutableBufferPointer(start: output, count: width))
        }
      case "integer":
        let below = try count(atLeast: 1)
        return RowDraw(name: field.name, shape: []) { output, _, stream in
          output?[0] = Double(stream.integer(below: below))
        }
      case "permutation":
        let size = try count(atLeast: 0)
        return RowDraw(name: field.name, shape: [size]) { output, _, stream in
          for (i, k) in stream.permutation(size).enumerated() { output?[i] = Double(k) }
        }
      default:
        throw invalid(
          field.name, "draws '\(kind)', which is not uniform, normal, integer or permutation")
      }
    }
  }
}

/// One field of a `rows` plan.
private struct RowDraw {
  let name: String
  /// The shape of one row's draw ([] for a number).
  let shape: [Int]
  /// Writes one row's `width` elements, drawn from the stream in order.
  let fill: (UnsafeMutablePointer<Double>?, Int, inout RandomStream) -> Void
}

/// One RandomStream shared by the functions of a stream record. The interpreter runs one call
/// at a time; the lock only makes the sharing safe to state to the compiler.
private final class SharedStream: Sendable {
  private let stream: Mutex<RandomStream>
  /// When the stream was made: a sweep's item may not draw from a stream made before it, whose
  /// state the item's worker process would not share (Sweep.swift).
  let serial = creationSerial()

  init(_ stream: RandomStream) { self.stream = Mutex(stream) }

  func draw<T: Sendable>(_ args: CallArguments, _ body: (inout RandomStream) throws -> T) throws
    -> T
  {
    try args.interpreter.checkSweepSharing(madeAt: serial, "a random stream", at: args.callRange)
    return try stream.withLock { try body(&$0) }
  }
}
