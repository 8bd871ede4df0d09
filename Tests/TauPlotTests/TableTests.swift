// Tidy tables: observations laid out in columns, element coordinates, and the CSV and JSON
// writers' quoting, escaping and number forms, each against text written out by hand.
import Foundation
import Testing

@testable import TauPlot

@Suite struct TableTests {
  @Test func observationsAreLaidOutInColumns() {
    let table = TidyTable([
      TidyObservation(
        identifiers: [("seed", .number(1))], indices: [("lag", .number(2))], metric: "ai",
        value: .number(0.5)),
      TidyObservation(
        identifiers: [("seed", .number(1)), ("model", .text("gru"))], metric: "slope",
        value: .number(-1)),
    ])
    #expect(table.columns == ["seed", "model", "lag", "metric", "value"])
    #expect(
      table.rows == [
        [.number(1), .empty, .number(2), .text("ai"), .number(0.5)],
        [.number(1), .text("gru"), .empty, .text("slope"), .number(-1)],
      ])
  }

  @Test func repeatedColumnNamesAreNumbered() {
    let table = TidyTable([
      TidyObservation(
        identifiers: [("value", .text("a"))], indices: [("metric", .number(1))], metric: "m",
        value: .bool(true))
    ])
    #expect(table.columns == ["value", "metric", "metric_2", "value_2"])
    // Without a metric there is no metric column.
    #expect(TidyTable([TidyObservation(value: .number(3))]).columns == ["value"])
  }

  @Test func elementsAreIndexedByTheirCoordinates() {
    let cells = (0..<6).map { TableCell.number(Double($0)) }
    let vector = TidyObservation.elements(Array(cells[0..<2]), shape: [2])
    #expect(TableWriters.csv(TidyTable(vector)) == "index,value\n1,0\n2,1\n")
    let matrix = TidyObservation.elements(cells, shape: [2, 3], metric: "w")
    #expect(
      TableWriters.csv(TidyTable(matrix))
        == "row,column,metric,value\n0,0,w,0\n0,1,w,1\n0,2,w,2\n1,0,w,3\n1,1,w,4\n1,2,w,5\n")
    let cube = TidyObservation.elements(Array(cells[0..<4]), shape: [1, 2, 2])
    #expect(
      TableWriters.csv(TidyTable(cube))
        == "i0,i1,i2,value\n0,0,0,0\n0,0,1,1\n0,1,0,2\n0,1,1,3\n")
    #expect(TidyObservation.elements([.number(7)], shape: []).map(\.indices.count) == [0])
  }

  /// RFC 4180: a field with a comma, a quote, a line break or edge spaces is quoted, and its
  /// quotes doubled; header names follow the same rule.
  @Test func csvQuotesFieldsThatNeedIt() {
    let table = TidyTable(
      columns: ["model", "a,b", "value"],
      rows: [
        [.text("leaky, \"gated\""), .text(" edge"), .number(1)],
        [.text("two\nlines"), .text("plain"), .empty],
      ])
    #expect(
      TableWriters.csv(table) == #"""
        model,"a,b",value
        "leaky, ""gated"""," edge",1
        "two
        lines",plain,

        """#)
  }

  @Test func numbersAreWrittenWithTheFewestDigits() {
    let table = TidyTable(
      columns: ["value"],
      rows: [
        [.number(3)], [.number(0.1)], [.single(0.1)], [.number(1.5e20)], [.number(-2.5)],
        [.number(.nan)], [.number(.infinity)], [.single(-.infinity)], [.bool(false)],
      ])
    #expect(
      TableWriters.csv(table) == "value\n3\n0.1\n0.1\n1.5e+20\n-2.5\nNaN\nInf\n-Inf\nfalse\n")
    #expect(
      TableWriters.json(table) == """
        [
          {"value": 3},
          {"value": 0.1},
          {"value": 0.1},
          {"value": 1.5e+20},
          {"value": -2.5},
          {"value": null},
          {"value": null},
          {"value": null},
          {"value": false}
        ]

        """)
  }

  @Test func jsonEscapesStringsAndReadsBack() throws {
    let table = TidyTable(
      columns: ["task \"t\"", "value"],
      rows: [[.text("a\\b\n\t\u{1}"), .empty], [.text("é"), .number(2)]])
    let text = TableWriters.json(table)
    #expect(
      text
        == "[\n  {\"task \\\"t\\\"\": \"a\\\\b\\n\\t\\u0001\", \"value\": null},\n"
        + "  {\"task \\\"t\\\"\": \"é\", \"value\": 2}\n]\n")
    let rows = try #require(
      try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
    #expect(rows[0]["task \"t\""] as? String == "a\\b\n\t\u{1}" && rows[0]["value"] is NSNull)
    #expect(TableWriters.json(TidyTable(columns: ["value"], rows: [])) == "[]\n")
  }
}
