import Foundation
import Runs

/// One line of a ``LineChart``: points `(x[i], y[i])`, optionally with a shaded band
/// `[low[i], high[i]]` (a confidence interval). Non-finite points break the line.
public struct PlotSeries: Sendable, Equatable {
  public var name: String
  public var x: [Double]
  public var y: [Double]
  public var bandLow: [Double]?
  public var bandHigh: [Double]?

  public init(name: String, x: [Double], y: [Double], bandLow: [Double]? = nil, bandHigh: [Double]? = nil) {
    precondition(x.count == y.count, "PlotSeries '\(name)': \(x.count) x values but \(y.count) y values")
    precondition(
      (bandLow == nil) == (bandHigh == nil) && (bandLow?.count ?? x.count) == x.count
        && (bandHigh?.count ?? x.count) == x.count,
      "PlotSeries '\(name)': band needs both low and high with one value per point")
    self.name = name
    self.x = x
    self.y = y
    self.bandLow = bandLow
    self.bandHigh = bandHigh
  }
}

/// A line chart (x = timesteps, y = return, say) rendered as a standalone SVG document with no
/// dependencies: axes with 1-2-5 ticks (`k`/`M` suffixes for large values), grid, title, axis
/// labels, a legend and optional shaded bands. Colours are the Okabe-Ito colour-blind-safe palette.
///
/// Each series is one `<path class="line">` (and one `<path class="band">` per unbroken stretch of
/// its band), so the SVG is easy to post-process.
public struct LineChart: Sendable {
  public var title: String
  public var xLabel: String
  public var yLabel: String
  public var series: [PlotSeries]
  public var width: Double
  public var height: Double

  public init(
    title: String, xLabel: String = "timesteps", yLabel: String = "return", series: [PlotSeries],
    width: Double = 720, height: Double = 440
  ) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.series = series
    self.width = width
    self.height = height
  }

  /// The SVG document.
  public func svg() -> String {
    var xs: [Double] = []
    var ys: [Double] = []
    for s in series {
      for i in s.x.indices where s.x[i].isFinite && s.y[i].isFinite {
        xs.append(s.x[i])
        ys.append(s.y[i])
        if let low = s.bandLow?[i], let high = s.bandHigh?[i], low.isFinite, high.isFinite {
          ys.append(low)
          ys.append(high)
        }
      }
    }
    let xAxis = Axis(values: xs, suffixFrom: 1000)
    let yAxis = Axis(values: ys, suffixFrom: 10_000)
    let legendWidth = series.isEmpty ? 0.0 : min(200, 40 + 7 * Double(series.map(\.name.count).max() ?? 0))
    let frame = Frame(
      left: 72, right: width - 20 - legendWidth, top: title.isEmpty ? 20 : 44, bottom: height - 52)
    var svg = SVG(width: width, height: height)
    svg.header(title: title, frame: frame, xLabel: xLabel, yLabel: yLabel)
    svg.axes(frame: frame, x: xAxis, y: yAxis)
    for (k, s) in series.enumerated() {
      let colour = Palette.colour(k)
      if let low = s.bandLow, let high = s.bandHigh {
        for run in SVG.finiteRuns(
          s.x.indices.map { s.x[$0].isFinite && low[$0].isFinite && high[$0].isFinite })
        {
          var d = ""
          for (n, i) in run.enumerated() {
            d += (n == 0 ? "M" : "L") + SVG.point(frame.x(s.x[i], xAxis), frame.y(high[i], yAxis))
          }
          for i in run.reversed() { d += "L" + SVG.point(frame.x(s.x[i], xAxis), frame.y(low[i], yAxis)) }
          svg.add(
            "<path class=\"band\" d=\"\(d)Z\" fill=\"\(colour)\" fill-opacity=\"0.2\" stroke=\"none\"/>")
        }
      }
    }
    for (k, s) in series.enumerated() {
      var d = ""
      for run in SVG.finiteRuns(s.x.indices.map { s.x[$0].isFinite && s.y[$0].isFinite }) {
        for (n, i) in run.enumerated() {
          d += (n == 0 ? "M" : "L") + SVG.point(frame.x(s.x[i], xAxis), frame.y(s.y[i], yAxis))
        }
      }
      svg.add(
        "<path class=\"line\" d=\"\(d)\" fill=\"none\" stroke=\"\(Palette.colour(k))\" stroke-width=\"2\" "
          + "stroke-linejoin=\"round\"><title>\(SVG.escape(s.name))</title></path>")
    }
    if !series.isEmpty {
      svg.add("<g class=\"legend\">")
      for (k, s) in series.enumerated() {
        let y = frame.top + 8 + Double(k) * 20
        let x = frame.right + 14
        svg.add(
          "<line x1=\"\(SVG.n(x))\" y1=\"\(SVG.n(y))\" x2=\"\(SVG.n(x + 22))\" y2=\"\(SVG.n(y))\" "
            + "stroke=\"\(Palette.colour(k))\" stroke-width=\"3\"/>")
        svg.add("<text x=\"\(SVG.n(x + 28))\" y=\"\(SVG.n(y + 4))\">\(SVG.escape(s.name))</text>")
      }
      svg.add("</g>")
    }
    return svg.finish()
  }
}

