// Lines that start with `:` talk to the REPL instead of running Tau: `:help`, `:type`, `:load`, …
// One table describes them for parsing, `:help` and completion alike.
import Foundation
import TauLang

/// A parsed meta-command.
public enum MetaCommand: Equatable, Sendable {
  case help(topic: String?)
  case type(expression: String)
  case load(path: String)
  case reload
  case vars
  case time(entry: String)
  case reset
  case quit

  /// What a command takes after its name.
  public enum Argument: Sendable {
    case none
    case optional(String)
    case required(String)
  }

  /// One row of the table: the name without `:`, its argument and one line of help.
  public struct Spec: Sendable {
    public let name: String
    public let argument: Argument
    public let summary: String

    /// `:help [name]`, `:load file`.
    public var usage: String {
      switch argument {
      case .none: return ":" + name
      case .optional(let what): return ":\(name) [\(what)]"
      case .required(let what): return ":\(name) \(what)"
      }
    }
  }

  public static let specs: [Spec] = [
    Spec(
      name: "help", argument: .optional("name"),
      summary: "this overview, or the documentation of a built-in, declaration or command"),
    Spec(
      name: "type", argument: .required("expr"),
      summary: "the type and shape of an expression's value, without printing it"),
    Spec(
      name: "load", argument: .required("file"),
      summary: "run a .tau file in this session (its names stay bound)"),
    Spec(
      name: "reload", argument: .none,
      summary: "read the modules used and the files loaded in this session again"),
    Spec(name: "vars", argument: .none, summary: "the names this session has bound, with types"),
    Spec(
      name: "time", argument: .required("entry"),
      summary: "run an entry and report how long it took"),
    Spec(name: "reset", argument: .none, summary: "forget every binding and start afresh"),
    Spec(name: "quit", argument: .none, summary: "leave Tau (Ctrl-D does the same)"),
  ]

  /// Parses `line`, which starts with `:` after optional spaces. A command may be shortened to
  /// any prefix that names one command (`:h`, `:q`), and `?name` is `:help name` (as in Julia
  /// and IPython). Errors point into the line.
  public static func parse(_ line: String) -> Result<MetaCommand, Diagnostic> {
    let trimmed = line.trimmingCharacters(in: .whitespaces)
    if trimmed.hasPrefix("?") {
      let topic = trimmed.dropFirst().trimmingCharacters(in: .whitespaces)
      return .success(.help(topic: topic.isEmpty ? nil : topic))
    }
    let source = SourceFile(name: "<repl>", text: line)
    let utf8 = Array(line.utf8)
    let parts = Parts(utf8)
    let word = String(
      decoding: utf8[Swift.min(parts.wordStart + 1, parts.wordEnd)..<parts.wordEnd], as: UTF8.self)
    let wordRange = SourceRange(file: source, start: parts.wordStart, end: parts.wordEnd)
    let argument = String(decoding: utf8[parts.argumentStart...], as: UTF8.self)
      .trimmingCharacters(in: .whitespaces)

    guard let spec = Self.spec(named: word) else {
      let matches = specs.filter { $0.name.hasPrefix(word) }
      if matches.count > 1, !word.isEmpty {
        return .failure(
          Diagnostic(
            "repl.ambiguousCommand",
            "':\(word)' could be " + matches.map { ":" + $0.name }.joined(separator: " or "),
            at: wordRange))
      }
      return .failure(
        Diagnostic(
          "repl.unknownCommand", "unknown command ':\(word)'", at: wordRange,
          hint: nearestName(to: word, in: specs.map(\.name)).map { "did you mean ':\($0)'?" }
            ?? "the commands are " + specs.map { ":" + $0.name }.joined(separator: ", ")))
    }

    let argumentRange = SourceRange(file: source, start: parts.argumentStart, end: utf8.count)
    switch spec.argument {
    case .none where !argument.isEmpty:
      return .failure(
        Diagnostic(
          "repl.unexpectedArgument", "':\(spec.name)' takes no argument", at: argumentRange))
    case .required(let what) where argument.isEmpty:
      return .failure(
        Diagnostic(
          "repl.missingArgument", "':\(spec.name)' needs \(article(what)) \(what)",
          at: wordRange, hint: "write \(spec.usage)"))
    default:
      break
    }
    switch spec.name {
    case "help": return .success(.help(topic: argument.isEmpty ? nil : argument))
    case "type": return .success(.type(expression: argument))
    case "load": return .success(.load(path: unquoted(argument)))
    case "reload": return .success(.reload)
    case "vars": return .success(.vars)
    case "time": return .success(.time(entry: argument))
    case "reset": return .success(.reset)
    default: return .success(.quit)
    }
  }

  /// The command `word` names, exactly or as the prefix of only one command.
  static func spec(named word: String) -> Spec? {
    if let exact = specs.first(where: { $0.name == word }) { return exact }
    let matches = specs.filter { $0.name.hasPrefix(word) }
    return matches.count == 1 && !word.isEmpty ? matches[0] : nil
  }

  /// The byte offset in `line` where the argument of the command starts (for carets into it).
  static func argumentOffset(in line: String) -> Int { Parts(Array(line.utf8)).argumentStart }

  /// Where the command word (`:type`, from its colon) and its argument are, as UTF-8 offsets.
  private struct Parts {
    var wordStart = 0
    var wordEnd: Int
    var argumentStart: Int

    init(_ utf8: [UInt8]) {
      func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
      }
      while wordStart < utf8.count, isBlank(utf8[wordStart]) { wordStart += 1 }
      wordEnd = Swift.min(wordStart + 1, utf8.count)  // past the colon
      while wordEnd < utf8.count, !isBlank(utf8[wordEnd]) { wordEnd += 1 }
      argumentStart = wordEnd
      while argumentStart < utf8.count, isBlank(utf8[argumentStart]) { argumentStart += 1 }
    }
  }
}

/// Whether an entry is a meta-command (`:name …` or `?name`) rather than Tau code.
func isMetaCommand(_ entry: String) -> Bool {
  let start = entry.drop { $0 == " " || $0 == "\t" }
  return start.hasPrefix(":") || start.hasPrefix("?")
}

private func article(_ word: String) -> String {
  "aeiou".contains(word.first ?? "x") ? "an" : "a"
}

/// `"my file.tau"` → `my file.tau`; a path written bare stays as it is.
private func unquoted(_ text: String) -> String {
  guard text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") else { return text }
  return String(text.dropFirst().dropLast())
}
