// The memory budget: sizes from TAU_MEMORY_LIMIT, and new tensors too large for it refused
// before anything is allocated (each case here would need far more memory than any test has).
import Foundation
import Testing

@testable import TauTensor

/// Runs `body` with a budget of 1 GiB for this test only.
private func withOneGiB<R>(_ body: () throws -> R) rethrows -> R {
  try MemoryBudget.$scopedLimit.withValue(1 << 30, operation: body)
}

/// The bytes a refused request asked for (nil: more than Int.max), or a recorded issue.
private func refusedBytes(
  _ body: () throws -> Any, sourceLocation: SourceLocation = #_sourceLocation
) -> Int?? {
  do {
    _ = try withOneGiB(body)
    Issue.record("expected the memory budget to refuse this", sourceLocation: sourceLocation)
  } catch TensorError.outOfMemory(_, _, _, let bytes, let budget) {
    #expect(budget == 1 << 30, sourceLocation: sourceLocation)
    return .some(bytes)
  } catch {
    Issue.record("expected outOfMemory, got \(error)", sourceLocation: sourceLocation)
  }
  return .none
}

@Suite struct MemoryBudgetTests {
  @Test func parsesSizesWithBinarySuffixes() {
    #expect(MemoryBudget.parse("123456") == 123_456)
    #expect(MemoryBudget.parse("512M") == 512 << 20)
    #expect(MemoryBudget.parse("8G") == 8 << 30)
    #expect(MemoryBudget.parse(" 8gb ") == 8 << 30)
    #expect(MemoryBudget.parse("1.5GiB") == 3 << 29)
    #expect(MemoryBudget.parse("2T") == 2 << 40)
    #expect(MemoryBudget.parse("64k") == 64 << 10)
    for bad in ["", "0", "-1G", "lots", "8X", "1e30", "nan", "G"] {
      #expect(MemoryBudget.parse(bad) == nil, "\(bad)")
    }
  }

  @Test func theEnvironmentOverridesHalfOfPhysicalMemory() {
    let set = MemoryBudget.Setting(environment: "2G", physicalMemory: 16 << 30)
    #expect(set.bytes == 2 << 30 && set.invalidValue == nil)
    let unset = MemoryBudget.Setting(environment: nil, physicalMemory: 16 << 30)
    #expect(unset.bytes == 8 << 30 && unset.invalidValue == nil)
    let invalid = MemoryBudget.Setting(environment: "lots", physicalMemory: 16 << 30)
    #expect(invalid.bytes == 8 << 30 && invalid.invalidValue == "lots")
  }

  @Test func tooLargeTensorsAreRefusedWithTheirSize() throws {
    let column = try Tensor<Double>.zeros([100_000, 1])
    let row = try Tensor<Double>.zeros([1, 100_000])
    #expect(refusedBytes { try column.matmul(row) } == 80_000_000_000)
    #expect(refusedBytes { try column + row } == 80_000_000_000)
    #expect(refusedBytes { try Tensor<Float>.zeros([100_000, 100_000]) } == 40_000_000_000)
    var stream = RandomStream(seed: 1)
    #expect(refusedBytes { try Tensor<Double>.uniform([100_000, 100_000], using: &stream) } != nil)
    #expect(refusedBytes { try Tensor<Double>.normal([100_000, 100_000], using: &stream) } != nil)
    // A broadcast view is refused too: `contiguous()` would materialise it unchecked.
    #expect(refusedBytes { try Tensor<Double>(1).broadcast(to: [100_000, 100_000]) } != nil)
    // Views of one element that fit the budget, joined into a tensor that does not.
    let wide = try Tensor<Double>(1).broadcast(to: [100_000_000])
    #expect(refusedBytes { try Tensor<Double>.concatenating([wide, wide]) } == 1_600_000_000)
  }

  @Test func shapeProductsThatOverflowAreRefusedNotTrapped() {
    #expect(refusedBytes { try Tensor<Double>.zeros([Int.max, 2]) } == .some(nil))
    #expect(refusedBytes { try Tensor<Double>.zeros([1 << 40, 1 << 40]) } == .some(nil))
    // Fits Int as a count, not as bytes.
    #expect(refusedBytes { try Tensor<Double>.zeros([Int.max / 4]) } == .some(nil))
    #expect(throws: TensorError.self) { try Tensor<Double>.zeros([-1, 3]) }
  }

  @Test func theMessageSaysWhatWasAskedTheBudgetAndTheVariable() {
    let error = TensorError.outOfMemory(
      operation: "zeros", shape: [100_000, 100_000], dtype: "f64", bytes: 80_000_000_000,
      budget: 1 << 30)
    #expect(
      error.description
        == "'zeros' of a [100000×100000] f64 tensor needs 74.5 GiB (80000000000 bytes), more "
        + "than the memory budget of 1.0 GiB (1073741824 bytes); set TAU_MEMORY_LIMIT to change "
        + "it, e.g. TAU_MEMORY_LIMIT=32G")
  }

  @Test func tensorsWithinTheBudgetAreMade() throws {
    let ones = try withOneGiB { try Tensor<Double>.ones([1000, 1000]) }
    #expect(ones.count == 1_000_000)
  }
}
