// The cells of stdlib/modern.tau written again in plain Swift from their papers' equations, on
// arrays of Doubles: the independent forward pass that ModernCellTests compares Tau with, and
// whose central differences check Tau's exact Jacobians.
import Foundation

/// A parameter as row-major values and a shape.
struct ReferenceTensor {
  var shape: [Int]
  var values: [Double]

  subscript(i: Int) -> Double { values[i] }
  subscript(i: Int, j: Int) -> Double { values[i * shape[1] + j] }

  /// W v for a matrix W.
  func times(_ v: [Double]) -> [Double] {
    (0..<shape[0]).map { i in (0..<shape[1]).reduce(0) { $0 + self[i, $1] * v[$1] } }
  }
}

private func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }
private func softplus(_ x: Double) -> Double { log(1 + exp(x)) }
private func add(_ a: [Double], _ b: [Double]) -> [Double] { zip(a, b).map(+) }
private func dotProduct(_ a: [Double], _ b: [Double]) -> Double {
  zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
}
private func unit(_ a: [Double]) -> [Double] {
  let norm = (dotProduct(a, a) + 1e-12).squareRoot()
  return a.map { $0 / norm }
}

/// One cell of stdlib/modern.tau.
enum ModernCell: String, CaseIterable, CustomStringConvertible {
  case mingru, minlstm, rglru, mamba, gated_deltanet

  var description: String { rawValue }

  /// The extra state's size beyond h, for hidden n (mamba's N and gated_deltanet's dk are the
  /// cells' defaults, 8).
  func stateSize(hidden n: Int) -> Int {
    switch self {
    case .mingru, .minlstm, .rglru: return n
    case .mamba, .gated_deltanet: return n + 8 * n
    }
  }

  /// The next full state [h; S] from the state and the input, by the paper's equations.
  func step(_ p: [String: ReferenceTensor], state: [Double], x: [Double], hidden n: Int)
    -> [Double]
  {
    let h = Array(state[0..<n])
    switch self {
    case .mingru:
      let z = add(p["Wz"]!.times(x), p["bz"]!.values).map(sigmoid)
      let candidate = add(p["Wh"]!.times(x), p["bh"]!.values)
      return (0..<n).map { j -> Double in (1 - z[j]) * h[j] + z[j] * candidate[j] }
    case .minlstm:
      let f = add(p["Wf"]!.times(x), p["bf"]!.values).map(sigmoid)
      let i = add(p["Wi"]!.times(x), p["bi"]!.values).map(sigmoid)
      let candidate = add(p["Wh"]!.times(x), p["bh"]!.values)
      return (0..<n).map { j -> Double in
        let kept = f[j] * h[j]
        let written = i[j] * candidate[j]
        return (kept + written) / (f[j] + i[j])
      }
    case .rglru:
      let u = p["Wu"]!.times(x)
      let r = add(p["Wa"]!.times(u), p["ba"]!.values).map(sigmoid)
      let i = add(p["Wx"]!.times(u), p["bx"]!.values).map(sigmoid)
      return (0..<n).map { j in
        let a = exp(-8 * r[j] * softplus(p["lam"]![j]))
        return a * h[j] + (1 - a * a).squareRoot() * i[j] * u[j]
      }
    case .mamba:
      let size = 8
      let s = Array(state[n...])
      let u = p["Wu"]!.times(x)
      let dt = add(p["Wdt"]!.times(u), p["bdt"]!.values).map(softplus)
      let b = p["WB"]!.times(u)
      let c = p["WC"]!.times(u)
      var next = [Double](repeating: 0, count: n * size)
      for channel in 0..<n {
        for k in 0..<size {
          let a = -exp(p["A_log"]![channel, k])
          next[channel * size + k] =
            exp(dt[channel] * a) * s[channel * size + k] + dt[channel] * u[channel] * b[k]
        }
      }
      let y = (0..<n).map { channel in
        (0..<size).reduce(0) { $0 + next[channel * size + $1] * c[$1] } + p["D"]![channel]
          * u[channel]
      }
      return y + next
    case .gated_deltanet:
      let dk = 8
      let s = Array(state[n...])  // [dk × n]
      let k = unit(p["Wk"]!.times(x))
      let q = unit(p["Wq"]!.times(x))
      let v = p["Wv"]!.times(x)
      let alpha = sigmoid(dotProduct(p["wa"]!.values, x) + p["ba"]![0])
      let beta = sigmoid(dotProduct(p["wb"]!.values, x) + p["bb"]![0])
      // kᵀS, one entry per value column.
      let kS = (0..<n).map { j in (0..<dk).reduce(0) { $0 + k[$1] * s[$1 * n + j] } }
      var next = [Double](repeating: 0, count: dk * n)
      for i in 0..<dk {
        for j in 0..<n {
          next[i * n + j] = alpha * (s[i * n + j] - beta * k[i] * kS[j]) + beta * k[i] * v[j]
        }
      }
      let output = (0..<n).map { j in (0..<dk).reduce(0) { $0 + q[$1] * next[$1 * n + j] } }
      return output + next
    }
  }
}
