// Lowering: a cell (with its gates) becomes a TauGraph step graph by running its body on traced
// values. `param` statements become parameter inputs, `state` statements extra state inputs,
// and a gate call records the gate's body with its result marked as a gate value.
import TauDynamics
import TauGraph
import TauTensor

/// What is known while a body is being lowered.
final class LoweringContext {
  let recorder: GraphRecorder
  let hidden: Int
  let input: Int
  /// Prefix of parameter names: the cell parameters through which gates were reached (`gate`).
  var prefix: [String] = []
  /// Appended to every parameter name: the layer's `_l{k}` in a stack (`LayerNaming`).
  var suffix = ""
  /// The index of this layer's h among the model's states; its other states follow it.
  var stateBase = 0
  /// The cell being lowered (nil for an optimizer), which owns the gates marked in its body.
  var cell: Declaration?
  /// The gates being applied, outermost first.
  var gates: [Declaration] = []
  /// Extra states declared with `state` (the hidden state h is state 0).
  var stateNames: [String] = []
  var stateNodes: [NodeID] = []
  /// The declared shape of each extra state ([n], or [k, m] for a matrix state).
  var stateShapes: [[Int]] = []
  /// Set while an optimizer body is lowered: its states are per-element scalars.
  var isOptimizer = false
  var initialStates: [Double] = []

  init(hidden: Int, input: Int, recorder: GraphRecorder = GraphRecorder()) {
    self.hidden = hidden
    self.input = input
    self.recorder = recorder
  }
}

/// A lowered cell, or a stack of cells lowered into one step graph, and what its parameters need.
public struct LoweredCell: Sendable {
  public var graph: Graph
  public var parameters: [LoweredParameter]
  /// Names and sizes of all states: layer by layer, each layer's h first, then its `state`s.
  public var stateNames: [String]
  public var stateSizes: [Int]
  /// The declared shapes: [n] for a vector state, [k, m] for a matrix state (stored flat).
  public var stateShapes: [[Int]]
  /// Every gate application, for validation and messages.
  public var gates: [LoweredGate]
  /// The layers, bottom first (one for a plain model).
  public var layers: [LoweredLayer]

  /// The state the readout reads: the top layer's h.
  public var readoutState: Int { layers.last?.stateOffset ?? 0 }
}

/// One layer of a model: which states are its own.
public struct LoweredLayer: Sendable {
  /// The cell as written (`torch_gru(bias: false)`).
  public var cell: String
  public var hidden: Int
  /// The layer's own state names (`h`, `c`), unsuffixed.
  public var stateNames: [String]
  /// Where its states start among the model's states.
  public var stateOffset: Int
}

/// How a model's parameters are named: a layer's parameters get PyTorch's suffix `_l{k}` (after the
/// whole dotted name: `update.Wr_l1`) when the model stacks more than one layer, or always for a
/// `layered` cell, so a torch cell's names are PyTorch's (`weight_ih_l0`) and `load` needs no
/// renaming. States follow the same rule (`h_l0`, `c_l1`) but only when stacked.
enum LayerNaming {
  static func parameterSuffix(layer: Int, of count: Int, cell: Declaration) -> String {
    count > 1 || cell.namesLayers ? "_l\(layer)" : ""
  }

  static func stateName(_ name: String, layer: Int, of count: Int) -> String {
    count > 1 ? "\(name)_l\(layer)" : name
  }
}

extension Interpreter {
  /// Lowers `cell` for the given sizes. Errors point into the declarations, and end with a note
  /// at `site` (the `rnn` call), so an error inside the standard library leads back to the
  /// user's code.
  func lowerCell(_ cell: DeclarationValue, hidden: Int, input: Int, at site: SourceRange) throws
    -> LoweredCell
  {
    try lowerStack([cell], hidden: [hidden], input: input, at: site)
  }

