// Construction, element access, copy-on-write and views (reshape, permute, slice, broadcast).
import TauTestSupport
import Testing

@testable import TauTensor

@Suite struct TensorTests {
  // MARK: - Construction

  @Test func buildsFromRowsInRowMajorOrder() throws {
    let t = try Tensor<Double>([[1, 2, 3], [4, 5, 6]])
    #expect(t.shape == [2, 3])
    #expect(t.strides == [3, 1])
    #expect(t.scalars == [1, 2, 3, 4, 5, 6])
    #expect(try t.scalar(at: [1, 0]) == 4)
    #expect(try t.scalar(at: [-1, -1]) == 6)
  }

  @Test func rejectsRaggedRowsAndWrongCounts() {
    #expect(throws: TensorError.self) { try Tensor<Double>([[1, 2], [3]]) }
    #expect(
      throws: TensorError.invalidShape(
        operation: "tensor", shape: [2, 2], reason: "3 elements given for 4 places")
    ) { try Tensor<Float>(shape: [2, 2], scalars: [1, 2, 3]) }
    #expect(throws: TensorError.self) { try Tensor<Float>.zeros([2, -1]) }
    #expect(throws: TensorError.self) { try Tensor<Float>.zeros([Int.max, 4]) }
  }

  @Test func factoriesMatchHandValues() throws {
    #expect(try Tensor<Double>.eye(3).scalars == [1, 0, 0, 0, 1, 0, 0, 0, 1])
    #expect(try Tensor<Float>.ones([2]).scalars == [1, 1])
    expectElements(try Tensor<Double>.linspace(from: 0, to: 1, count: 5), [0, 0.25, 0.5, 0.75, 1])
    expectElements(try Tensor<Double>.logspace(from: -1, to: 2, count: 4), [0.1, 1, 10, 100])
    #expect(try Tensor<Double>.linspace(from: 2, to: 3, count: 1).scalars == [2])
    #expect(throws: TensorError.self) { try Tensor<Double>.linspace(from: 0, to: 1, count: -1) }
  }

  @Test func scalarTensorsHaveRankZero() throws {
    let s = Tensor<Double>(2.5)
    #expect(s.rank == 0 && s.count == 1)
    #expect(try s.item() == 2.5)
    #expect(throws: TensorError.self) { try Tensor<Double>([1, 2]).item() }
  }

  @Test func indexErrorsNameTheIndexAndShape() {
    let t = Tensor<Double>([1, 2, 3])
    #expect(throws: TensorError.indexOutOfRange(operation: "scalar(at:)", index: [3], shape: [3])) {
      try t.scalar(at: [3])
    }
    #expect(throws: TensorError.self) { try t.scalar(at: [0, 0]) }
    #expect(
      TensorError.indexOutOfRange(operation: "scalar(at:)", index: [3], shape: [3]).description
        == "index [3] is out of range in 'scalar(at:)' for shape [3]")
  }

  // MARK: - Value semantics

  @Test func writesCopyOnlyTheWrittenValue() throws {
    let a = try Tensor<Double>([[1, 2], [3, 4]])
    var b = a
    try b.setScalar(9, at: [0, 1])
    #expect(a.scalars == [1, 2, 3, 4])
    #expect(b.scalars == [1, 9, 3, 4])
    var view = a.transposed()
    try view.setScalar(7, at: [0, 1])  // writes through a copy, never into `a`
    #expect(view.scalars == [1, 7, 2, 4])
    #expect(a.scalars == [1, 2, 3, 4])
  }

  @Test func uniqueStorageIsWrittenInPlace() throws {
    var a = try Tensor<Double>.zeros([4])
    let before = a.storage.base  // a pointer, so the test holds no second reference
    try a.setScalar(1, at: [2])
    #expect(a.storage.base == before)
  }

  // MARK: - Views

  @Test func reshapeInfersOneSizeAndSharesStorage() throws {
    let a = try Tensor<Double>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    let b = try a.reshaped([3, -1])
    #expect(b.shape == [3, 2])
    #expect(b.storage === a.storage)
    #expect(throws: TensorError.shapeMismatch(operation: "reshape", lhs: [2, 3], rhs: [4, 2])) {
      try a.reshaped([4, 2])
    }
    #expect(throws: TensorError.self) { try a.reshaped([-1, -1]) }
  }

  @Test func transposeAndPermuteAreViews() throws {
    let a = try Tensor<Double>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    let t = a.transposed()
    #expect(t.shape == [3, 2] && t.storage === a.storage && !t.isContiguous)
    #expect(t.scalars == [1, 4, 2, 5, 3, 6])
    let c = try Tensor<Double>(shape: [2, 3, 4], scalars: (0..<24).map(Double.init))
    let p = try c.permuted([2, 0, 1])
    #expect(p.shape == [4, 2, 3])
    #expect(try p.scalar(at: [3, 1, 2]) == c.scalar(at: [1, 2, 3]))
    #expect(throws: TensorError.self) { try c.permuted([0, 0, 1]) }
  }

  @Test func selectAndSliceFollowPythonRules() throws {
    let a = try Tensor<Double>(shape: [3, 4], scalars: (0..<12).map(Double.init))
    #expect(try a[1].scalars == [4, 5, 6, 7])
    #expect(try a[-1].scalars == [8, 9, 10, 11])
    #expect(try a.selecting(2, along: 1).scalars == [2, 6, 10])
    #expect(try a.slicing(along: 1, from: 1, to: 3).scalars == [1, 2, 5, 6, 9, 10])
    #expect(try a.slicing(along: 1, from: -2).scalars == [2, 3, 6, 7, 10, 11])
    #expect(try a.slicing(along: 0, by: 2).scalars == [0, 1, 2, 3, 8, 9, 10, 11])
    #expect(try a.slicing(along: 1, from: 3, to: 1).shape == [3, 0])
    #expect(throws: TensorError.self) { try a[3] }
    #expect(throws: TensorError.invalidAxis(operation: "slice", axis: 2, rank: 2)) {
      try a.slicing(along: 2)
    }
  }

  @Test func broadcastRepeatsWithoutCopying() throws {
    let row = Tensor<Double>([1, 2, 3])
    let b = try row.broadcast(to: [2, 3])
    #expect(b.strides == [0, 1] && b.storage === row.storage)
    #expect(b.scalars == [1, 2, 3, 1, 2, 3])
    #expect(throws: TensorError.self) { try row.broadcast(to: [2, 4]) }
    #expect(try row.expandingShape(at: 1).shape == [3, 1])
    #expect(try row.expandingShape(at: -1).shape == [3, 1])
  }

  @Test func concatenateAndStack() throws {
    let a = try Tensor<Double>([[1, 2], [3, 4]])
    let b = try Tensor<Double>([[5, 6]])
    #expect(try Tensor.concatenating([a, b]).scalars == [1, 2, 3, 4, 5, 6])
    let c = try Tensor.concatenating([a, a.transposed()], along: 1)
    #expect(c.shape == [2, 4] && c.scalars == [1, 2, 1, 3, 3, 4, 2, 4])
    let s = try Tensor.stacking([Tensor<Double>([1, 2]), Tensor<Double>([3, 4])], along: 1)
    #expect(s.shape == [2, 2] && s.scalars == [1, 3, 2, 4])
    #expect(throws: TensorError.self) { try Tensor.concatenating([a, b], along: 1) }
    #expect(throws: TensorError.self) { try Tensor<Double>.concatenating([]) }
  }
}
