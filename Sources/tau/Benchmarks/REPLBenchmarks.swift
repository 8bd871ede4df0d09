// The session's responsiveness: what one entry, one Tab and one `:help` cost, in microseconds,
// in a session that has used the stdlib and built a model (as a user's would have).
import TauREPL

struct REPLBenchmarks {
  let minimumSeconds: Double

  var all: [Benchmark] {
    [
      ("entry", { session, _ in _ = session.handle("1 + 1") }),
      ("complete-name", { _, completer in _ = completer.complete("sigm") }),
      ("complete-field", { _, completer in _ = completer.complete("net.params.cell.gate.W") }),
      (
        "complete-argument",
        { _, completer in _ = completer.complete("train(net, task, adam(), st") }
      ),
      ("complete-help-topic", { _, completer in _ = completer.complete(":help lea") }),
      ("help-overview", { session, _ in _ = session.handle(":help") }),
    ].map { name, body in
      Benchmark(name: "repl/\(name)") {
        let session = REPLSession(version: tauVersion, output: { _ in }, errors: { _ in })
        for entry in [
          "use cells", "use optimizers", "let net = rnn(leaky(gate: multi), hidden: 64, input: 2)",
          "let task = adding(length: 80, input: 2)",
        ] { _ = session.handle(entry) }
        let completer = session.completer
        let seconds = medianSeconds(minimumSeconds: minimumSeconds) { body(session, completer) }
        return (seconds * 1e6, "µs")
      }
    }
  }
}
