// Lexical scopes at run time: a chain of name → binding tables.

/// One scope. Closures keep their defining scope alive, so it is a class.
final class Environment: @unchecked Sendable {
  // @unchecked: an interpreter and its environments are used from one thread at a time.
  struct Binding {
    var value: Value
    var isMutable: Bool
  }

  private(set) var bindings: [String: Binding] = [:]
  let parent: Environment?

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

  /// Every name visible from here (for completion and "did you mean").
  var visibleNames: Set<String> {
    var names = Set(bindings.keys)
    if let parent { names.formUnion(parent.visibleNames) }
    return names
  }
}