  /// Lowers a stack of cells into ONE step graph: layer 0 reads the model's input, layer k > 0
  /// reads layer k-1's next h as its x. The states are the layers' states in layer order.
  func lowerStack(
    _ cells: [DeclarationValue], hidden: [Int], input: Int, at site: SourceRange
  ) throws -> LoweredCell {
    let recorder = GraphRecorder()
    var x: NodeID?  // layer 0 makes the input node itself, after its h (the order plain cells had)
    var layerInput = input
    var outputs: [NodeID] = []
    var stateNames: [String] = []
    var stateShapes: [[Int]] = []
    var layers: [LoweredLayer] = []
    for (k, cell) in cells.enumerated() {
      let context = LoweringContext(hidden: hidden[k], input: layerInput, recorder: recorder)
      context.suffix = LayerNaming.parameterSuffix(
        layer: k, of: cells.count, cell: cell.declaration)
      context.stateBase = outputs.count
      let layer = try lowerLayer(cell, x: x, in: context, at: site)
      layers.append(
        LoweredLayer(
          cell: describeShort(.declaration(cell)), hidden: hidden[k], stateNames: layer.names,
          stateOffset: outputs.count))
      outputs += layer.outputs
      stateNames += layer.names.map { LayerNaming.stateName($0, layer: k, of: cells.count) }
      stateShapes += layer.shapes
      x = layer.outputs[0]
      layerInput = hidden[k]
    }
    // A broadcast scalar or a repeated node is still one output per state.
    recorder.graph.outputs = outputs
    return LoweredCell(
      graph: recorder.graph, parameters: recorder.parameters, stateNames: stateNames,
      stateSizes: stateShapes.map { $0.reduce(1, *) }, stateShapes: stateShapes,
      gates: recorder.gates, layers: layers)
  }

  /// One layer: `cell`'s body lowered into `context`'s recorder with x bound to node `x`.
  private func lowerLayer(
    _ cell: DeclarationValue, x: NodeID?, in context: LoweringContext, at site: SourceRange
  ) throws -> (outputs: [NodeID], names: [String], shapes: [[Int]]) {
    // A body may build another model (`rnn(b, …)` inside cell a); one that leads back to a cell
    // already being built would recurse without end.
    let declaration = cell.declaration
    try checkNoCycle(declaration, in: cellsBeingBuilt, "cells build each other", at: site)
    cellsBeingBuilt.append(declaration)
    defer { cellsBeingBuilt.removeLast() }
    do {
      return try lowerCellBody(cell, x: x, in: context, at: site)
    } catch var diagnostic as Diagnostic where diagnostic.range != site {
      diagnostic.notes.append(
        Diagnostic(
          diagnostic.id,
          "while building \(cell.declaration.kind.rawValue) '\(cell.declaration.name)' with hidden \(context.hidden) and input \(context.input)",
          at: site, severity: .note))
      throw diagnostic
    }
  }

  private func lowerCellBody(
    _ cell: DeclarationValue, x below: NodeID?, in context: LoweringContext, at site: SourceRange
  ) throws -> (outputs: [NodeID], names: [String], shapes: [[Int]]) {
    guard cell.declaration.kind == .cell else {
      throw Diagnostic(
        "type.mismatch", "rnn needs a cell, got a \(cell.declaration.kind.rawValue)", at: site)
    }
    context.cell = cell.declaration
    let (recorder, hidden) = (context.recorder, context.hidden)
    let h = recorder.graph.input(.state(context.stateBase), shape: [hidden])
    let x = below ?? recorder.graph.input(.input, shape: [context.input])
    let outer = lowering
    lowering = context
    defer { lowering = outer }
    let result = try runBody(
      cell,
      inputs: [
        .traced(TracedValue(recorder: recorder, id: h)),
        .traced(TracedValue(recorder: recorder, id: x)),
      ],
      at: site)
    // The body's value: the next h, or a record with h and every declared state.
    var outputs: [NodeID] = []
    let declared = cell.declaration.body.statements.last?.range ?? site
    if context.stateNames.isEmpty {
      outputs = [try recorder.operand(result, at: declared)]
    } else {
      guard case .record(let record) = result else {
        throw Diagnostic(
          "lowering.result",
          "a cell with states must end with a record of the next values: {h: …, \(context.stateNames.map { "\($0): …" }.joined(separator: ", "))}",
          at: declared)
      }
      for name in ["h"] + context.stateNames {
        guard let value = record[name] else {
          throw Diagnostic(
            "lowering.result", "the cell's result has no field '\(name)'", at: declared)
        }
        outputs.append(try recorder.operand(value, at: declared))
      }
    }
    let shapes = [[hidden]] + context.stateShapes
    for (index, output) in outputs.enumerated() {
      let shape = recorder.graph[output].shape
      guard shape == shapes[index] else {
        let name = index == 0 ? "h" : context.stateNames[index - 1]
        throw Diagnostic(
          "shape.mismatch",
          "the cell's next '\(name)' is \(formatShape(shape)), but the state is \(formatShape(shapes[index]))",
          at: declared)
      }
      if shape.count == 2 {
        outputs[index] = try recorder.reshaped(output, to: [shape[0] * shape[1]], at: declared)
      }
    }
    return (outputs, ["h"] + context.stateNames, shapes)
  }

