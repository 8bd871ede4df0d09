// Every primitive's forward-mode rule (Graph.jacobian) on its own, as DerivativeRuleTests does for
// reverse mode: the tangent J·u of each output against a central finite difference along u in
// float64 (relative error below 1e-6), and against reverse mode, ⟨v, J u⟩ = ⟨Jᵀ v, u⟩. Each
// primitive is applied to operands of every tangent form forward mode keeps (the seed itself, a
// diagonal, a dense matrix, zero, a row for a scalar). `PrimitiveKind` lists the ops with a switch
// that has no default, and `everyPrimitiveIsTestedOrRefused` checks that the ops these tests apply
// to seed-dependent operands, together with the ones forward mode refuses, are all of them.
import TauTestSupport
import Testing

@testable import TauGraph
@testable import TauTensor

/// The primitive ops without their parameters. A new `Op` does not compile here until it is
/// listed; then the coverage test fails until it has a forward-mode case or a refusal.
enum PrimitiveKind: String, CaseIterable {
  case input, constant, unary, binary, matvec, vecmat, outer, dot, sum, broadcast, concat, slice
  case transpose, matmat, scaleRows, scaleColumns, addDiagonal, diagonal, concatRows, sliceRows
  case reshape, transposeBlocks, tensor

  init(_ op: Op) {
    switch op {
    case .input: self = .input
    case .constant: self = .constant
    case .unary: self = .unary
    case .binary: self = .binary
    case .matvec: self = .matvec
    case .vecmat: self = .vecmat
    case .outer: self = .outer
    case .dot: self = .dot
    case .sum: self = .sum
    case .broadcast: self = .broadcast
    case .concat: self = .concat
    case .slice: self = .slice
    case .transpose: self = .transpose
    case .matmat: self = .matmat
    case .scaleRows: self = .scaleRows
    case .scaleColumns: self = .scaleColumns
    case .addDiagonal: self = .addDiagonal
    case .diagonal: self = .diagonal
    case .concatRows: self = .concatRows
    case .sliceRows: self = .sliceRows
    case .reshape: self = .reshape
    case .transposeBlocks: self = .transposeBlocks
    case .tensor: self = .tensor
    }
  }
}

/// An operand of the op under test, by how it depends on the seed x [3] (the state input), so
/// that each rule meets every tangent form: x itself (identity), softplus(x) (diagonal), W x
/// (dense), an input u that does not depend on x (zero); and scalars: v·x (a row), a constant.
enum Operand: String, CaseIterable {
  case seed, diagonal, dense, independent, scalar, constant

  static let vectors: [Operand] = [.seed, .diagonal, .dense, .independent]
  static let scalars: [Operand] = [.scalar, .constant]
}

/// A graph with the seed x [3] and the inputs the operands need.
struct OperandGraph {
  var graph = Graph()
  let x: NodeID
  private let w: NodeID
  private let v: NodeID
  private let u: NodeID

  init() {
    x = graph.input(.state(0), shape: [3])
    u = graph.input(.input, shape: [3])
    w = graph.input(.parameter("W"), shape: [3, 3])
    v = graph.input(.parameter("v"), shape: [3])
  }

  mutating func operand(_ operand: Operand) throws -> NodeID {
    switch operand {
    case .seed: return x
    case .diagonal: return try graph.add(.unary(.softplus), [x])
    case .dense: return try graph.add(.matvec, [w, x])
    case .independent: return u
    case .scalar: return try graph.add(.dot, [v, x])
    case .constant: return try graph.add(.constant(0.7))
    }
  }
}

/// Checks of one primitive: a small graph per application, its one output labelled for
/// messages (one graph each keeps the derived graphs small, so the suite stays fast).
struct ForwardCase {
  var checks: [(label: String, graph: Graph)] = []

  /// Adds the graph whose output `build` returns.
  mutating func add(_ label: String, _ build: (inout OperandGraph) throws -> NodeID) rethrows {
    var g = OperandGraph()
    let output = try build(&g)
    g.graph.outputs = [output]
    checks.append((label, g.graph))
  }

  /// Adds `op` over `operands`.
  mutating func add(_ op: Op, _ operands: [Operand], label: String) throws {
    try add("\(label)(\(operands.map(\.rawValue).joined(separator: ", ")))") { g in
      var inputs: [NodeID] = []
      for operand in operands { inputs.append(try g.operand(operand)) }
      return try g.graph.add(op, inputs)
    }
  }
}

