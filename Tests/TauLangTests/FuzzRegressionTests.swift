// Inputs the fuzzer (`make fuzz`, docs/RELIABILITY.md) found crashing, fed through the entry
// point it found them in. Each was a crash before its fix; now each must end in diagnostics.
import Foundation
import Testing

@testable import TauLang

@Suite struct FuzzRegressionTests {
  /// A backslash as the last byte of an unterminated string stepped over the end of the input,
  /// and the end-of-input token after it indexed past the bytes (lexer, run 1).
  @Test func backslashAtTheEndOfAnUnterminatedString() {
    for input in ["\"\\", "print(\"a\\", "dGhlCnByaW50KCJwZjE2LP///////yhcXP8HNjMsXA=="] {
      let text = input.hasSuffix("==") ? decoded(input) : input
      let file = SourceFile(name: "fuzz.tau", text: text)
      let tokens = Lexer.tokenize(file)
      #expect(tokens.allSatisfy { $0.range.end <= file.utf8.count }, "\(input)")
      #expect(tokens.contains { $0.kind == .invalid("unterminated string") }, "\(input)")
      #expect(!Parser.parse(file).diagnostics.isEmpty)
    }
  }

  /// The .npy reader's overflow (TauTensorTests' FuzzRegressionTests) through the language.
  @Test func aZeroSizedTensorWithHugeSizesIsADiagnostic() {
    #expect(runSnippet("zeros([0, 4611686018427387904, 10])").ids == ["shape.invalid"])
  }
}

/// A base64 input as the fuzzer's entry point saw it: bytes decoded as UTF-8 with replacement.
private func decoded(_ base64: String) -> String {
  String(decoding: Data(base64Encoded: base64) ?? Data(), as: UTF8.self)
}
