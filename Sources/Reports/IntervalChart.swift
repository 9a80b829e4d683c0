import Foundation
import Statistics

/// Horizontal interval plot, one row per estimate (rliable's probability-of-improvement figure):
/// the label left of the plot, a thick bar from the CI's low to its high end and a dot at the
/// estimate, dashed vertical reference lines (e.g. P = 0.5) labelled above the plot.
///
/// Text is measured with ``TextMetrics`` and fitted like the other charts': labels are cut with an
/// ellipsis to at most half the canvas (the full label stays in the row's `<title>`).
public struct IntervalChart: Sendable {
  public struct Row: Sendable, Equatable {
    public var label: String
    /// Palette index of the bar's colour.
    public var colourIndex: Int
    public var interval: ConfidenceInterval

    public init(label: String, colourIndex: Int, interval: ConfidenceInterval) {
      self.label = label
      self.colourIndex = colourIndex
      self.interval = interval
    }
  }

  public var title: String
  public var xLabel: String
  public var rows: [Row]
  /// Vertical reference lines at x = value.
  public var references: [ReferenceLine]
  /// The x range always shown (the data may widen it).
  public var range: ClosedRange<Double>?
  public var width: Double

  public init(
    title: String, xLabel: String, rows: [Row], references: [ReferenceLine] = [],
    range: ClosedRange<Double>? = nil, width: Double = 640
  ) {
    self.title = title
    self.xLabel = xLabel
    self.rows = rows
    self.references = references
    self.range = range
    self.width = width
  }

  static let rowHeight = 26.0

  /// The canvas height: title, reference labels, one row per interval, ticks and the x label.
  public var height: Double {
    let heading = Layout.title(title, width: width)
    return Layout.top(titleHeight: heading.height) + referenceBand + Double(max(rows.count, 1))
      * Self.rowHeight
      + 24 + (xLabel.isEmpty ? 0 : 20) + Layout.pad
  }

  var referenceBand: Double { references.isEmpty ? 0 : Layout.referenceFontSize * Layout.lineSpacing + 4 }

