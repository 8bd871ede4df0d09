// The history file: multi-line entries kept whole, duplicates dropped, a size limit, merging
// with what another session wrote, and files from elsewhere read without loss.
import Foundation
import Testing

@testable import TauREPL

@Suite struct HistoryFileTests {
  private func temporaryFile() -> String {
    FileManager.default.temporaryDirectory
      .appendingPathComponent("tau-history-\(UUID().uuidString)").path
  }

  @Test func entriesSurviveARoundTripWhole() throws {
    let history = HistoryFile(path: temporaryFile())
    defer { try? FileManager.default.removeItem(atPath: history.path) }
    #expect(history.entries().isEmpty)  // no file yet
    let gate = "gate half(a = 0.5) {\n  a\n}"
    try history.append("let x = 1")
    try history.append(gate)
    try history.append("\tindented\n\n  after a blank line")
    #expect(history.entries() == ["let x = 1", gate, "\tindented\n\n  after a blank line"])
    let text = try String(contentsOfFile: history.path, encoding: .utf8)
    #expect(text.hasPrefix("#\n\tlet x = 1\n#\n\tgate half(a = 0.5) {\n\t  a\n\t}\n"))
    let permissions = try FileManager.default.attributesOfItem(atPath: history.path)[
      .posixPermissions]
    #expect((permissions as? NSNumber)?.intValue == 0o600)
  }

  @Test func aRepeatedEntryMovesToTheEnd() throws {
    let history = HistoryFile(path: temporaryFile())
    defer { try? FileManager.default.removeItem(atPath: history.path) }
    for entry in ["a", "b", "a", "c", "b"] { try history.append(entry) }
    #expect(history.entries() == ["a", "c", "b"])
  }

  @Test func theOldestEntriesGoPastTheLimit() throws {
    let history = HistoryFile(path: temporaryFile(), limit: 3)
    defer { try? FileManager.default.removeItem(atPath: history.path) }
    for entry in 1...5 { try history.append("x = \(entry)") }
    #expect(history.entries() == ["x = 3", "x = 4", "x = 5"])
  }

  @Test func twoSessionsMergeTheirEntries() throws {
    let path = temporaryFile()
    defer { try? FileManager.default.removeItem(atPath: path) }
    let first = HistoryFile(path: path)
    let second = HistoryFile(path: path)
    try first.append("from the first")
    try second.append("from the second")
    try first.append("first again")
    #expect(first.entries() == ["from the first", "from the second", "first again"])
  }

  @Test func plainLineFilesReadAsOneEntryPerLine() throws {
    let history = HistoryFile(path: temporaryFile())
    defer { try? FileManager.default.removeItem(atPath: history.path) }
    try "let a = 1\nprint(a)\nlet a = 1\n".write(
      toFile: history.path, atomically: true, encoding: .utf8)
    #expect(history.entries() == ["print(a)", "let a = 1"])
  }

  @Test func theEnvironmentChoosesTheFileAndTheLimit() {
    let chosen = HistoryFile.standard(environment: ["TAU_HISTORY": "/x/h", "TAU_HISTORY_SIZE": "7"])
    #expect(chosen.path == "/x/h" && chosen.limit == 7)
    let fallback = HistoryFile.standard(environment: ["HOME": "/home/r"])
    #expect(fallback.path == "/home/r/.tau_history" && fallback.limit == 1000)
  }

  @Test func anUnwritableFileIsAnErrorNotACrash() {
    let history = HistoryFile(path: "/no/such/folder/history")
    #expect(throws: (any Error).self) { try history.append("x") }
  }
}
