// The golden runner: every `.tau` file under examples/ and Tests/Golden/ runs through the real
// `tau run --quiet FILE` (from the package root; arguments from NAME.args after `--`), and what it
// prints is compared with what the case says it prints. A case says it in one of two ways:
//
//   Inline, in the case itself (small cases; clox's and Wren's test suites work this way):
//     print(add(2, 3))        # expect: 5
//     # error: 3:6 check.duplicate
//   `# expect: TEXT` lines give standard output, one line each, in the order of the file (no
//   `# expect:` line: nothing is printed). `# error: LINE:COL id` (and `# warning: LINE:COL id`)
//   lines give the diagnostics, anywhere in the file, compared as a set with what
//   `tau run --json` reports; the exit status is 1 when an error is expected, else 0.
//
//   In files beside it (long or numeric output, and the layout of rendered diagnostics):
//     NAME.out  all of standard output, exactly (instead of `# expect:` lines)
//     NAME.err  all of standard error as rendered for people (instead of `# error:` lines);
//               the exit status is 1 when it counts errors, else 0
//   With no .err and no `# error:` line, standard error must be empty.
//
// A case that states nothing (no inline expectation, no .out, no .err) fails, as does one that
// states the same stream twice. `TAU_RECORD=1 swift test` rewrites NAME.out and NAME.err of the
// cases without inline expectations (and marks each recorded case as an issue, so a recording
// run never passes); inline expectations are edited in the case. Tests/Golden/README.md says
// when to use which.
import Foundation
import TauTestSupport
import Testing

/// The folders searched, and how many cases each folder (and subfolder) holds. A case added or
/// removed is counted here, so a case that stops being found, or a folder that vanishes, fails.
private let searchedFolders = ["examples", "Tests/Golden"]
private let expectedCaseCounts = [
  "examples": 6,
  "examples/paper": 4,
  "examples/plugins": 4,
  "Tests/Golden/errors": 122,
  "Tests/Golden/language": 35,
  "Tests/Golden/regressions": 3,
]

/// Every `.tau` file under the searched folders, relative to the root, sorted.
private func goldenCases() -> [String] {
  var cases: [String] = []
  for folder in searchedFolders {
    let base = packageRoot.appendingPathComponent(folder)
    guard let walker = FileManager.default.enumerator(atPath: base.path) else { continue }
    for case let path as String in walker where path.hasSuffix(".tau") {
      cases.append(folder + "/" + path)
    }
  }
  return cases.sorted()
}

private let recording = ProcessInfo.processInfo.environment["TAU_RECORD"] != nil

@Suite struct GoldenTests {
  @Test(arguments: goldenCases())
  func golden(_ path: String) throws {
    let golden = try GoldenCase(path: path)
    for problem in golden.malformed { Issue.record(Comment(rawValue: problem)) }
    if recording && !golden.hasInlineExpectations {
      try record(golden)
      return
    }
    if !golden.expectedLines.isEmpty && golden.outFile != nil {
      Issue.record("\(path) has `# expect:` lines and a .out file: keep one")
    }
    if !golden.expectedDiagnostics.isEmpty && golden.errFile != nil {
      Issue.record("\(path) has `# error:` lines and a .err file: keep one")
    }
    guard golden.hasInlineExpectations || golden.outFile != nil || golden.errFile != nil else {
      Issue.record(
        "\(path) states no expectation: add `# expect:` or `# error:` lines, or a .out file")
      return
    }
    // Diagnostics as JSON unless the case pins their rendering.
    let run = try runCase(golden, json: golden.errFile == nil)
    checkOutput(golden, run.stdout)
    let expectsError: Bool
    if let errFile = golden.errFile {
      checkFile(golden, "err", errFile, got: run.stderr, stream: "standard error")
      expectsError = errFile.split(separator: "\n").contains(where: isErrorCount)
    } else {
      checkDiagnostics(golden, run.stderr)
      expectsError = golden.expectedDiagnostics.contains { $0.diagnostic.severity == "error" }
    }
    #expect(run.status == (expectsError ? 1 : 0), "exit status of \(path)\n\(run.stderr)")
  }

  /// The number of cases found is the number recorded, folder by folder.
  @Test func everyCaseIsFoundAndCounted() {
    var found: [String: Int] = [:]
    for path in goldenCases() {
      found[String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)]), default: 0] += 1
    }
    let folders = Set(found.keys).union(expectedCaseCounts.keys).sorted()
    let differences = folders.filter { found[$0] != expectedCaseCounts[$0] }.map {
      "\($0): found \(found[$0] ?? 0), recorded \(expectedCaseCounts[$0] ?? 0)"
    }
    #expect(
      differences.isEmpty,
      """
      golden cases found and recorded differ (\(differences.joined(separator: "; "))); after \
      adding or removing a case, update expectedCaseCounts in GoldenTests.swift
      """)
  }

  /// Every .out, .err and .args file belongs to a case (a renamed case leaves none behind).
  @Test func everyExpectationFileHasItsCase() {
    let cases = Set(goldenCases().map { $0.dropLast(".tau".count) })
    for folder in searchedFolders {
      let base = packageRoot.appendingPathComponent(folder)
      guard let walker = FileManager.default.enumerator(atPath: base.path) else { continue }
      for case let path as String in walker
      where [".out", ".err", ".args"].contains(where: path.hasSuffix) {
        let stem = (folder + "/" + path).split(separator: ".").dropLast().joined(separator: ".")
        if !cases.contains(Substring(stem)) { Issue.record("\(folder)/\(path) has no .tau case") }
      }
    }
  }
}

