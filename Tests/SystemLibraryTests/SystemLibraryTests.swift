// The C libraries link and answer: OpenBLAS (CBLAS), LAPACKE and GNU readline.
import CBLAS
import CReadline
import Testing

@Suite struct SystemLibraryTests {
  @Test func openBLASComputesADotProduct() {
    let x: [Double] = [1, 2, 3]
    let y: [Double] = [4, -5, 6]
    #expect(cblas_ddot(3, x, 1, y, 1) == 12)  // 4 - 10 + 18
  }

  @Test func openBLASComputesAMatrixProduct() {
    let a: [Float] = [1, 2, 3, 4]  // [[1, 2], [3, 4]]
    var c = [Float](repeating: 0, count: 4)
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, 2, 2, 2, 1, a, 2, a, 2, 0, &c, 2)
    #expect(c == [5, 11, 11, 25])  // A·Aᵀ
  }

  @Test func lapackeComputesSingularValues() {
    var a: [Double] = [3, 0, 4, 5]  // AᵀA = [[25, 20], [20, 25]]: eigenvalues 45 and 5
    var s = [Double](repeating: 0, count: 2)
    // Row-major LAPACKE checks ldvt >= n even when Vᵀ is not computed.
    let info = LAPACKE_dgesdd(
      LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "N")), 2, 2, &a, 2, &s, nil, 2, nil, 2)
    #expect(info == 0)
    #expect(abs(s[0] - 45.0.squareRoot()) < 1e-12)
    #expect(abs(s[1] - 5.0.squareRoot()) < 1e-12)
  }

  @Test func readlineKeepsHistory() {
    using_history()
    let before = creadline_history_length()
    add_history("let x = 1")
    #expect(creadline_history_length() == before + 1)
    #expect(String(cString: creadline_library_version()).hasPrefix("8."))
    clear_history()
  }
}
