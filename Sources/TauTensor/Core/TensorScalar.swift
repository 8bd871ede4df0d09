// The element types a Tensor can hold (Float and Double) and their BLAS/LAPACK entry points.
import CBLAS
import RealModule

/// An element type of `Tensor`: `Float` (`f32`) or `Double` (`f64`).
///
/// All tensor code is written once, generically; this protocol supplies what differs between the
/// two precisions: the name shown in headers and the BLAS/LAPACK routine of each precision.
public protocol TensorScalar: Real, BinaryFloatingPoint, Sendable
where Self.RawSignificand: FixedWidthInteger {
  /// `"f32"` or `"f64"`, as printed in `Tensor<f64>[3×4]`.
  static var dtypeName: String { get }

  /// `C ← alpha·op(A)·op(B) + beta·C` (row-major `cblas_?gemm`).
  static func gemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Self,
    a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int, beta: Self,
    c: UnsafeMutablePointer<Self>, ldc: Int)

  /// `y ← alpha·op(A)·x + beta·y` for a row-major `m×n` A (`cblas_?gemv`).
  static func gemv(
    transposeA: Bool, m: Int, n: Int, alpha: Self, a: UnsafePointer<Self>, lda: Int,
    x: UnsafePointer<Self>, beta: Self, y: UnsafeMutablePointer<Self>)

  /// Euclidean norm of `n` elements spaced `stride` apart, without overflow (`cblas_?nrm2`).
  static func nrm2(n: Int, x: UnsafePointer<Self>, stride: Int) -> Self

  /// Σ xᵢyᵢ over `n` contiguous elements (`cblas_?dot`).
  static func dot(n: Int, x: UnsafePointer<Self>, y: UnsafePointer<Self>) -> Self

  /// Thin SVD of a row-major `m×n` matrix, destroyed on return (`LAPACKE_?gesdd`).
  /// With `u` and `vt` nil only the singular values are computed.
  static func gesdd(
    m: Int, n: Int, a: UnsafeMutablePointer<Self>, s: UnsafeMutablePointer<Self>,
    u: UnsafeMutablePointer<Self>?, vt: UnsafeMutablePointer<Self>?
  ) -> Int32

  /// `C ← alpha·AᵀA + beta·C` for a row-major `k×n` A, into the lower triangle of the
  /// row-major `n×n` C (`cblas_?syrk`).
  static func syrk(
    n: Int, k: Int, alpha: Self, a: UnsafePointer<Self>, lda: Int, beta: Self,
    c: UnsafeMutablePointer<Self>, ldc: Int)

  /// The largest eigenvalue of a symmetric `n×n` matrix given by the lower triangle of its
  /// row-major storage, which is destroyed (`LAPACKE_?syevr`, values only, range 'I'); nil if
  /// LAPACK fails.
  static func largestEigenvalue(n: Int, a: UnsafeMutablePointer<Self>) -> Self?

  /// The `count` largest eigenvalues (ascending, in `values`) and their eigenvectors (the columns
  /// of the column-major n×count `vectors`) of the symmetric tridiagonal n×n matrix with
  /// `diagonal` and `offDiagonal` (n - 1 entries), both destroyed (`LAPACKE_?stevx_work`: range
  /// 'I', bisection to full accuracy, then inverse iteration). `work` holds 5n scalars and
  /// `integers` 6n. Returns how many were found, nil if LAPACK fails.
  static func largestEigenpairs(
    tridiagonal n: Int, diagonal: UnsafeMutablePointer<Self>,
    offDiagonal: UnsafeMutablePointer<Self>,
    count: Int, values: UnsafeMutablePointer<Self>, vectors: UnsafeMutablePointer<Self>,
    work: UnsafeMutablePointer<Self>, integers: UnsafeMutablePointer<Int32>
  ) -> Int?

  /// Eigen-decomposition of a symmetric row-major `n×n` matrix (`LAPACKE_?syevd`, lower
  /// triangle): eigenvalues ascending in `w`, eigenvectors overwrite `a` as columns.
  static func syevd(n: Int, a: UnsafeMutablePointer<Self>, w: UnsafeMutablePointer<Self>) -> Int32

  /// Householder QR of a row-major `m×n` matrix (`LAPACKE_?geqrf`).
  static func geqrf(m: Int, n: Int, a: UnsafeMutablePointer<Self>, tau: UnsafeMutablePointer<Self>)
    -> Int32

  /// Forms the first `k` columns of Q from `geqrf`'s reflectors (`LAPACKE_?orgqr`).
  static func orgqr(
    m: Int, n: Int, k: Int, a: UnsafeMutablePointer<Self>, lda: Int, tau: UnsafePointer<Self>
  )
    -> Int32

  /// Minimum-norm least squares by SVD (`LAPACKE_?gelsd`); `b` is `max(m,n)×nrhs`. Singular
  /// values below `rcond`·σ₁ count as zero.
  static func gelsd(
    m: Int, n: Int, nrhs: Int, a: UnsafeMutablePointer<Self>, b: UnsafeMutablePointer<Self>,
    s: UnsafeMutablePointer<Self>, rcond: Self, rank: inout Int32
  ) -> Int32
}

