// All-pairs sensitivities of a cell whose step Jacobians are diagonal (minGRU, RG-LRU, a leaky cell
// with an elementwise recurrence): the transport P_{t,k} is the diagonal of the products of the
// steps' diagonals, and its spectral norm is the largest of their absolute values. For each start
// k one running product over t gives every pair, so all pairs cost O(B · T² · n) and no n × n
// matrix is multiplied.
import TauTensor

extension StepJacobians {
  /// S[b, t-1, k-1] = max_i |∏_{j=k+1}^{t} (J_j)_ii| for 1 ≤ k < t ≤ T, 1 on the diagonal and 0
  /// above it, as `sensitivities` lays them out. Sequences are split over both cores.
  func diagonalSensitivities() throws -> Tensor<Double> {
    let (batch, length, n) = (batch, length, size)
    let jacobians = full.contiguous()
    // The diagonals, [B × T × n]: entry (step, i) is J[step][i, i].
    let steps = jacobians.withUnsafeBufferPointer { all in
      (0..<(batch * length * n)).map { entry in all[entry * n + entry % n] }
    }
    let perSequence = try concurrentMap(batch) { b -> [Double] in
      var s = [Double](repeating: 0, count: length * length)
      var product = [Double](repeating: 1, count: n)
      steps.withUnsafeBufferPointer { d in
        for k in 1...length {
          s[(k - 1) * length + (k - 1)] = 1
          guard k < length else { continue }
          for i in 0..<n { product[i] = 1 }
          for t in (k + 1)...length {
            let row = (b * length + (t - 1)) * n
            var largest = 0.0
            var isNaN = false  // a NaN step makes the norm NaN, as the general path's does
            for i in 0..<n {
              product[i] *= d[row + i]
              let magnitude = Swift.abs(product[i])
              isNaN = isNaN || magnitude.isNaN
              largest = Swift.max(largest, magnitude)
            }
            s[(t - 1) * length + (k - 1)] = isNaN ? .nan : largest
          }
        }
      }
      return s
    }
    return try Tensor(shape: [batch, length, length], scalars: perSequence.flatMap { $0 })
  }
}
