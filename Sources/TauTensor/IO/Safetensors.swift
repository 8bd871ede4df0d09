// The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header
// mapping names to dtype, shape and byte offsets (plus optional string metadata), then the data.
import Foundation

/// Named tensors and string metadata, as stored in a `.safetensors` file.
public struct SafetensorsFile: Sendable {
  /// The tensors in file order.
  public var tensors: [(name: String, tensor: AnyTensor)]
  /// The `__metadata__` entries.
  public var metadata: [String: String]

  public init(tensors: [(name: String, tensor: AnyTensor)], metadata: [String: String] = [:]) {
    self.tensors = tensors
    self.metadata = metadata
  }

  public subscript(name: String) -> AnyTensor? { tensors.first { $0.name == name }?.tensor }

  /// The file's bytes (F32 and F64 tensors, little-endian, C order).
  public func encoded() throws -> Data {
    var header: [String: Any] = [:]
    if !metadata.isEmpty { header["__metadata__"] = metadata }
    var payload = Data()
    for (name, tensor) in tensors {
      let bytes = littleEndianBytes(tensor)
      header[name] = [
        "dtype": tensor.dtype == "f32" ? "F32" : "F64", "shape": tensor.shape,
        "data_offsets": [payload.count, payload.count + bytes.count],
      ]
      payload.append(bytes)
    }
    var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
    // Pad the header with spaces to a multiple of 8 bytes, as the reference writer does.
    json.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - json.count % 8) % 8))
    var data = Data()
    withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
    data.append(json)
    data.append(payload)
    return data
  }

  /// The longest header the reference implementation accepts.
  static let maxHeaderLength = 100_000_000

  /// Parses a file's bytes, checking every entry before returning any; `path` names the file in
  /// errors, which also name the offending key. The checks are the reference implementation's:
  /// a header of at most 100 MB that is a JSON object, entries of the right JSON types, and
  /// entries that cover the data exactly, in order, without overlaps or gaps. Nothing is
  /// allocated for a tensor before every entry has been checked against the file's size.
  public static func decode(_ data: Data, path: String) throws -> SafetensorsFile {
    let bytes = [UInt8](data)
    func fail(_ reason: String) -> TensorError { .invalidFile(path: path, reason: reason) }
    guard bytes.count >= 8 else { throw fail("too short to be a safetensors file") }
    var headerLength: UInt64 = 0
    for i in 0..<8 { headerLength |= UInt64(bytes[i]) << (8 * UInt64(i)) }
    guard headerLength <= UInt64(maxHeaderLength) else {
      throw fail("the header length \(headerLength) is more than the format's \(maxHeaderLength)")
    }
    guard headerLength <= UInt64(bytes.count - 8) else {
      throw fail(
        "the header says \(headerLength) bytes but the file has \(bytes.count - 8) after it")
    }
    let dataStart = 8 + Int(headerLength)
    guard String(bytes: bytes[8..<dataStart], encoding: .utf8) != nil else {
      throw fail("the header is not UTF-8 text")
    }
    guard
      let header = try? JSONSerialization.jsonObject(with: Data(bytes[8..<dataStart]))
        as? [String: Any]
    else { throw fail("the header is not a JSON object") }
    let metadata = try decodeMetadata(header["__metadata__"], fail: fail)
    let entries = try header.filter { $0.key != "__metadata__" }.map { name, value in
      try Entry(name: name, json: value, fail: fail)
    }.sorted { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
    // Contiguous from 0 to the end of the file, as the reference requires.
    var position = 0
    for entry in entries {
      guard entry.begin == position else {
        let problem =
          entry.begin < position
          ? "overlaps the entry before it, which ends at byte \(position)"
          : "leaves bytes \(position)..<\(entry.begin) unused"
        throw fail("entry '\(entry.name)' starts at byte \(entry.begin) of the data and \(problem)")
      }
      guard entry.end <= bytes.count - dataStart else {
        throw fail(
          "entry '\(entry.name)' ends at byte \(entry.end) of the data, "
            + "which has \(bytes.count - dataStart)")
      }
      position = entry.end
    }
    guard position == bytes.count - dataStart else {
      throw fail(
        "the entries cover \(position) bytes of data, but the file has \(bytes.count - dataStart)"
      )
    }
    let tensors = try entries.map { entry -> (name: String, tensor: AnyTensor) in
      let start = dataStart + entry.begin
      let tensor: AnyTensor =
        entry.width == 4
        ? .f32(try Tensor(shape: entry.shape, scalars: readFloats(bytes, start, entry.count)))
        : .f64(try Tensor(shape: entry.shape, scalars: readDoubles(bytes, start, entry.count)))
      return (entry.name, tensor)
    }
    return SafetensorsFile(tensors: tensors, metadata: metadata)
  }

  /// `__metadata__`: absent, or an object of strings.
  private static func decodeMetadata(_ json: Any?, fail: (String) -> TensorError) throws
    -> [String: String]
  {
    guard let json else { return [:] }
    guard let entries = json as? [String: Any] else {
      throw fail("__metadata__ is not an object of strings")
    }
    var metadata: [String: String] = [:]
    for (key, value) in entries {
      guard let text = value as? String else { throw fail("metadata '\(key)' is not a string") }
      metadata[key] = text
    }
    return metadata
  }

  /// One tensor's header entry, with its sizes checked for overflow.
  private struct Entry {
    let name: String
    let shape: [Int]
    let count: Int
    let width: Int
    let begin: Int
    let end: Int

    init(name: String, json: Any, fail: (String) -> TensorError) throws {
      self.name = name
      guard let entry = json as? [String: Any], let dtype = entry["dtype"] as? String else {
        throw fail("entry '\(name)' is not an object with a dtype string")
      }
      switch dtype {
      case "F32": width = 4
      case "F64": width = 8
      default: throw fail("entry '\(name)' has dtype \(dtype); Tau reads F32 and F64")
      }
      guard let shape = sizes(entry["shape"]) else {
        throw fail("entry '\(name)' has a shape that is not a list of whole numbers ≥ 0")
      }
      guard let offsets = sizes(entry["data_offsets"]), offsets.count == 2 else {
        throw fail("entry '\(name)' has data_offsets that are not two whole numbers ≥ 0")
      }
      self.shape = shape
      (begin, end) = (offsets[0], offsets[1])
      guard let count = try? validatedCount(shape, operation: "load"),
        let byteCount = product(of: count, and: width)
      else { throw fail("entry '\(name)' has a shape \(formatShape(shape)) too large to hold") }
      self.count = count
      guard end >= begin, end - begin == byteCount else {
        throw fail(
          "entry '\(name)' has data_offsets [\(begin), \(end)] for shape \(formatShape(shape)) "
            + "of \(dtype), which takes \(byteCount) bytes")
      }
    }
  }
}

/// A JSON array of whole numbers ≥ 0 (not booleans, not 1.5 or 1.0, nothing above `Int.max`),
/// or nil. JSONSerialization hands numbers over as NSNumber, which would let `true` or `1.0`
/// pass as 1, so the number's own type decides: booleans are chars ("c"), fractions doubles.
private func sizes(_ json: Any?) -> [Int]? {
  guard let items = json as? [Any] else { return nil }
  var result: [Int] = []
  for item in items {
    guard let number = item as? NSNumber, "silqSILQ".contains(String(cString: number.objCType)),
      let n = item as? Int, n >= 0
    else { return nil }
    result.append(n)
  }
  return result
}
