// Runs every example and golden case through the real `tau` binary and compares its output with
// the expected files beside it: NAME.out (standard output) and, for programs that fail, NAME.err
// (standard error, and exit status 1). A NAME.args file holds arguments for the script (after
// `--`; the paper scripts run at a small size that way). `TAU_RECORD=1 swift test` rewrites the
// expectations.
import Foundation
import Testing

/// The package root (this file is Tests/TauGoldenTests/GoldenTests.swift).
private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent()

/// Every `.tau` file under examples/ and Tests/Golden/, relative to the root, sorted.
private func goldenCases() -> [String] {
  var cases: [String] = []
  for folder in ["examples", "Tests/Golden"] {
    let base = root.appendingPathComponent(folder)
    guard let walker = FileManager.default.enumerator(atPath: base.path) else { continue }
    for case let path as String in walker where path.hasSuffix(".tau") {
      cases.append(folder + "/" + path)
    }
  }
  return cases.sorted()
}

struct TauRun {
  var status: Int32
  var stdout: String
  var stderr: String
}

/// OpenBLAS picks its kernels by CPU at load time, and kernels of different widths round f32
/// products differently: the AVX-512 kernels it picks on some machines (Cooperlake, SkylakeX)
/// move a trained f32 model's loss in the sixth digit. The expectations were recorded with the
/// AVX2 kernels (Haswell, on every x86-64 machine since 2013), so every machine that has them runs
/// the cases with them.
private let blasCoreType: String? = {
  guard let cpu = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
    let flags = cpu.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
  else { return nil }
  let names = Set(flags.split(separator: " "))
  return names.contains("avx2") && names.contains("fma") ? "Haswell" : nil
}()

/// Runs the `tau` binary built next to the test bundle, from the package root.
func runTau(_ arguments: [String], environment: [String: String] = [:]) throws -> TauRun {
  let process = Process()
  process.executableURL = Bundle.main.bundleURL.appendingPathComponent("tau")
  process.arguments = arguments
  process.currentDirectoryURL = root
  var env = ProcessInfo.processInfo.environment
  env["NO_COLOR"] = "1"
  env["TAU_PATH"] = nil
  env["OPENBLAS_CORETYPE"] = blasCoreType
  for (key, value) in environment { env[key] = value }
  process.environment = env
  let out = Pipe()
  let err = Pipe()
  process.standardOutput = out
  process.standardError = err
  try process.run()
  // Read both pipes before waiting, so a chatty program cannot fill a pipe and block.
  let outData = out.fileHandleForReading.readDataToEndOfFile()
  let errData = err.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return TauRun(
    status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
    stderr: String(decoding: errData, as: UTF8.self))
}

@Suite struct GoldenTests {
  @Test(arguments: goldenCases())
  func golden(_ path: String) throws {
    let base = root.appendingPathComponent(String(path.dropLast(".tau".count)))
    let scriptArguments =
      (try? String(contentsOf: base.appendingPathExtension("args"), encoding: .utf8))?
      .split(whereSeparator: \.isWhitespace).map(String.init) ?? []
    let run = try runTau(["run", path] + (scriptArguments.isEmpty ? [] : ["--"] + scriptArguments))
    let outURL = base.appendingPathExtension("out")
    let errURL = base.appendingPathExtension("err")
    if ProcessInfo.processInfo.environment["TAU_RECORD"] != nil {
      try run.stdout.write(to: outURL, atomically: true, encoding: .utf8)
      if run.stderr.isEmpty {
        try? FileManager.default.removeItem(at: errURL)
      } else {
        try run.stderr.write(to: errURL, atomically: true, encoding: .utf8)
      }
      Issue.record("recorded \(path); run again without TAU_RECORD")
      return
    }
    let expectedOut = (try? String(contentsOf: outURL, encoding: .utf8))
    try #require(expectedOut != nil, "\(path) has no .out file; record it with TAU_RECORD=1")
    let expectedErr = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
    #expect(run.stdout == expectedOut, "standard output of \(path)")
    #expect(run.stderr == expectedErr, "standard error of \(path)")
    #expect(run.status == (expectedErr.isEmpty ? 0 : 1), "exit status of \(path)\n\(run.stderr)")
  }

  @Test func goldenCasesExist() {
    #expect(goldenCases().count >= 1)
  }
}
