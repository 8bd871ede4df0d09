// Axis scales: 1-2-5 ticks on a linear axis, decades on a log axis, their labels, and where a
// value falls on the axis, each against a hand-computed case.
import Testing

@testable import TauPlot

@Suite struct AxisScaleTests {
  @Test func linearTicksFollowTheOneTwoFiveRule() {
    #expect(AxisScale.niceTicks(lower: 0, upper: 0.97) == [0, 0.2, 0.4, 0.6, 0.8])
    #expect(AxisScale.niceTicks(lower: -3, upper: 47) == [0, 10, 20, 30, 40])
    #expect(AxisScale.niceTicks(lower: 1, upper: 80, maxCount: 7) == [20, 40, 60, 80])
    #expect(AxisScale.niceTicks(lower: 0.0012, upper: 0.0031) == [0.0015, 0.002, 0.0025, 0.003])
    #expect(AxisScale.linearLabels([0, 0.2, 0.4]) == ["0.0", "0.2", "0.4"])
    #expect(AxisScale.linearLabels([-10, 0, 10]) == ["-10", "0", "10"])
  }

  @Test func logTicksAreDecades() {
    #expect(AxisScale.logTicks(lower: 1e-3, upper: 20) == [0.001, 0.01, 0.1, 1, 10])
    // Fewer than three decades: 1, 2 and 5 times powers of ten.
    #expect(AxisScale.logTicks(lower: 2, upper: 60) == [2, 5, 10, 20, 50])
    // Twelve decades with at most 6 ticks: every second one.
    #expect(AxisScale.logTicks(lower: 1e-6, upper: 1e5) == [1e-6, 1e-4, 0.01, 1, 100, 1e4])
  }

  /// 0.01 … 1000 spans the decades 10^-2 … 10^3: six ticks, every second one when at most three
  /// are wanted, labelled with %g; 10 lies 3 of the 5 decades up the axis.
  @Test func aLogScaleFromAHundredthToAThousand() throws {
    let scale = AxisScale(spanning: [0.01, 3, 1000], isLog: true)
    #expect(Swift.abs(scale.lower - 0.01) < 1e-17 && Swift.abs(scale.upper - 1000) < 1e-12)
    let ticks = scale.ticks()
    #expect(ticks == [0.01, 0.1, 1, 10, 100, 1000])
    #expect(scale.labels(for: ticks) == ["0.01", "0.1", "1", "10", "100", "1000"])
    #expect(scale.ticks(maxCount: 3) == [0.01, 1, 100])
    let fraction = try #require(scale.fraction(10))
    #expect(Swift.abs(fraction - 0.6) < 1e-12)
    #expect(scale.fraction(0) == nil && scale.fraction(-1) == nil && scale.fraction(.nan) == nil)
  }

  /// Padding on a log axis is in decades: 1 … 100 with 0.5 of its two decades on each side
  /// gives 10^-1 … 10^3.
  @Test func logPaddingIsInDecades() {
    let scale = AxisScale(spanning: [1, 100, 0, -5], isLog: true, padding: 0.5)
    #expect(Swift.abs(scale.lower - 0.1) < 1e-15 && Swift.abs(scale.upper - 1000) < 1e-12)
  }

  /// 3 … 8 holds only one 1-2-5 value (5), so the log axis falls back to linear ticks: steps
  /// of 0.1, 0.2 and 0.5 give 51, 26 and 11 ticks, more than 6; a step of 1 gives 3 … 8.
  @Test func aLogAxisWithinADecadeGetsLinearTicks() {
    #expect(AxisScale.logTicks(lower: 3, upper: 8) == [3, 4, 5, 6, 7, 8])
  }

  @Test func aSingleValueGetsARangeAroundIt() {
    #expect(AxisScale(spanning: [5]) == AxisScale(lower: 4.5, upper: 5.5))
    #expect(AxisScale(spanning: [0]) == AxisScale(lower: -1, upper: 1))
    #expect(AxisScale(spanning: [10], isLog: true) == AxisScale(lower: 1, upper: 100, isLog: true))
    // No finite value: the unit range.
    #expect(AxisScale(spanning: [.nan]) == AxisScale(lower: 0, upper: 1))
  }
}
