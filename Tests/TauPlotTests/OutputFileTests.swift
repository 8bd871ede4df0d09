// Output files: the extension check and its messages, folders created as `mkdir -p` does, and
// the paths that cannot be written, each reported as a PlotError of its kind.
import Foundation
import TauTestSupport
import Testing

@testable import TauPlot

@Suite struct OutputFileTests {
  @Test func extensionsAreCheckedCaseInsensitively() throws {
    #expect(
      try OutputFile.checkedExtension(of: "a/Fig.SVG", allowed: ["svg"], writer: "plot") == "svg")
    #expect(
      throws: PlotError(.wrongExtension, "plot writes .svg files, not .png ('fig.png')")
    ) { try OutputFile.checkedExtension(of: "fig.png", allowed: ["svg"], writer: "plot") }
    #expect(
      throws: PlotError(
        .wrongExtension, "export writes .csv or .json files, but 'table' has no extension")
    ) { try OutputFile.checkedExtension(of: "table", allowed: ["csv", "json"], writer: "export") }
  }

  @Test func missingFoldersAreCreatedAndFilesReplaced() throws {
    let scratch = try TemporaryFolder("plot")
    defer { scratch.remove() }
    let folder = scratch.path
    let path = folder + "/new/deeper/t.csv"
    try OutputFile.write(Data("one".utf8), to: path)
    try OutputFile.write(Data("two".utf8), to: path)
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "two")
    // The atomic write leaves no temporary file beside it.
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: folder + "/new/deeper") == ["t.csv"])
  }

  @Test func unwritablePathsAreErrorsNotCrashes() throws {
    let scratch = try TemporaryFolder("plot")
    defer { scratch.remove() }
    let folder = scratch.path
    try Data("x".utf8).write(to: URL(fileURLWithPath: folder + "/file"))
    try FileManager.default.createDirectory(
      atPath: folder + "/d.svg", withIntermediateDirectories: false)
    #expect(throws: PlotError(.unwritable, "cannot write '\(folder)/d.svg': it is a folder")) {
      try OutputFile.write(Data(), to: folder + "/d.svg")
    }
    #expect(
      throws: PlotError(
        .unwritable, "cannot write '\(folder)/file/p.svg': '\(folder)/file' is not a folder")
    ) { try OutputFile.write(Data(), to: folder + "/file/p.svg") }
    let deeper = Result { () throws(PlotError) in
      try OutputFile.write(Data(), to: folder + "/file/deeper/p.svg")
    }
    guard case .failure(let error) = deeper else {
      Issue.record("a folder under a file was created")
      return
    }
    #expect(error.kind == .unwritable)
    #expect(error.message.hasPrefix("cannot write '\(folder)/file/deeper/p.svg': cannot create"))
  }
}
