// Hand-made damaged .safetensors and .npy files: each is an error that names the problem, never
// a trap, and nothing is allocated for a size the file does not hold.
import Foundation
import Testing

@testable import TauTensor

/// A safetensors file: the 8-byte length, `header`, then `data`.
private func safetensors(_ header: String, data: [UInt8] = []) -> Data {
  safetensors(headerBytes: Array(header.utf8), data: data)
}

private func safetensors(headerBytes: [UInt8], data: [UInt8] = []) -> Data {
  var bytes = withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { Array($0) }
  bytes += headerBytes + data
  return Data(bytes)
}

/// An .npy file of version `major` with `header` (padded by no one: the reader must not care).
private func npy(_ header: String, major: UInt8 = 1, data: [UInt8] = []) -> Data {
  let length = header.utf8.count
  var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [major, 0]
  bytes +=
    major == 1
    ? [UInt8(length & 0xFF), UInt8(length >> 8)] : [UInt8(length & 0xFF), UInt8(length >> 8), 0, 0]
  return Data(bytes + Array(header.utf8) + data)
}

/// The reason an `invalidFile` error gives, or a recorded issue if `body` did not throw one.
private func reason(
  _ body: () throws -> Any, sourceLocation: SourceLocation = #_sourceLocation
) -> String {
  do {
    _ = try body()
    Issue.record("expected the file to be refused", sourceLocation: sourceLocation)
  } catch TensorError.invalidFile(_, let reason) {
    return reason
  } catch {
    Issue.record("expected invalidFile, got \(error)", sourceLocation: sourceLocation)
  }
  return ""
}

private func loadSafetensors(_ data: Data) -> () throws -> Any {
  { try SafetensorsFile.decode(data, path: "bad.safetensors") }
}

private func loadNPY(_ data: Data) -> () throws -> Any {
  { try NPY.decode(data, path: "bad.npy") }
}

private func entry(_ shape: String, _ offsets: String, dtype: String = "\"F32\"") -> String {
  "{\"dtype\": \(dtype), \"shape\": \(shape), \"data_offsets\": \(offsets)}"
}

private let four: [UInt8] = [0, 0, 128, 63]  // 1.0 as float32

@Suite struct CorruptSafetensorsTests {
  @Test func offsetsNearIntMaxAreErrorsNotTraps() {
    let nearMax = "[9223372036854775800, 9223372036854775804]"
    #expect(
      reason(loadSafetensors(safetensors("{\"a\": \(entry("[1]", nearMax))}", data: four)))
        .contains("leaves bytes 0..<9223372036854775800 unused"))
    let toMax = "[0, 9223372036854775807]"
    #expect(
      reason(loadSafetensors(safetensors("{\"a\": \(entry("[1]", toMax))}", data: four)))
        .contains("which takes 4 bytes"))
    // Above Int.max, or not whole numbers at all.
    for offsets in [
      "[0, 18446744073709551615]", "[0, 1e300]", "[0]", "[0, 4, 8]", "[\"0\", \"4\"]",
    ] {
      #expect(
        reason(loadSafetensors(safetensors("{\"a\": \(entry("[1]", offsets))}", data: four)))
          .contains("data_offsets that are not two whole numbers"), "\(offsets)")
    }
  }

  @Test func offsetsMustCoverTheDataExactlyInOrder() {
    let outOfRange = safetensors("{\"a\": \(entry("[2]", "[0, 8]"))}", data: four)
    #expect(
      reason(loadSafetensors(outOfRange)) == "entry 'a' ends at byte 8 of the data, which has 4")
    let overlapping = safetensors(
      "{\"a\": \(entry("[1]", "[0, 4]")), \"b\": \(entry("[1]", "[0, 4]"))}", data: four)
    #expect(
      reason(loadSafetensors(overlapping))
        == "entry 'b' starts at byte 0 of the data and overlaps the entry before it, which ends at byte 4"
    )
    let gap = safetensors(
      "{\"a\": \(entry("[1]", "[0, 4]")), \"b\": \(entry("[1]", "[8, 12]"))}",
      data: four + four + four)
    #expect(reason(loadSafetensors(gap)).contains("leaves bytes 4..<8 unused"))
    let trailing = safetensors("{\"a\": \(entry("[1]", "[0, 4]"))}", data: four + four)
    #expect(
      reason(loadSafetensors(trailing)) == "the entries cover 4 bytes of data, but the file has 8")
    let backwards = safetensors("{\"a\": \(entry("[1]", "[4, 0]"))}", data: four)
    #expect(reason(loadSafetensors(backwards)).contains("data_offsets [4, 0]"))
  }

  @Test func hugeDeclaredShapesAreRefusedBeforeAllocating() {
    let huge = safetensors("{\"a\": \(entry("[100000, 100000]", "[0, 40000000000]"))}", data: four)
    #expect(
      reason(loadSafetensors(huge)) == "entry 'a' ends at byte 40000000000 of the data, which has 4"
    )
    for shape in ["[4294967296, 4294967296]", "[9223372036854775807, 2]", "[2305843009213693952]"] {
      let overflowing = safetensors("{\"a\": \(entry(shape, "[0, 4]"))}", data: four)
      #expect(reason(loadSafetensors(overflowing)).contains("too large to hold"), "\(shape)")
    }
  }

  @Test func shapesMustBeListsOfWholeNumbers() {
    for shape in ["[true]", "[1.5]", "[-1]", "[1.0]", "[\"1\"]", "[[1]]", "3", "null", "{}"] {
      let data = safetensors("{\"a\": \(entry(shape, "[0, 4]"))}", data: four)
      #expect(reason(loadSafetensors(data)).contains("shape that is not a list"), "\(shape)")
    }
  }

  @Test func theHeaderMustBeAJSONObjectOfObjects() {
    for header in ["[1, 2]", "{", "\"text\"", "", "{\"a\": 1}x"] {
      #expect(
        reason(loadSafetensors(safetensors(header))) == "the header is not a JSON object",
        "\(header)")
    }
    for header in ["{\"a\": 5}", "{\"a\": {\"dtype\": 5}}", "{\"a\": {\"shape\": [1]}}"] {
      #expect(
        reason(loadSafetensors(safetensors(header, data: four))).contains("dtype string"),
        "\(header)")
    }
    #expect(
      reason(
        loadSafetensors(
          safetensors("{\"a\": \(entry("[1]", "[0, 4]", dtype: "\"I8\""))}", data: four)))
        == "entry 'a' has dtype I8; Tau reads F32 and F64")
    #expect(
      reason(loadSafetensors(safetensors("{\"__metadata__\": 5}")))
        == "__metadata__ is not an object of strings")
    #expect(
      reason(loadSafetensors(safetensors("{\"__metadata__\": {\"k\": 1}}")))
        == "metadata 'k' is not a string")
  }

  @Test func hugeHeaderLengthsAndNonUTF8HeadersAreRefused() {
    var huge = Data(withUnsafeBytes(of: UInt64.max.littleEndian) { Array($0) })
    huge.append(contentsOf: Array("{}".utf8))
    #expect(reason(loadSafetensors(huge)).contains("more than the format's 100000000"))
    var long = Data(withUnsafeBytes(of: UInt64(50_000_000).littleEndian) { Array($0) })
    long.append(contentsOf: Array("{}".utf8))
    #expect(reason(loadSafetensors(long)).contains("the header says 50000000 bytes"))
    let latin1 = Array("{\"__metadata__\": {\"k\": \"".utf8) + [0xFF, 0xFE] + Array("\"}}".utf8)
    #expect(
      reason(loadSafetensors(safetensors(headerBytes: latin1))) == "the header is not UTF-8 text")
  }

  @Test func aWellFormedFileStillLoads() throws {
    let data = safetensors(
      "{\"__metadata__\": {\"k\": \"v\"}, \"b\": \(entry("[1]", "[4, 8]")), \"a\": \(entry("[]", "[0, 4]"))}",
      data: four + four)
    let file = try SafetensorsFile.decode(data, path: "good.safetensors")
    #expect(file.tensors.map(\.name) == ["a", "b"] && file.metadata == ["k": "v"])
    #expect(file["a"]?.shape == [] && file["b"]?.doubles == [1])
  }
}

