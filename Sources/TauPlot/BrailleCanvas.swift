// A grid of Unicode braille characters used as a canvas of 2×4 dots per character, for line
// plots in a terminal.

/// Dots on a `columns × rows` character grid; dot (0, 0) is the top-left one.
struct BrailleCanvas {
  let columns: Int
  let rows: Int
  private var cells: [UInt8]

  /// The bit of each dot in a character (U+2800 + bits), by dot row then dot column.
  private static let bits: [[UInt8]] = [[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]]

  init(columns: Int, rows: Int) {
    self.columns = Swift.max(1, columns)
    self.rows = Swift.max(1, rows)
    cells = [UInt8](repeating: 0, count: self.columns * self.rows)
  }

  var dotWidth: Int { columns * 2 }
  var dotHeight: Int { rows * 4 }

  /// Sets one dot; dots outside the canvas are ignored.
  mutating func set(_ x: Int, _ y: Int) {
    guard x >= 0, y >= 0, x < dotWidth, y < dotHeight else { return }
    cells[(y / 4) * columns + x / 2] |= BrailleCanvas.bits[y % 4][x % 2]
  }

  /// Sets the dots of a straight line between two dots, both included (Bresenham).
  mutating func line(from start: (x: Int, y: Int), to end: (x: Int, y: Int)) {
    var x = start.x
    var y = start.y
    let dx = Swift.abs(end.x - x)
    let dy = -Swift.abs(end.y - y)
    let sx = x < end.x ? 1 : -1
    let sy = y < end.y ? 1 : -1
    var error = dx + dy
    // Each step moves x or y one dot nearer the end, so dx - dy + 1 steps reach it.
    for _ in 0...(dx - dy) {
      set(x, y)
      if x == end.x && y == end.y { break }
      let doubled = 2 * error
      if doubled >= dy {
        error += dy
        x += sx
      }
      if doubled <= dx {
        error += dx
        y += sy
      }
    }
  }

  /// The rows as text; empty characters are spaces.
  var lines: [String] {
    (0..<rows).map { row in
      String(
        String.UnicodeScalarView(
          cells[(row * columns)..<((row + 1) * columns)].map { bits in
            bits == 0 ? " " : Unicode.Scalar(0x2800 + UInt32(bits)) ?? " "
          }))
    }
  }
}
