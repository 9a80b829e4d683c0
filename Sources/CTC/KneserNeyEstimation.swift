import Foundation

/// Interpolated modified Kneser-Ney estimation (Chen and Goodman 1998, section 3; as KenLM's
/// `lmplz` lays it out, Heafield et al. 2013), written as an ARPA backoff model.
///
/// - Each sentence is `<s> w1 .. wk </s>`; every word after `<s>` is predicted by the n-gram
///   ending at it, of length `order` or shorter when it reaches back to `<s>`.
/// - Adjusted counts: the raw count for n-grams of the highest order and for n-grams starting
///   with `<s>`; otherwise the number of distinct words seen to their left (continuation count).
/// - Discounts per order from the counts of adjusted counts `t_k`: `Y = t1 / (t1 + 2 t2)`,
///   `D_k = k - (k + 1) Y t_{k+1} / t_k` for k = 1, 2, 3+; when a `t_k` is 0 or a discount falls
///   outside `[0, k]`, `lmplz --discount_fallback`'s 0.5, 1, 1.5.
/// - `p(w | h) = (a(h w) - D(a(h w))) / sum_x a(h x) + b(h) p(w | h')`, with
///   `b(h) = (D1 N1(h) + D2 N2(h) + D3+ N3+(h)) / sum_x a(h x)`; unigrams interpolate with the
///   uniform distribution over the vocabulary without `<s>` (so `<unk>` gets `b() / |V|`).
/// - The ARPA file lists every seen n-gram with `log10 p(w | h)` and, for n-grams that are
///   contexts of longer ones, `log10 b`; `<s>` has `-99`.
public enum KneserNeyEstimation {
  public struct Discounts: Sendable, Equatable {
    public var d1: Double
    public var d2: Double
    public var d3: Double

    public static let fallback = Discounts(d1: 0.5, d2: 1, d3: 1.5)

    public func callAsFunction(_ count: Int) -> Double {
      count == 1 ? d1 : (count == 2 ? d2 : (count >= 3 ? d3 : 0))
    }

    /// From `t[1...4]`, the numbers of n-grams with adjusted count 1, 2, 3, 4.
    public static func estimate(_ t: [Int]) -> Discounts {
      guard t.count >= 5, t[1] > 0, t[2] > 0, t[3] > 0, t[4] > 0 else { return fallback }
      let y = Double(t[1]) / (Double(t[1]) + 2 * Double(t[2]))
      var d: [Double] = []
      for k in 1...3 {
        let v = Double(k) - Double(k + 1) * y * Double(t[k + 1]) / Double(t[k])
        guard v >= 0, v <= Double(k) else { return fallback }
        d.append(v)
      }
      return Discounts(d1: d[0], d2: d[1], d3: d[2])
    }
  }

  /// A model in probability space: `probabilities[n - 1][ngram]`, `backoffs[n - 1][context]`.
  public struct Model: Sendable {
    public var order: Int
    public var probabilities: [[[String]: Double]]
    public var backoffs: [[[String]: Double]]
    public var discounts: [Discounts]
  }

