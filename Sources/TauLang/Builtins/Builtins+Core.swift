// Built-ins for printing, inspecting values, lists and records.

extension BuiltinRegistry {
  static let core: [Builtin] = [
    Builtin("print", ["values..."], "print values separated by spaces, then a newline") { args in
      let items = try args.list("values")
      args.interpreter.host.write(items.map(displayText).joined(separator: " ") + "\n")
      return .nothing
    },
    Builtin(
      "len", ["value"],
      "number of elements of a list, string, record or range, or the first axis of a tensor"
    ) { args in
      switch args["value"] {
      case .list(let items): return .number(Double(items.count))
      case .string(let s): return .number(Double(s.count))
      case .record(let r): return .number(Double(r.names.count))
      case .range(let lower, let upper):
        return .number(Swift.max(0, Double(upper) - Double(lower) + 1))
      case .tensor(let t): return .number(Double(t.shape.first ?? 1))
      default: throw args.typeError("value", expected: "a list, string, record, range or tensor")
      }
    },
    Builtin(
      "type", ["value"], "the type of a value as a string: \"number\", \"tensor\", \"cell\", …"
    ) { args in
      .string(args["value"].typeName)
    },
    Builtin("str", ["value"], "a value as text, as print shows it") { args in
      .string(displayText(args["value"]))
    },
    Builtin(
      "number", ["text", "otherwise=none"],
      "the number a string spells (\"20\", \"1e-3\"); if it spells none, otherwise (when given), else an error"
    ) { args in
      let text = try args.string("text").trimmingCharacters(in: .whitespaces)
      guard let value = Double(text) else {
        // `otherwise` lets Tau code name what was wrong itself (stdlib/options.tau names the flag).
        if args.isGiven("otherwise") { return args["otherwise"] }
        throw Diagnostic("value.invalid", "'\(text)' is not a number", at: args.range("text"))
      }
      return .number(value)
    },
    Builtin(
      "range", ["start", "stop=none", "step=1"],
      "the list start, start+step, … below stop (Python's range); range(n) counts 0 … n-1"
    ) { args in
      var start = 0
      var stop = try args.integer("start")
      if args.isGiven("stop") {
        start = stop
        stop = try args.integer("stop")
      }
      let step = try args.integer("step")
      guard step != 0 else {
        throw Diagnostic("value.invalid", "range step must not be 0", at: args.range("step"))
      }
      // Counted in Double: Int arithmetic on extreme bounds could overflow.
      let span = ((Double(stop) - Double(start)) / Double(step)).rounded(.up)
      guard span <= Double(maxListLength) else {
        throw Diagnostic(
          "value.invalid",
          "range of \(formatNumber(span)) elements is too long (at most \(maxListLength))",
          at: args.callRange)
      }
      let count = Swift.max(0, Int(span))
      return .list((0..<count).map { .number(Double(start + $0 * step)) })
    },
    Builtin("append", ["list", "value"], "a new list with value added at the end") { args in
      let items = try args.list("list")
      try checkListSize(items.count, plus: 1, operation: "append", at: args.callRange)
      return .list(items + [args["value"]])
    },
    Builtin(
      "map", ["list", "function"],
      "a new list with function applied to each element; of a record, a record with the same names and function applied to each {name, value} field"
    ) {
      args in
      let f = try args.function("function")
      if case .record(let record) = args["list"] {
        // The fields as a `for` loop visits them, so the function can use the name.
        return .record(
          Record(
            try record.fields.map { field in
              let item = Value.record(
                Record([("name", .string(field.name)), ("value", field.value)]))
              let value = try args.interpreter.call(
                f, [EvaluatedArgument(label: nil, value: item, range: args.range("list"))],
                at: args.callRange, calleeRange: args.range("function"))
              return (field.name, value)
            }))
      }
      return .list(
        try args.list("list").map { item in
          try args.interpreter.call(
            f, [EvaluatedArgument(label: nil, value: item, range: args.range("list"))],
            at: args.callRange, calleeRange: args.range("function"))
        })
    },
    Builtin("filter", ["list", "function"], "the elements for which function returns true") {
      args in
      let f = try args.function("function")
      return .list(
        try args.list("list").filter { item in
          let keep = try args.interpreter.call(
            f, [EvaluatedArgument(label: nil, value: item, range: args.range("list"))],
            at: args.callRange, calleeRange: args.range("function"))
          return try args.interpreter.truth(keep, at: args.range("function"))
        })
    },
    Builtin("sort", ["list"], "the numbers or strings of a list in increasing order") { args in
      let items = try args.list("list")
      if let numbers = items.asNumbers { return .list(numbers.sorted().map(Value.number)) }
      if let strings = items.asStrings { return .list(strings.sorted().map(Value.string)) }
      throw Diagnostic(
        "type.mismatch", "sort needs a list of only numbers or only strings", at: args.range("list")
      )
    },
    Builtin("keys", ["record"], "the field names of a record, in order") { args in
      guard case .record(let r) = args["record"] else {
        throw args.typeError("record", expected: "a record")
      }
      return .list(r.names.map(Value.string))
    },
    Builtin("args", [], "the command-line arguments after -- (tau run FILE -- ARGS), as strings") {
      args in .list(args.interpreter.scriptArguments.map(Value.string))
    },
    Builtin(
      "shard", ["list"],
      "this run's part of list under tau run --shard i/N or a Slurm job array: the i-th of N contiguous blocks (the whole list otherwise)"
    ) { args in
      let items = try args.list("list")
      guard let shard = args.interpreter.shard else { return .list(items) }
      return .list(Array(shard.part(of: items)))
    },
    Builtin(
      "assert", ["condition", "message=\"assertion failed\""],
      "stop with an error if condition is false"
    ) { args in
      if try !args.bool("condition") {
        throw Diagnostic("runtime.assertion", try args.string("message"), at: args.callRange)
      }
      return .nothing
    },
    Builtin(
      "error", ["message", "caller=false"],
      "stop with an error carrying message; caller: true reports it at the call that passed the bad value"
    ) { args in
      guard try args.bool("caller") else {
        throw Diagnostic("runtime.error", displayText(args["message"]), at: args.callRange)
      }
      // A bad argument, as a built-in reports one; Interpreter+CallerErrors.swift moves it.
      var diagnostic = Diagnostic(
        "value.invalid", displayText(args["message"]), at: args.callRange)
      diagnostic.callerSearch = CallerSearch(file: args.callRange.file)
      throw diagnostic
    },
  ]
}

extension Array where Element == Value {
  /// The numbers, if every element is one.
  var asNumbers: [Double]? {
    var numbers: [Double] = []
    for item in self {
      guard case .number(let x) = item else { return nil }
      numbers.append(x)
    }
    return numbers
  }

  /// The strings, if every element is one.
  var asStrings: [String]? {
    var strings: [String] = []
    for item in self {
      guard case .string(let s) = item else { return nil }
      strings.append(s)
    }
    return strings
  }
}
