// The language library never reaches the terminal: everything a program prints or reports goes
// through its InterpreterHost, so a notebook or server can embed it. This scan fails the suite
// when a file under Sources/TauLang writes to standard output or error again.
import Foundation
import Testing

@Suite struct LayeringTests {
  @Test func noLanguageSourceWritesToTheTerminal() throws {
    let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../../Sources/TauLang").standardizedFileURL
    let files = try #require(FileManager.default.enumerator(atPath: sources.path))
      .compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }
    #expect(files.count > 50)  // the scan sees the library
    let forbidden = [
      "FileHandle.standard", "print(", "fputs(", "isatty(", "STDOUT_FILENO", "STDERR_FILENO",
    ]
    for file in files {
      let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
      for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false)
        .enumerated()
      {
        let code =
          line.split(separator: "//", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        for token in forbidden where code.contains(token) {
          Issue.record("Sources/TauLang/\(file):\(number + 1) uses \(token): report to the host")
        }
      }
    }
  }
}