  /// Estimates from sentences of whitespace-separated words (empty lines skipped).
  public static func estimate(sentences: [[String]], order: Int) -> Model {
    precondition(order >= 1, "order must be >= 1")
    // Raw counts of the predicted n-grams (and their shorter suffixes, for the vocabulary).
    var raw = [[[String]: Int]](repeating: [:], count: order)
    var seen = [Set<[String]>](repeating: [], count: order)
    for sentence in sentences where !sentence.isEmpty {
      let tokens = ["<s>"] + sentence + ["</s>"]
      for i in 1..<tokens.count {
        let start = Swift.max(0, i - order + 1)
        let gram = Array(tokens[start...i])
        raw[gram.count - 1][gram, default: 0] += 1
        for s in start...i { seen[i - s].insert(Array(tokens[s...i])) }
      }
    }
    // Adjusted counts.
    var adjusted = [[[String]: Int]](repeating: [:], count: order)
    adjusted[order - 1] = raw[order - 1]
    if order >= 2 {
      for n in stride(from: order - 1, through: 1, by: -1) {
        var left: [[String]: Int] = [:]
        for g in seen[n] { left[Array(g.dropFirst()), default: 0] += 1 }  // one per distinct left word
        for g in seen[n - 1] {
          if g.first == "<s>" {
            if let c = raw[n - 1][g] { adjusted[n - 1][g] = c }
          } else if let c = left[g] {
            adjusted[n - 1][g] = c
          }
        }
      }
    }
    adjusted[0][["<s>"]] = nil
    var discounts: [Discounts] = []
    for n in 0..<order {
      var t = [Int](repeating: 0, count: 5)
      for (_, c) in adjusted[n] where c <= 4 { t[c] += 1 }
      discounts.append(Discounts.estimate(t))
    }
    // Per-context sums and counts-of-counts.
    var probabilities = [[[String]: Double]](repeating: [:], count: order)
    var backoffs = [[[String]: Double]](repeating: [:], count: order)
    var vocabulary = Set(adjusted[0].keys)
    vocabulary.insert(["</s>"])
    vocabulary.insert(["<unk>"])
    var unigramWeight = 0.0
    for n in 0..<order {
      var total: [[String]: Int] = [:]
      var gamma: [[String]: Double] = [:]
      let d = discounts[n]
      for (g, c) in adjusted[n] {
        let h = Array(g.dropLast())
        total[h, default: 0] += c
        gamma[h, default: 0] += d(c)
      }
      for (h, s) in total {
        let b = gamma[h, default: 0] / Double(s)
        if n == 0 { unigramWeight = b } else { backoffs[n - 1][h] = b }
      }
      for (g, c) in adjusted[n] {
        let h = Array(g.dropLast())
        let u = (Double(c) - d(c)) / Double(total[h] ?? 1)
        if n == 0 {
          probabilities[0][g] = u + unigramWeight / Double(vocabulary.count)
        } else {
          probabilities[n][g] =
            u + (backoffs[n - 1][h] ?? 0) * (probabilities[n - 1][Array(g.dropFirst())] ?? 0)
        }
      }
      if n == 0 && probabilities[0][["<unk>"]] == nil {
        probabilities[0][["<unk>"]] = unigramWeight / Double(vocabulary.count)
      }
    }
    return Model(order: order, probabilities: probabilities, backoffs: backoffs, discounts: discounts)
  }

  /// The model as ARPA text (log10), n-grams sorted within each order.
  public static func arpa(_ model: Model) -> String {
    var out = "\\data\\\n"
    var unigrams = model.probabilities[0]
    unigrams[["<s>"]] = 0  // written as -99
    let orders: [[[String]: Double]] = [unigrams] + model.probabilities.dropFirst()
    for (n, grams) in orders.enumerated() { out += "ngram \(n + 1)=\(grams.count)\n" }
    for (n, grams) in orders.enumerated() {
      out += "\n\\\(n + 1)-grams:\n"
      for g in grams.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
        let p = g == ["<s>"] && n == 0 ? "-99" : format(log10(grams[g] ?? 0))
        var line = p + "\t" + g.joined(separator: " ")
        if n + 1 < model.order, let b = model.backoffs[n][g] { line += "\t" + format(log10(b)) }
        out += line + "\n"
      }
    }
    return out + "\n\\end\\\n"
  }

  static func format(_ x: Double) -> String {
    x == -.infinity ? "-99" : String(format: "%.7f", x)
  }

  /// Sentences of a text: one per non-empty line, words split on whitespace.
  public static func sentences(_ text: String) -> [[String]] {
    text.split(whereSeparator: \.isNewline).map { $0.split(whereSeparator: \.isWhitespace).map(String.init) }
      .filter { !$0.isEmpty }
  }
}
