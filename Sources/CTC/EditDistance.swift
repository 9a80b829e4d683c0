/// Levenshtein distance (Levenshtein 1966): the fewest substitutions, insertions and deletions
/// that turn `hypothesis` into `reference`, each costing 1 (what jiwer and NeMo count for WER/CER).
///
/// Dynamic programming over one row of `reference.count + 1` cells: O(|h| |r|) time, O(|r|) memory.
public enum EditDistance {
  public static func levenshtein<Element: Equatable>(_ hypothesis: [Element], _ reference: [Element]) -> Int {
    let (h, r) = (hypothesis, reference)
    if h.isEmpty { return r.count }
    if r.isEmpty { return h.count }
    // row[j] = distance between h[0..<i] and r[0..<j] for the current i.
    var row = Array(0...r.count)
    for i in 1...h.count {
      var diagonal = row[0]  // d(i-1, j-1)
      row[0] = i
      for j in 1...r.count {
        let above = row[j]  // d(i-1, j)
        let substitution = diagonal + (h[i - 1] == r[j - 1] ? 0 : 1)
        row[j] = Swift.min(substitution, above + 1, row[j - 1] + 1)
        diagonal = above
      }
    }
    return row[r.count]
  }
}
