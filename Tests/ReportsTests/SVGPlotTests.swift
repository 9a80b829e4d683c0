import Core
import Environments
import Foundation
import Reinforcement
import Reports
import Testing

@testable import Reports

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// Counts elements (and their `class` attributes) while checking well-formedness.
final class ElementCounter: NSObject, XMLParserDelegate {
  var elements: [String: Int] = [:]
  var classes: [String: Int] = [:]
  var texts: [String] = []
  private var current = ""

  func parser(
    _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
    attributes: [String: String] = [:]
  ) {
    elements[name, default: 0] += 1
    if let c = attributes["class"] { classes[c, default: 0] += 1 }
    current = ""
  }

  func parser(_ parser: XMLParser, foundCharacters string: String) { current += string }

  func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?)
  {
    if name == "text" || name == "title" { texts.append(current) }
    current = ""
  }
}

func parseSVG(_ svg: String) -> (ok: Bool, counter: ElementCounter) {
  let parser = XMLParser(data: Data(svg.utf8))
  let counter = ElementCounter()
  parser.delegate = counter
  return (parser.parse(), counter)
}

@Suite struct SVGPlotTests {
  @Test func niceTicks() {
    let (lower, upper, ticks, step) = Axis.ticks(0, 1_000_000)
    #expect(step == 200_000 && lower == 0 && upper == 1_000_000)
    #expect(ticks == [0, 200_000, 400_000, 600_000, 800_000, 1_000_000])
    let axis = Axis(values: [0, 1_000_000], suffixFrom: 1000)
    #expect(ticks.map(axis.label) == ["0", "0.2M", "0.4M", "0.6M", "0.8M", "1.0M"])
    // 0 and 500 lie within 5% of the span [9.3, 487.2], so the axis runs out to them.
    let returns = Axis(values: [9.3, 487.2], suffixFrom: 10_000)
    #expect(returns.step == 100 && returns.ticks == [0, 100, 200, 300, 400, 500])
    #expect(returns.lower == 0 && returns.upper == 500)
    // Step 0.2 would leave only 0, 0.2, 0.4 on [-0.13, 0.42] (-0.2 and 0.6 are too far out):
    // refined to 0.1, and the axis stays at the data.
    let small = Axis.ticks(-0.13, 0.42)
    #expect(small.step == 0.1 && small.ticks.count == 6 && small.lower == -0.13 && small.upper == 0.42)
    let k = Axis(values: [0, 50_000], suffixFrom: 1000)
    #expect(k.ticks.map(k.label) == ["0", "10k", "20k", "30k", "40k", "50k"])
    let neg = Axis(values: [-0.13, 0.42], suffixFrom: 1000)
    #expect(neg.ticks.map(neg.label) == ["-0.1", "0", "0.1", "0.2", "0.3", "0.4"])
  }

  /// The tick rule: the axis ends at the data's end, or at a tick at most 5% of the span beyond it.
  @Test func axisEndsAtTheDataNotATickPastIt() {
    // A 40,960-step run: the axis ends at 40,960 with its last tick at 40k (not at 50k).
    let run40k = Axis(values: [0, 40_960], suffixFrom: 1000)
    #expect(run40k.upper == 40_960 && run40k.ticks.last == 40_000)
    #expect(run40k.ticks.map(run40k.label) == ["0", "10k", "20k", "30k", "40k"])
    // A 61,440-step run logged from 2,048: 0 is close enough to start at; the end stays at 61,440.
    let run60k = Axis(values: [2048, 61_440], suffixFrom: 1000)
    #expect(run60k.lower == 0 && run60k.upper == 61_440 && run60k.ticks == [0, 20_000, 40_000, 60_000])
    var rng = RandomGenerator(seed: 18)
    for _ in 0..<2000 {
      let scale = pow(10, Double.random(in: -3...7, using: &rng))
      let a = Double.random(in: -1...1, using: &rng) * scale
      let b = a + Double.random(in: 0.001...2, using: &rng) * scale
      let (lower, upper, ticks, step) = Axis.ticks(a, b)
      let slack = (b - a) * Axis.margin * (1 + 1e-9)
      #expect(lower <= a && a - lower <= slack && upper >= b && upper - b <= slack, "[\(a), \(b)]")
      #expect(ticks.count >= 4 && ticks.count <= 13, "[\(a), \(b)]: \(ticks)")
      let tolerance = step * 1e-6
      #expect(ticks.allSatisfy { $0 >= lower - tolerance && $0 <= upper + tolerance }, "[\(a), \(b)]")
      let mantissa = step / pow(10, log10(step * (1 + 1e-9)).rounded(.down))
      #expect([1, 2, 5].contains { abs(mantissa - Double($0)) < 1e-6 }, "step \(step)")
    }
  }

  @Test func extremeRangesFallBackToTheirEnds() {
    for (lo, hi) in [(-1e308, 1e308), (1e18, 1e18 + 256), (0, 1e-300)] {
      let axis = Axis(values: [lo, hi], suffixFrom: 1000)
      #expect(axis.lower <= lo && axis.upper >= hi && !axis.ticks.isEmpty)
      _ = axis.ticks.map(axis.label)
    }
    let chart = LineChart(title: "huge", series: [PlotSeries(name: "s", x: [0, 1], y: [-1e308, 1e308])])
    #expect(parseSVG(chart.svg()).ok)
  }

  @Test func lineChartIsWellFormedWithOnePathPerSeries() {
    let steps: [Double] = [0, 25_000, 50_000, 75_000, 100_000]
    let chart = LineChart(
      title: "CartPole <PPO> & \"shaping\"",
      series: [
        PlotSeries(
          name: "none", x: steps, y: [20, 80, 200, 350, 480], bandLow: [15, 60, 170, 300, 450],
          bandHigh: [25, 100, 230, 400, 500]),
        PlotSeries(name: "potential", x: steps, y: [20, 150, 400, 490, 500]),
        PlotSeries(name: "gap", x: steps, y: [10, .nan, 30, 40, 50]),
      ])
    let svg = chart.svg()
    let (ok, counter) = parseSVG(svg)
    #expect(ok)
    #expect(counter.elements["svg"] == 1)
    #expect(counter.classes["line"] == 3)
    #expect(counter.classes["band"] == 1)
    #expect(counter.texts.contains("CartPole <PPO> & \"shaping\""))  // escaped, read back intact
    #expect(counter.texts.contains("100k") && counter.texts.contains("20k"))
    #expect(svg.contains("#0072B2") && svg.contains("#D55E00") && svg.contains("#009E73"))
    // The NaN point breaks the third line into two sub-paths.
    let gapPath = svg.split(separator: "\n").first { $0.contains("<title>gap</title>") }!
    #expect(gapPath.filter { $0 == "M" }.count == 2)
  }

  @Test func barChartWithErrorBars() {
    let chart = BarChart(
      title: "IQM return", yLabel: "return",
      bars: [
        .init(label: "none", value: 412.5, low: 398.1, high: 430.0),
        .init(label: "a<b", value: -20, low: -35, high: -5),
        .init(label: "no ci", value: 100),
      ])
    let (ok, counter) = parseSVG(chart.svg())
    #expect(ok)
    #expect(counter.classes["bar"] == 3)
    #expect(counter.classes["error"] == 2)
    #expect(counter.texts.contains("a<b"))
  }
}