  /// The SVG document: one `<path class="interval">` and one `<circle class="estimate">` per row.
  public func svg() -> String {
    var xs: [Double] = []
    if let range { xs += [range.lowerBound, range.upperBound] }
    for row in rows {
      for v in [row.interval.estimate, row.interval.low, row.interval.high] where v.isFinite { xs.append(v) }
    }
    xs += references.map(\.value).filter(\.isFinite)
    var xAxis = Axis(values: xs, suffixFrom: 10_000)
    let heading = Layout.title(title, width: width)
    let labels = rows.map {
      TextMetrics.truncate($0.label, maxWidth: 0.5 * width, size: Layout.fontSize)
    }
    let widest = labels.map { TextMetrics.width($0, size: Layout.fontSize) }.max() ?? 0
    let left = Layout.pad + widest + 10
    func halfLastTick(_ axis: Axis) -> Double {
      axis.ticks.last.map { TextMetrics.width(axis.label($0), size: Layout.fontSize) / 2 } ?? 0
    }
    let right = width - max(Layout.pad + halfLastTick(xAxis), 2 * Layout.pad)
    for target in stride(from: 5, through: 3, by: -1) {
      let widestTick =
        xAxis.ticks.map { TextMetrics.width(xAxis.label($0), size: Layout.fontSize) }.max() ?? 0
      if widestTick + 12 <= xAxis.step / (xAxis.upper - xAxis.lower) * (right - left) { break }
      xAxis = Axis(values: xs, suffixFrom: 10_000, targetTicks: target)
    }
    let top = Layout.top(titleHeight: heading.height) + referenceBand
    let frame = Frame(
      left: left, right: right, top: top, bottom: top + Double(max(rows.count, 1)) * Self.rowHeight)
    let height = self.height

    var svg = SVG(width: width, height: height)
    svg.title(lines: heading.lines, size: heading.size)
    let n = SVG.n
    svg.add(
      "<rect class=\"plot-area\" x=\"\(n(frame.left))\" y=\"\(n(frame.top))\" width=\"\(n(frame.right - frame.left))\" "
        + "height=\"\(n(frame.bottom - frame.top))\" fill=\"none\" stroke=\"none\"/>")
    svg.add("<g class=\"grid\" stroke=\"#e5e5e5\" stroke-width=\"1\">")
    for t in xAxis.ticks {
      let px = frame.x(t, xAxis)
      svg.add("<line x1=\"\(n(px))\" y1=\"\(n(frame.top))\" x2=\"\(n(px))\" y2=\"\(n(frame.bottom))\"/>")
    }
    svg.add("</g>")
    svg.add(
      "<g class=\"axes\" stroke=\"#333333\" stroke-width=\"1\"><line x1=\"\(n(frame.left))\" y1=\"\(n(frame.bottom))\" "
        + "x2=\"\(n(frame.right))\" y2=\"\(n(frame.bottom))\"/></g>")
    svg.add("<g class=\"xticks\" text-anchor=\"middle\">")
    for t in xAxis.ticks {
      svg.add(
        "<text x=\"\(n(frame.x(t, xAxis)))\" y=\"\(n(frame.bottom + 18))\">\(SVG.escape(xAxis.label(t)))</text>"
      )
    }
    svg.add("</g>")
    if !xLabel.isEmpty {
      let fit = TextMetrics.fit(xLabel, maxWidth: frame.right - frame.left, sizes: [12, 11, 10], maxLines: 1)
      svg.add(
        "<text class=\"xlabel\" x=\"\(n((frame.left + frame.right) / 2))\" y=\"\(n(frame.bottom + 38))\" "
          + "text-anchor=\"middle\" font-size=\"\(n(fit.size))\">\(SVG.escape(fit.lines.first ?? ""))</text>")
    }
    if !references.isEmpty {
      svg.add("<g class=\"references\">")
      for line in references where line.value.isFinite {
        let px = frame.x(line.value, xAxis)
        svg.add(
          "<line class=\"reference\" x1=\"\(n(px))\" y1=\"\(n(frame.top))\" x2=\"\(n(px))\" y2=\"\(n(frame.bottom))\" "
            + "stroke=\"\(Palette.reference)\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\">"
            + "<title>\(SVG.escape(line.text))</title></line>")
        let text = TextMetrics.truncate(line.text, maxWidth: width / 3, size: Layout.referenceFontSize)
        let half = TextMetrics.width(text, size: Layout.referenceFontSize) / 2
        let cx = min(max(px, Layout.pad + half), width - Layout.pad - half)
        svg.add(
          "<text class=\"reference-label\" x=\"\(n(cx))\" y=\"\(n(frame.top - 4 - Layout.referenceFontSize * TextMetrics.descent))\" "
            + "text-anchor=\"middle\" font-size=\"\(n(Layout.referenceFontSize))\" fill=\"\(Palette.reference)\">"
            + "\(SVG.escape(text))</text>")
      }
      svg.add("</g>")
    }
    for (k, row) in rows.enumerated() {
      let cy = frame.top + (Double(k) + 0.5) * Self.rowHeight
      let colour = Palette.colour(row.colourIndex)
      let ci = row.interval
      svg.add("<g class=\"row\"><title>\(SVG.escape(row.label)): \(SVG.escape(Self.format(ci)))</title>")
      svg.add(
        "<text class=\"row-label\" x=\"\(n(frame.left - 10))\" y=\"\(n(cy + 4))\" text-anchor=\"end\">"
          + "\(SVG.escape(labels[k]))</text>")
      if ci.low.isFinite && ci.high.isFinite {
        svg.add(
          "<path class=\"interval\" d=\"M\(SVG.point(frame.x(ci.low, xAxis), cy))L\(SVG.point(frame.x(ci.high, xAxis), cy))\" "
            + "stroke=\"\(colour)\" stroke-width=\"8\" stroke-opacity=\"0.45\" fill=\"none\"/>")
      }
      if ci.estimate.isFinite {
        svg.add(
          "<circle class=\"estimate\" cx=\"\(n(frame.x(ci.estimate, xAxis)))\" cy=\"\(n(cy))\" r=\"4\" fill=\"\(colour)\"/>"
        )
      }
      svg.add("</g>")
    }
    return svg.finish()
  }

  static func format(_ ci: ConfidenceInterval) -> String {
    String(format: "%.3f [%.3f, %.3f]", ci.estimate, ci.low, ci.high)
  }
}
