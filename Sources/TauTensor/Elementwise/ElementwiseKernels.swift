// Elementwise loops over raw buffers. Written once, generically; `@_specialize` makes a Float
// and a Double copy that the generic entry point dispatches to, so callers in other modules run
// vectorised, specialised code without the kernels being @inlinable.

/// `output[i] = op(input[i])` over a strided loop (operand 0 = output, 1 = input).
@_specialize(where S == Float)
@_specialize(where S == Double)
func unaryKernel<S: TensorScalar>(
  _ op: UnaryOperation, _ loop: StridedLoop, output: UnsafeMutablePointer<S>,
  input: UnsafePointer<S>, inputOffset: Int
) {
  let n = loop.innerCount
  let sy = loop.innerStride(0)
  let sx = loop.innerStride(1)
  loop.forEachRow(startingAt: [0, inputOffset]) { offsets in
    let y = output + offsets[0]
    let x = input + offsets[1]
    if sy == 1 && sx == 1 {
      for i in 0..<n { y[i] = op.apply(x[i]) }
    } else {
      for i in 0..<n { y[i * sy] = op.apply(x[i * sx]) }
    }
  }
}

/// `output[i] = op(a[i], b[i])` with broadcasting (operands: output, a, b).
@_specialize(where S == Float)
@_specialize(where S == Double)
func binaryKernel<S: TensorScalar>(
  _ op: BinaryOperation, _ loop: StridedLoop, output: UnsafeMutablePointer<S>,
  a: UnsafePointer<S>, aOffset: Int, b: UnsafePointer<S>, bOffset: Int
) {
  // The four arithmetic operations get loops of their own so that they vectorise; the others
  // are dominated by their libm call or branch anyway.
  switch op {
  case .add: binaryRows(loop, output, a, aOffset, b, bOffset) { $0 + $1 }
  case .subtract: binaryRows(loop, output, a, aOffset, b, bOffset) { $0 - $1 }
  case .multiply: binaryRows(loop, output, a, aOffset, b, bOffset) { $0 * $1 }
  case .divide: binaryRows(loop, output, a, aOffset, b, bOffset) { $0 / $1 }
  default: binaryRows(loop, output, a, aOffset, b, bOffset) { op.apply($0, $1) }
  }
}

@inline(__always)
private func binaryRows<S: TensorScalar>(
  _ loop: StridedLoop, _ output: UnsafeMutablePointer<S>, _ a: UnsafePointer<S>, _ aOffset: Int,
  _ b: UnsafePointer<S>, _ bOffset: Int, _ f: (S, S) -> S
) {
  let n = loop.innerCount
  let (sy, sa, sb) = (loop.innerStride(0), loop.innerStride(1), loop.innerStride(2))
  loop.forEachRow(startingAt: [0, aOffset, bOffset]) { offsets in
    let y = output + offsets[0]
    let x = a + offsets[1]
    let z = b + offsets[2]
    if sy == 1 && sa == 1 && sb == 1 {
      for i in 0..<n { y[i] = f(x[i], z[i]) }
    } else if sy == 1 && sa == 1 && sb == 0 {
      let s = z[0]
      for i in 0..<n { y[i] = f(x[i], s) }
    } else if sy == 1 && sa == 0 && sb == 1 {
      let s = x[0]
      for i in 0..<n { y[i] = f(s, z[i]) }
    } else {
      for i in 0..<n { y[i * sy] = f(x[i * sa], z[i * sb]) }
    }
  }
}

/// `output[i] = a[i]·b[i] + c[i]` with broadcasting (operands: output, a, b, c), in one pass.
@_specialize(where S == Float)
@_specialize(where S == Double)
func multiplyAddKernel<S: TensorScalar>(
  _ loop: StridedLoop, output: UnsafeMutablePointer<S>, a: UnsafePointer<S>, aOffset: Int,
  b: UnsafePointer<S>, bOffset: Int, c: UnsafePointer<S>, cOffset: Int
) {
  let n = loop.innerCount
  let (sy, sa, sb, sc) = (
    loop.innerStride(0), loop.innerStride(1), loop.innerStride(2), loop.innerStride(3)
  )
  loop.forEachRow(startingAt: [0, aOffset, bOffset, cOffset]) { offsets in
    let y = output + offsets[0]
    let (x, z, w) = (a + offsets[1], b + offsets[2], c + offsets[3])
    if sy == 1 && sa == 1 && sb == 1 && sc == 1 {
      for i in 0..<n { y[i] = x[i] * z[i] + w[i] }
    } else {
      for i in 0..<n { y[i * sy] = x[i * sa] * z[i * sb] + w[i * sc] }
    }
  }
}
