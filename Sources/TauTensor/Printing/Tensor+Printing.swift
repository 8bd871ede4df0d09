// Text form of a tensor: a `Tensor<f64>[12×80×64]` header and a body that shows every element of
// a small tensor, or the first and last few along each axis of a large one plus min/max/mean.
import Foundation

/// Options for printing tensors.
public struct TensorPrintOptions: Sendable {
  /// Tensors with more elements than this are summarised.
  public var summaryThreshold = 1000
  /// Elements shown at each end of a summarised axis.
  public var edgeItems = 3
  /// Digits after the decimal point (or in the mantissa, for scientific notation).
  public var precision = 4

  public init() {}
}

extension Tensor: CustomStringConvertible {
  /// `Tensor<f64>[2×3]`.
  public var header: String { "Tensor<\(Scalar.dtypeName)>\(formatShape(shape))" }

  public var description: String { formatted(TensorPrintOptions()) }

  /// The header, the (possibly summarised) body and, for summarised tensors, min/max/mean.
  public func formatted(_ options: TensorPrintOptions) -> String {
    let source = contiguous()
    let summarise = count > options.summaryThreshold
    let shown = (0..<rank).map { axis in
      shownIndices(size: shape[axis], edgeItems: summarise ? Swift.max(options.edgeItems, 1) : nil)
    }
    // One format for all shown elements so that columns align.
    var values: [Scalar] = []
    source.visit(shown, axis: 0, offset: source.offset) { values.append(source.storage.base[$0]) }
    let style = NumberStyle(for: values, precision: Swift.min(Swift.max(options.precision, 0), 17))
    let width = values.map { style.format($0).count }.max() ?? 0
    var body = ""
    if rank == 0 {
      body = style.format(values.first ?? 0)
      return header + " " + body
    }
    source.render(
      shown, axis: 0, offset: source.offset, indent: 1, style: style, width: width, into: &body)
    var text = header + "\n" + body
    if summarise, count > 0, let summary = source.finiteSummary() {
      text +=
        "\nmin " + shortNumber(summary.low) + "  max " + shortNumber(summary.high)
        + "  mean " + shortNumber(summary.mean)
      if summary.finite < count { text += "  (\(count - summary.finite) not finite)" }
    }
    return text
  }

  /// Min, max and mean of the finite elements in one pass over the storage (no copy: a tensor
  /// near the memory budget must still print); nil if none is finite.
  private func finiteSummary() -> (low: Double, high: Double, mean: Double, finite: Int)? {
    withUnsafeBufferPointer { buffer in
      var (low, high, sum, finite) = (Double.infinity, -Double.infinity, 0.0, 0)
      for x in buffer where x.isFinite {
        let value = Double(x)
        low = Swift.min(low, value)
        high = Swift.max(high, value)
        sum += value
        finite += 1
      }
      return finite == 0 ? nil : (low, high, sum / Double(finite), finite)
    }
  }

  /// Visits the storage offsets of the shown elements in print order.
  private func visit(_ shown: [[Int?]], axis: Int, offset: Int, _ body: (Int) -> Void) {
    if axis == rank { return body(offset) }
    for case let index? in shown[axis] {
      visit(shown, axis: axis + 1, offset: offset + index * strides[axis], body)
    }
  }

  private func render(
    _ shown: [[Int?]], axis: Int, offset: Int, indent: Int, style: NumberStyle, width: Int,
    into text: inout String
  ) {
    text += "["
    let separator = axis == rank - 1 ? ", " : "," + String(repeating: "\n", count: rank - axis - 1)
    for (position, index) in shown[axis].enumerated() {
      if position > 0 {
        text += separator
        if axis < rank - 1 { text += String(repeating: " ", count: indent) }
      }
      guard let index else {
        text += "…"
        continue
      }
      let elementOffset = offset + index * strides[axis]
      if axis == rank - 1 {
        let number = style.format(storage.base[elementOffset])
        text += String(repeating: " ", count: width - number.count) + number
      } else {
        render(
          shown, axis: axis + 1, offset: elementOffset, indent: indent + 1, style: style,
          width: width, into: &text)
      }
    }
    text += "]"
  }
}

/// The indices printed along an axis of `size`; nil marks the elision `…`.
private func shownIndices(size: Int, edgeItems: Int?) -> [Int?] {
  guard let edge = edgeItems, size > 2 * edge else { return Array(0..<size) }
  return Array(0..<edge) + [nil] + Array((size - edge)..<size)
}

/// Integers without decimals, moderate magnitudes in fixed point, the rest in scientific notation.
private struct NumberStyle {
  enum Kind { case integer, fixed, scientific }
  let kind: Kind
  let precision: Int

  init<S: TensorScalar>(for values: [S], precision: Int) {
    self.precision = precision
    let finite = values.filter(\.isFinite).map { Swift.abs(Double($0)) }
    let largest = finite.max() ?? 0
    let smallest = finite.filter { $0 > 0 }.min() ?? 1
    if finite.allSatisfy({ $0 == $0.rounded() }) && largest < 1e9 {
      kind = .integer
    } else if largest < 1e5 && smallest >= 1e-4 {
      kind = .fixed
    } else {
      kind = .scientific
    }
  }

  func format<S: TensorScalar>(_ value: S) -> String {
    let x = Double(value)
    if x.isNaN { return "nan" }
    if x.isInfinite { return x < 0 ? "-inf" : "inf" }
    switch kind {
    case .integer: return String(Int(x))
    case .fixed: return String(format: "%.\(precision)f", x)
    case .scientific: return String(format: "%.\(precision)e", x)
    }
  }
}

/// A number in at most 6 significant digits, for summaries and messages.
public func shortNumber(_ x: Double) -> String { String(format: "%.6g", x) }
