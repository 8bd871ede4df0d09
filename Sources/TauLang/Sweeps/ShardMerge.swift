// `tau merge DIR`: the tables of a sharded sweep put back together, exactly as one unsharded
// run writes them. The shards' parts of each list are contiguous blocks in order, so a table
// built in list order is the shards' tables one after the other; the manifests say whether the
// shards belong to one sweep and whether any is missing.
import Foundation

/// Why the shards of a folder do not merge.
public struct MergeError: Error, Equatable {
  public let message: String
  public init(_ message: String) { self.message = message }
}

/// What merging a folder wrote.
public struct MergedTable: Equatable, Sendable {
  public let path: String
  public let shards: Int
  public let rows: Int
}

public enum ShardMerge {
  /// Merges every sharded table of `folder` into its unsharded name; throws before writing
  /// anything when a shard is missing or the shards disagree.
  public static func merge(folder: String) throws(MergeError) -> [MergedTable] {
    let ordered = try completeManifests(folder)
    let first = ordered[0]
    // Each table by its unsharded name, with every shard's file of it in shard order.
    var tables: [String: [String]] = [:]
    var order: [String] = []
    for manifest in ordered {
      guard let shard = try? Shard(index: manifest.shard, count: manifest.shards) else { continue }
      for file in manifest.files {
        let marker = ".\(shard)"
        guard let range = file.range(of: marker) else { continue }
        let name = file.replacingCharacters(in: range, with: "")
        if tables[name] == nil { order.append(name) }
        tables[name, default: []].append(file)
      }
    }
    for name in order where tables[name]?.count != first.shards {
      let have = Set((tables[name] ?? []).compactMap { shardIndex(of: $0) })
      let lacking = (1...first.shards).filter { !have.contains($0) }
      throw MergeError(
        "\(name): shard\(lacking.count == 1 ? "" : "s") \(lacking.map(String.init).joined(separator: ", ")) did not write it"
      )
    }
    var merged: [(MergedTable, String)] = []
    for name in order {
      let texts = try (tables[name] ?? []).map { file throws(MergeError) in
        try read(URL(fileURLWithPath: folder).appendingPathComponent(file).path)
      }
      let path = URL(fileURLWithPath: folder).appendingPathComponent(name).path
      let (text, rows) =
        name.lowercased().hasSuffix(".json")
        ? try joinJSON(texts, name: name) : try joinCSV(texts, name: name)
      merged.append((MergedTable(path: path, shards: first.shards, rows: rows), text))
    }
    for (table, text) in merged {
      do {
        try Data(text.utf8).write(to: URL(fileURLWithPath: table.path), options: .atomic)
      } catch {
        throw MergeError("cannot write \(table.path): \(error.localizedDescription)")
      }
    }
    return merged.map(\.0)
  }

  /// The shards' manifests in `folder`, in shard order, once they are known to be one sweep's
  /// and all there.
  private static func completeManifests(_ folder: String) throws(MergeError) -> [ShardManifest] {
    let manifests = try readManifests(folder)
    guard let first = manifests.first else {
      throw MergeError(
        "\(folder) holds no shard manifests (tau-manifest.shard-i-of-N.json): nothing to merge")
    }
    for manifest in manifests {
      for (field, same) in [
        ("shard count", manifest.shards == first.shards),
        ("script", manifest.script == first.script),
        ("script source", manifest.sourceHash == first.sourceHash),
        ("arguments", manifest.arguments == first.arguments),
      ] where !same {
        throw MergeError(
          "shard \(manifest.shard) of \(manifest.shards) and shard \(first.shard) of \(first.shards) differ in their \(field); they are not one sweep"
        )
      }
    }
    let present = Set(manifests.map(\.shard))
    let missing = (1...first.shards).filter { !present.contains($0) }
    guard missing.isEmpty else {
      throw MergeError(
        "shard\(missing.count == 1 ? "" : "s") \(missing.map(String.init).joined(separator: ", ")) of \(first.shards) \(missing.count == 1 ? "is" : "are") missing (no \(missing.map { "tau-manifest.shard-\($0)-of-\(first.shards).json" }.joined(separator: ", ")))"
      )
    }
    return manifests.sorted { $0.shard < $1.shard }
  }

