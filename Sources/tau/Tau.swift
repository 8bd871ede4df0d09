// The `tau` command line: subcommands for each way of using Tau, and the exit codes the brief
// specifies (0 ok, 1 a Tau error, 2 usage, 130 interrupted).
import ArgumentParser
import CMalloc
import Foundation
import TauTensor

@main
struct Tau: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tau",
    abstract: "A language and lab for studying gates in recurrent networks as learning rates.",
    discussion: "Without a subcommand, tau reads Tau lines interactively (or from standard input).",
    version: tauVersion,
    subcommands: [Run.self, Check.self, Merge.self, Bench.self, Interactive.self],
    defaultSubcommand: Interactive.self)

  /// ArgumentParser's own `main`, with usage errors mapped to exit code 2.
  static func main() {
    do {
      var command = try parseAsRoot()
      warnAboutAnInvalidMemoryLimit()
      keepFreedMemoryForReuse()
      try command.run()
    } catch {
      let code = exitCode(for: error)
      let message = fullMessage(for: error)
      if code == .success {
        if !message.isEmpty { print(message) }
        Foundation.exit(0)
      }
      if !message.isEmpty {
        FileHandle.standardError.write(Data((message + "\n").utf8))
      }
      Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
    }
  }
}

/// A TAU_MEMORY_LIMIT that is not a size is not an error (the default budget applies), but it
/// must not go unnoticed: the user meant some other budget.
private func warnAboutAnInvalidMemoryLimit() {
  guard let value = MemoryBudget.configured.invalidValue else { return }
  let fallback = MemoryBudget.format(MemoryBudget.configured.bytes)
  FileHandle.standardError.write(
    Data(
      ("tau: warning: \(MemoryBudget.environmentVariable)=\(value) is not a size (bytes, or with "
        + "a suffix: 512M, 8G); the memory budget is half of physical memory, \(fallback)\n").utf8))
}

/// Keeps freed heap memory in the process instead of glibc's default of handing blocks of
/// 128 KiB and more back to the kernel: a training step allocates its trajectory (about 1 MB per
/// lane at the paper's sizes) and frees it again, and from the kernel every such block comes back
/// as freshly zeroed pages (S2's scalar arm: 30,000 page faults in 300 steps, 5,000 with this).
/// Blocks up to 32 MiB come from the heap, and each of glibc's arenas keeps up to 256 MiB of
/// free heap; larger buffers are pooled by the tensor allocator (`LargeBlockPool`).
private func keepFreedMemoryForReuse() {
  #if canImport(Glibc)
    _ = mallopt(M_MMAP_THRESHOLD, 32 << 20)
    _ = mallopt(M_TRIM_THRESHOLD, 256 << 20)
  #endif
}

/// The version printed by `tau --version`.
let tauVersion = "0.1.0"