/// A bar chart with error bars (e.g. IQM return per reward shaping with its 95% CI).
public struct BarChart: Sendable {
  public struct Bar: Sendable, Equatable {
    public var label: String
    public var value: Double
    /// Error bar ends (a confidence interval); `nil` draws no error bar.
    public var low: Double?
    public var high: Double?

    public init(label: String, value: Double, low: Double? = nil, high: Double? = nil) {
      self.label = label
      self.value = value
      self.low = low
      self.high = high
    }
  }

  public var title: String
  public var yLabel: String
  public var bars: [Bar]
  public var width: Double
  public var height: Double

  public init(title: String, yLabel: String, bars: [Bar], width: Double = 640, height: Double = 400) {
    self.title = title
    self.yLabel = yLabel
    self.bars = bars
    self.width = width
    self.height = height
  }

  /// The SVG document: one `<rect class="bar">` and, where given, one `<path class="error">` per bar.
  public func svg() -> String {
    var ys: [Double] = [0]  // bars grow from zero, so zero is always on the axis
    for bar in bars {
      for v in [bar.value, bar.low, bar.high] { if let v, v.isFinite { ys.append(v) } }
    }
    let yAxis = Axis(values: ys, suffixFrom: 10_000)
    let frame = Frame(left: 72, right: width - 20, top: title.isEmpty ? 20 : 44, bottom: height - 52)
    var svg = SVG(width: width, height: height)
    svg.header(title: title, frame: frame, xLabel: "", yLabel: yLabel)
    svg.axes(frame: frame, x: nil, y: yAxis)
    let slot = (frame.right - frame.left) / Double(max(bars.count, 1))
    let barWidth = slot * 0.6
    let zero = frame.y(0, yAxis)
    for (k, bar) in bars.enumerated() {
      let centre = frame.left + slot * (Double(k) + 0.5)
      if bar.value.isFinite {
        let top = frame.y(bar.value, yAxis)
        svg.add(
          "<rect class=\"bar\" x=\"\(SVG.n(centre - barWidth / 2))\" y=\"\(SVG.n(min(top, zero)))\" "
            + "width=\"\(SVG.n(barWidth))\" height=\"\(SVG.n(abs(zero - top)))\" fill=\"\(Palette.colour(k))\">"
            + "<title>\(SVG.escape(bar.label)): \(MetricsLogger.format(bar.value))</title></rect>")
      }
      if let low = bar.low, let high = bar.high, low.isFinite, high.isFinite {
        let (yl, yh) = (frame.y(low, yAxis), frame.y(high, yAxis))
        let cap = barWidth / 4
        svg.add(
          "<path class=\"error\" d=\"M\(SVG.point(centre, yl))L\(SVG.point(centre, yh))"
            + "M\(SVG.point(centre - cap, yl))L\(SVG.point(centre + cap, yl))"
            + "M\(SVG.point(centre - cap, yh))L\(SVG.point(centre + cap, yh))\" stroke=\"#000000\" "
            + "stroke-width=\"1.5\" fill=\"none\"/>")
      }
      svg.add(
        "<text x=\"\(SVG.n(centre))\" y=\"\(SVG.n(frame.bottom + 18))\" text-anchor=\"middle\">"
          + "\(SVG.escape(bar.label))</text>")
    }
    return svg.finish()
  }
}

