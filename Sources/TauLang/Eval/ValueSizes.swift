// Lists and strings grow outside TauTensor's allocations, so they are checked against the same
// memory budget here: doubling a list 40 times must end in a diagnostic, not in malloc's trap.
import TauTensor

/// Refuses a list of `count + added` elements whose storage would not fit the memory budget.
func checkListSize(_ count: Int, plus added: Int, operation: String, at range: SourceRange)
  throws
{
  let (total, overflow) = count.addingReportingOverflow(added)
  let (bytes, tooMany) = total.multipliedReportingOverflow(by: MemoryLayout<Value>.stride)
  let budget = MemoryBudget.limit
  guard !overflow, !tooMany, bytes <= budget else {
    let what = overflow ? "a list this long" : "a list of \(total) elements"
    throw Diagnostic(
      "memory.budget",
      MemoryBudget.refusal(
        "'\(operation)' of \(what)", bytes: overflow || tooMany ? nil : bytes, budget: budget),
      at: range)
  }
}

/// Refuses a string of `count + added` bytes that would not fit the memory budget.
func checkStringSize(_ count: Int, plus added: Int, at range: SourceRange) throws {
  let (bytes, overflow) = count.addingReportingOverflow(added)
  let budget = MemoryBudget.limit
  guard !overflow, bytes <= budget else {
    throw Diagnostic(
      "memory.budget",
      MemoryBudget.refusal("'+' of two strings", bytes: overflow ? nil : bytes, budget: budget),
      at: range)
  }
}