/// `tau run --quiet CASE [--json] [-- ARGS]`. Without `--quiet`, a training that takes more
/// than 10 s on a loaded machine writes a progress line to standard error.
private func runCase(_ golden: GoldenCase, json: Bool) throws -> TauRun {
  try runTau(
    ["run", "--quiet", golden.path] + (json ? ["--json"] : [])
      + (golden.scriptArguments.isEmpty ? [] : ["--"] + golden.scriptArguments))
}

/// Standard output against the .out file, or against the `# expect:` lines, naming the first
/// line that differs (and where the case expects it).
private func checkOutput(_ golden: GoldenCase, _ stdout: String) {
  if let outFile = golden.outFile {
    checkFile(golden, "out", outFile, got: stdout, stream: "standard output")
    return
  }
  let expected = golden.expectedLines.map(\.text)
  guard stdout != expected.map({ $0 + "\n" }).joined() else { return }
  let got = lines(stdout)
  let index = firstDifference(got, expected)
  let place =
    index < golden.expectedLines.count
    ? "\(golden.path):\(golden.expectedLines[index].line)"
    : "\(golden.path) (after its last `# expect:` line)"
  Issue.record(
    """
    \(place): output line \(index + 1): expected \(describe(expected, index)), got \
    \(describe(got, index))
    --- got:
    \(stdout)
    """)
}

/// A stream against the whole file NAME.EXTENSION, naming the first line that differs.
private func checkFile(
  _ golden: GoldenCase, _ fileExtension: String, _ expected: String, got: String, stream: String
) {
  guard got != expected else { return }
  let index = firstDifference(lines(got), lines(expected))
  Issue.record(
    """
    \(golden.path): \(stream) differs from \(golden.base.lastPathComponent).\(fileExtension) at \
    line \(index + 1): expected \(describe(lines(expected), index)), got \
    \(describe(lines(got), index))
    --- got:
    \(got)
    """)
}

/// The diagnostics of a `--json` run against the `# error:` and `# warning:` lines.
private func checkDiagnostics(_ golden: GoldenCase, _ stderr: String) {
  guard let reported = reportedDiagnostics(stderr) else {
    Issue.record("\(golden.path): standard error is not JSON diagnostics:\n\(stderr)")
    return
  }
  var unmatched = reported
  for (expected, line) in golden.expectedDiagnostics.sorted(by: { $0.diagnostic < $1.diagnostic }) {
    if let match = unmatched.firstIndex(where: {
      $0.file == golden.path && $0.expected == expected
    }) {
      unmatched.remove(at: match)
    } else {
      let near = reported.filter { $0.file == golden.path && $0.expected.line == expected.line }
        .map { "\($0.expected)" }
      Issue.record(
        """
        \(golden.path):\(line): expected \(expected), not reported\
        \(near.isEmpty ? "" : " (on that line: \(near.joined(separator: ", ")))")
        """)
    }
  }
  for extra in unmatched {
    Issue.record(
      """
      \(extra.file):\(extra.expected.line):\(extra.expected.column): unexpected \
      \(extra.expected.severity) \(extra.expected.id): \(extra.message)
      """)
  }
}

/// Rewrites the .out and .err of a case without inline expectations from a plain run.
private func record(_ golden: GoldenCase) throws {
  let run = try runCase(golden, json: false)
  let (outURL, errURL) = (
    golden.base.appendingPathExtension("out"), golden.base.appendingPathExtension("err")
  )
  try run.stdout.write(to: outURL, atomically: true, encoding: .utf8)
  if run.stderr.isEmpty {
    try? FileManager.default.removeItem(at: errURL)
  } else {
    try run.stderr.write(to: errURL, atomically: true, encoding: .utf8)
  }
  Issue.record("recorded \(golden.path); run again without TAU_RECORD")
}

/// Whether a line of rendered diagnostics is their closing count, `1 error` or `N errors`.
private func isErrorCount(_ line: Substring) -> Bool {
  let words = line.split(separator: " ")
  return words.count == 2 && Int(words[0]) != nil && ["error", "errors"].contains(words[1])
}

/// The lines of a stream that ends each line with a newline (a last line without one counts).
private func lines(_ text: String) -> [String] {
  var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
  if lines.last == "" { lines.removeLast() }
  return lines
}

/// The index of the first line that differs (the shorter count when one is a prefix).
private func firstDifference(_ a: [String], _ b: [String]) -> Int {
  (0..<Swift.min(a.count, b.count)).first { a[$0] != b[$0] } ?? Swift.min(a.count, b.count)
}

private func describe(_ lines: [String], _ index: Int) -> String {
  index < lines.count ? "'\(lines[index])'" : "nothing more"
}
