// The TauTensor figures of `tau bench`, each mirrored by Benchmarks/reference/*.c so the same
// work can be timed in C against the same OpenBLAS.
import TauTensor

struct TensorBenchmarks {
  let minimumSeconds: Double

  var all: [Benchmark] {
    var list: [Benchmark] = []
    for n in [64, 256, 1024] {
      list.append(gemm(Float.self, n: n))
      list.append(gemm(Double.self, n: n))
    }
    list.append(multiplyAdd(Float.self, count: 1_000_000, allocating: false))
    list.append(multiplyAdd(Double.self, count: 1_000_000, allocating: false))
    list.append(multiplyAdd(Float.self, count: 1_000_000, allocating: true))
    list.append(multiplyAdd(Double.self, count: 1_000_000, allocating: true))
    list.append(tanh(Float.self, count: 1_000_000))
    list.append(batchedMatmul(Float.self, batch: 12, n: 64))
    list.append(batchedMatmul(Double.self, batch: 12, n: 64))
    return list
  }

  /// `n×n @ n×n` through `Tensor.matmul` (output allocation included), in GFLOP/s.
  func gemm<S: TensorScalar>(_: S.Type, n: Int) -> Benchmark {
    Benchmark(name: "gemm/\(S.dtypeName)/\(n)") {
      var stream = RandomStream(seed: 1)
      let a = try Tensor<S>.uniform([n, n], from: -1, to: 1, using: &stream)
      let b = try Tensor<S>.uniform([n, n], from: -1, to: 1, using: &stream)
      let seconds = try medianSeconds(minimumSeconds: minimumSeconds) { _ = try a.matmul(b) }
      return (2 * Double(n * n * n) / seconds / 1e9, "GFLOP/s")
    }
  }

  /// `a·b + c` over `count` elements in one fused pass, into a preallocated output or into a
  /// new tensor; GB/s counts three reads and one write per element.
  func multiplyAdd<S: TensorScalar>(_: S.Type, count: Int, allocating: Bool) -> Benchmark {
    let name = "multiplyAdd/\(S.dtypeName)/\(count)" + (allocating ? "/allocating" : "")
    return Benchmark(name: name) {
      var stream = RandomStream(seed: 2)
      let a = try Tensor<S>.uniform([count], using: &stream)
      let b = try Tensor<S>.uniform([count], using: &stream)
      let c = try Tensor<S>.uniform([count], using: &stream)
      var out = try Tensor<S>.zeros([count])
      let seconds = try medianSeconds(minimumSeconds: minimumSeconds) {
        if allocating {
          _ = try Tensor.multiplyAdd(a, b, c)
        } else {
          try Tensor.multiplyAdd(a, b, c, into: &out)
        }
      }
      return (4 * Double(count * MemoryLayout<S>.size) / seconds / 1e9, "GB/s")
    }
  }

  /// `tanh` over `count` elements (libm-bound), in million elements per second.
  func tanh<S: TensorScalar>(_: S.Type, count: Int) -> Benchmark {
    Benchmark(name: "tanh/\(S.dtypeName)/\(count)") {
      var stream = RandomStream(seed: 3)
      let a = try Tensor<S>.uniform([count], from: -3, to: 3, using: &stream)
      let seconds = medianSeconds(minimumSeconds: minimumSeconds) { _ = a.tanh() }
      return (Double(count) / seconds / 1e6, "Melem/s")
    }
  }

  /// `[batch×n×n] @ [batch×n×n]`, in GFLOP/s.
  func batchedMatmul<S: TensorScalar>(_: S.Type, batch: Int, n: Int) -> Benchmark {
    Benchmark(name: "bmm/\(S.dtypeName)/\(batch)x\(n)") {
      var stream = RandomStream(seed: 4)
      let a = try Tensor<S>.uniform([batch, n, n], from: -1, to: 1, using: &stream)
      let b = try Tensor<S>.uniform([batch, n, n], from: -1, to: 1, using: &stream)
      let seconds = try medianSeconds(minimumSeconds: minimumSeconds) { _ = try a.matmul(b) }
      return (2 * Double(batch * n * n * n) / seconds / 1e9, "GFLOP/s")
    }
  }
}
