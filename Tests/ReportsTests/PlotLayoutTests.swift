import Environments
import Foundation
import Reinforcement
import Reports
import Runs
import TestSupport
import Testing
import Training

@testable import Reports

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// The boxes of every `<text>` of an SVG from the Reports module, measured with ``TextMetrics``
/// (the metric the charts lay text out with), and the plot area's rectangle.
final class TextBoxCollector: NSObject, XMLParserDelegate {
  struct Box {
    var text: String
    var minX, maxX, minY, maxY: Double
    func overlaps(_ o: Box) -> Bool { minX < o.maxX && o.minX < maxX && minY < o.maxY && o.minY < maxY }
    func inside(_ o: Box) -> Bool { minX >= o.minX && maxX <= o.maxX && minY >= o.minY && maxY <= o.maxY }
  }

  var width = 0.0
  var height = 0.0
  var plotArea: Box?
  var boxes: [Box] = []
  /// Inherited attributes (`font-size`, `font-weight`, `text-anchor`) of the open elements.
  private var inherited: [[String: String]] = [[:]]
  private var open: [String: String]?
  private var content = ""

  func parser(
    _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
    attributes: [String: String] = [:]
  ) {
    var attrs = inherited.last ?? [:]
    for key in ["font-size", "font-weight", "text-anchor"] { if let v = attributes[key] { attrs[key] = v } }
    inherited.append(attrs)
    func number(_ key: String) -> Double { Double(attributes[key] ?? "") ?? 0 }
    switch name {
    case "svg":
      width = number("width")
      height = number("height")
    case "rect" where attributes["class"] == "plot-area":
      let (x, y) = (number("x"), number("y"))
      plotArea = Box(
        text: "plot area", minX: x, maxX: x + number("width"), minY: y, maxY: y + number("height"))
    case "text":
      open = attributes.merging(attrs) { _, inherited in inherited }
      content = ""
    default: break
    }
  }

  func parser(_ parser: XMLParser, foundCharacters string: String) { if open != nil { content += string } }

  func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?)
  {
    inherited.removeLast()
    guard name == "text", let attrs = open else { return }
    open = nil
    let size = Double(attrs["font-size"] ?? "12") ?? 12
    let w = TextMetrics.width(content, size: size, bold: attrs["font-weight"] == "bold")
    let x = Double(attrs["x"] ?? "0") ?? 0
    let y = Double(attrs["y"] ?? "0") ?? 0
    let start: Double
    switch attrs["text-anchor"] {
    case "middle": start = x - w / 2
    case "end": start = x - w
    default: start = x
    }
    var box = Box(
      text: content, minX: start, maxX: start + w, minY: y - TextMetrics.ascent * size,
      maxY: y + TextMetrics.descent * size)
    if let transform = attrs["transform"] {
      // Only `rotate(-90 cx cy)` about the anchor point is used: (dx, dy) -> (dy, -dx).
      #expect(transform == "rotate(-90 \(attrs["x"]!) \(attrs["y"]!))", "unexpected transform \(transform)")
      box = Box(
        text: content, minX: x + (box.minY - y), maxX: x + (box.maxY - y), minY: y - (box.maxX - x),
        maxY: y - (box.minX - x))
    }
    boxes.append(box)
  }
}

/// What is wrong with the text layout of `svg`: text outside the canvas, text straddling the plot
/// area's edges, or two texts overlapping.
func layoutProblems(_ svg: String) -> [String] {
  let parser = XMLParser(data: Data(svg.utf8))
  let collector = TextBoxCollector()
  parser.delegate = collector
  guard parser.parse() else { return ["not well-formed XML"] }
  guard let area = collector.plotArea else { return ["no plot-area rectangle"] }
  let canvas = TextBoxCollector.Box(
    text: "canvas", minX: 0, maxX: collector.width, minY: 0, maxY: collector.height)
  var problems: [String] = []
  for box in collector.boxes {
    if !box.inside(canvas) { problems.append("'\(box.text)' leaves the canvas: \(box)") }
    if box.overlaps(area) && !box.inside(area) {
      problems.append("'\(box.text)' crosses the plot area's edge")
    }
  }
  for (i, a) in collector.boxes.enumerated() {
    for b in collector.boxes[(i + 1)...] where a.overlaps(b) {
      problems.append("'\(a.text)' overlaps '\(b.text)'")
    }
  }
  if collector.boxes.isEmpty { problems.append("no text") }
  return problems
}

@Suite struct PlotLayoutTests {
  static let longTitle =
    "gridworld:four_rooms_with_a_very_long_map_name: true evaluation return (mean over seeds, 95% CI) after shaping"