/// The cases of every primitive other than the elementwise ones (which the parameterized tests
/// take one operation at a time).
func structuralCases() throws -> [(name: String, case: ForwardCase)] {
  var leaves = ForwardCase()
  leaves.add("input seed") { $0.x }
  try leaves.add("input independent") { try $0.operand(.independent) }
  try leaves.add("constant") { try $0.operand(.constant) }

  var products = ForwardCase()
  for a in Operand.vectors {
    try products.add("matvec(M, \(a.rawValue))") { g in
      let m = g.graph.input(.parameter("M"), shape: [2, 3])
      let operand = try g.operand(a)
      return try g.graph.add(.matvec, [m, operand])
    }
    try products.add("vecmat(\(a.rawValue), N)") { g in
      let n = g.graph.input(.parameter("N"), shape: [3, 2])
      let operand = try g.operand(a)
      return try g.graph.add(.vecmat, [operand, n])
    }
    for b in Operand.vectors { try products.add(.dot, [a, b], label: "dot") }
  }

  var structure = ForwardCase()
  for a in Operand.vectors {
    try structure.add(.sum, [a], label: "sum")
    try structure.add(.slice(start: 1, count: 2), [a], label: "slice")
    for b in Operand.vectors { try structure.add(.concat, [a, b], label: "concat") }
  }
  for a in Operand.scalars { try structure.add(.broadcast(3), [a], label: "broadcast") }
  try structure.add(.concat, [.seed, .diagonal, .dense], label: "concat")
  try structure.add("slice(concat(dense, independent))") { g in
    let (dense, independent) = (try g.operand(.dense), try g.operand(.independent))
    let joined = try g.graph.add(.concat, [dense, independent])
    return try g.graph.add(.slice(start: 2, count: 3), [joined])
  }
  return [
    ("leaves", leaves), ("products", products), ("structure", structure),
    ("matrices", try matrixCases()),
  ]
}

/// A matrix operand [2×3] of a seed s [6], by its tangent form: s reshaped (identity),
/// softplus(s) reshaped (diagonal), an outer product of two products of s (dense), a parameter
/// (zero); and vectors of s for the products.
enum MatrixOperand: String, CaseIterable {
  case seed, diagonal, dense, independent
}

/// A graph with the seed s [6] and what the matrix operands need.
struct MatrixOperandGraph {
  var graph = Graph()
  let s: NodeID
  let q: NodeID  // an input [3], independent of s
  let r: NodeID  // W s, a dense vector [2]

  init() throws {
    s = graph.input(.state(0), shape: [6])
    q = graph.input(.input, shape: [3])
    let w = graph.input(.parameter("W"), shape: [2, 6])
    r = try graph.add(.matvec, [w, s])
  }

  mutating func matrix(_ operand: MatrixOperand) throws -> NodeID {
    switch operand {
    case .seed: return try graph.add(.reshape([2, 3]), [s])
    case .diagonal: return try graph.add(.reshape([2, 3]), [try graph.add(.unary(.softplus), [s])])
    case .dense:
      let v = graph.input(.parameter("V"), shape: [3, 6])
      return try graph.add(.outer, [r, try graph.add(.matvec, [v, s])])
    case .independent: return graph.input(.parameter("M"), shape: [2, 3])
    }
  }
}