  /// The shards' sweep records joined into the unsharded run's, with the manifest of shard 1
  /// (the script and arguments to re-run); nil when the shards made no `sweep` calls.
  public static func sweepReplay(folder: String) throws(MergeError) -> (
    manifest: ShardManifest, record: SweepRecord
  )? {
    let manifests = try completeManifests(folder)
    guard manifests.contains(where: { $0.sweeps != nil }) else { return nil }
    let records = try manifests.map { manifest throws(MergeError) in
      guard let name = manifest.sweeps else {
        throw MergeError(
          "shard \(manifest.shard) of \(manifest.shards) left no sweep record (the others did)")
      }
      let path = URL(fileURLWithPath: folder).appendingPathComponent(name).path
      do { return try SweepRecord.read(path) } catch {
        throw MergeError("cannot read \(path) as a sweep record: \(error)")
      }
    }
    return (manifests[0], try SweepRecord.joined(records))
  }

  private static func readManifests(_ folder: String) throws(MergeError) -> [ShardManifest] {
    let names: [String]
    do {
      names = try FileManager.default.contentsOfDirectory(atPath: folder)
    } catch {
      throw MergeError("cannot read the folder \(folder)")
    }
    return try names.filter { $0.hasPrefix("tau-manifest.shard-") && $0.hasSuffix(".json") }
      .sorted().map { name throws(MergeError) in
        let text = try read(URL(fileURLWithPath: folder).appendingPathComponent(name).path)
        do {
          return try JSONDecoder().decode(ShardManifest.self, from: Data(text.utf8))
        } catch {
          throw MergeError("\(name) is not a shard manifest")
        }
      }
  }

  private static func shardIndex(of file: String) -> Int? {
    guard let range = file.range(of: #"\.shard-(\d+)-of-"#, options: .regularExpression) else {
      return nil
    }
    return Int(file[range].dropFirst(".shard-".count).dropLast("-of-".count))
  }

  private static func read(_ path: String) throws(MergeError) -> String {
    guard let data = FileManager.default.contents(atPath: path),
      let text = String(data: data, encoding: .utf8)
    else { throw MergeError("cannot read \(path)") }
    return text
  }

  /// One header, then every shard's rows in order. A shard whose part was empty wrote an empty
  /// file (no header: it saw no columns) and adds nothing.
  private static func joinCSV(_ texts: [String], name: String) throws(MergeError) -> (String, Int) {
    var header: Substring?
    var body = ""
    var rows = 0
    for text in texts where !text.isEmpty {
      let end = text.firstIndex(of: "\n") ?? text.endIndex
      let own = text[..<end]
      if let header, header != own {
        throw MergeError("\(name): the shards' tables have different columns")
      }
      header = own
      let rest = text[end...].dropFirst()
      body += rest
      rows += rest.split(separator: "\n", omittingEmptySubsequences: true).count
    }
    guard let header else { throw nothingToMerge(name) }
    return (String(header) + "\n" + body, rows)
  }

  /// Every shard's part of `name` was empty: an unsharded run has nothing to export either.
  private static func nothingToMerge(_ name: String) -> MergeError {
    MergeError("\(name): every shard's table is empty (an unsharded run exports nothing either)")
  }

  /// The shards' row objects in one array, laid out as `export` writes it.
  private static func joinJSON(_ texts: [String], name: String) throws(MergeError) -> (String, Int)
  {
    var rows: [Substring] = []
    for text in texts {
      let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
      guard trimmed.hasPrefix("["), trimmed.hasSuffix("]") else {
        throw MergeError("\(name): a shard's file is not a table written by export")
      }
      let inner = trimmed.dropFirst().dropLast()
      rows += inner.split(separator: "\n").map { $0.hasSuffix(",") ? $0.dropLast() : $0 }
        .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    }
    guard !rows.isEmpty else { throw nothingToMerge(name) }
    return ("[\n" + rows.joined(separator: ",\n") + "\n]\n", rows.count)
  }
}