  /// Runs a gate or cell body with h and x bound to `inputs`, `hidden` and `input` to the sizes,
  /// and the declaration's parameters to their bound or default values.
  private func runBody(_ value: DeclarationValue, inputs: [Value], at site: SourceRange) throws
    -> Value
  {
    guard let context = lowering else { return .nothing }
    let declaration = value.declaration
    let scope = Environment(parent: value.environment)
    scope.define("h", inputs[0])
    scope.define("x", inputs[1])
    scope.define("hidden", .number(Double(context.hidden)))
    scope.define("input", .number(Double(context.input)))
    for parameter in declaration.parameters {
      if let bound = value.arguments[parameter.name] {
        scope.define(parameter.name, bound)
      } else if let defaultValue = parameter.defaultValue {
        scope.define(parameter.name, try evaluate(defaultValue, in: scope))
      } else {
        throw Diagnostic(
          "call.missingArgument",
          "\(declaration.kind.rawValue) '\(declaration.name)' needs a value for '\(parameter.name)'",
          at: site)
      }
    }
    return try execute(declaration.body.statements, in: scope)
  }

  /// `gate(h, x)` inside a body being lowered: records the gate and marks its value.
  func applyGate(
    _ gate: DeclarationValue, _ arguments: [EvaluatedArgument], name: String, at range: SourceRange
  ) throws -> Value {
    guard let context = lowering else { return .nothing }
    let positional = arguments.filter { $0.label == nil }.map(\.value)
    guard positional.count == 2, arguments.count == 2 else {
      throw Diagnostic(
        "call.arity", "a gate is applied to the state and the input: \(name)(h, x)", at: range)
    }
    // A gate that applies itself, through a default or an argument, would recurse without end.
    try checkNoCycle(gate.declaration, in: context.gates, "gates apply each other", at: range)
    context.gates.append(gate.declaration)
    defer { context.gates.removeLast() }
    context.prefix.append(name)
    defer { context.prefix.removeLast() }
    let recorder = context.recorder
    let firstNew = recorder.graph.nodes.count
    let valueRange = gate.declaration.body.statements.last?.range ?? gate.declaration.range
    let value: NodeID
    do {
      value = try recorder.operand(try runBody(gate, inputs: positional, at: range), at: valueRange)
    } catch var diagnostic as Diagnostic where diagnostic.range != range {
      // An error inside the gate: say which application of it, in the cell, led there.
      diagnostic.notes.append(
        Diagnostic(
          diagnostic.id, "in gate '\(gate.declaration.name)', applied here", at: range,
          severity: .note))
      throw diagnostic
    }
    let marked = try markGate(value, computedFrom: firstNew, at: range)
    recorder.gates.append(
      LoweredGate(
        node: marked, name: name, declaration: gate.declaration, isInline: false,
        bounds: gate.declaration.gateRange, valueRange: valueRange, application: range))
    return .traced(TracedValue(recorder: recorder, id: marked))
  }

  /// `gate z = …` directly in a cell body: binds `z` to the value, marked as a gate named `z` of
  /// the cell, exactly as applying a declared gate marks its result.
  func lowerInlineGate(
    _ name: String, nameRange: SourceRange, bounds: ValueBounds?, value expression: Expr,
    at range: SourceRange, in env: Environment
  ) throws {
    // The checker rejects the statement anywhere else; this guards what it cannot see.
    guard let context = lowering, let cell = context.cell, context.gates.isEmpty else {
      throw Diagnostic(
        "check.misplaced",
        "'gate \(name) = …' marks a gate of a cell and is only allowed directly inside a cell body",
        at: range)
    }
    let recorder = context.recorder
    let firstNew = recorder.graph.nodes.count
    let value = try recorder.operand(try evaluate(expression, in: env), at: expression.range)
    let marked = try markGate(value, computedFrom: firstNew, at: expression.range)
    recorder.gates.append(
      LoweredGate(
        node: marked, name: name, declaration: cell, isInline: true,
        bounds: bounds.map { ($0.lower, $0.upper) } ?? (0, 1), valueRange: expression.range,
        application: range))
    env.define(name, .traced(TracedValue(recorder: recorder, id: marked)))
  }

