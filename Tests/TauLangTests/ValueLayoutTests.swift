// A value's size decides what a list costs: every element takes the largest case's bytes.
import Testing

@testable import TauLang

@Suite struct ValueLayoutTests {
  @Test func aValueIsSmallSoListsAreCheap() {
    // 296 bytes before models, declarations and functions were boxed.
    #expect(MemoryLayout<Value>.stride <= 40)
  }
}
