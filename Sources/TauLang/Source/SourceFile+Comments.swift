// Doc comments: the `#` lines directly above a declaration or function are its documentation,
// which `:help` shows. No special syntax, so the standard library's comments already count.

extension SourceFile {
  /// The comment lines directly above the line that holds `offset` (stopping at a blank or code
  /// line), with their `#` and one following space removed; nil if there are none.
  public func commentBlock(above offset: Int) -> String? {
    var line = lineAndColumn(of: offset).line - 1
    var lines: [String] = []
    while line >= 1 {
      let text = lineText(line).drop { $0 == " " || $0 == "\t" }
      guard text.hasPrefix("#") else { break }
      let body = text.dropFirst()
      lines.append(String(body.hasPrefix(" ") ? body.dropFirst() : body))
      line -= 1
    }
    return lines.isEmpty ? nil : lines.reversed().joined(separator: "\n")
  }
}

extension Declaration {
  /// The doc comment above `gate name …`, `cell name …` or `optimizer name …`.
  public var documentation: String? { range.file.commentBlock(above: range.start) }
}

extension FunctionLiteral {
  /// The doc comment above the line where the body opens (`fn name(a, b) {`).
  public var documentation: String? { body.range.file.commentBlock(above: body.range.start) }
}
