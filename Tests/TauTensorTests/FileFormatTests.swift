// .npy and .safetensors against files written by NumPy 2.4 and safetensors 0.8 (Fixtures/),
// round trips, and the errors for damaged files.
import Foundation
import Testing

@testable import TauTensor

private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .appendingPathComponent("Fixtures")

private func fixture(_ name: String) throws -> Data {
  try Data(contentsOf: fixtures.appendingPathComponent(name))
}

@Suite struct FileFormatTests {
  @Test func readsNumPyFiles() throws {
    let f8 = try NPY.decode(try fixture("numpy_f8_2x3.npy"), path: "a.npy")
    #expect(f8.dtype == "f64" && f8.shape == [2, 3])
    #expect(f8.doubles == [1.5, -2.0, 3.25, 4.0, 5.5, -6.0])
    let f4 = try NPY.decode(try fixture("numpy_f4_3.npy"), path: "b.npy")
    #expect(f4.dtype == "f32" && f4.doubles == [0.5, -1.0, 2.0])
    let scalar = try NPY.decode(try fixture("numpy_f8_scalar.npy"), path: "c.npy")
    #expect(scalar.shape == [] && scalar.doubles == [7])
    // np.asfortranarray([[1, 2], [3, 4]]) is stored column by column; Tau reads it row-major.
    let fortran = try NPY.decode(try fixture("numpy_fortran_2x2.npy"), path: "d.npy")
    #expect(fortran.shape == [2, 2] && fortran.doubles == [1, 2, 3, 4])
  }

  @Test func npyRoundTripsBitForBit() throws {
    var stream = RandomStream(seed: 3)
    let d = AnyTensor.f64(try Tensor<Double>.normal([3, 4, 5], using: &stream))
    let f = AnyTensor.f32(try Tensor<Float>.normal([7], using: &stream))
    for tensor in [d, f] {
      let data = NPY.encode(tensor)
      #expect(data.count % 64 == tensor.count * (tensor.dtype == "f32" ? 4 : 8) % 64)
      let back = try NPY.decode(data, path: "x.npy")
      #expect(back.shape == tensor.shape && back.dtype == tensor.dtype)
      #expect(back.doubles.map(\.bitPattern) == tensor.doubles.map(\.bitPattern))
    }
    // The same header NumPy writes.
    let header = String(
      decoding: NPY.encode(.f64(try Tensor([[1, 2, 3], [4, 5, 6]]))).prefix(128).dropFirst(10),
      as: UTF8.self)
    #expect(header.hasPrefix("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }"))
  }

  @Test func damagedNpyFilesAreErrors() throws {
    let good = try fixture("numpy_f8_2x3.npy")
    #expect(
      throws: TensorError.invalidFile(
        path: "t.npy",
        reason: "the header declares [2×3] (48 bytes of data), but the file has 45 after the header"
      )
    ) {
      try NPY.decode(good.prefix(good.count - 3), path: "t.npy")
    }
    #expect(throws: TensorError.self) { try NPY.decode(Data("hello".utf8), path: "t.npy") }
    var int64 = good
    int64.replaceSubrange(20..<23, with: Array("<i8".utf8))
    #expect(throws: TensorError.self) { try NPY.decode(int64, path: "t.npy") }
  }

  @Test func readsSafetensorsWrittenByPython() throws {
    let file = try SafetensorsFile.decode(
      try fixture("python_model.safetensors"), path: "m.safetensors")
    #expect(file.metadata == ["format": "np"])
    #expect(file.tensors.map(\.name) == ["readout.Wo", "cell.Wr"])  // in data order
    #expect(file["cell.Wr"]?.dtype == "f32" && file["cell.Wr"]?.doubles == [1, 2, 3, 4])
    #expect(file["readout.Wo"]?.shape == [1, 2] && file["readout.Wo"]?.doubles == [0.5, -0.5])
  }

  @Test func safetensorsRoundTrip() throws {
    var stream = RandomStream(seed: 4)
    let file = SafetensorsFile(
      tensors: [
        ("a", .f32(try Tensor<Float>.normal([2, 3], using: &stream))),
        ("b.c", .f64(try Tensor<Double>.normal([4], using: &stream))),
        ("empty", .f64(try Tensor<Double>.zeros([0, 2]))),
      ], metadata: ["tau.cell": "leaky(gate: multi)"])
    let data = try file.encoded()
    let headerLength = data.prefix(8).enumerated().reduce(0) {
      $0 | Int($1.element) << (8 * $1.offset)
    }
    #expect(headerLength % 8 == 0)
    let back = try SafetensorsFile.decode(data, path: "r.safetensors")
    #expect(back.metadata == file.metadata)
    for (name, tensor) in file.tensors {
      #expect(back[name]?.shape == tensor.shape && back[name]?.doubles == tensor.doubles)
    }
  }

  @Test func damagedSafetensorsNameTheProblem() throws {
    let good = try fixture("python_model.safetensors")
    #expect(throws: TensorError.self) { try SafetensorsFile.decode(good.prefix(5), path: "m") }
    do {
      _ = try SafetensorsFile.decode(good.prefix(good.count - 4), path: "m.safetensors")
      Issue.record("a truncated file must not load")
    } catch let error as TensorError {
      #expect(error.description.contains("'cell.Wr'"))
    }
    var wrongType = good
    let range = try #require(wrongType.range(of: Data("\"F32\"".utf8)))
    wrongType.replaceSubrange(range, with: Data("\"I32\"".utf8))
    #expect(
      throws: TensorError.invalidFile(
        path: "m", reason: "entry 'cell.Wr' has dtype I32; Tau reads F32 and F64")
    ) {
      try SafetensorsFile.decode(wrongType, path: "m")
    }
  }
}
