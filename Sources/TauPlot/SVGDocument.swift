// The text of an SVG document being built: one element per line, numbers written the same way
// every time (two decimals at most), and text escaped for XML.
import Foundation

struct SVGDocument {
  private var lines: [String] = []

  mutating func add(_ element: String) { lines.append(element) }

  var text: String { lines.joined(separator: "\n") + "\n" }

  /// A coordinate with at most two decimals and no trailing zeros: 12, 12.5, 12.25.
  static func number(_ x: Double) -> String {
    guard x.isFinite else { return "0" }
    var text = String(format: "%.2f", x)
    while text.hasSuffix("0") { text.removeLast() }
    if text.hasSuffix(".") { text.removeLast() }
    return text == "-0" ? "0" : text
  }

  /// `text` safe inside an XML element or attribute: markup characters escaped, and control
  /// characters XML 1.0 forbids replaced by U+FFFD.
  static func escaped(_ text: String) -> String {
    var result = ""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": result += "&amp;"
      case "<": result += "&lt;"
      case ">": result += "&gt;"
      case "\"": result += "&quot;"
      case "'": result += "&apos;"
      case "\t", "\n", "\r": result += " "
      default:
        if scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value) {
          result += "\u{FFFD}"
        } else {
          result.unicodeScalars.append(scalar)
        }
      }
    }
    return result
  }
}
