// Writes a tidy table as CSV (RFC 4180 quoting, a header row, LF line ends) or as JSON (an array
// of row objects with the columns in order). Numbers are written with the fewest digits that
// read back to the same value; NaN and infinities are NaN/Inf/-Inf in CSV and null in JSON.

/// The text formats a tidy table is written in.
public enum TableWriters {
  /// The table as CSV text: a header row, then one line per row.
  public static func csv(_ table: TidyTable) -> String {
    var text = table.columns.map(csvField).joined(separator: ",") + "\n"
    for row in table.rows {
      text += row.map(csvCell).joined(separator: ",") + "\n"
    }
    return text
  }

  /// The table as a JSON array of objects, one per row, one line per row.
  public static func json(_ table: TidyTable) -> String {
    guard !table.rows.isEmpty else { return "[]\n" }
    let keys = table.columns.map { jsonString($0) + ": " }
    let rows = table.rows.map { row in
      "  {" + zip(keys, row).map { $0 + jsonCell($1) }.joined(separator: ", ") + "}"
    }
    return "[\n" + rows.joined(separator: ",\n") + "\n]\n"
  }

  // MARK: - Cells

  private static func csvCell(_ cell: TableCell) -> String {
    switch cell {
    case .empty: return ""
    case .text(let s): return csvField(s)
    case .bool(let b): return b ? "true" : "false"
    case .number(let x): return x.isFinite ? number(x) : nonFinite(x)
    case .single(let x): return x.isFinite ? number(x) : nonFinite(Double(x))
    }
  }

  /// A field quoted when it holds a comma, a quote, a line break or edge spaces; quotes doubled.
  private static func csvField(_ s: String) -> String {
    let needsQuotes =
      s.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
      || s.first == " " || s.last == " "
    guard needsQuotes else { return s }
    return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }

  private static func nonFinite(_ x: Double) -> String {
    x.isNaN ? "NaN" : x < 0 ? "-Inf" : "Inf"
  }

  private static func jsonCell(_ cell: TableCell) -> String {
    switch cell {
    case .empty: return "null"
    case .text(let s): return jsonString(s)
    case .bool(let b): return b ? "true" : "false"
    case .number(let x): return x.isFinite ? number(x) : "null"
    case .single(let x): return x.isFinite ? number(x) : "null"
    }
  }

  /// A JSON string literal (RFC 8259): quotes, backslashes and control characters escaped.
  private static func jsonString(_ s: String) -> String {
    var text = "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": text += "\\\""
      case "\\": text += "\\\\"
      case "\n": text += "\\n"
      case "\r": text += "\\r"
      case "\t": text += "\\t"
      default:
        if scalar.value < 0x20 {
          let hex = String(scalar.value, radix: 16)
          text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        } else {
          text.unicodeScalars.append(scalar)
        }
      }
    }
    return text + "\""
  }

  /// Whole numbers without a decimal point (3, not 3.0); others with the shortest digits that
  /// read back to the same value (Swift's description: 0.1, 1e-05, 1.5e+20).
  static func number<F: BinaryFloatingPoint & LosslessStringConvertible>(_ x: F) -> String {
    if x == x.rounded(), Swift.abs(x) < 1e15 { return String(Int64(x)) }
    return x.description
  }
}
