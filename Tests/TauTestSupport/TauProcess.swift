// The one way tests run the real `tau` binary: from the package root, with colours off and a
// fixed BLAS kernel, standard output and standard error drained at the same time, and a time
// limit after which the program is ended and the test fails instead of hanging.
import Foundation

/// What a finished run of `tau` did.
public struct TauRun: Sendable {
  public var status: Int32
  public var stdout: String
  public var stderr: String
}

/// A run that went past its time limit (it was ended).
public struct TauTimeout: Error, CustomStringConvertible {
  public var arguments: [String]
  public var limit: Duration
  public var description: String {
    "tau \(arguments.joined(separator: " ")) ran longer than \(limit)"
  }
}

/// OpenBLAS picks its kernels by CPU at load time, and kernels of different widths round f32
/// products differently: the AVX-512 kernels it picks on some machines (Cooperlake, SkylakeX)
/// move a trained f32 model's loss in the sixth digit. The golden expectations were recorded with
/// the AVX2 kernels (Haswell, on every x86-64 machine since 2013), so every machine that has them
/// runs `tau` with them.
private let blasCoreType: String? = {
  guard let cpu = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
    let flags = cpu.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
  else { return nil }
  let names = Set(flags.split(separator: " "))
  return names.contains("avx2") && names.contains("fma") ? "Haswell" : nil
}()

/// A running `tau`. Start it, optionally interrupt it, then `finish()` for what it wrote.
///
/// Both pipes are read on their own threads from the start: a program that fills one pipe (64 KB
/// on Linux) while the test waits for the end of the other would block forever.
public final class TauProcess: @unchecked Sendable {
  /// The binary `swift build` put next to the test bundle.
  public static var executable: URL { Bundle.main.bundleURL.appendingPathComponent("tau") }

  public let arguments: [String]
  private let process = Process()
  private let finished = DispatchGroup()
  private let stdout: PipeDrain
  private let stderr: PipeDrain

  /// Starts `tau ARGUMENTS` in `directory` with `environment` added to the test's own (colours
  /// off, TAU_PATH unset), writing `input` to its standard input and closing it.
  public init(
    _ arguments: [String], environment: [String: String] = [:], input: String? = nil,
    directory: URL = packageRoot
  ) throws {
    self.arguments = arguments
    process.executableURL = Self.executable
    process.arguments = arguments
    process.currentDirectoryURL = directory
    var env = ProcessInfo.processInfo.environment
    env["NO_COLOR"] = "1"
    env["TAU_PATH"] = nil
    env["OPENBLAS_CORETYPE"] = blasCoreType
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let (out, err, inputPipe) = (Pipe(), Pipe(), Pipe())
    process.standardOutput = out
    process.standardError = err
    process.standardInput = inputPipe
    finished.enter()
    let group = finished
    process.terminationHandler = { _ in group.leave() }
    try process.run()
    stdout = PipeDrain(out.fileHandleForReading, group: finished)
    stderr = PipeDrain(err.fileHandleForReading, group: finished)
    if let input { inputPipe.fileHandleForWriting.write(Data(input.utf8)) }
    try inputPipe.fileHandleForWriting.close()
  }

  public var isRunning: Bool { process.isRunning }

  /// Sends SIGINT, as Ctrl-C in a terminal does.
  public func interrupt() { process.interrupt() }

  /// Waits until the program has exited and both pipes are at their end, at most `limit`; past
  /// it, the program is ended and `TauTimeout` thrown.
  public func finish(within limit: Duration = .seconds(120)) throws -> TauRun {
    let seconds = Double(limit.components.seconds) + Double(limit.components.attoseconds) * 1e-18
    if finished.wait(timeout: .now() + seconds) == .timedOut {
      process.terminate()
      finished.wait()
      throw TauTimeout(arguments: arguments, limit: limit)
    }
    return TauRun(
      status: process.terminationStatus, stdout: String(decoding: stdout.data, as: UTF8.self),
      stderr: String(decoding: stderr.data, as: UTF8.self))
  }
}

/// Runs `tau ARGUMENTS` to its end (see `TauProcess`).
public func runTau(
  _ arguments: [String], environment: [String: String] = [:], input: String? = nil,
  within limit: Duration = .seconds(120)
) throws -> TauRun {
  try TauProcess(arguments, environment: environment, input: input).finish(within: limit)
}

/// Reads a pipe to its end on a thread of its own; `data` is complete once `group` is left.
private final class PipeDrain: @unchecked Sendable {
  private let lock = NSLock()
  private var bytes = Data()

  init(_ handle: FileHandle, group: DispatchGroup) {
    group.enter()
    // A thread, not a dispatch queue: dozens of golden cases run at once, each blocking two
    // readers, and the global queues' pool is small.
    Thread.detachNewThread { [self] in
      let read = handle.readDataToEndOfFile()
      lock.withLock { bytes = read }
      group.leave()
    }
  }

  var data: Data { lock.withLock { bytes } }
}
