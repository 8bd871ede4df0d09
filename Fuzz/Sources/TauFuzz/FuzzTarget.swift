// What libFuzzer runs on each input. One binary serves every target; TAU_FUZZ_TARGET picks which entry
// point of Tau the bytes go to (lexer, parser, checker, npy, safetensors). Only paths that read
// or check input are fuzzed: running a Tau program can legitimately loop or allocate.
import Foundation
import TauLang
import TauTensor

/// The target named by TAU_FUZZ_TARGET, read once.
let target = ProcessInfo.processInfo.environment["TAU_FUZZ_TARGET"] ?? "checker"

/// One interpreter for every input: `check` does not change its bindings, and building the
/// built-ins once keeps the executions per second up. Its search path is the standard library
/// only, so a fuzzed `use` never reaches a file in the working directory.
nonisolated(unsafe) let interpreter = Interpreter(
  searchPath: SearchPath(
    directories: SearchPath.standardLibraryDirectory(
      environment: ProcessInfo.processInfo.environment
    ).map { [$0] } ?? []))

/// One input from libFuzzer's driver (main.swift).
func fuzz(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
  let data = start.map { Data(bytes: $0, count: count) } ?? Data()
  switch target {
  case "lexer":
    _ = Lexer.tokenize(SourceFile(name: "fuzz.tau", text: String(decoding: data, as: UTF8.self)))
  case "parser":
    let file = SourceFile(name: "fuzz.tau", text: String(decoding: data, as: UTF8.self))
    render(Parser.parse(file).diagnostics)
  case "checker":
    do throws(DiagnosticList) {
      try interpreter.check(
        SourceFile(name: "fuzz.tau", text: String(decoding: data, as: UTF8.self)))
    } catch {
      render(error.diagnostics)
    }
  case "npy":
    _ = try? NPY.decode(data, path: "fuzz.npy")
  case "safetensors":
    _ = try? SafetensorsFile.decode(data, path: "fuzz.safetensors")
  default:
    FileHandle.standardError.write(Data("unknown TAU_FUZZ_TARGET '\(target)'\n".utf8))
    exit(2)
  }
  return 0
}

/// Renders diagnostics as `tau check` prints them, in both forms: the renderer reads the source
/// lines around each range, so it meets every range the parser and checker make.
func render(_ diagnostics: [Diagnostic]) {
  let renderer = DiagnosticRenderer(colored: true)
  _ = renderer.render(diagnostics)
  _ = renderer.renderJSON(diagnostics)
}