@inline(__always) private func cblasTranspose(_ t: Bool) -> CBLAS_TRANSPOSE {
  t ? CblasTrans : CblasNoTrans
}

@inline(__always) private func jobFlag(_ c: Unicode.Scalar) -> CChar { CChar(UInt8(ascii: c)) }

extension Float: TensorScalar {
  public static var dtypeName: String { "f32" }

  public static func gemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float,
    c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    cblas_sgemm(
      CblasRowMajor, cblasTranspose(transposeA), cblasTranspose(transposeB), blasint(m),
      blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
  }

  public static func gemv(
    transposeA: Bool, m: Int, n: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
    x: UnsafePointer<Float>, beta: Float, y: UnsafeMutablePointer<Float>
  ) {
    cblas_sgemv(
      CblasRowMajor, cblasTranspose(transposeA), blasint(m), blasint(n), alpha, a, blasint(lda),
      x, 1, beta, y, 1)
  }

  public static func nrm2(n: Int, x: UnsafePointer<Float>, stride: Int) -> Float {
    cblas_snrm2(blasint(n), x, blasint(stride))
  }

  public static func dot(n: Int, x: UnsafePointer<Float>, y: UnsafePointer<Float>) -> Float {
    cblas_sdot(blasint(n), x, 1, y, 1)
  }

  public static func gesdd(
    m: Int, n: Int, a: UnsafeMutablePointer<Float>, s: UnsafeMutablePointer<Float>,
    u: UnsafeMutablePointer<Float>?, vt: UnsafeMutablePointer<Float>?
  ) -> Int32 {
    guard let u, let vt else { return singularValuesOfTranspose(m: m, n: n, a: a, s: s) }
    return LAPACKE_sgesdd(
      LAPACK_ROW_MAJOR, jobFlag("S"), Int32(m), Int32(n), a, Int32(n), s, u, Int32(Swift.min(m, n)),
      vt, Int32(n))
  }

  /// Values only: a row-major m×n matrix is the column-major n×m Aᵀ, which has the same singular
  /// values, so LAPACKE needs no transposed copy, and a wide A reaches `gesdd` as a tall Aᵀ, which
  /// it reduces by QR (at 256×9024, gradcov's shape, 3.5× faster than the LQ of the wide form).
  private static func singularValuesOfTranspose(
    m: Int, n: Int, a: UnsafeMutablePointer<Float>, s: UnsafeMutablePointer<Float>
  ) -> Int32 {
    LAPACKE_sgesdd(
      LAPACK_COL_MAJOR, jobFlag("N"), Int32(n), Int32(m), a, Int32(n), s, nil, 1, nil, 1)
  }

  public static func syrk(
    n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int, beta: Float,
    c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    cblas_ssyrk(
      CblasRowMajor, CblasLower, CblasTrans, blasint(n), blasint(k), alpha, a, blasint(lda), beta,
      c, blasint(ldc))
  }

  public static func largestEigenvalue(n: Int, a: UnsafeMutablePointer<Float>) -> Float? {
    var found = Int32(0)
    // LAPACK writes up to n values (it works in `values`), even when asked for one.
    var values = [Float](repeating: .nan, count: Swift.max(1, n))
    var support = [Int32](repeating: 0, count: 2 * Swift.max(1, n))
    // The row-major lower triangle is the column-major upper one: no transposed copy.
    let info = LAPACKE_ssyevr(
      LAPACK_COL_MAJOR, jobFlag("N"), jobFlag("I"), jobFlag("U"), Int32(n), a, Int32(n), 0, 0,
      Int32(n), Int32(n), 0, &found, &values, nil, 1, &support)
    return info == 0 && found == 1 ? values[0] : nil
  }