  /// Writes gridworld runs (40,960 steps, evaluations every 4,096) with long shaping names.
  static func writeGridworldRuns(_ root: URL) throws {
    let shapings = ["none", "pbrs:bfs*0.5", "pbrs:manhattan*0.25", "naive:progress"]
    for (k, shaping) in shapings.enumerated() {
      for seed in 0..<3 {
        let folder = RunFolder(
          url: root.appendingPathComponent("runs/\(ComparePlan.slug(shaping))/seed-\(seed)"))
        try folder.create()
        var config = PPORunConfig(env: "gridworld:fourrooms", totalTimesteps: 40_960, ppo: PPOConfig())
        config.seed = UInt64(seed)
        config.shaping = shaping == "none" ? nil : shaping
        try folder.writeConfig(config)
        let logger = try MetricsLogger(
          folder: folder.url, keys: [MetricName.totalTimesteps, MetricName.evalMeanReward])
        for i in 1...10 {
          let level = min(0.95, Double(i) / 10 * (0.5 + 0.15 * Double(k)) + 0.02 * Double(seed))
          try logger.log([MetricName.totalTimesteps: Double(4096 * i), MetricName.evalMeanReward: level])
        }
        try logger.close()
        try folder.writeStatus(.finished)
      }
    }
  }

  /// Every plot kind, as the program draws it, at its default size.
  static func everyPlot() throws -> [(name: String, svg: String)] {
    let steps = stride(from: 2048.0, through: 61_440, by: 2048).map { $0 }
    let curve = steps.map { 500 * (1 - exp(-$0 / 20_000)) }
    let bands = LineChart(
      title: longTitle,
      series: [
        PlotSeries(
          name: "a shaping with a rather long descriptive name", x: steps, y: curve,
          bandLow: curve.map { $0 - 30 }, bandHigh: curve.map { $0 + 30 }),
        PlotSeries(name: "none", x: steps, y: curve.map { $0 * 0.7 }),
        PlotSeries(name: "pbrs:upright*0.5", x: steps, y: curve.map { $0 * 0.5 }),
        PlotSeries(name: "scale:0.1", x: steps, y: curve.map { $0 * 0.3 }),
      ],
      references: [
        ReferenceLine(name: "R*", value: 500), ReferenceLine(name: "threshold", value: 475),
        ReferenceLine(name: "random", value: 22),
      ])
    let bars = BarChart(
      title: longTitle, yLabel: "normalised area under the learning curve",
      bars: ["none", "pbrs:bfs*0.5", "pbrs:manhattan*0.25", "naive:progress", "pbrs:file=maps/potential.txt"]
        .enumerated().map { (k: Int, label: String) -> BarChart.Bar in
          let v = 0.2 * Double(k)
          return BarChart.Bar(label: label, value: v - 0.1, low: v - 0.2, high: v)
        },
      references: [ReferenceLine(name: "R*", value: 1), ReferenceLine(name: "random", value: 0)])

    let root = try makeScratchFolder()
    try writeGridworldRuns(root)
    let report = try Report(runs: try ReportRun.scan(root).runs)
    let cartRoot = try makeScratchFolder()
    try ReportTests.writeRuns(cartRoot)
    let cartReport = try Report(runs: try ReportRun.scan(cartRoot).runs)

    let spec = try EnvironmentSpec.parse("gridworld:fourrooms")
    let table = MetricsTable(
      keys: [MetricName.totalTimesteps, MetricName.episodeRewardMean, MetricName.evalMeanReward],
      rows: steps.map { (step: Double) -> [Double?] in
        let eval: Double? = step.truncatingRemainder(dividingBy: 8192) == 0 ? 0.8 : nil
        return [step, 0.9 * (1 - exp(-step / 15_000)), eval]
      })
    let ppo = PPOTraining.curveChart(
      table: table, title: "PPO on gridworld:fourrooms (seed 12345678901234567890)",
      references: ReportReference.defaults(for: spec, gamma: 0.99).lines(threshold: false))
    let ctcTable = MetricsTable(
      keys: [CTCMetric.samples, CTCMetric.trainLoss, CTCMetric.devCER],
      rows: (1...20).map { (i: Int) -> [Double?] in
        let n = Double(i)
        let cer: Double? = i % 5 == 0 ? 0.9 - 0.03 * n : nil
        return [500 * n, 3 / n, cer]
      })
    let ctc = CTCTraining.curveChart(table: ctcTable, runName: "runs/ctc-with-a-long-folder-name-2026-12-03")
    var small = bands
    (small.width, small.height) = (360, 300)
    let crowded = BarChart(
      title: "twelve shapings", yLabel: "IQM return",
      bars: (0..<12).map { BarChart.Bar(label: "pbrs:file=maps/potential-\($0).txt*0.5", value: Double($0)) })
    return [
      ("small line chart", small.svg()), ("crowded bar chart", crowded.svg()),
      ("line chart with bands", bands.svg()), ("bar chart", bars.svg()), ("PPO curve", ppo.svg()),
      ("CTC curve", ctc.svg()), ("compare curves (gridworld)", report.curvesChart().svg()),
      ("AUC (gridworld)", report.aucChart().svg()),
      ("compare curves (CartPole)", cartReport.curvesChart().svg()),
      ("AUC (CartPole)", cartReport.aucChart().svg()),
      ("performance profile (gridworld)", try #require(report.aggregates).profileChart().svg()),
      ("probability of improvement (gridworld)", try #require(report.aggregates).improvementChart().svg()),
      ("performance profile (CartPole)", try #require(cartReport.aggregates).profileChart().svg()),
      ("probability of improvement (CartPole)", try #require(cartReport.aggregates).improvementChart().svg()),
    ]
  }

  @Test func everyPlotKindKeepsItsTextInsideTheCanvasAndOffThePlotEdges() throws {
    let plots = try Self.everyPlot()
    for (name, svg) in plots {
      let problems = layoutProblems(svg)
      #expect(problems.isEmpty, "\(name): \(problems.joined(separator: "; "))")
    }
    if let folder = ProcessInfo.processInfo.environment["LOSSLAB_PLOT_DIR"] {
      for (name, svg) in plots {
        let file = name.replacingOccurrences(of: " ", with: "-").filter { $0.isLetter || $0 == "-" } + ".svg"
        try svg.write(
          to: URL(fileURLWithPath: folder).appendingPathComponent(file), atomically: true, encoding: .utf8)
      }
    }
  }

  @Test func theLayoutCheckFindsTextOutsideAndAcrossTheEdges() {
    let svg = """
      <svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" font-size="12">
      <rect class="plot-area" x="50" y="20" width="100" height="60"/>
      <text x="190" y="50">outside</text><text x="60" y="22">across</text>
      <g text-anchor="middle"><text x="100" y="50">in</text><text x="100" y="52">on top</text></g>
      </svg>
      """
    let problems = layoutProblems(svg)
    #expect(problems.contains { $0.hasPrefix("'outside' leaves the canvas") })
    #expect(problems.contains("'across' crosses the plot area's edge"))
    #expect(problems.contains("'in' overlaps 'on top'"))
  }

  @Test func referenceLevelsAreDashedLabelledAndNotInTheLegend() throws {
    let root = try makeScratchFolder()
    try Self.writeGridworldRuns(root)
    let report = try Report(runs: try ReportRun.scan(root).runs)
    let svg = report.curvesChart().svg()
    let (ok, counter) = parseSVG(svg)
    #expect(ok)
    #expect(counter.classes["reference"] == 3)
    #expect(counter.classes["line"] == 4)  // the four shapings, no threshold series
    #expect(counter.classes["legend-entry"] == 4)
    let optimal = GridworldCeiling(
      map: try #require(try EnvironmentSpec.parse("gridworld:fourrooms").gridMap))
    #expect(counter.texts.contains(ReferenceLine(name: "R*", value: optimal.optimalReturn).text))
    #expect(counter.texts.contains { $0.hasPrefix("threshold = ") })
    #expect(counter.texts.contains { $0.hasPrefix("random = ") })
    #expect(svg.contains("stroke-dasharray=\"6 4\""))
    // The x axis ends at the data's end (40,960 steps), not a tick beyond it.
    #expect(counter.texts.contains("40k") && !counter.texts.contains("50k"))
  }

  @Test func longTitlesWrapAndLongLabelsShrinkOrAreCut() {
    let heading = Layout.title(Self.longTitle, width: 720)
    #expect(heading.lines.count == 2)
    #expect(heading.lines.allSatisfy { TextMetrics.width($0, size: heading.size, bold: true) <= 700 })
    #expect(heading.lines.joined(separator: " ") == Self.longTitle)
    let huge = String(repeating: "x", count: 400)
    let cut = TextMetrics.fit(huge, maxWidth: 300, sizes: [16, 12], bold: true, maxLines: 2)
    #expect(cut.size == 12 && cut.lines.count == 2 && cut.lines.last!.hasSuffix("\u{2026}"))
    #expect(cut.lines.allSatisfy { TextMetrics.width($0, size: 12, bold: true) <= 300 })
    // The metric: DejaVu Sans advance widths ("0" is 1303/2048 em) with the 2% allowance.
    #expect(abs(TextMetrics.width("00", size: 10) - 2 * 1303.0 / 2048 * 10 * 1.02) < 1e-12)
  }
}
