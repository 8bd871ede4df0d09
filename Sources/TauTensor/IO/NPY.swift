// NumPy's .npy format (version 1.0/2.0): a magic string, a Python-dict header, then the elements.
// Tau reads and writes little-endian float32/float64 arrays, as NumPy's `np.save` does.
import Foundation

/// Reading and writing single tensors as `.npy` files.
public enum NPY {
  /// The bytes of an `.npy` file holding `tensor` (little-endian, C order, format 1.0).
  public static func encode(_ tensor: AnyTensor) -> Data {
    let descr = tensor.dtype == "f32" ? "<f4" : "<f8"
    let shape =
      tensor.shape.isEmpty
      ? "()"
      : tensor.shape.count == 1
        ? "(\(tensor.shape[0]),)"
        : "(" + tensor.shape.map(String.init).joined(separator: ", ") + ")"
    var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
    // Pad with spaces so that magic (6) + version (2) + length (2) + header ends on 64 bytes.
    let unpadded = 10 + header.utf8.count + 1
    header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
    var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
    let length = UInt16(header.utf8.count)
    data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
    data.append(contentsOf: Array(header.utf8))
    data.append(littleEndianBytes(tensor))
    return data
  }

  /// The longest header Tau reads (NumPy's own writer needs well under 1 KiB for Tau's dtypes).
  static let maxHeaderLength = 1 << 20

  /// The tensor in an `.npy` file's bytes; `path` names the file in errors. Everything the
  /// header declares is checked against the file's size before anything is allocated.
  public static func decode(_ data: Data, path: String) throws -> AnyTensor {
    let bytes = [UInt8](data)
    func fail(_ reason: String) -> TensorError { .invalidFile(path: path, reason: reason) }
    guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else {
      throw fail("not an .npy file (no NUMPY magic)")
    }
    let major = bytes[6]
    guard major == 1 || major == 2 || major == 3 else {
      throw fail("unsupported .npy version \(major)")
    }
    let (lengthSize, start): (Int, Int) = major == 1 ? (2, 10) : (4, 12)
    guard bytes.count >= start else { throw fail("the header length is truncated") }
    var headerLength = 0
    for i in 0..<lengthSize { headerLength |= Int(bytes[8 + i]) << (8 * i) }
    guard headerLength <= maxHeaderLength else {
      throw fail("the header length \(headerLength) is more than the \(maxHeaderLength) Tau reads")
    }
    guard start + headerLength <= bytes.count else { throw fail("the header is truncated") }
    guard let header = String(bytes: bytes[start..<(start + headerLength)], encoding: .utf8) else {
      throw fail("the header is not text")
    }
    guard let descr = field("descr", in: header), let order = field("fortran_order", in: header),
      let shapeText = field("shape", in: header)
    else { throw fail("the header lacks descr, fortran_order or shape: \(header)") }
    let width: Int
    switch descr {
    case "'<f4'", "'|f4'": width = 4
    case "'<f8'", "'|f8'": width = 8
    default: throw fail("unsupported element type \(descr) (Tau reads '<f4' and '<f8')")
    }
    guard order == "True" || order == "False" else {
      throw fail("fortran_order is \(order), not True or False")
    }
    let shape = try parseShape(shapeText, fail: fail)
    let payload = start + headerLength
    guard let count = try? validatedCount(shape, operation: "load"),
      let needed = product(of: count, and: width)
    else { throw fail("shape \(shapeText) has too many elements") }
    guard bytes.count - payload >= needed else {
      throw fail(
        "the header declares \(formatShape(shape)) (\(needed) bytes of data), "
          + "but the file has \(bytes.count - payload) after the header")
    }
    let isFortran = order == "True"
    let stored = isFortran ? Array(shape.reversed()) : shape
    let tensor: AnyTensor =
      width == 4
      ? .f32(try Tensor(shape: stored, scalars: readFloats(bytes, payload, count)))
      : .f64(try Tensor(shape: stored, scalars: readDoubles(bytes, payload, count)))
    guard isFortran else { return tensor }
    // Fortran order is the transpose of C order with the axes reversed.
    let axes = Array((0..<shape.count).reversed())
    switch tensor {
    case .f32(let t): return .f32(try t.permuted(axes).contiguous())
    case .f64(let t): return .f64(try t.permuted(axes).contiguous())
    }
  }

  /// `(3, 4)`, `(5,)` or `()`: a Python tuple of sizes, none negative.
  private static func parseShape(_ text: String, fail: (String) -> TensorError) throws -> [Int] {
    guard text.hasPrefix("("), text.hasSuffix(")") else {
      throw fail("shape \(text) is not a tuple of sizes")
    }
    let inner = text.dropFirst().dropLast().split(separator: ",", omittingEmptySubsequences: false)
      .map { $0.trimmingCharacters(in: .whitespaces) }
    // A trailing comma leaves one empty item at the end: `(5,)`.
    let items = inner.last == "" ? Array(inner.dropLast()) : inner
    return try items.map { item in
      guard let n = Int(item), n >= 0 else { throw fail("shape \(text) is not a tuple of sizes") }
      return n
    }
  }

  /// The text of `'key': value` in a Python dict literal (value up to the next top-level comma).
  private static func field(_ key: String, in header: String) -> String? {
    guard let range = header.range(of: "'\(key)':") else { return nil }
    var depth = 0
    var value = ""
    for character in header[range.upperBound...] {
      if character == "(" { depth += 1 }
      if character == ")" { depth -= 1 }
      if (character == "," && depth == 0) || character == "}" { break }
      value.append(character)
    }
    return value.trimmingCharacters(in: .whitespaces)
  }
}

/// The elements of `tensor` as little-endian bytes in row-major order.
func littleEndianBytes(_ tensor: AnyTensor) -> Data {
  var data = Data()
  switch tensor {
  case .f32(let t):
    data.reserveCapacity(4 * t.count)
    for x in t.scalars {
      withUnsafeBytes(of: x.bitPattern.littleEndian) { data.append(contentsOf: $0) }
    }
  case .f64(let t):
    data.reserveCapacity(8 * t.count)
    for x in t.scalars {
      withUnsafeBytes(of: x.bitPattern.littleEndian) { data.append(contentsOf: $0) }
    }
  }
  return data
}

func readFloats(_ bytes: [UInt8], _ start: Int, _ count: Int) -> [Float] {
  (0..<count).map { i in
    var bits: UInt32 = 0
    for b in 0..<4 { bits |= UInt32(bytes[start + 4 * i + b]) << (8 * b) }
    return Float(bitPattern: bits)
  }
}

func readDoubles(_ bytes: [UInt8], _ start: Int, _ count: Int) -> [Double] {
  (0..<count).map { i in
    var bits: UInt64 = 0
    for b in 0..<8 { bits |= UInt64(bytes[start + 8 * i + b]) << (8 * b) }
    return Double(bitPattern: bits)
  }
}
