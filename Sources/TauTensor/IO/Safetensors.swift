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

  /// Parses a file's bytes, checking every entry before returning any; `path` names the file in
  /// errors, which also name the offending key.
  public static func decode(_ data: Data, path: String) throws -> SafetensorsFile {
    let bytes = [UInt8](data)
    func fail(_ reason: String) -> TensorError { .invalidFile(path: path, reason: reason) }
    guard bytes.count >= 8 else { throw fail("too short to be a safetensors file") }
    var headerLength: UInt64 = 0
    for i in 0..<8 { headerLength |= UInt64(bytes[i]) << (8 * UInt64(i)) }
    guard headerLength <= UInt64(bytes.count - 8) else {
      throw fail(
        "the header says \(headerLength) bytes but the file has \(bytes.count - 8) after it")
    }
    let dataStart = 8 + Int(headerLength)
    guard
      let header = try? JSONSerialization.jsonObject(with: Data(bytes[8..<dataStart]))
        as? [String: Any]
    else { throw fail("the header is not a JSON object") }
    var metadata: [String: String] = [:]
    if let entries = header["__metadata__"] as? [String: Any] {
      for (key, value) in entries {
        guard let text = value as? String else { throw fail("metadata '\(key)' is not a string") }
        metadata[key] = text
      }
    }
    var tensors: [(name: String, tensor: AnyTensor, begin: Int)] = []
    for (name, value) in header where name != "__metadata__" {
      guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
        let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int],
        offsets.count == 2
      else { throw fail("entry '\(name)' lacks dtype, shape or data_offsets") }
      guard shape.allSatisfy({ $0 >= 0 }) else { throw fail("entry '\(name)' has a negative size") }
      let count = try validatedCount(shape, operation: "load")
      let width: Int
      switch dtype {
      case "F32": width = 4
      case "F64": width = 8
      default: throw fail("entry '\(name)' has dtype \(dtype); Tau reads F32 and F64")
      }
      let (begin, end) = (offsets[0], offsets[1])
      guard begin >= 0, end >= begin, end - begin == count * width else {
        throw fail(
          "entry '\(name)' has \(end - begin) bytes for shape \(formatShape(shape)) of \(dtype)")
      }
      guard dataStart + end <= bytes.count else {
        throw fail(
          "entry '\(name)' ends at byte \(end) of the data, which has \(bytes.count - dataStart)")
      }
      let tensor: AnyTensor =
        width == 4
        ? .f32(try Tensor(shape: shape, scalars: readFloats(bytes, dataStart + begin, count)))
        : .f64(try Tensor(shape: shape, scalars: readDoubles(bytes, dataStart + begin, count)))
      tensors.append((name, tensor, begin))
    }
    tensors.sort { $0.begin < $1.begin }
    return SafetensorsFile(tensors: tensors.map { ($0.name, $0.tensor) }, metadata: metadata)
  }
}
