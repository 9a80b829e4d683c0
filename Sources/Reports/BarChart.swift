import Foundation
import Runs

/// A bar chart with error bars (e.g. IQM return per reward shaping with its 95% CI), optionally
/// with dashed reference levels. Bar labels are set at one size for all bars: the largest that
/// fits every label in its slot on one line, else on two or three (broken at spaces or after
/// `:`, `*`, `/`, `=`, `_`, `-`), else cut with an ellipsis (the full label stays in the bar's
/// `<title>`).
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
  public var references: [ReferenceLine]
  public var width: Double
  public var height: Double

  public init(
    title: String, yLabel: String, bars: [Bar], references: [ReferenceLine] = [], width: Double = 640,
    height: Double = 400
  ) {
    self.title = title
    self.yLabel = yLabel
    self.bars = bars
    self.references = references
    self.width = width
    self.height = height
  }

  /// Bar labels set in `slot` pixels: the lines of each label and the common font size.
  static func labels(_ labels: [String], slot: Double) -> (lines: [[String]], size: Double) {
    let maxWidth = slot - 6
    for (size, maxLines) in [(12.0, 1), (11, 1), (12, 2), (11, 2), (10, 2), (9, 2), (9, 3)] {
      let wrapped = labels.map { TextMetrics.wrap($0, maxWidth: maxWidth, size: size, maxLines: maxLines) }
      if wrapped.allSatisfy({ $0 != nil }) { return (wrapped.map { $0 ?? [] }, size) }
    }
    return (labels.map { TextMetrics.fit($0, maxWidth: maxWidth, sizes: [9], maxLines: 3).lines }, 9)
  }

  /// The SVG document: one `<rect class="bar">` and, where given, one `<path class="error">` per bar.
  public func svg() -> String {
    var ys: [Double] = [0]  // bars grow from zero, so zero is always on the axis
    for bar in bars {
      for v in [bar.value, bar.low, bar.high] { if let v, v.isFinite { ys.append(v) } }
    }
    ys += references.map(\.value).filter(\.isFinite)
    let yAxis = Axis(values: ys, suffixFrom: 10_000)
    let heading = Layout.title(title, width: width)
    let referenceTexts = Layout.referenceTexts(references, width: width)
    let left = Layout.left(yLabel: yLabel, y: yAxis)
    let right = width - Layout.rightMargin(referenceTexts: referenceTexts, lastTickHalfWidth: 0)
    let slot = (right - left) / Double(max(bars.count, 1))
    let labels = BarChart.labels(bars.map(\.label), slot: slot)
    let lineCount = Double(labels.lines.map(\.count).max() ?? 1)
    let labelHeight = labels.size * Layout.lineSpacing
    let bottom = height - Layout.pad - 8 - lineCount * labelHeight
    let frame = Frame(left: left, right: right, top: Layout.top(titleHeight: heading.height), bottom: bottom)

    var svg = SVG(width: width, height: height)
    svg.title(lines: heading.lines, size: heading.size)
    svg.axisLabels(frame: frame, xLabel: "", xLabelY: 0, yLabel: yLabel)
    svg.axes(frame: frame, x: nil, y: yAxis)
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
      for (i, line) in labels.lines[k].enumerated() {
        let y = frame.bottom + 6 + labels.size * TextMetrics.ascent + Double(i) * labelHeight
        svg.add(
          "<text class=\"bar-label\" x=\"\(SVG.n(centre))\" y=\"\(SVG.n(y))\" text-anchor=\"middle\" "
            + "font-size=\"\(SVG.n(labels.size))\">\(SVG.escape(line))</text>")
      }
    }
    svg.references(references, texts: referenceTexts, frame: frame, y: yAxis)
    return svg.finish()
  }
}