/// Every rule on matrix-valued operands of every tangent form.
func matrixCases() throws -> ForwardCase {
  var c = ForwardCase()
  func add(_ label: String, _ build: (inout MatrixOperandGraph) throws -> NodeID) throws {
    var g = try MatrixOperandGraph()
    g.graph.outputs = [try build(&g)]
    c.checks.append((label, g.graph))
  }
  for a in MatrixOperand.allCases {
    let name = a.rawValue
    try add("matvec(\(name), q)") { g in try g.graph.add(.matvec, [try g.matrix(a), g.q]) }
    try add("matvec(\(name), s-dependent)") { g in
      let v = try g.graph.add(.slice(start: 1, count: 3), [g.s])
      return try g.graph.add(.matvec, [try g.matrix(a), v])
    }
    try add("vecmat(r, \(name))") { g in try g.graph.add(.vecmat, [g.r, try g.matrix(a)]) }
    try add("transpose(\(name))") { g in try g.graph.add(.transpose, [try g.matrix(a)]) }
    try add("reshape(\(name))") { g in try g.graph.add(.reshape([6]), [try g.matrix(a)]) }
    try add("tanh(\(name))") { g in try g.graph.add(.unary(.tanh), [try g.matrix(a)]) }
    try add("\(name) · (r·s)") { g in
      let scalar = try g.graph.add(.dot, [g.r, try g.graph.add(.slice(start: 0, count: 2), [g.s])])
      return try g.graph.add(.binary(.multiply), [try g.matrix(a), scalar])
    }
    try add("\(name) + constant tensor") { g in
      let k = try g.graph.add(
        .tensor(TensorConstant(shape: [2, 3], values: [1, 0, -2, 0.5, 3, 1])))
      return try g.graph.add(.binary(.add), [try g.matrix(a), k])
    }
    for b in MatrixOperand.allCases {
      try add("\(name) * \(b.rawValue)") { g in
        try g.graph.add(.binary(.multiply), [try g.matrix(a), try g.matrix(b)])
      }
      try add("matmat(\(name), transpose(\(b.rawValue)))") { g in
        let right = try g.graph.add(.transpose, [try g.matrix(b)])
        return try g.graph.add(.matmat, [try g.matrix(a), right])
      }
    }
  }
  // Outer products of every pair of vector tangent forms, and a scalar reshaped.
  var vectors = ForwardCase()
  for a in Operand.vectors {
    for b in Operand.vectors { try vectors.add(.outer, [a, b], label: "outer") }
    try vectors.add(.transposeBlocks(rows: 1, columns: 3), [a], label: "transposeBlocks")
  }
  try vectors.add(.reshape([1]), [.scalar], label: "reshape")
  try vectors.add("reshape(reshape(scalar))") { g in
    let one = try g.graph.add(.reshape([1, 1]), [try g.operand(.scalar)])
    return try g.graph.add(.reshape([]), [one])
  }
  try vectors.add("transposeBlocks of a dense matrix") { g in
    let m = try g.graph.add(.outer, [try g.operand(.dense), try g.operand(.diagonal)])
    let grid = try g.graph.add(.reshape([3, 3]), [try g.graph.add(.reshape([9]), [m])])
    return try g.graph.add(.transposeBlocks(rows: 3, columns: 1), [grid])
  }
  c.checks += vectors.checks
  return c
}

/// Each unary operation on every operand.
func unaryCase(_ op: UnaryOperation) throws -> ForwardCase {
  var c = ForwardCase()
  for a in Operand.allCases { try c.add(.unary(op), [a], label: op.rawValue) }
  return c
}

/// Each binary operation on every pair of operands (vectors with vectors and scalars, scalars
/// with both).
func binaryCase(_ op: BinaryOperation) throws -> ForwardCase {
  var c = ForwardCase()
  for a in Operand.allCases {
    for b in Operand.allCases { try c.add(.binary(op), [a, b], label: op.rawValue) }
  }
  return c
}

/// The primitives forward mode refuses when they depend on the state, each in a graph where it
/// does: the ones only derived graphs use.
func refusedCase(_ kind: PrimitiveKind) throws -> Graph? {
  var g = Graph()
  let x = g.input(.state(0), shape: [3])
  let w = g.input(.parameter("W"), shape: [3, 3])
  let outer = { (g: inout Graph) throws -> NodeID in try g.add(.outer, [x, x]) }
  let op: NodeID
  switch kind {
  case .scaleRows: op = try g.add(.scaleRows, [x, w])
  case .scaleColumns: op = try g.add(.scaleColumns, [w, x])
  case .addDiagonal: op = try g.add(.addDiagonal, [w, x])
  case .diagonal: op = try g.add(.diagonal, [try outer(&g)])
  case .concatRows: op = try g.add(.concatRows, [w, try outer(&g)])
  case .sliceRows: op = try g.add(.sliceRows(start: 1, count: 2), [try outer(&g)])
  case .input, .constant, .unary, .binary, .matvec, .vecmat, .dot, .sum, .broadcast, .concat,
    .slice, .outer, .transpose, .matmat, .reshape, .transposeBlocks, .tensor:
    return nil
  }
  g.outputs = [op]
  return g
}

/// Checks the tangent of every graph's output against central differences and reverse mode.
func expectTangentsMatch(
  _ c: ForwardCase, positive: Bool, sourceLocation: SourceLocation = #_sourceLocation
) throws {
  for (label, graph) in c.checks {
    try expectTangentMatches(graph, label, positive: positive, sourceLocation: sourceLocation)
  }
}

