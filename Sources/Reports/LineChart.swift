import Foundation

/// A line chart (x = timesteps, y = return, say) rendered as a standalone SVG document with no
/// dependencies: axes with 1-2-5 ticks that end where the data ends (`k`/`M` suffixes for large
/// values), grid, title, axis labels, optional shaded bands, dashed reference lines labelled at
/// their right end, and a legend of the series under the plot. Colours are the Okabe-Ito
/// colour-blind-safe palette.
///
/// Every piece of text is measured with ``TextMetrics`` and wrapped, shrunk or cut so that it lies
/// inside the canvas and clear of the plot area's edges.
///
/// Each series is one `<path class="line">` (and one `<path class="band">` per unbroken stretch of
/// its band), each reference one `<line class="reference">`, so the SVG is easy to post-process.
public struct LineChart: Sendable {
  public var title: String
  public var xLabel: String
  public var yLabel: String
  public var series: [PlotSeries]
  public var references: [ReferenceLine]
  public var width: Double
  public var height: Double

  public init(
    title: String, xLabel: String = "timesteps", yLabel: String = "return", series: [PlotSeries],
    references: [ReferenceLine] = [], width: Double = 720, height: Double = 440
  ) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.series = series
    self.references = references
    self.width = width
    self.height = height
  }

  static let legendRowHeight = 18.0
  static let legendSwatch = 22.0

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
    ys += references.map(\.value).filter(\.isFinite)
    let yAxis = Axis(values: ys, suffixFrom: 10_000)
    var xAxis = Axis(values: xs, suffixFrom: 1000)
    let heading = Layout.title(title, width: width)
    let referenceTexts = Layout.referenceTexts(references, width: width)
    let left = Layout.left(yLabel: yLabel, y: yAxis)
    func halfLastTick(_ axis: Axis) -> Double {
      axis.ticks.last.map { TextMetrics.width(axis.label($0), size: Layout.fontSize) / 2 } ?? 0
    }
    var right =
      width - Layout.rightMargin(referenceTexts: referenceTexts, lastTickHalfWidth: halfLastTick(xAxis))
    // Fewer x ticks while neighbouring tick labels would come closer than 12 pixels.
    for target in stride(from: 5, through: 3, by: -1) {
      let widest = xAxis.ticks.map { TextMetrics.width(xAxis.label($0), size: Layout.fontSize) }.max() ?? 0
      let spacing = xAxis.step / (xAxis.upper - xAxis.lower) * (right - left)
      if widest + 12 <= spacing { break }
      xAxis = Axis(values: xs, suffixFrom: 1000, targetTicks: target)
      right =
        width - Layout.rightMargin(referenceTexts: referenceTexts, lastTickHalfWidth: halfLastTick(xAxis))
    }
    let legend = legendRows(maxWidth: width - 2 * Layout.pad)
    let legendTop = xLabel.isEmpty ? 28.0 : 48.0
    let below =
      legend.isEmpty
      ? (xLabel.isEmpty ? 24 : 44) : legendTop + Double(legend.count) * LineChart.legendRowHeight
    let bottom = height - Layout.pad - below
    let frame = Frame(left: left, right: right, top: Layout.top(titleHeight: heading.height), bottom: bottom)

    var svg = SVG(width: width, height: height)
    svg.title(lines: heading.lines, size: heading.size)
    svg.axisLabels(frame: frame, xLabel: xLabel, xLabelY: frame.bottom + 38, yLabel: yLabel)
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
    svg.references(references, texts: referenceTexts, frame: frame, y: yAxis)
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
    if !legend.isEmpty {
      svg.add("<g class=\"legend\">")
      for (r, row) in legend.enumerated() {
        let y = frame.bottom + legendTop + (Double(r) + 0.5) * LineChart.legendRowHeight
        for entry in row {
          let x = entry.x
          svg.add("<g class=\"legend-entry\"><title>\(SVG.escape(series[entry.index].name))</title>")
          svg.add(
            "<line x1=\"\(SVG.n(x))\" y1=\"\(SVG.n(y))\" x2=\"\(SVG.n(x + LineChart.legendSwatch))\" "
              + "y2=\"\(SVG.n(y))\" stroke=\"\(Palette.colour(entry.index))\" stroke-width=\"3\"/>")
          svg.add(
            "<text x=\"\(SVG.n(x + LineChart.legendSwatch + 6))\" y=\"\(SVG.n(y + 4))\">\(SVG.escape(entry.text))</text></g>"
          )
        }
      }
      svg.add("</g>")
    }
    return svg.finish()
  }

  /// Legend entries flowed into centred rows no wider than `maxWidth` (names cut to fit a row).
  func legendRows(maxWidth: Double) -> [[(index: Int, text: String, x: Double)]] {
    let gap = 18.0
    let extra = LineChart.legendSwatch + 6
    var rows: [[(index: Int, text: String, width: Double)]] = []
    var current: [(index: Int, text: String, width: Double)] = []
    var used = 0.0
    for (k, s) in series.enumerated() {
      let text = TextMetrics.truncate(s.name, maxWidth: maxWidth - extra, size: Layout.fontSize)
      let w = extra + TextMetrics.width(text, size: Layout.fontSize)
      if !current.isEmpty && used + gap + w > maxWidth {
        rows.append(current)
        current = []
        used = 0
      }
      used += (current.isEmpty ? 0 : gap) + w
      current.append((k, text, w))
    }
    if !current.isEmpty { rows.append(current) }
    return rows.map { row in
      let total = row.map(\.width).reduce(0, +) + gap * Double(row.count - 1)
      var x = (width - total) / 2
      return row.map { entry in
        defer { x += entry.width + gap }
        return (entry.index, entry.text, x)
      }
    }
  }
}
