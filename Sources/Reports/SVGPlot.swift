import Foundation

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

/// A reference level (a threshold, the optimal return R*, the random policy's return): drawn as a
/// grey dashed horizontal line across the plot, labelled `name = value` at its right end, and not
/// listed in the legend.
public struct ReferenceLine: Sendable, Equatable {
  public var name: String
  public var value: Double

  public init(name: String, value: Double) {
    self.name = name
    self.value = value
  }

  /// The label: `R* = 0.904`, `threshold = 475`.
  public var text: String {
    let number =
      abs(value) >= 1000 || value == value.rounded()
      ? String(format: "%.0f", value) : String(format: "%.3g", value)
    return "\(name) = \(number == "-0" ? "0" : number)"
  }
}

/// Okabe and Ito (2008) colour-universal-design palette, reordered so the first colours have the
/// most contrast on white (yellow last but one).
enum Palette {
  static let colours = [
    "#0072B2", "#D55E00", "#009E73", "#E69F00", "#56B4E9", "#CC79A7", "#F0E442", "#000000",
  ]
  static func colour(_ k: Int) -> String { colours[k % colours.count] }
  /// Reference lines and their labels.
  static let reference = "#444444"
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

/// Layout constants and the measured pieces shared by the charts (all sizes in pixels; text is
/// measured with ``TextMetrics``).
enum Layout {
  /// Empty space kept at every edge of the canvas.
  static let pad = 10.0
  /// Tick labels, axis labels and legend text.
  static let fontSize = 12.0
  /// Reference labels.
  static let referenceFontSize = 11.0
  /// Title sizes tried in turn (bold), on at most two lines.
  static let titleSizes = [16.0, 14.0, 12.0]
  static let lineSpacing = 1.25

  /// The title wrapped (and if need be shrunk) to the canvas width.
  static func title(_ title: String, width: Double) -> (lines: [String], size: Double, height: Double) {
    guard !title.isEmpty else { return ([], 0, 0) }
    let fit = TextMetrics.fit(title, maxWidth: width - 2 * pad, sizes: titleSizes, bold: true, maxLines: 2)
    return (fit.lines, fit.size, Double(fit.lines.count) * fit.size * lineSpacing)
  }

  /// The frame's top edge below a title block.
  static func top(titleHeight: Double) -> Double { titleHeight == 0 ? 2 * pad : pad + titleHeight + 12 }

  /// The frame's left edge: y label band, the widest y tick label and the tick gap.
  static func left(yLabel: String, y: Axis) -> Double {
    let ticks = y.ticks.map { TextMetrics.width(y.label($0), size: fontSize) }.max() ?? 0
    let label = yLabel.isEmpty ? 0 : fontSize * (TextMetrics.ascent + TextMetrics.descent) + 8
    return pad + label + ticks + 8
  }

  /// Reference labels, cut to a third of the canvas at most.
  static func referenceTexts(_ references: [ReferenceLine], width: Double) -> [String] {
    references.map { TextMetrics.truncate($0.text, maxWidth: width / 3, size: referenceFontSize) }
  }

  /// Space right of the frame: reference labels, or half the last x tick label.
  static func rightMargin(referenceTexts: [String], lastTickHalfWidth: Double) -> Double {
    let labels =
      referenceTexts.map { TextMetrics.width($0, size: referenceFontSize) }.max().map { $0 + 6 } ?? 0
    return max(pad + lastTickHalfWidth, labels + pad, 2 * pad)
  }
}

/// Accumulates SVG elements.
struct SVG {
  private var parts: [String]
  let width: Double
  let height: Double

  init(width: Double, height: Double) {
    self.width = width
    self.height = height
    let n = SVG.n
    parts = [
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(width))\" height=\"\(n(height))\" "
        + "viewBox=\"0 0 \(n(width)) \(n(height))\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">",
      "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>",
    ]
  }

  mutating func add(_ element: String) { parts.append(element) }