/// Okabe and Ito (2008) colour-universal-design palette, reordered so the first colours have the
/// most contrast on white (yellow last but one).
enum Palette {
  static let colours = [
    "#0072B2", "#D55E00", "#009E73", "#E69F00", "#56B4E9", "#CC79A7", "#F0E442", "#000000",
  ]
  static func colour(_ k: Int) -> String { colours[k % colours.count] }
}

/// A linear axis with "nice" ticks at 1, 2 or 5 times a power of ten.
struct Axis {
  let lower: Double
  let upper: Double
  let step: Double
  let ticks: [Double]
  let suffixFrom: Double

  init(values: [Double], suffixFrom: Double, targetTicks: Int = 6) {
    var lo = values.min() ?? 0
    var hi = values.max() ?? 1
    if lo == hi {
      let pad = lo == 0 ? 1 : abs(lo) * 0.1
      lo -= pad
      hi += pad
    }
    let (ticks, step) = Axis.niceTicks(lo, hi, targetCount: targetTicks)
    self.step = step
    self.ticks = ticks
    self.lower = min(lo, ticks.first!)
    self.upper = max(hi, ticks.last!)
    self.suffixFrom = suffixFrom
  }

  /// Ticks covering [lo, hi]: step = 1, 2 or 5 x 10^k nearest above (hi - lo) / (target - 1), first
  /// tick the largest multiple of step <= lo, last the smallest >= hi.
  static func niceTicks(_ lo: Double, _ hi: Double, targetCount: Int = 6) -> (ticks: [Double], step: Double) {
    precondition(hi > lo && lo.isFinite && hi.isFinite, "niceTicks needs finite lo < hi, got \(lo), \(hi)")
    let raw = (hi - lo) / Double(max(targetCount - 1, 1))
    let magnitude = pow(10, (log10(raw)).rounded(.down))
    let residual = raw / magnitude
    let step = (residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10) * magnitude
    let first = (lo / step).rounded(.down)
    let last = (hi / step).rounded(.up)
    // Multiply integers by step (not accumulate) so 0.1 + 0.2 style drift never shows in labels.
    let ticks = stride(from: first, through: last, by: 1).map { $0 * step }
    return (ticks, step)
  }

  /// Tick text: `250k`, `1.5M`, `0.25`, `-100`; decimals just enough for the step.
  func label(_ v: Double) -> String {
    if v == 0 { return "0" }
    let maxAbs = max(abs(ticks.first!), abs(ticks.last!))
    var scale = 1.0
    var suffix = ""
    if maxAbs >= suffixFrom {
      if maxAbs >= 1e6 {
        (scale, suffix) = (1e6, "M")
      } else if maxAbs >= 1e3 {
        (scale, suffix) = (1e3, "k")
      }
    }
    let scaledStep = step / scale
    let decimals = max(0, Int((-log10(scaledStep) - 1e-9).rounded(.up)))
    var text = String(format: "%.\(decimals)f", v / scale)
    if text.hasPrefix("-"), Double(text) == 0 { text.removeFirst() }
    return text + suffix
  }
}

/// The plotting rectangle in SVG coordinates and the data-to-pixel maps.
struct Frame {
  let left: Double
  let right: Double
  let top: Double
  let bottom: Double

  func x(_ v: Double, _ axis: Axis) -> Double {
    left + (v - axis.lower) / (axis.upper - axis.lower) * (right - left)
  }
  func y(_ v: Double, _ axis: Axis) -> Double {
    bottom - (v - axis.lower) / (axis.upper - axis.lower) * (bottom - top)
  }
}

/// Accumulates SVG elements.
struct SVG {
  private var parts: [String]

