// Lexical scopes at run time: a chain of name → binding tables.
import Synchronization

/// Counts the scopes (and random streams) made so far, so that each knows when it was made: a
/// sweep's item may change only what was made after the item began (Sweep.swift).
private let madeSoFar = Atomic<Int>(0)

/// The next number in the order things are made.
func creationSerial() -> Int { madeSoFar.add(1, ordering: .relaxed).newValue }

/// The number the next thing made will get.
func nextCreationSerial() -> Int { madeSoFar.load(ordering: .relaxed) + 1 }

/// One scope. Closures keep their defining scope alive, so it is a class.
final class Environment: @unchecked Sendable {
  // @unchecked: an interpreter and its environments are used from one thread at a time.
  struct Binding {
    var value: Value
    var isMutable: Bool
  }

  private(set) var bindings: [String: Binding] = [:]
  let parent: Environment?
  /// When the scope was made (`creationSerial`).
  let serial = creationSerial()

  init(parent: Environment? = nil) { self.parent = parent }

  func define(_ name: String, _ value: Value, isMutable: Bool = false) {
    bindings[name] = Binding(value: value, isMutable: isMutable)
  }

  func lookup(_ name: String) -> Value? { binding(name)?.value }

  func binding(_ name: String) -> Binding? {
    var scope: Environment? = self
    while let current = scope {
      if let binding = current.bindings[name] { return binding }
      scope = current.parent
    }
    return nil
  }

  /// The scope that binds `name`, from here outwards.
  func owner(of name: String) -> Environment? {
    var scope: Environment? = self
    while let current = scope {
      if current.bindings[name] != nil { return current }
      scope = current.parent
    }
    return nil
  }

  /// Replaces the value of an existing mutable binding; false if there is none to replace.
  func assign(_ name: String, _ value: Value) -> Bool {
    var scope: Environment? = self
    while let current = scope {
      if let binding = current.bindings[name] {
        guard binding.isMutable else { return false }
        current.bindings[name]?.value = value
        return true
      }
      scope = current.parent
    }
    return false
  }

  /// The list held by the mutable binding `name`, if that is what it holds (for growing it in
  /// place: `x = append(x, v)`).
  func mutableList(_ name: String) -> [Value]? {
    guard let binding = binding(name), binding.isMutable, case .list(let items) = binding.value
    else { return nil }
    return items
  }

  /// Lets go of the binding's reference to `items` (it holds `nothing` until the caller assigns
  /// the grown list), so that `items` is the only reference and can grow without a copy. Does
  /// nothing if the binding holds anything else by now.
  func release(_ name: String, ifHolding items: [Value]) {
    var scope: Environment? = self
    while let current = scope {
      if current.bindings[name] != nil {
        if current.holds(name, items) { current.bindings[name]?.value = .nothing }
        return
      }
      scope = current.parent
    }
  }

  private func holds(_ name: String, _ items: [Value]) -> Bool {
    guard case .list(let held)? = bindings[name]?.value, held.count == items.count else {
      return false
    }
    return held.withUnsafeBufferPointer { a in
      items.withUnsafeBufferPointer { b in a.baseAddress == b.baseAddress }
    }
  }

  /// Every name visible from here (for completion and "did you mean").
  var visibleNames: Set<String> {
    var names = Set(bindings.keys)
    if let parent { names.formUnion(parent.visibleNames) }
    return names
  }
}
