// One golden case: a `.tau` file and what it says it does, inline (`# expect:` and `# error:`
// lines) or in the `.out`, `.err` and `.args` files beside it. The format is described in
// GoldenTests.swift and Tests/Golden/README.md.
import Foundation
import TauTestSupport

/// A diagnostic a case expects: `# error: LINE:COL id`, `# warning: LINE:COL id` or `# note: …`.
struct ExpectedDiagnostic: Hashable, Comparable, CustomStringConvertible {
  var severity: String
  var line: Int
  var column: Int
  var id: String

  var description: String { "\(severity) \(line):\(column) \(id)" }

  static func < (a: Self, b: Self) -> Bool {
    (a.line, a.column, a.severity, a.id) < (b.line, b.column, b.severity, b.id)
  }
}

struct GoldenCase {
  /// The case's path relative to the package root, as `tau` reports it in diagnostics.
  let path: String
  /// `# expect:` lines in order: their text, and the line of the case they are on.
  var expectedLines: [(text: String, line: Int)] = []
  /// `# error:`, `# warning:` and `# note:` lines, each with the line of the case it is on.
  var expectedDiagnostics: [(diagnostic: ExpectedDiagnostic, line: Int)] = []
  /// Expectation lines that do not parse, as messages naming their line.
  var malformed: [String] = []
  /// The `.out` file (all of standard output), if there is one.
  var outFile: String?
  /// The `.err` file (all of standard error, rendered), if there is one.
  var errFile: String?
  /// The script's arguments from the `.args` file (passed after `--`).
  var scriptArguments: [String] = []

  var base: URL { packageRoot.appendingPathComponent(String(path.dropLast(".tau".count))) }
  var hasInlineExpectations: Bool { !expectedLines.isEmpty || !expectedDiagnostics.isEmpty }

  init(path: String) throws {
    self.path = path
    let source = try String(
      contentsOf: packageRoot.appendingPathComponent(path), encoding: .utf8)
    for (index, text) in source.split(separator: "\n", omittingEmptySubsequences: false)
      .enumerated()
    {
      parse(String(text), line: index + 1)
    }
    outFile = try? String(contentsOf: base.appendingPathExtension("out"), encoding: .utf8)
    errFile = try? String(contentsOf: base.appendingPathExtension("err"), encoding: .utf8)
    scriptArguments =
      (try? String(contentsOf: base.appendingPathExtension("args"), encoding: .utf8))?
      .split(whereSeparator: \.isWhitespace).map(String.init) ?? []
  }

  /// Reads the expectations on one line of the case. They may follow code (`print(1)  #
  /// expect: 1`); the marker is searched as text, so a string holding one would count too.
  private mutating func parse(_ text: String, line: Int) {
    if let marker = text.range(of: "# expect:") {
      var rest = text[marker.upperBound...]
      if rest.first == " " { rest = rest.dropFirst() }
      expectedLines.append((String(rest), line))
      return
    }
    for severity in ["error", "warning", "note"] {
      guard let marker = text.range(of: "# \(severity):") else { continue }
      let words = text[marker.upperBound...].split(separator: " ")
      let position = words.first?.split(separator: ":").compactMap { Int($0) } ?? []
      guard words.count == 2, position.count == 2 else {
        malformed.append(
          "\(path):\(line): cannot read '\(text)': write '# \(severity): LINE:COLUMN id'")
        return
      }
      expectedDiagnostics.append(
        (
          ExpectedDiagnostic(
            severity: severity, line: position[0], column: position[1], id: String(words[1])),
          line
        ))
      return
    }
  }
}

/// A diagnostic `tau run --json` reported.
struct ReportedDiagnostic {
  var file: String
  var expected: ExpectedDiagnostic
  var message: String
}

/// The diagnostics in `--json` standard error: one JSON array per report (warnings are reported
/// as they happen, errors at the end), one after the other. Nil if it holds anything else.
func reportedDiagnostics(_ stderr: String) -> [ReportedDiagnostic]? {
  var reported: [ReportedDiagnostic] = []
  for document in topLevelJSONDocuments(stderr) {
    guard
      let array = try? JSONSerialization.jsonObject(with: Data(document.utf8)) as? [[String: Any]]
    else { return nil }
    for object in array {
      guard let file = object["file"] as? String, let line = object["line"] as? Int,
        let column = object["column"] as? Int, let id = object["id"] as? String,
        let severity = object["severity"] as? String
      else { return nil }
      reported.append(
        ReportedDiagnostic(
          file: file,
          expected: ExpectedDiagnostic(severity: severity, line: line, column: column, id: id),
          message: object["message"] as? String ?? ""))
    }
  }
  return reported
}

/// Splits text into its top-level JSON values by bracket depth (outside strings). Whatever is
/// not inside brackets becomes a document of its own, so it fails to parse.
private func topLevelJSONDocuments(_ text: String) -> [String] {
  var documents: [String] = []
  var current = ""
  var depth = 0
  var inString = false
  var escaped = false
  for character in text {
    if depth == 0 && character.isWhitespace { continue }
    current.append(character)
    if inString {
      if escaped {
        escaped = false
      } else if character == "\\" {
        escaped = true
      } else if character == "\"" {
        inString = false
      }
      continue
    }
    switch character {
    case "\"": inString = true
    case "[", "{": depth += 1
    case "]", "}": depth -= 1
    default: break
    }
    if depth <= 0 {
      documents.append(current)
      current = ""
      depth = 0
    }
  }
  if !current.isEmpty { documents.append(current) }
  return documents
}
