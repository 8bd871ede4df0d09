// How deep values may nest. A value is released, compared, printed and converted by walking it
// recursively (Swift releases a nested array inside its parent's release), so a list nested five
// million deep (`for i in 1..5000000 { l = [l] }`) would exhaust the native stack when it is
// released. Values are bounded where they are built instead: every value that exists is at most
// `maxValueNesting` deep, so each place that puts values inside a new container only has to
// look at what it puts there.

/// Lists, records and bound declarations nest at most this deep: far above any real data (a
/// batch of sequences of vectors is 3), and safe to walk recursively on an 8 MiB stack.
let maxValueNesting = 256

extension Interpreter {
  /// Throws `value.tooDeep` at `range` when `value`, just built, nests deeper than the limit.
  func checkNesting(of value: Value, at range: SourceRange) throws {
    guard nestingExceeds(value, maxValueNesting) else { return }
    throw Diagnostic(
      "value.tooDeep",
      "this \(value.typeName) would nest more than \(maxValueNesting) levels deep",
      at: range,
      hint: "lists, records and bound declarations nest at most \(maxValueNesting) levels")
  }

  /// The built-ins that wrap a value they are given in a new list (`append`, `map`) and binding
  /// a declaration's arguments can make a result one level deeper than their inputs.
  func checkResultNesting(
    of callee: Value, _ arguments: [EvaluatedArgument], _ result: Value, at range: SourceRange
  ) throws {
    switch callee {
    case .function(.builtin(let builtin)) where builtin.name == "append":
      // Only the appended value: the list is within the limit already, and scanning it on every
      // call would make a loop of appends quadratic.
      for (position, argument) in arguments.enumerated()
      where argument.label == "value" || (argument.label == nil && position == 1) {
        try checkNesting(of: .list([argument.value]), at: range)
      }
    case .function(.builtin(let builtin)) where builtin.name == "map":
      try checkNesting(of: result, at: range)
    case .declaration:
      try checkNesting(of: result, at: range)
    default:
      break
    }
  }
}

/// Whether `value` nests lists, records and declarations more than `limit` levels deep; walks
/// with an explicit stack, so it is safe on a value built before the limit existed. Values share
/// storage (`l = append(l, l) + l` holds l three times), so a container met again no deeper
/// than before is not walked again: without that, a value built by 40 such steps takes 3^40
/// visits.
func nestingExceeds(_ value: Value, _ limit: Int) -> Bool {
  var pending: [(value: Value, depth: Int)] = [(value, 0)]
  var deepestVisit: [UnsafeRawPointer: Int] = [:]
  while let (value, depth) = pending.popLast() {
    if let storage = value.containerStorage {
      if let seen = deepestVisit[storage], seen >= depth { continue }
      deepestVisit[storage] = depth
    }
    let children: [Value]
    switch value {
    case .list(let items): children = items
    case .record(let record): children = record.fields.map(\.value)
    case .declaration(let declaration): children = Array(declaration.arguments.values)
    default: continue
    }
    if depth + 1 > limit { return true }
    for child in children where child.isContainer { pending.append((child, depth + 1)) }
  }
  return false
}

extension Value {
  /// Whether the value holds other values that `nestingExceeds` walks into.
  fileprivate var isContainer: Bool {
    switch self {
    case .list, .record, .declaration: return true
    default: return false
    }
  }

  /// The address of the shared storage behind a container's elements: equal addresses hold
  /// equal elements while both values exist (copy-on-write copies before any change).
  fileprivate var containerStorage: UnsafeRawPointer? {
    switch self {
    case .list(let items): return storageAddress(of: items)
    case .record(let record): return record.storageAddress
    case .declaration(let declaration): return storageAddress(of: declaration.arguments)
    default: return nil
    }
  }
}

/// The storage reference inside an array or dictionary, which are one reference wide.
func storageAddress<T>(of collection: T) -> UnsafeRawPointer? {
  guard MemoryLayout<T>.size == MemoryLayout<UnsafeRawPointer>.size else { return nil }
  // Reads the bits only: no retain of the storage, which a cast would take and never give back.
  return withUnsafeBytes(of: collection) { $0.load(as: UnsafeRawPointer?.self) }
}
