import Core
import Foundation
import Tensors

/// The CTC reference-case format (`Tests/Fixtures/ctc/FORMAT.md`): cases recorded from another
/// implementation (PyTorch, float64), each with logits, targets, lengths and expected values.
/// `filled(threads:)` replaces the expected values with LossLab's, so the result can be compared
/// against any other reference. Non-finite numbers are the strings "Infinity", "-Infinity", "NaN".
public struct CTCReferenceFile: Codable, Sendable {
  public var generator: String?
  public var torchVersion: String?
  public var dtype: String?
  public var note: String?
  public var cases: [CTCReferenceCase]

  enum CodingKeys: String, CodingKey {
    case generator
    case torchVersion = "torch_version"
    case dtype, note, cases
  }

  public static func decode(_ data: Data) throws -> CTCReferenceFile {
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(
      positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
    return try decoder.decode(CTCReferenceFile.self, from: data)
  }

  /// JSON with the keys in the format's order (numbers as shortest round-trip decimals).
  public func encoded() -> Data {
    let w = JSONWriter()
    w.object {
      if let generator {
        w.key("generator")
        w.string(generator)
      }
      if let torchVersion {
        w.key("torch_version")
        w.string(torchVersion)
      }
      if let dtype {
        w.key("dtype")
        w.string(dtype)
      }
      if let note {
        w.key("note")
        w.string(note)
      }
      w.key("cases")
      w.array(cases) { w.write($0) }
    }
    w.text += "\n"
    return Data(w.text.utf8)
  }

  /// The largest relative loss difference and absolute gradient difference from `other` (same
  /// cases), over the values both define (an infinite loss equals an infinite loss; NaN gradients,
  /// which PyTorch gives for impossible items, are skipped).
  public func differences(from other: CTCReferenceFile) -> (loss: Double, gradient: Double) {
    var loss = 0.0
    var gradient = 0.0
    for (a, b) in zip(cases, other.cases) {
      for (p, q) in zip(a.items, b.items) {
        if p.loss != q.loss { loss = max(loss, abs(p.loss - q.loss) / max(abs(q.loss), 1e-300)) }
        for (u, v) in zip(p.gradLogits.joined(), q.gradLogits.joined()) where !u.isNaN && !v.isNaN {
          gradient = max(gradient, abs(u - v))
        }
      }
    }
    return (loss, gradient)
  }

  /// The same file with `losses`, `loss_mean`, `loss_sum`, and every item's `loss` and
  /// `grad_logits` computed by `CTCLoss` in double precision.
  public func filled(threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws -> CTCReferenceFile {
    var out = self
    out.cases = try cases.map { try $0.filled(threads: threads) }
    return out
  }
}

public struct CTCReferenceCase: Codable, Sendable {
  public var id: String
  public var category: String
  public var description: String
  public var T: Int
  public var C: Int
  public var N: Int
  public var blank: Int
  public var zeroInfinity: Bool
  public var losses: [Double]
  public var lossMean: Double
  public var lossSum: Double
  public var items: [CTCReferenceItem]

  enum CodingKeys: String, CodingKey {
    case id, category, description, T, C, N, blank
    case zeroInfinity = "zero_infinity"
    case losses
    case lossMean = "loss_mean"
    case lossSum = "loss_sum"
    case items
  }

  /// Logits `[T, N, C]` in PyTorch's layout, gathered from the items' `[T][C]` matrices.
  public var logits: [Double] {
    var x = [Double](repeating: 0, count: T * N * C)
    for (i, item) in items.enumerated() {
      for t in 0..<T {
        for c in 0..<C { x[(t * N + i) * C + c] = item.logits[t][c] }
      }
    }
    return x
  }

  public func filled(threads: Int) throws -> CTCReferenceCase {
    guard items.count == N,
      items.allSatisfy({ $0.logits.count == T && $0.logits.allSatisfy { $0.count == C } })
    else {
      throw CTCError("case \(id): items do not match N = \(N), T = \(T), C = \(C)")
    }
    let targets = items.map(\.target)
    let lengths = items.map(\.inputLength)
    let shape = [T, N, C]
    let x = logits
    let none = try CTCLoss(blank: blank, reduction: .none, zeroInfinity: zeroInfinity, threads: threads)(
      logits: x, shape: shape, targets: targets, inputLengths: lengths)
    let mean = try CTCLoss(blank: blank, reduction: .mean, zeroInfinity: zeroInfinity, threads: threads)(
      logits: x, shape: shape, targets: targets, inputLengths: lengths)
    var out = self
    out.losses = none.losses
    out.lossMean = mean.loss
    out.lossSum = none.loss
    for i in 0..<N {
      out.items[i].loss = none.losses[i]
      out.items[i].gradLogits = (0..<T).map { t in
        Array(none.gradient[((t * N + i) * C)..<((t * N + i) * C + C)])
      }
    }
    return out
  }
}

public struct CTCReferenceItem: Codable, Sendable {
  public var inputLength: Int
  public var targetLength: Int
  public var target: [Int]
  public var requiredFrames: Int
  public var feasible: Bool
  public var logits: [[Double]]
  public var loss: Double
  public var gradLogits: [[Double]]

  enum CodingKeys: String, CodingKey {
    case inputLength = "input_length"
    case targetLength = "target_length"
    case target
    case requiredFrames = "required_frames"
    case feasible, logits, loss
    case gradLogits = "grad_logits"
  }
}

/// A minimal JSON writer that keeps keys in the order written.
final class JSONWriter {
  var text = ""
  private var needsComma = false

  func object(_ body: () -> Void) {
    separate()
    text += "{"
    needsComma = false
    body()
    text += "}"
    needsComma = true
  }

  func array<S: Sequence>(_ elements: S, _ each: (S.Element) -> Void) {
    separate()
    text += "["
    needsComma = false
    for e in elements { each(e) }
    text += "]"
    needsComma = true
  }

  func key(_ k: String) {
    string(k)
    text += ":"
    needsComma = false
  }

  func string(_ s: String) {
    separate()
    JSONText.appendQuoted(s, to: &text)
    needsComma = true
  }

  func number(_ x: Double) {
    separate()
    text += JSONText.number(x, nonFinite: .quotedString)
    needsComma = true
  }

  func number(_ n: Int) {
    separate()
    text += "\(n)"
    needsComma = true
  }

  func bool(_ b: Bool) {
    separate()
    text += b ? "true" : "false"
    needsComma = true
  }

  private func separate() {
    if needsComma { text += "," }
  }

  func write(_ c: CTCReferenceCase) {
    object {
      key("id")
      string(c.id)
      key("category")
      string(c.category)
      key("description")
      string(c.description)
      key("T")
      number(c.T)
      key("C")
      number(c.C)
      key("N")
      number(c.N)
      key("blank")
      number(c.blank)
      key("zero_infinity")
      bool(c.zeroInfinity)
      key("losses")
      array(c.losses) { number($0) }
      key("loss_mean")
      number(c.lossMean)
      key("loss_sum")
      number(c.lossSum)
      key("items")
      array(c.items) { write($0) }
    }
  }

  func write(_ item: CTCReferenceItem) {
    object {
      key("input_length")
      number(item.inputLength)
      key("target_length")
      number(item.targetLength)
      key("target")
      array(item.target) { number($0) }
      key("required_frames")
      number(item.requiredFrames)
      key("feasible")
      bool(item.feasible)
      key("logits")
      array(item.logits) { row in array(row) { number($0) } }
      key("loss")
      number(item.loss)
      key("grad_logits")
      array(item.gradLogits) { row in array(row) { number($0) } }
    }
  }
}
