// The tasks of stdlib/tasks.tau: bit for bit the Swift generators they replaced
// (ReferenceTasks.swift), their targets (and parity's and delay's) recomputed from their inputs
// by their definitions,
// determinism per batch index, and their argument checks.
import Foundation
import Testing

@testable import TauLang
@testable import TauTensor

/// One interpreter whose tasks are made and drawn by `batch`.
private final class TaskSession {
  let interpreter = Interpreter()

  /// `task.batch(n, index: index)` for the task `make` (`"adding(length: 10, seed: 1)"`), as
  /// row-major elements.
  func batch(_ make: String, n: Int, index: Int = 0) throws -> (
    inputs: [Double], inputShape: [Int], targets: [Double], targetShape: [Int]
  ) {
    let run = runSnippet(
      "let drawn = \(make).batch(\(n), index: \(index))", interpreter: interpreter)
    guard run.ids.isEmpty, case .record(let b)? = interpreter.globals.lookup("drawn"),
      case .tensor(let inputs)? = b["inputs"], case .tensor(let targets)? = b["targets"]
    else {
      throw DiagnosticList(run.diagnostics)
    }
    #expect(inputs.dtype == "f64" && targets.dtype == "f64")
    return (inputs.doubles, inputs.shape, targets.doubles, targets.shape)
  }
}

@Suite struct StdlibTaskTests {
  let n = 20
  let length = 40
  let input = 3

  private func value(_ x: [Double], _ b: Int, _ t: Int, _ c: Int) -> Double {
    x[(b * length + t) * input + c]
  }