@Suite struct CorruptNPYTests {
  private let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }"

  @Test func truncatedFilesAndHugeHeaderLengths() {
    #expect(reason(loadNPY(npy(header))).contains("but the file has 0 after the header"))
    #expect(reason(loadNPY(npy(header).prefix(30))) == "the header is truncated")
    #expect(reason(loadNPY(npy(header, major: 2).prefix(11))) == "the header length is truncated")
    var huge = npy(header, major: 2)
    huge.replaceSubrange(8..<12, with: [0xFF, 0xFF, 0xFF, 0xFF])
    #expect(reason(loadNPY(huge)).contains("the header length 4294967295 is more than"))
    #expect(reason(loadNPY(npy(header, major: 9))) == "unsupported .npy version 9")
    #expect(reason(loadNPY(Data([0x93] + Array("NUMPY".utf8)))).contains("no NUMPY magic"))
  }

  @Test func hugeDeclaredShapesAreRefusedBeforeAllocating() {
    let huge = header.replacingOccurrences(of: "(1,)", with: "(100000, 100000)")
    #expect(
      reason(loadNPY(npy(huge, data: four)))
        == "the header declares [100000×100000] (40000000000 bytes of data), but the file has 4 after the header"
    )
    for shape in [
      "(4294967296, 4294967296)", "(9223372036854775807, 2)", "(99999999999999999999,)",
    ] {
      let overflowing = header.replacingOccurrences(of: "(1,)", with: shape)
      let why = reason(loadNPY(npy(overflowing, data: four)))
      #expect(why.contains("too many elements") || why.contains("not a tuple"), "\(shape): \(why)")
    }
  }

  @Test func badShapesDtypesAndOrders() {
    for shape in ["(-1,)", "(1.5,)", "[1]", "(1,,)", "(a,)", "1"] {
      let bad = header.replacingOccurrences(of: "(1,)", with: shape)
      #expect(reason(loadNPY(npy(bad, data: four))).contains("is not a tuple of sizes"), "\(shape)")
    }
    for descr in ["'<i8'", "'>f4'", "'<c8'", "5"] {
      let bad = header.replacingOccurrences(of: "'<f4'", with: descr)
      #expect(
        reason(loadNPY(npy(bad, data: four))).contains("unsupported element type"), "\(descr)")
    }
    let maybe = header.replacingOccurrences(of: "False", with: "Maybe")
    #expect(reason(loadNPY(npy(maybe, data: four))) == "fortran_order is Maybe, not True or False")
    #expect(reason(loadNPY(npy("{}", data: four))).contains("lacks descr"))
    let binary = Data([0x93] + Array("NUMPY".utf8) + [1, 0, 2, 0, 0xFF, 0xFE])
    #expect(reason(loadNPY(binary)) == "the header is not text")
  }

  @Test func aWellFormedFileStillLoads() throws {
    #expect(try NPY.decode(npy(header, data: four), path: "good.npy").doubles == [1])
    let scalar = header.replacingOccurrences(of: "(1,)", with: "()")
    #expect(try NPY.decode(npy(scalar, data: four), path: "good.npy").shape == [])
  }
}