  /// One `<text class="title">` per line, centred on the canvas.
  mutating func title(lines: [String], size: Double) {
    for (i, line) in lines.enumerated() {
      let y = Layout.pad + size * TextMetrics.ascent + Double(i) * size * Layout.lineSpacing
      add(
        "<text class=\"title\" x=\"\(n(width / 2))\" y=\"\(n(y))\" text-anchor=\"middle\" "
          + "font-size=\"\(n(size))\" font-weight=\"bold\">\(SVG.escape(line))</text>")
    }
  }

  /// The x label centred under the frame and the y label rotated beside it, each on one line
  /// (shrunk, then cut with an ellipsis) no longer than the frame's side.
  mutating func axisLabels(frame: Frame, xLabel: String, xLabelY: Double, yLabel: String) {
    if !xLabel.isEmpty {
      let fit = TextMetrics.fit(xLabel, maxWidth: frame.right - frame.left, sizes: [12, 11, 10], maxLines: 1)
      add(
        "<text class=\"xlabel\" x=\"\(n((frame.left + frame.right) / 2))\" y=\"\(n(xLabelY))\" "
          + "text-anchor=\"middle\" font-size=\"\(n(fit.size))\">\(SVG.escape(fit.lines.first ?? ""))</text>")
    }
    if !yLabel.isEmpty {
      let fit = TextMetrics.fit(yLabel, maxWidth: frame.bottom - frame.top, sizes: [12, 11, 10], maxLines: 1)
      let cy = (frame.top + frame.bottom) / 2
      let cx = Layout.pad + fit.size * TextMetrics.ascent
      add(
        "<text class=\"ylabel\" x=\"\(n(cx))\" y=\"\(n(cy))\" text-anchor=\"middle\" font-size=\"\(n(fit.size))\" "
          + "transform=\"rotate(-90 \(n(cx)) \(n(cy)))\">\(SVG.escape(fit.lines.first ?? ""))</text>")
    }
  }

  /// Grid lines, axis lines, tick labels and the (invisible) plot-area rectangle; `x == nil` for a
  /// category axis.
  mutating func axes(frame: Frame, x: Axis?, y: Axis) {
    add(
      "<rect class=\"plot-area\" x=\"\(n(frame.left))\" y=\"\(n(frame.top))\" width=\"\(n(frame.right - frame.left))\" "
        + "height=\"\(n(frame.bottom - frame.top))\" fill=\"none\" stroke=\"none\"/>")
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
      add("<text x=\"\(n(frame.left - 8))\" y=\"\(n(frame.y(t, y) + 4))\">\(SVG.escape(y.label(t)))</text>")
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

  /// Dashed reference lines across the frame, labelled right of it at their level (labels closer
  /// than a line's height are pushed apart).
  mutating func references(_ references: [ReferenceLine], texts: [String], frame: Frame, y: Axis) {
    guard !references.isEmpty else { return }
    add("<g class=\"references\">")
    var labels: [(y: Double, text: String)] = []
    for (line, text) in zip(references, texts) where line.value.isFinite {
      let py = frame.y(line.value, y)
      add(
        "<line class=\"reference\" x1=\"\(n(frame.left))\" y1=\"\(n(py))\" x2=\"\(n(frame.right))\" y2=\"\(n(py))\" "
          + "stroke=\"\(Palette.reference)\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\">"
          + "<title>\(SVG.escape(line.text))</title></line>")
      labels.append((py + 4, text))
    }
    labels.sort { $0.y < $1.y }
    let gap = Layout.referenceFontSize * Layout.lineSpacing
    for i in labels.indices.dropFirst() where labels[i].y < labels[i - 1].y + gap {
      labels[i].y = labels[i - 1].y + gap
    }
    // Pushed past the bottom of the canvas: shift the stack up.
    let lowest = height - Layout.pad - Layout.referenceFontSize * TextMetrics.descent
    if let last = labels.last, last.y > lowest {
      for i in labels.indices { labels[i].y -= last.y - lowest }
    }
    for label in labels {
      add(
        "<text class=\"reference-label\" x=\"\(n(frame.right + 6))\" y=\"\(n(label.y))\" "
          + "font-size=\"\(n(Layout.referenceFontSize))\" fill=\"\(Palette.reference)\">\(SVG.escape(label.text))</text>"
      )
    }
    add("</g>")
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