  /// The node to mark as a gate for `value`: the node itself when the gate's expression computed
  /// it (nodes from `firstNew` on); anything else (h, x, a shared constant such as alpha, a value
  /// from outside, another gate) gets a fresh node, so the mark stays local.
  private func markGate(_ value: NodeID, computedFrom firstNew: Int, at range: SourceRange)
    throws -> NodeID
  {
    guard let recorder = lowering?.recorder else { return value }
    var marked = value
    let node = recorder.graph[value]
    var isInputOrConstant = false
    if case .input = node.op { isInputOrConstant = true }
    if case .constant = node.op { isInputOrConstant = true }
    if value.index < firstNew || isInputOrConstant || node.isGate {
      guard
        case .traced(let fresh) = try recorder.emit(
          .binary(.add), [value, try recorder.constant(0)], at: range)
      else { return value }
      marked = fresh.id
    }
    recorder.graph.markGate(marked)
    return marked
  }

  /// Throws when `declaration` is already among those in progress (`active`, outermost first),
  /// naming the cycle: "cells build each other in a cycle: 'a' → 'b' → 'a'".
  private func checkNoCycle(
    _ declaration: Declaration, in active: [Declaration], _ what: String, at site: SourceRange
  ) throws {
    guard let start = active.firstIndex(where: { $0.range == declaration.range }) else { return }
    let cycle = (active[start...] + [declaration]).map { "'\($0.name)'" }
    throw Diagnostic(
      "model.cycle", "\(what) in a cycle: \(cycle.joined(separator: " → "))", at: site)
  }

  /// `param NAME [shape] = initialiser` inside a body being lowered.
  func lowerParam(
    _ name: String, nameRange: SourceRange, shape: [Expr]?, initializer: Expr?, in env: Environment
  ) throws {
    guard let context = lowering else {
      throw Diagnostic(
        "check.misplaced", "'param' only makes sense inside a gate or cell", at: nameRange)
    }
    let dims = try (shape ?? []).map { expression -> Int in
      let size = try wholeNumber(try evaluate(expression, in: env), at: expression.range)
      guard size > 0 else {
        throw Diagnostic(
          "shape.invalid", "a parameter size must be > 0, got \(size)", at: expression.range)
      }
      return size
    }
    let fullName = (context.prefix + [name]).joined(separator: ".") + context.suffix
    let id = context.recorder.graph.input(.parameter(fullName), shape: dims)
    let initial = try initializer.map { try evaluate($0, in: env) } ?? .nothing
    context.recorder.parameters.append(
      LoweredParameter(name: fullName, shape: dims, initializer: initial, range: nameRange))
    env.define(name, .traced(TracedValue(recorder: context.recorder, id: id)))
  }

  /// `state NAME [shape] = 0` inside a cell being lowered: an extra state vector.
  func lowerState(
    _ name: String, nameRange: SourceRange, shape: [Expr]?, initializer: Expr?, in env: Environment
  ) throws {
    guard let context = lowering, context.prefix.isEmpty else {
      throw Diagnostic(
        "lowering.unsupported", "'state' in a gate is not supported", at: nameRange)
    }
    if context.isOptimizer {
      // An optimizer's state is one number per parameter element, starting at its initialiser.
      var initial = 0.0
      if let initializer {
        guard case .number(let x) = try evaluate(initializer, in: env) else {
          throw Diagnostic(
            "lowering.unsupported", "an optimizer state starts at a number", at: initializer.range)
        }
        initial = x
      }
      let id = context.recorder.graph.input(.state(context.stateNames.count), shape: [])
      context.stateNames.append(name)
      context.stateNodes.append(id)
      context.initialStates.append(initial)
      env.define(name, .traced(TracedValue(recorder: context.recorder, id: id)), isMutable: true)
      return
    }
    guard let shape, (1...2).contains(shape.count) else {
      throw Diagnostic(
        "shape.invalid",
        "a cell's state is a vector or a matrix: write state \(name) [size] = 0 or state \(name) [rows, columns] = 0",
        at: nameRange)
    }
    let dims = try shape.map { expression -> Int in
      let size = try wholeNumber(try evaluate(expression, in: env), at: expression.range)
      guard size > 0 else {
        throw Diagnostic(
          "shape.invalid", "a state size must be > 0, got \(size)", at: expression.range)
      }
      return size
    }
    if let initializer {
      guard case .number(0) = try evaluate(initializer, in: env) else {
        throw Diagnostic("lowering.unsupported", "states start at 0", at: initializer.range)
      }
    }
    // Every state is a vector to the runtime; a matrix state is its entries in row-major order,
    // seen by the body through a reshape.
    let recorder = context.recorder
    let id = recorder.graph.input(
      .state(context.stateBase + context.stateNames.count + 1), shape: [dims.reduce(1, *)])
    context.stateNames.append(name)
    context.stateNodes.append(id)
    context.stateShapes.append(dims)
    let value = dims.count == 2 ? try recorder.reshaped(id, to: dims, at: nameRange) : id
    env.define(name, .traced(TracedValue(recorder: recorder, id: value)))
  }
}

