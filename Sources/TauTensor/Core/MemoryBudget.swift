// The memory budget: a buffer larger than this is refused before it is allocated, so a mistyped
// size (`zeros([100000, 100000])`) ends in an error that names the size instead of the kernel's
// OOM killer or a trap in malloc.
import Foundation

/// How many bytes one buffer may take: `TAU_MEMORY_LIMIT` if it is set to a size, else half of
/// physical memory. Half, not more: growing a value by doubling (`l = l + l`) holds the old
/// value and the new one at once, 1.5 times the new one's size, and that must still fit.
/// Read once, when the first buffer is checked.
public enum MemoryBudget {
  /// The environment variable that overrides the default.
  public static let environmentVariable = "TAU_MEMORY_LIMIT"

  /// The budget this process started with, and where it came from.
  public static let configured = Setting(
    environment: ProcessInfo.processInfo.environment[environmentVariable],
    physicalMemory: ProcessInfo.processInfo.physicalMemory)

  /// A budget for the current task only, in place of `configured` (for tests and for hosts that
  /// embed Tau); task-local, so it never leaks into work that runs at the same time.
  @TaskLocal public static var scopedLimit: Int?

  /// The budget in bytes that applies here.
  public static var limit: Int { scopedLimit ?? configured.bytes }

  /// Throws unless a buffer of `bytes` fits the budget; `nil` stands for a size that overflows
  /// `Int`. `shape` and `dtype` only describe the request in the message.
  public static func check(bytes: Int?, operation: String, shape: [Int], dtype: String) throws {
    let budget = limit
    guard let bytes, bytes <= budget else {
      throw TensorError.outOfMemory(
        operation: operation, shape: shape, dtype: dtype, bytes: bytes, budget: budget)
    }
  }

  /// The budget as read from the environment.
  public struct Setting: Sendable {
    public let bytes: Int
    /// A `TAU_MEMORY_LIMIT` that is not a size (the default applies instead).
    public let invalidValue: String?

    init(environment: String?, physicalMemory: UInt64) {
      let fallback = Int(clamping: physicalMemory / 2)
      if let environment, let bytes = MemoryBudget.parse(environment) {
        (self.bytes, invalidValue) = (bytes, nil)
      } else {
        (bytes, invalidValue) = (fallback, environment)
      }
    }
  }

  /// Bytes from `123456`, `512M`, `8G`, `1.5GiB`, `2T` (binary multiples; case-insensitive);
  /// nil for anything else, including zero and negative sizes.
  public static func parse(_ text: String) -> Int? {
    var digits = text.trimmingCharacters(in: .whitespaces).uppercased()
    for unit in ["IB", "B"] where digits.hasSuffix(unit) { digits.removeLast(unit.count) }
    let multipliers: [Character: Double] = ["K": 0x1p10, "M": 0x1p20, "G": 0x1p30, "T": 0x1p40]
    var multiplier = 1.0
    if let last = digits.last, let factor = multipliers[last] {
      multiplier = factor
      digits.removeLast()
    }
    guard let number = Double(digits), number.isFinite, number > 0 else { return nil }
    let bytes = (number * multiplier).rounded(.down)
    guard bytes >= 1, bytes < 0x1p62 else { return nil }
    return Int(bytes)
  }

  /// `17.6 GiB`, `512 MiB`, `100 bytes`: a size for messages.
  public static func format(_ bytes: Int) -> String {
    let units: [(String, Double)] = [
      ("TiB", 0x1p40), ("GiB", 0x1p30), ("MiB", 0x1p20), ("KiB", 0x1p10),
    ]
    for (name, size) in units where Double(bytes) >= size {
      let value = Double(bytes) / size
      let text = value >= 100 ? String(format: "%.0f", value) : String(format: "%.1f", value)
      return "\(text) \(name)"
    }
    return "\(bytes) bytes"
  }

  /// The sentence that says a request of `bytes` (nil: more than `Int.max`) does not fit.
  public static func refusal(_ what: String, bytes: Int?, budget: Int) -> String {
    let asked =
      bytes.map { "\(format($0)) (\($0) bytes)" } ?? "more than \(Int.max) bytes"
    return
      "\(what) needs \(asked), more than the memory budget of \(format(budget)) (\(budget) bytes); "
      + "set \(environmentVariable) to change it, e.g. \(environmentVariable)=32G"
  }
}
