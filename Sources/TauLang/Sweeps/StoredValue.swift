// The data a sweep's items return, as JSON that reads back bit for bit: worker processes send
// their items' results to the run that started them this way, and a shard leaves them beside
// its tables for `tau merge` to re-run the script's figures from. Only data travels: numbers,
// strings, bools, lists, records, ranges and tensors; a function, model or declaration is code
// bound to one process and is refused.
import Foundation
import TauTensor

/// A Tau data value in a form that encodes exactly (tensors as their raw little-endian bytes,
/// numbers as the shortest text that reads back to the same double).
indirect enum StoredValue: Codable, Equatable, Sendable {
  case nothing
  case number(Double)
  case bool(Bool)
  case string(String)
  case list([StoredValue])
  case record([Field])
  case range(lower: Int, upper: Int)
  case tensor(dtype: String, shape: [Int], bytes: Data)

  struct Field: Codable, Equatable, Sendable {
    let name: String
    let value: StoredValue
  }

  /// Why a value cannot be stored: the path to the part that is not data, and what it is.
  struct NotData: Error {
    let path: String
    let typeName: String
  }

  /// `value` as data; throws `NotData` naming the first part (`.profiles[3].model`) that is
  /// code rather than data.
  init(_ value: Value, path: String = "") throws(NotData) {
    switch value {
    case .nothing: self = .nothing
    case .number(let x): self = .number(x)
    case .bool(let b): self = .bool(b)
    case .string(let s): self = .string(s)
    case .range(let lower, let upper): self = .range(lower: lower, upper: upper)
    case .list(let items):
      var stored: [StoredValue] = []
      stored.reserveCapacity(items.count)
      for (index, item) in items.enumerated() {
        stored.append(try StoredValue(item, path: path + "[\(index)]"))
      }
      self = .list(stored)
    case .record(let record):
      var fields: [Field] = []
      for (name, field) in record.fields {
        fields.append(Field(name: name, value: try StoredValue(field, path: path + "." + name)))
      }
      self = .record(fields)
    case .tensor(let tensor):
      switch tensor {
      case .f32(let t): self = .tensor(dtype: "f32", shape: t.shape, bytes: Self.bytes(t.scalars))
      case .f64(let t): self = .tensor(dtype: "f64", shape: t.shape, bytes: Self.bytes(t.scalars))
      }
    case .function, .declaration, .traced, .model:
      throw NotData(path: path, typeName: value.typeName)
    }
  }

  /// The value again; throws when the bytes of a tensor do not fit its shape (a damaged file).
  func value() throws -> Value {
    switch self {
    case .nothing: return .nothing
    case .number(let x): return .number(x)
    case .bool(let b): return .bool(b)
    case .string(let s): return .string(s)
    case .range(let lower, let upper): return .range(lower: lower, upper: upper)
    case .list(let items): return .list(try items.map { try $0.value() })
    case .record(let fields):
      return .record(Record(try fields.map { ($0.name, try $0.value.value()) }))
    case .tensor(let dtype, let shape, let bytes):
      switch dtype {
      case "f32": return .tensor(.f32(try Tensor(shape: shape, scalars: Self.scalars(bytes))))
      case "f64": return .tensor(.f64(try Tensor(shape: shape, scalars: Self.scalars(bytes))))
      default: throw StoredValueError("a stored tensor of unknown dtype '\(dtype)'")
      }
    }
  }

  private static func bytes<T>(_ scalars: [T]) -> Data {
    scalars.withUnsafeBytes { Data($0) }
  }

  private static func scalars<T>(_ bytes: Data) -> [T] {
    let count = bytes.count / MemoryLayout<T>.stride
    return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
      _ = bytes.copyBytes(to: buffer)
      initialized = count
    }
  }

  // One key per case, so that a file reads as `{"n": 0.5}`, `{"l": [...]}`, `{"t": {...}}`.
  private enum Key: String, CodingKey {
    case none, n, b, s, l, r, range, t
  }

  private struct StoredTensor: Codable {
    let dtype: String
    let shape: [Int]
    let data: Data
  }

  init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: Key.self)
    guard let key = container.allKeys.first, container.allKeys.count == 1 else {
      throw StoredValueError("a stored value has one key (n, b, s, l, r, range, t or none)")
    }
    switch key {
    case .none: self = .nothing
    case .n: self = .number(try container.decode(Double.self, forKey: key))
    case .b: self = .bool(try container.decode(Bool.self, forKey: key))
    case .s: self = .string(try container.decode(String.self, forKey: key))
    case .l: self = .list(try container.decode([StoredValue].self, forKey: key))
    case .r: self = .record(try container.decode([Field].self, forKey: key))
    case .range:
      let bounds = try container.decode([Int].self, forKey: key)
      guard bounds.count == 2 else { throw StoredValueError("a stored range has two bounds") }
      self = .range(lower: bounds[0], upper: bounds[1])
    case .t:
      let t = try container.decode(StoredTensor.self, forKey: key)
      self = .tensor(dtype: t.dtype, shape: t.shape, bytes: t.data)
    }
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: Key.self)
    switch self {
    case .nothing: try container.encode(true, forKey: .none)
    case .number(let x): try container.encode(x, forKey: .n)
    case .bool(let b): try container.encode(b, forKey: .b)
    case .string(let s): try container.encode(s, forKey: .s)
    case .list(let items): try container.encode(items, forKey: .l)
    case .record(let fields): try container.encode(fields, forKey: .r)
    case .range(let lower, let upper): try container.encode([lower, upper], forKey: .range)
    case .tensor(let dtype, let shape, let bytes):
      try container.encode(StoredTensor(dtype: dtype, shape: shape, data: bytes), forKey: .t)
    }
  }

  /// The JSON coders of stored values: numbers that are not finite as "nan", "inf", "-inf".
  static var encoder: JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys  // the same value, the same bytes
    encoder.nonConformingFloatEncodingStrategy = .convertToString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return encoder
  }

  static var decoder: JSONDecoder {
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return decoder
  }
}

/// A stored value's file that does not read back.
struct StoredValueError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