extension Interpreter {
  /// Lowers an optimizer's body for one parameter element: grad, param and step are inputs,
  /// `state`s are per-element states, the body's value is the step subtracted, `let rate` the
  /// effective learning rate.
  func lowerOptimizer(_ optimizer: DeclarationValue, at site: SourceRange) throws
    -> OptimizerProgram
  {
    guard optimizer.declaration.kind == .optimizer else {
      throw Diagnostic(
        "type.mismatch", "expected an optimizer, got a \(optimizer.declaration.kind.rawValue)",
        at: site)
    }
    let context = LoweringContext(hidden: 1, input: 1)
    context.isOptimizer = true
    let recorder = context.recorder
    let outer = lowering
    lowering = context
    defer { lowering = outer }
    let scope = Environment(parent: optimizer.environment)
    func traced(_ id: NodeID) -> Value { .traced(TracedValue(recorder: recorder, id: id)) }
    scope.define("grad", traced(recorder.graph.input(.input, shape: [])))
    scope.define("param", traced(recorder.graph.input(.seed("param"), shape: [])))
    let step = traced(recorder.graph.input(.parameter("step"), shape: []))
    scope.define("step", step)
    for parameter in optimizer.declaration.parameters {
      var value: Value = .nothing
      if let bound = optimizer.arguments[parameter.name] {
        value = bound
      } else if let defaultValue = parameter.defaultValue {
        value = try evaluate(defaultValue, in: scope)
      }
      // A schedule (`lr: cosine(0.1, steps: 800)`, or any fn(step)) is called with the traced
      // step: its value is an expression of the step, lowered with the update.
      if case .function = value {
        value = try scheduleValue(value, for: parameter.name, step: step, at: site)
      }
      scope.define(parameter.name, value)
    }
    let body = optimizer.declaration.body
    let result = try execute(body.statements, in: scope)
    let last = body.statements.last?.range ?? site
    var outputs = [try recorder.operand(result, at: last)]
    for name in context.stateNames {
      outputs.append(try recorder.operand(scope.lookup(name) ?? .number(0), at: last))
    }
    let rate = scope.bindings["rate"]?.value  // the body's own `let rate`, not an outer name
    if let rate { outputs.append(try recorder.operand(rate, at: last)) }
    for output in outputs where !recorder.graph[output].shape.isEmpty {
      throw Diagnostic(
        "shape.mismatch",
        "an optimizer works on one number at a time; this is \(formatShape(recorder.graph[output].shape))",
        at: last)
    }
    recorder.graph.outputs = outputs
    return OptimizerProgram(
      graph: recorder.graph, stateNames: context.stateNames, initialStates: context.initialStates,
      hasRate: rate != nil)
  }
}

extension Interpreter {
  /// The value of schedule `function` (an optimizer argument) at the traced `step`: a number, or
  /// a scalar expression of the step.
  fileprivate func scheduleValue(
    _ function: Value, for name: String, step: Value, at site: SourceRange
  ) throws -> Value {
    let value = try call(
      function, [EvaluatedArgument(label: nil, value: step, range: site)], at: site,
      calleeRange: site)
    switch value {
    case .number: return value
    case .traced(let t) where t.shape.isEmpty: return value
    default:
      throw Diagnostic(
        "type.mismatch",
        "the schedule given for '\(name)' must give a number at each step, got \(describeShort(value))",
        at: site)
    }
  }
}
