// Inputs the fuzzer (`make fuzz`, docs/RELIABILITY.md) found crashing the file readers, fed
// through the same entry point. Each trapped before its fix; now each is a TensorError.
import Foundation
import Testing

@testable import TauTensor

@Suite struct FuzzRegressionTests {
  /// A shape with a zero has no elements, so its count passed; the strides still multiplied the
  /// other sizes and overflowed (run 2, the .npy reader).
  @Test func aZeroSizedShapeWithHugeSizesIsRejected() {
    let found = Data(
      base64Encoded:
        "k05VTVBZAQB2AHsoX29yZEVyJzpAXUZhbHNlLCD//05VTVBZAQB3AHsnZGVzY3InOiAnPGY4JywmICdmb3J0cmFuX29yZGVyJzogdSBULHJlJ3NoYXBlJzogKDAsIDEsMSwgMSwxMCwgMSwxLDIyMjIyMjIyMjIyMjIyMjIyMjI="
    )
    #expect(found != nil)
    #expect(throws: TensorError.self) { try NPY.decode(found ?? Data(), path: "found.npy") }
    let written = npy(shape: "(0, 4611686018427387904, 10)")
    #expect(throws: TensorError.self) { try NPY.decode(written, path: "written.npy") }
    #expect(throws: TensorError.self) { try validatedCount([0, 1 << 62, 10], operation: "t") }
    #expect((try? validatedCount([0, 1 << 20, 10], operation: "t")) == 0)  // still allowed
  }
}

/// A version 1 .npy file of f8 with `shape` written as a Python tuple and no data.
private func npy(shape: String) -> Data {
  let header = "{'descr': '<f8', 'fortran_order': False, 'shape': \(shape), }\n"
  let length = UInt16(header.utf8.count)
  return Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)])
    + Data(header.utf8)
}