  public static func largestEigenpairs(
    tridiagonal n: Int, diagonal: UnsafeMutablePointer<Float>,
    offDiagonal: UnsafeMutablePointer<Float>,
    count: Int, values: UnsafeMutablePointer<Float>, vectors: UnsafeMutablePointer<Float>,
    work: UnsafeMutablePointer<Float>, integers: UnsafeMutablePointer<Int32>
  ) -> Int? {
    var found = Int32(0)
    // abstol = 2 × the underflow threshold: the eigenvalues to full accuracy (LAPACK's advice).
    let info = LAPACKE_sstevx_work(
      LAPACK_COL_MAJOR, jobFlag("V"), jobFlag("I"), Int32(n), diagonal, offDiagonal, 0, 0,
      Int32(n - count + 1), Int32(n), 2 * Float.leastNormalMagnitude, &found, values, vectors,
      Int32(n), work, integers, integers + 5 * n)
    return info == 0 ? Int(found) : nil
  }

  public static func syevd(n: Int, a: UnsafeMutablePointer<Float>, w: UnsafeMutablePointer<Float>)
    -> Int32
  {
    LAPACKE_ssyevd(LAPACK_ROW_MAJOR, jobFlag("V"), jobFlag("L"), Int32(n), a, Int32(n), w)
  }

  public static func geqrf(
    m: Int, n: Int, a: UnsafeMutablePointer<Float>, tau: UnsafeMutablePointer<Float>
  ) -> Int32 {
    LAPACKE_sgeqrf(LAPACK_ROW_MAJOR, Int32(m), Int32(n), a, Int32(n), tau)
  }

  public static func orgqr(
    m: Int, n: Int, k: Int, a: UnsafeMutablePointer<Float>, lda: Int, tau: UnsafePointer<Float>
  ) -> Int32 {
    LAPACKE_sorgqr(
      LAPACK_ROW_MAJOR, Int32(m), Int32(n), Int32(k), a, Int32(lda), tau)
  }

  public static func gelsd(
    m: Int, n: Int, nrhs: Int, a: UnsafeMutablePointer<Float>, b: UnsafeMutablePointer<Float>,
    s: UnsafeMutablePointer<Float>, rcond: Float, rank: inout Int32
  ) -> Int32 {
    LAPACKE_sgelsd(
      LAPACK_ROW_MAJOR, Int32(m), Int32(n), Int32(nrhs), a, Int32(n), b,
      Int32(nrhs), s, rcond, &rank)
  }
}

extension Double: TensorScalar {
  public static var dtypeName: String { "f64" }