  /// Shortest, odd and longer lengths, the fewest inputs and more, several seeds and indices
  /// (the seed and index vary with the case, so every pair of length and input gets its own).
  @Test(arguments: ReferenceTask.allCases)
  func batchesAreTheSwiftGeneratorsBitForBit(_ task: ReferenceTask) throws {
    let session = TaskSession()
    let lengths = [task.minimumLength, task.minimumLength + 1, 41, 64]
    let inputs = [task.minimumInput, task.minimumInput + 1, task.minimumInput + 3]
    var count = 0
    for length in lengths {
      for input in inputs {
        let seed = [0, 3, 12345][count % 3]
        let index = [0, 1, 7, 1_000_000][count % 4]
        let size = count % 5 == 0 ? 1 : 3
        count += 1
        let tau = try session.batch(
          "\(task.rawValue)(length: \(length), input: \(input), seed: \(seed))", n: size,
          index: index)
        let swift = task.batch(
          n: size, length: length, input: input, seed: UInt64(seed), index: index)
        let label = "\(task) T=\(length) input=\(input) seed=\(seed) index=\(index)"
        #expect(
          tau.inputShape == [size, length, input] && tau.targetShape == [size, 1], "\(label)")
        #expect(tau.inputs == swift.inputs, "inputs of \(label)")
        #expect(tau.targets == swift.targets, "targets of \(label)")
      }
    }
  }

  @Test(arguments: ReferenceTask.allCases)
  func batchesAreDeterministicPerIndex(_ task: ReferenceTask) throws {
    let session = TaskSession()
    let make = "\(task.rawValue)(length: 40, input: 3, seed: 7)"
    let a = try session.batch(make, n: 4, index: 2)
    let b = try session.batch(make, n: 4, index: 2)
    let c = try session.batch(make, n: 4, index: 3)
    #expect(a.inputs == b.inputs && a.targets == b.targets)
    #expect(a.inputs != c.inputs)
    #expect(a.inputs.allSatisfy(\.isFinite) && a.targets.allSatisfy(\.isFinite))
  }

  @Test(arguments: ["adding", "recall", "copy"])
  func markerTasksSumTheMarkedValues(_ task: String) throws {
    let (x, _, y, _) = try TaskSession().batch(
      "\(task)(length: \(length), input: \(input), seed: 1)", n: n)
    for b in 0..<n {
      let marks = (0..<length).filter { value(x, b, $0, input - 1) == 1 }
      switch task {
      case "adding": #expect(marks.count == 2 && marks[0] < length / 2 && marks[1] >= length / 2)
      case "recall": #expect(marks.count == 5 && marks.allSatisfy { $0 < length / 3 })
      default: #expect(marks.count == 1 && marks[0] < length / 2)
      }
      #expect((0..<length).allSatisfy { [0, 1].contains(value(x, b, $0, input - 1)) })
      let sum = marks.reduce(0.0) { $0 + value(x, b, $1, 0) }
      #expect(Swift.abs(sum - y[b]) < 1e-15, "\(task)")
    }
  }

  @Test(arguments: ["short", "movingavg", "delaysum"])
  func windowTasksFollowTheirFormulas(_ task: String) throws {
    let (x, _, y, _) = try TaskSession().batch(
      "\(task)(length: \(length), input: \(input), seed: 2)", n: n)
    for b in 0..<n {
      let u = (0..<length).map { value(x, b, $0, 0) }
      let expected: Double
      switch task {
      case "short": expected = u[(length - 6)...].reduce(0, +)
      case "movingavg": expected = u[(length - 8)...].reduce(0, +) / 8
      default: expected = (u[length - 5] + u[length - 13] + u[length - 25] + u[length - 37]) / 4
      }
      #expect(Swift.abs(expected - y[b]) < 1e-14, "\(task)")
    }
    if task == "movingavg" {
      #expect((0..<n).allSatisfy { b in (0..<length).allSatisfy { value(x, b, $0, 1) == 0 } })
    }
  }

  @Test func sinmixComparesQuarters() throws {
    let (x, _, y, _) = try TaskSession().batch(
      "sinmix(length: \(length), input: \(input), seed: 4)", n: n)
    for b in 0..<n {
      func mean(_ c: Int, _ range: Range<Int>) -> Double {
        range.reduce(0.0) { $0 + value(x, b, $1, c) } / Double(range.count)
      }
      let expected = (mean(0, 30..<40) - mean(0, 0..<10)) + (mean(1, 0..<10) - mean(1, 30..<40))
      #expect(Swift.abs(expected - y[b]) < 1e-14)
      #expect((0..<length).allSatisfy { Swift.abs(value(x, b, $0, 0)) <= 1 })
    }
  }

  @Test func sinusoidsAreWavesOfOneFrequencyAndPhase() throws {
    let (x, _, y, _) = try TaskSession().batch(
      "sinusoids(length: \(length), input: \(input), seed: 5)", n: 4)
    #expect(y == [0, 0, 0, 0])
    for b in 0..<4 {
      for c in 0..<input {
        // sin(a + ω) + sin(a - ω) = 2 sin(a) cos(ω): a wave has one ω = 2πf/T for all t.
        let s = (0..<length).map { value(x, b, $0, c) }
        let ratios = (1..<(length - 1)).compactMap { t -> Double? in
          Swift.abs(s[t]) > 0.2 ? (s[t + 1] + s[t - 1]) / (2 * s[t]) : nil
        }
        let cosine = try #require(ratios.first)
        #expect(ratios.allSatisfy { Swift.abs($0 - cosine) < 1e-9 })
        // cos(2πf/T) for f in [1, 7) cycles over T steps.
        #expect(cosine <= Foundation.cos(2 * Double.pi / Double(length)) + 1e-12)
        #expect(cosine > Foundation.cos(2 * Double.pi * 7 / Double(length)) - 1e-12)
      }
    }
  }

  /// parity's targets are the parity of the 1 bits (inputs +1) of the whole sequence, or of
  /// each prefix with every: true, from the same bits.
  @Test func parityCountsTheBitsSoFar() throws {
    let session = TaskSession()
    let (x, shape, whole, wholeShape) = try session.batch(
      "parity(length: \(length), input: \(input), seed: 6)", n: n, index: 3)
    let (again, _, running, runningShape) = try session.batch(
      "parity(length: \(length), input: \(input), seed: 6, every: true)", n: n, index: 3)
    #expect(shape == [n, length, input] && wholeShape == [n] && runningShape == [n, length])
    #expect(again == x)
    for b in 0..<n {
      var ones = 0
      for t in 0..<length {
        let bit = value(x, b, t, 0)
        #expect(bit == 1 || bit == -1)
        #expect((1..<input).allSatisfy { value(x, b, t, $0) == 0 })
        if bit == 1 { ones += 1 }
        #expect(running[b * length + t] == Double(ones % 2))
      }
      #expect(whole[b] == Double(ones % 2))
    }
    // Both classes occur: the bits are not all alike.
    #expect(Set(whole) == [0, 1])
  }

  /// delay's targets are channel 0 lag steps earlier; its mask scores the steps t ≥ lag.
  @Test func delayRecallsTheInputLagStepsBefore() throws {
    let lag = 3
    let interpreter = Interpreter()
    let run = runSnippet(
      "let drawn = delay(length: \(length), lag: \(lag), input: \(input), seed: 7).batch(\(n))",
      interpreter: interpreter)
    guard run.ids.isEmpty, case .record(let b)? = interpreter.globals.lookup("drawn"),
      case .tensor(let inputs)? = b["inputs"], case .tensor(let targets)? = b["targets"],
      case .tensor(let mask)? = b["mask"]
    else { throw DiagnosticList(run.diagnostics) }
    #expect(targets.shape == [n, length, 1] && mask.shape == [n, length])
    let (x, y, w) = (inputs.doubles, targets.doubles, mask.doubles)
    for b in 0..<n {
      for t in 0..<length {
        #expect(w[b * length + t] == (t >= lag ? 1 : 0))
        #expect(y[b * length + t] == (t >= lag ? value(x, b, t - lag, 0) : 0))
      }
    }
  }

  @Test func tasksCheckTheirArgumentsAtTheCall() {
    let cases: [(String, String)] = [
      ("delaysum(length: 37)", "delaysum needs length ≥ 38, input ≥ 1 and seed ≥ 0"),
      ("adding(length: 10, input: 1)", "adding needs length ≥ 2, input ≥ 2 and seed ≥ 0"),
      ("copy(length: 10, seed: -1)", "copy needs length ≥ 2, input ≥ 2 and seed ≥ 0"),
      ("short(length: 10.5)", "short expects a whole number for 'length', got 10.5"),
      ("sinmix(length: \"ten\")", "sinmix expects a number for 'length', got string"),
      ("adding(length: 10).batch(2, index: -1)", "n must be > 0 and index ≥ 0"),
      ("adding(length: 10).batch(1.5)", "batch expects a whole number for 'n', got 1.5"),
      ("parity(length: 0)", "parity needs length ≥ 1, input ≥ 1 and seed ≥ 0"),
      ("parity(length: 4, every: 1)", "parity expects a bool for 'every', got number"),
      ("delay(length: 3, lag: 3)", "delay needs length ≥ 4, input ≥ 1 and seed ≥ 0"),
      ("delay(length: 3, lag: 0)", "delay needs lag ≥ 1"),
      ("delay(length: 3, lag: 1.5)", "delay expects a whole number for 'lag', got 1.5"),
    ]
    for (call, message) in cases {
      let source = "let x = 1\nlet t = " + call
      let run = runSnippet(source)
      #expect(run.ids == ["value.invalid"], "\(call)")
      #expect(run.diagnostics.first?.message == message, "\(call)")
      // At the whole call on line 2, in the user's file.
      let diagnostic = run.diagnostics.first
      #expect(diagnostic?.range.file.name == "test.tau", "\(call)")
      #expect(diagnostic.map { $0.range.file.text(of: $0.range) } == call, "\(call)")
      #expect(diagnostic?.stack.isEmpty == true, "\(call)")
    }
  }
}