  init(width: Double, height: Double) {
    let n = SVG.n
    parts = [
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(width))\" height=\"\(n(height))\" "
        + "viewBox=\"0 0 \(n(width)) \(n(height))\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">",
      "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>",
    ]
  }

  mutating func add(_ element: String) { parts.append(element) }

  mutating func header(title: String, frame: Frame, xLabel: String, yLabel: String) {
    if !title.isEmpty {
      add(
        "<text class=\"title\" x=\"\(n((frame.left + frame.right) / 2))\" y=\"26\" text-anchor=\"middle\" "
          + "font-size=\"16\" font-weight=\"bold\">\(SVG.escape(title))</text>")
    }
    if !xLabel.isEmpty {
      add(
        "<text class=\"xlabel\" x=\"\(n((frame.left + frame.right) / 2))\" y=\"\(n(frame.bottom + 42))\" "
          + "text-anchor=\"middle\">\(SVG.escape(xLabel))</text>")
    }
    if !yLabel.isEmpty {
      let cy = (frame.top + frame.bottom) / 2
      add(
        "<text class=\"ylabel\" x=\"18\" y=\"\(n(cy))\" text-anchor=\"middle\" "
          + "transform=\"rotate(-90 18 \(n(cy)))\">\(SVG.escape(yLabel))</text>")
    }
  }

  /// Grid lines, axis lines and tick labels; `x == nil` for a category axis.
  mutating func axes(frame: Frame, x: Axis?, y: Axis) {
    add("<g class=\"grid\" stroke=\"#e5e5e5\" stroke-width=\"1\">")
    for t in y.ticks {
      let py = frame.y(t, y)
      add("<line x1=\"\(n(frame.left))\" y1=\"\(n(py))\" x2=\"\(n(frame.right))\" y2=\"\(n(py))\"/>")
    }
    if let x {
      for t in x.ticks {
        let px = frame.x(t, x)
        add("<line x1=\"\(n(px))\" y1=\"\(n(frame.top))\" x2=\"\(n(px))\" y2=\"\(n(frame.bottom))\"/>")
      }
    }
    add("</g>")
    add("<g class=\"axes\" stroke=\"#333333\" stroke-width=\"1\">")
    add(
      "<line x1=\"\(n(frame.left))\" y1=\"\(n(frame.bottom))\" x2=\"\(n(frame.right))\" y2=\"\(n(frame.bottom))\"/>"
    )
    add(
      "<line x1=\"\(n(frame.left))\" y1=\"\(n(frame.top))\" x2=\"\(n(frame.left))\" y2=\"\(n(frame.bottom))\"/>"
    )
    add("</g>")
    add("<g class=\"yticks\" text-anchor=\"end\">")
    for t in y.ticks {
      add("<text x=\"\(n(frame.left - 6))\" y=\"\(n(frame.y(t, y) + 4))\">\(SVG.escape(y.label(t)))</text>")
    }
    add("</g>")
    if let x {
      add("<g class=\"xticks\" text-anchor=\"middle\">")
      for t in x.ticks {
        add("<text x=\"\(n(frame.x(t, x)))\" y=\"\(n(frame.bottom + 18))\">\(SVG.escape(x.label(t)))</text>")
      }
      add("</g>")
    }
  }

  func finish() -> String { (parts + ["</svg>", ""]).joined(separator: "\n") }

  /// Escapes text for XML content and attribute values.
  static func escape(_ text: String) -> String {
    var out = ""
    for c in text {
      switch c {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&apos;"
      default: out.append(c)
      }
    }
    return out
  }

  /// Runs of consecutive indices where `valid` is true.
  static func finiteRuns(_ valid: [Bool]) -> [[Int]] {
    var runs: [[Int]] = []
    var current: [Int] = []
    for (i, ok) in valid.enumerated() {
      if ok {
        current.append(i)
      } else if !current.isEmpty {
        runs.append(current)
        current = []
      }
    }
    if !current.isEmpty { runs.append(current) }
    return runs
  }

  static func n(_ v: Double) -> String { String(format: "%.2f", v) }
  static func point(_ x: Double, _ y: Double) -> String { "\(n(x)),\(n(y))" }
  private func n(_ v: Double) -> String { SVG.n(v) }
}
