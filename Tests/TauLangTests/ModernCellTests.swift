// The modern recurrences of stdlib/modern.tau against ModernReference.swift, an independent
// Swift transcription of their papers' equations: the forward states to 1e-12, the exact state
// Jacobians against central differences of the reference step (relative error below 1e-6), and
// the structure every one of them has because its gates read only the input.
import Testing

@testable import TauLang
@testable import TauTensor

@Suite struct ModernCellTests {
  let hidden = 4
  let input = 3
  let batch = 2
  let length = 5

  /// Builds `cell` in a session and returns every value the checks read.
  private func session(_ cell: ModernCell) throws -> (
    parameters: [String: ReferenceTensor], inputs: [Double], states: [Double],
    full: AnyTensor, correction: AnyTensor
  ) {
    let interpreter = Interpreter()
    let hasMatrixState = cell == .mamba || cell == .gatedDeltanet
    let run = runSnippet(
      """
      use modern
      let net = rnn(\(cell)(), hidden: \(hidden), input: \(input), dtype: "f64", seed: 3)
      let xs = randn([\(batch), \(length), \(input)], 7)
      let every = net.forward(xs).every
      let states = \(hasMatrixState ? "concat([every.h, every.S], axis: 2)" : "every.h")
      let full = jacobian(net, xs)
      let correction = jacobian(net, xs, part: "correction")
      let p = net.params.cell
      """, interpreter: interpreter)
    guard run.diagnostics.isEmpty, case .record(let record)? = interpreter.globals.lookup("p"),
      case .tensor(let xs)? = interpreter.globals.lookup("xs"),
      case .tensor(let states)? = interpreter.globals.lookup("states"),
      case .tensor(let full)? = interpreter.globals.lookup("full"),
      case .tensor(let correction)? = interpreter.globals.lookup("correction")
    else { throw DiagnosticList(run.diagnostics) }
    var parameters: [String: ReferenceTensor] = [:]
    for (name, value) in record.fields {
      if case .tensor(let t) = value {
        parameters[name] = ReferenceTensor(shape: t.shape, values: t.doubles)
      }
    }
    return (parameters, xs.doubles, states.doubles, full, correction)
  }

  @Test(arguments: ModernCell.allCases)
  func forwardStatesMatchThePapersEquations(_ cell: ModernCell) throws {
    let s = try session(cell)
    let size = cell.stateSize(hidden: hidden)
    var worst = 0.0
    for b in 0..<batch {
      var state = [Double](repeating: 0, count: size)
      for t in 0..<length {
        let x = Array(s.inputs[((b * length + t) * input)...].prefix(input))
        state = cell.step(s.parameters, state: state, x: x, hidden: hidden)
        let tau = s.states[((b * length + t) * size)...].prefix(size)
        worst = max(worst, zip(state, tau).map { abs($0 - $1) }.max() ?? 0)
      }
    }
    #expect(worst < 1e-12, "\(cell): largest difference \(worst)")
  }

  @Test(arguments: ModernCell.allCases)
  func exactJacobiansMatchCentralDifferences(_ cell: ModernCell) throws {
    let s = try session(cell)
    let size = cell.stateSize(hidden: hidden)
    #expect(s.full.shape == [batch, length, size, size])
    let exact = s.full.doubles
    let step = 1e-6
    for b in 0..<batch {
      var state = [Double](repeating: 0, count: size)
      for t in 0..<length {
        let x = Array(s.inputs[((b * length + t) * input)...].prefix(input))
        var worst = 0.0
        var largest = 0.0
        for j in 0..<size {
          var plus = state
          var minus = state
          plus[j] += step
          minus[j] -= step
          let up = cell.step(s.parameters, state: plus, x: x, hidden: hidden)
          let down = cell.step(s.parameters, state: minus, x: x, hidden: hidden)
          for i in 0..<size {
            let numeric = (up[i] - down[i]) / (2 * step)
            let tau = exact[((b * length + t) * size + i) * size + j]
            worst = max(worst, abs(numeric - tau))
            largest = max(largest, abs(tau))
          }
        }
        #expect(worst / max(largest, 1e-300) < 1e-6, "\(cell) b=\(b) t=\(t + 1): \(worst)")
        state = cell.step(s.parameters, state: state, x: x, hidden: hidden)
      }
    }
  }

  /// Gates that read only the input leave no correction term (B_t = 0), and the diagonal cells'
  /// Jacobians have no entry off the diagonal; gated DeltaNet's state block is
  /// α (I - β k kᵀ) ⊗ I, which has the value columns' pattern.
  @Test(arguments: ModernCell.allCases)
  func gatesOfTheInputLeaveTheJacobianItsStructure(_ cell: ModernCell) throws {
    let s = try session(cell)
    #expect(s.correction.doubles.allSatisfy { $0 == 0 }, "\(cell): B_t is not zero")
    let size = cell.stateSize(hidden: hidden)
    let exact = s.full.doubles
    for sample in 0..<(batch * length) {
      for i in 0..<size {
        for j in 0..<size where i != j {
          let entry = exact[(sample * size + i) * size + j]
          switch cell {
          case .mingru, .minlstm, .rglru:
            #expect(entry == 0, "\(cell): J[\(i), \(j)] = \(entry)")
          case .mamba where i >= hidden:
            #expect(entry == 0, "\(cell): the scan's J[\(i), \(j)] = \(entry)")
          case .gatedDeltanet where i >= hidden && j >= hidden:
            // Entry (k·n + v, l·n + w) is zero unless v = w.
            let (v, w) = ((i - hidden) % hidden, (j - hidden) % hidden)
            if v != w { #expect(entry == 0, "\(cell): J[\(i), \(j)] = \(entry)") }
          default:
            break
          }
        }
      }
    }
  }

  /// Every operator and training run on every modern cell, with finite results.
  @Test(arguments: ModernCell.allCases)
  func everyOperatorRuns(_ cell: ModernCell) throws {
    let interpreter = Interpreter()
    let run = runSnippet(
      """
      use modern
      use optimizers
      let task = adding(length: 8, input: 3, seed: 1)
      let net = rnn(\(cell)(), hidden: \(hidden), input: 3, dtype: "f64", seed: 3)
      let b = task.batch(4, 0)
      let results = [
        transport(net, b, 6, 2), sensitivity(net, b), efflr(net, b).slope,
        anisotropy(net, b, lags: [1, 2], r: 2, k: 3, pairs: 4).ai, frechet(net, b).ratio,
        lyapunov(net, b).exponents, gradcov(net, task, samples: 8, r: 2).ce, pjacobian(net, b),
        gradient(net, b).loss, evaluate(net, b).loss,
        train(net, task, adam(lr: 0.01), steps: 3, batch: 4).loss,
      ]
      let slope = efflr(net, b).slope
      let trained = train(net, task, adam(lr: 0.01), steps: 3, batch: 4).loss[-1]
      """, interpreter: interpreter)
    #expect(run.diagnostics.isEmpty, "\(cell): \(run.diagnostics.map(\.message))")
    for name in ["slope", "trained"] {
      guard case .number(let x)? = interpreter.globals.lookup(name) else {
        Issue.record("\(cell): \(name) is not a number")
        continue
      }
      #expect(x.isFinite, "\(cell): \(name) = \(x)")
    }
  }
}
