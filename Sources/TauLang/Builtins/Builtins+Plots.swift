// Plots and tables: `plot` draws a value as an SVG file and/or a terminal preview, `export`
// writes it as a tidy CSV or JSON table. Plots/ turns values into TauPlot's charts and tables,
// TauPlot draws and writes them; this file reads the arguments.
import Foundation
import TauPlot

extension BuiltinRegistry {
  static let plots: [Builtin] = [
    Builtin(
      "plot",
      [
        "value", "file=none", "title=none", "logy=false", "logx=false", "kind=\"auto\"",
        "x=none", "xlabel=none", "ylabel=none", "bins=20",
      ],
      "draw a tensor, list or record as an SVG file (file:) and/or a terminal preview; returns the file written, or none"
    ) { args in
      let file = try optionalString(args, "file").map {
        try args.interpreter.outputPath($0, at: args.range("file"))
      }
      if let file {
        _ = try reporting(args, at: "file") {
          try OutputFile.checkedExtension(of: file, allowed: ["svg"], writer: "plot")
        }
      }
      let kind = try plotKind(args)
      let bins = try args.integer("bins")
      guard (1...10_000).contains(bins) else {
        throw Diagnostic(
          "value.invalid", "bins must be a whole number from 1 to 10000, got \(bins)",
          at: args.range("bins"))
      }
      let x = try xChoice(args)
      let logY = try args.bool("logy")
      var plot = try reporting(args) {
        try PlotData.plot(args["value"], kind: kind, x: x, bins: bins, isLogY: logY)
      }
      plot.isLogX = try args.bool("logx")
      if plot.isLogX {
        guard case .lines(let chart) = plot.chart else {
          throw Diagnostic(
            "value.invalid", "logx: true needs a line plot", at: args.range("logx"))
        }
        guard chart.series.contains(where: { $0.x.contains { $0 > 0 && $0.isFinite } }) else {
          throw Diagnostic(
            "plot.logScale", "logx: true needs positive x values", at: args.range("logx"))
        }
      }
      plot.title = try optionalString(args, "title")
      if let label = try optionalString(args, "xlabel") { plot.xLabel = label }
      if let label = try optionalString(args, "ylabel") { plot.yLabel = label }
      // The SVG is made whether or not a file is asked for: a notebook host shows it inline.
      let fallback = file.map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent }
      let svg = SVGPlot(plot: plot, fallbackTitle: fallback ?? "Tau plot").render()
      if let file {
        try reporting(args, at: "file") { try OutputFile.write(Data(svg.utf8), to: file) }
      }
      args.interpreter.host.produced(
        .plot(svg: svg, terminal: TerminalPlot.render(plot), file: file))
      return file.map(Value.string) ?? .nothing
    },
    Builtin(
      "export", ["value", "file"],
      "write a tensor, list or record as a tidy table (one row per observation) to a .csv or .json file; returns the file written"
    ) { args in
      let file = try args.interpreter.outputPath(try args.string("file"), at: args.range("file"))
      let format = try reporting(args, at: "file") {
        try OutputFile.checkedExtension(of: file, allowed: ["csv", "json"], writer: "export")
      }
      let text: String
      do {
        let table = try reporting(args) { try TidyTable(args["value"]) }
        text = format == "csv" ? TableWriters.csv(table) : TableWriters.json(table)
      } catch let diagnostic as Diagnostic
        where diagnostic.id == "export.empty" && args.interpreter.shard != nil
      {
        // A shard's part may be empty (more shards than items): it writes an empty table, which
        // `tau merge` passes over, rather than failing its job-array task.
        text = format == "csv" ? "" : "[]\n"
      }
      if let shard = args.interpreter.shard { args.interpreter.startShardFolder(of: file, shard) }
      try reporting(args, at: "file") { try OutputFile.write(Data(text.utf8), to: file) }
      if args.interpreter.shard != nil { args.interpreter.shardFiles.append(file) }
      args.interpreter.host.produced(.file(path: file))
      return .string(file)
    },
  ]
}

/// Runs `body`, turning a PlotArgumentError into a diagnostic at the argument it names, and
/// TauPlot's PlotError (from writing a file) into one at `argument`.
private func reporting<T>(
  _ args: CallArguments, at argument: String = "value", _ body: () throws -> T
) throws -> T {
  do {
    return try body()
  } catch let error as PlotArgumentError {
    throw Diagnostic(error.id, error.message, at: args.range(error.argument), hint: error.hint)
  } catch let error as PlotError {
    throw Diagnostic(error.diagnosticID, error.message, at: args.range(argument))
  }
}

private func optionalString(_ args: CallArguments, _ name: String) throws -> String? {
  args.isGiven(name) ? try args.string(name) : nil
}

private func plotKind(_ args: CallArguments) throws -> PlotKind {
  let text = try args.string("kind")
  guard let kind = PlotKind(rawValue: text) else {
    let kinds = PlotKind.allCases.map(\.rawValue)
    throw Diagnostic(
      "value.invalid",
      "kind must be one of " + kinds.map { "\"\($0)\"" }.joined(separator: ", ")
        + ", got \"\(text)\"",
      at: args.range("kind"),
      hint: nearestName(to: text, in: kinds).map { "did you mean \"\($0)\"?" })
  }
  return kind
}

/// `x:` as a field name, or as the x values themselves.
private func xChoice(_ args: CallArguments) throws -> XChoice {
  switch args["x"] {
  case .nothing: return .automatic
  case .string(let name): return .field(name)
  default:
    guard let values = RecordFields.numbers(args["x"]) else {
      throw args.typeError("x", expected: "a field name or a list of numbers")
    }
    return .values(values)
  }
}
