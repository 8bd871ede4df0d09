// A source text with its name and line table; positions elsewhere are UTF-8 offsets into it.

/// One unit of Tau source: a file, a REPL entry or a string given to the interpreter.
public final class SourceFile: Sendable {
  /// The name shown in diagnostics: a path, or `<repl>`.
  public let name: String
  public let text: String
  let utf8: [UInt8]
  /// UTF-8 offset at which each line starts; `lineStarts[0] == 0`.
  let lineStarts: [Int]

  public init(name: String, text: String) {
    self.name = name
    self.text = text
    utf8 = Array(text.utf8)
    var starts = [0]
    for (offset, byte) in utf8.enumerated() where byte == UInt8(ascii: "\n") {
      starts.append(offset + 1)
    }
    lineStarts = starts
  }

  /// 1-based line and column (columns count Unicode scalars). O(log lines + line length).
  public func lineAndColumn(of offset: Int) -> (line: Int, column: Int) {
    let offset = Swift.min(Swift.max(offset, 0), utf8.count)
    var low = 0
    var high = lineStarts.count - 1
    while low < high {
      let mid = (low + high + 1) / 2
      if lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
    }
    let prefix = utf8[lineStarts[low]..<offset]
    return (low + 1, String(decoding: prefix, as: UTF8.self).unicodeScalars.count + 1)
  }

  /// The text of 1-based line `line`, without its newline.
  public func lineText(_ line: Int) -> String {
    guard line >= 1, line <= lineStarts.count else { return "" }
    let start = lineStarts[line - 1]
    var end = line < lineStarts.count ? lineStarts[line] : utf8.count
    if end > start, utf8[end - 1] == UInt8(ascii: "\n") { end -= 1 }
    if end > start, utf8[end - 1] == UInt8(ascii: "\r") { end -= 1 }
    return String(decoding: utf8[start..<end], as: UTF8.self)
  }

  /// The source text covered by `range`.
  public func text(of range: SourceRange) -> String {
    let start = Swift.min(Swift.max(range.start, 0), utf8.count)
    let end = Swift.min(Swift.max(range.end, start), utf8.count)
    return String(decoding: utf8[start..<end], as: UTF8.self)
  }
}

/// A half-open span of UTF-8 offsets in one source file.
public struct SourceRange: Hashable, Sendable {
  public var file: SourceFile
  public var start: Int
  public var end: Int

  public init(file: SourceFile, start: Int, end: Int) {
    self.file = file
    self.start = start
    self.end = end
  }

  /// The smallest range covering both.
  public func to(_ other: SourceRange) -> SourceRange {
    SourceRange(file: file, start: Swift.min(start, other.start), end: Swift.max(end, other.end))
  }

  public static func == (a: SourceRange, b: SourceRange) -> Bool {
    a.file === b.file && a.start == b.start && a.end == b.end
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(ObjectIdentifier(file))
    hasher.combine(start)
    hasher.combine(end)
  }
}