  public static func gemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Double,
    a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int, beta: Double,
    c: UnsafeMutablePointer<Double>, ldc: Int
  ) {
    cblas_dgemm(
      CblasRowMajor, cblasTranspose(transposeA), cblasTranspose(transposeB), blasint(m),
      blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
  }

  public static func gemv(
    transposeA: Bool, m: Int, n: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
    x: UnsafePointer<Double>, beta: Double, y: UnsafeMutablePointer<Double>
  ) {
    cblas_dgemv(
      CblasRowMajor, cblasTranspose(transposeA), blasint(m), blasint(n), alpha, a, blasint(lda),
      x, 1, beta, y, 1)
  }

  public static func nrm2(n: Int, x: UnsafePointer<Double>, stride: Int) -> Double {
    cblas_dnrm2(blasint(n), x, blasint(stride))
  }

  public static func dot(n: Int, x: UnsafePointer<Double>, y: UnsafePointer<Double>) -> Double {
    cblas_ddot(blasint(n), x, 1, y, 1)
  }

  public static func gesdd(
    m: Int, n: Int, a: UnsafeMutablePointer<Double>, s: UnsafeMutablePointer<Double>,
    u: UnsafeMutablePointer<Double>?, vt: UnsafeMutablePointer<Double>?
  ) -> Int32 {
    guard let u, let vt else { return singularValuesOfTranspose(m: m, n: n, a: a, s: s) }
    return LAPACKE_dgesdd(
      LAPACK_ROW_MAJOR, jobFlag("S"), Int32(m), Int32(n), a, Int32(n), s, u, Int32(Swift.min(m, n)),
      vt, Int32(n))
  }

  /// Values only: a row-major m×n matrix is the column-major n×m Aᵀ, which has the same singular
  /// values, so LAPACKE needs no transposed copy, and a wide A reaches `gesdd` as a tall Aᵀ, which
  /// it reduces by QR (at 256×9024, gradcov's shape, 3.5× faster than the LQ of the wide form).
  private static func singularValuesOfTranspose(
    m: Int, n: Int, a: UnsafeMutablePointer<Double>, s: UnsafeMutablePointer<Double>
  ) -> Int32 {
    LAPACKE_dgesdd(
      LAPACK_COL_MAJOR, jobFlag("N"), Int32(n), Int32(m), a, Int32(n), s, nil, 1, nil, 1)
  }

  public static func syrk(
    n: Int, k: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int, beta: Double,
    c: UnsafeMutablePointer<Double>, ldc: Int
  ) {
    cblas_dsyrk(
      CblasRowMajor, CblasLower, CblasTrans, blasint(n), blasint(k), alpha, a, blasint(lda), beta,
      c, blasint(ldc))
  }

  public static func largestEigenvalue(n: Int, a: UnsafeMutablePointer<Double>) -> Double? {
    var found = Int32(0)
    // LAPACK writes up to n values (it works in `values`), even when asked for one.
    var values = [Double](repeating: .nan, count: Swift.max(1, n))
    var support = [Int32](repeating: 0, count: 2 * Swift.max(1, n))
    // The row-major lower triangle is the column-major upper one: no transposed copy.
    let info = LAPACKE_dsyevr(
      LAPACK_COL_MAJOR, jobFlag("N"), jobFlag("I"), jobFlag("U"), Int32(n), a, Int32(n), 0, 0,
      Int32(n), Int32(n), 0, &found, &values, nil, 1, &support)
    return info == 0 && found == 1 ? values[0] : nil
  }

  public static func largestEigenpairs(
    tridiagonal n: Int, diagonal: UnsafeMutablePointer<Double>,
    offDiagonal: UnsafeMutablePointer<Double>,
    count: Int, values: UnsafeMutablePointer<Double>, vectors: UnsafeMutablePointer<Double>,
    work: UnsafeMutablePointer<Double>, integers: UnsafeMutablePointer<Int32>
  ) -> Int? {
    var found = Int32(0)
    // abstol = 2 × the underflow threshold: the eigenvalues to full accuracy (LAPACK's advice).
    let info = LAPACKE_dstevx_work(
      LAPACK_COL_MAJOR, jobFlag("V"), jobFlag("I"), Int32(n), diagonal, offDiagonal, 0, 0,
      Int32(n - count + 1), Int32(n), 2 * Double.leastNormalMagnitude, &found, values, vectors,
      Int32(n), work, integers, integers + 5 * n)
    return info == 0 ? Int(found) : nil
  }

  public static func syevd(
    n: Int, a: UnsafeMutablePointer<Double>, w: UnsafeMutablePointer<Double>
  ) -> Int32 {
    LAPACKE_dsyevd(LAPACK_ROW_MAJOR, jobFlag("V"), jobFlag("L"), Int32(n), a, Int32(n), w)
  }

  public static func geqrf(
    m: Int, n: Int, a: UnsafeMutablePointer<Double>, tau: UnsafeMutablePointer<Double>
  ) -> Int32 {
    LAPACKE_dgeqrf(LAPACK_ROW_MAJOR, Int32(m), Int32(n), a, Int32(n), tau)
  }

  public static func orgqr(
    m: Int, n: Int, k: Int, a: UnsafeMutablePointer<Double>, lda: Int, tau: UnsafePointer<Double>
  ) -> Int32 {
    LAPACKE_dorgqr(
      LAPACK_ROW_MAJOR, Int32(m), Int32(n), Int32(k), a, Int32(lda), tau)
  }

  public static func gelsd(
    m: Int, n: Int, nrhs: Int, a: UnsafeMutablePointer<Double>, b: UnsafeMutablePointer<Double>,
    s: UnsafeMutablePointer<Double>, rcond: Double, rank: inout Int32
  ) -> Int32 {
    LAPACKE_dgelsd(
      LAPACK_ROW_MAJOR, Int32(m), Int32(n), Int32(nrhs), a, Int32(n), b,
      Int32(nrhs), s, rcond, &rank)
  }
}
