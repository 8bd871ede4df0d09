// The runner of the `tau` binary (TauTestSupport's TauProcess): a program that writes more than
// a pipe holds to both streams still finishes, and one that runs past its time limit is ended.
import Foundation
import TauTestSupport
import Testing

@Suite struct TauProcessTests {
  /// 2¹⁸ characters on each stream, four times what a Linux pipe holds (64 KB). Reading one
  /// pipe to its end before the other would wait forever: the program blocks writing the full
  /// second pipe and never closes the first. The time limit turns that into a failure.
  @Test func bothStreamsLargerThanAPipeAreDrainedTogether() throws {
    let scratch = try TemporaryFolder("drain")
    defer { scratch.remove() }
    do {
      let file = scratch.url.appendingPathComponent("chatty.tau")
      try "var s = \"x\"\nfor i in 1..18 { s = s + s }\nprint(s)\nerror(s)\n".write(
        to: file, atomically: true, encoding: .utf8)
      let run = try runTau(["run", file.path], within: .seconds(30))
      let long = String(repeating: "x", count: 1 << 18)
      #expect(run.status == 1)
      #expect(run.stdout == long + "\n")
      #expect(run.stderr.contains("4:1: error: " + long + "\n"))
    }
  }

  @Test func aProgramPastItsTimeLimitIsEndedAndReported() throws {
    let scratch = try TemporaryFolder("limit")
    defer { scratch.remove() }
    do {
      let file = scratch.url.appendingPathComponent("forever.tau")
      try "var n = 0\nfor i in 1..1000000000 { n = n + 1 }\n".write(
        to: file, atomically: true, encoding: .utf8)
      let started = ContinuousClock.now
      #expect(throws: TauTimeout.self) {
        try runTau(["run", file.path], within: .milliseconds(500))
      }
      #expect(ContinuousClock.now - started < .seconds(10))
    }
  }
}
