// `tau bench`: the runtime's performance figures as machine-readable lines.
import ArgumentParser
import TauDynamics
import TauTensor

struct Bench: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Measure the tensor runtime (GEMM, elementwise, batched matmul) and training steps.",
    discussion: """
      Prints one line per figure: name, value and unit separated by tabs, e.g.
        gemm/f32/1024\t185.3\tGFLOP/s
      Each figure is the median over repeated timings of at least --seconds each.
      Compare ratios within one run: these machines are noisy.
      """)

  @Option(help: "Only run benchmarks whose name contains this text.")
  var filter: String?

  @Option(help: "Minimum measuring time per figure, in seconds.")
  var seconds: Double = 0.5

  @Flag(
    help: """
      Measure on one core, as a sweep's worker runs: Tau's batch lanes one after the other and \
      BLAS on one thread (names get '/one-core'). A worker also starts with \
      OPENBLAS_NUM_THREADS=1, so that OpenBLAS has no idle thread: set it too for its figures.
      """)
  var oneCore = false

  func run() throws {
    let benchmarks =
      TensorBenchmarks(minimumSeconds: seconds).all + ModelBenchmarks(minimumSeconds: seconds).all
      + TrainingBenchmarks(minimumSeconds: seconds).all
      + OperatorBenchmarks(minimumSeconds: seconds).all
      + REPLBenchmarks(minimumSeconds: seconds).all
    Lanes.runSequentially = oneCore
    for benchmark in benchmarks where filter.map(benchmark.name.contains) ?? true {
      let figure = try oneCore ? withSingleThreadedBLAS(benchmark.measure) : benchmark.measure()
      let name = benchmark.name + (oneCore ? "/one-core" : "")
      print("\(name)\t\(formatFigure(figure.value))\t\(figure.unit)")
    }
  }
}

private func formatFigure(_ value: Double) -> String {
  value >= 100 ? String(Int(value.rounded())) : String((value * 100).rounded() / 100)
}