/// J·u of the output against the central difference along u, and ⟨v, J u⟩ against reverse
/// mode's ⟨Jᵀ v, u⟩, on a batch of two.
func expectTangentMatches(
  _ graph: Graph, _ label: String, positive: Bool, sourceLocation: SourceLocation
) throws {
  let batch = 2
  // Odd seeds give positive inputs (for log, sqrt, division and powers), even ones both signs.
  let inputs = try sampleInputs(graph, batch: batch, seed: positive ? 5 : 4)
  let seed = try #require(graph.inputs { $0 == .state(0) }.first)
  let x = try #require(inputs[.state(0)])
  let p = x.shape[1]
  var stream = RandomStream(seed: 11)
  let u = try Tensor<Double>.uniform(x.shape, from: -1, to: 1, using: &stream)
  let output = graph.outputs[0]
  let shape = graph[output].shape
  let k = shape.reduce(1, *)
  // A value that does not depend on the batch has an unbatched Jacobian [k, p].
  let jacobian = try forwardJacobians(graph, wrt: seed, inputs: inputs)[0]
    .broadcast(to: [batch, k, p]).contiguous().scalars
  var tangent = [Double](repeating: 0, count: batch * k)
  for b in 0..<batch {
    for i in 0..<k {
      for j in 0..<p { tangent[b * k + i] += jacobian[(b * k + i) * p + j] * u.scalars[b * p + j] }
    }
  }
  let numeric = try centralDifference(at: x, along: u) { moved in
    var movedInputs = inputs
    movedInputs[.state(0)] = moved
    let value = try ReferenceEvaluator.evaluate(graph, inputs: movedInputs)[output.index]
    return try value.broadcast(to: [batch] + shape).contiguous().scalars
  }
  expectClose(
    tangent, numeric, tolerance: 1e-6, "\(label): J·u against FD", sourceLocation: sourceLocation)
  let v = try Tensor<Double>.uniform([batch] + shape, from: -1, to: 1, using: &stream)
  // An unbatched output's cotangent is the sum of the per-sample ones.
  let outputSeed = graph[output].isBatched ? v : try v.sum(along: [0])
  let cotangent = try reverseCotangents(
    graph, wrt: [seed], inputs: inputs, outputSeeds: [outputSeed])[0]
  let forward = zip(v.scalars, tangent).map(*).reduce(0, +)
  let reverse = zip(cotangent.scalars, u.scalars).map(*).reduce(0, +)
  expectClose(
    [forward], [reverse], tolerance: 1e-12, "\(label): ⟨v, J u⟩ against ⟨Jᵀ v, u⟩",
    sourceLocation: sourceLocation)
}

@Suite struct ForwardModeRuleTests {
  @Test(arguments: UnaryOperation.allCases)
  func unary(_ op: UnaryOperation) throws {
    // log, sqrt and reciprocal need positive operands; the rest also see negative ones.
    let positive: Set<UnaryOperation> = [.log, .sqrt, .reciprocal]
    try expectTangentsMatch(try unaryCase(op), positive: positive.contains(op))
  }

  @Test(arguments: BinaryOperation.allCases)
  func binary(_ op: BinaryOperation) throws {
    // A power's d/db = aᵇ ln a needs a > 0; a quotient stays away from a zero denominator.
    let positive: Set<BinaryOperation> = [.power, .divide]
    try expectTangentsMatch(try binaryCase(op), positive: positive.contains(op))
  }

  @Test func structuralPrimitives() throws {
    for (name, c) in try structuralCases() {
      try expectTangentsMatch(c, positive: name == "products")
    }
  }

  @Test(arguments: PrimitiveKind.allCases)
  func refusedPrimitivesThrow(_ kind: PrimitiveKind) throws {
    guard let graph = try refusedCase(kind) else { return }
    let seed = try #require(graph.inputs { $0 == .state(0) }.first)
    #expect(
      throws: GraphError.self,
      "forward mode now differentiates \(kind): give it a case here and drop its refusal"
    ) { try graph.jacobian(wrt: seed) }
  }

  /// The ops applied to seed-dependent operands above (or used as their operands), and the
  /// refused ones, are every primitive, and no op is both.
  @Test func everyPrimitiveIsTestedOrRefused() throws {
    var cases = try structuralCases().map(\.case)
    cases += try UnaryOperation.allCases.map(unaryCase)
    cases += try BinaryOperation.allCases.map(binaryCase)
    var tested = Set<PrimitiveKind>()
    for (_, graph) in cases.flatMap(\.checks) {
      let seed = try #require(graph.inputs { $0 == .state(0) }.first)
      let reaches = graph.dependsOn([seed], freezingGates: false)
      for (index, node) in graph.nodes.enumerated() where reaches[index] {
        tested.insert(PrimitiveKind(node.op))
        for operand in node.inputs { tested.insert(PrimitiveKind(graph[operand].op)) }
      }
    }
    let refused = Set(try PrimitiveKind.allCases.filter { try refusedCase($0) != nil })
    #expect(tested.isDisjoint(with: refused), "\(tested.intersection(refused))")
    let missing = Set(PrimitiveKind.allCases).subtracting(tested).subtracting(refused)
    #expect(missing.isEmpty, "primitives without a forward-mode test or refusal: \(missing)")
  }
}
