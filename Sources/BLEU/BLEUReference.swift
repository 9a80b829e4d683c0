// Reference n-gram counts for one segment, kept for scoring many hypotheses against it (sacrebleu's
// `_extract_reference_info` + `_compute_segment_statistics`). N-grams are counted on integer token
// ids with an open-addressing hash table; an n-gram is stored as (start, order) into the
// concatenated reference tokens, so no n-gram is ever materialised.

/// The references of one segment, with their n-gram counts precomputed (for each n-gram, the
/// largest count over the references) and their lengths (for the closest-length brevity penalty).
///
/// Token ids are arbitrary integers: equal ids are equal tokens. Build one per source sentence and
/// call `sentenceStatistics(hypothesis:)` for each candidate, as minimum-risk training does.
public struct BLEUReference: Sendable {
  /// Highest n-gram order counted.
  public let maxOrder: Int
  /// Token count of each reference.
  public private(set) var lengths: [Int] = []

  private var tokens: [Int] = []
  private var slotHash: [UInt64] = []
  private var slotStart: [Int32] = []
  private var slotOrder: [Int32] = []
  private var slotMax: [Int32] = []
  private var slotCurrent: [Int32] = []
  private var slotStamp: [Int32] = []
  private var mask = 0

  /// - Parameters:
  ///   - references: token ids of each reference (at least one).
  ///   - maxOrder: highest n-gram order (sacrebleu's `max_ngram_order`, 4).
  /// - Throws: `BLEUError.noReferences` when `references` is empty.
  public init(tokens references: [[Int]], maxOrder: Int = BLEUSettings.defaultMaxOrder) throws {
    precondition(maxOrder >= 1, "BLEUReference: maxOrder must be at least 1, got \(maxOrder)")
    guard !references.isEmpty else { throw BLEUError.noReferences }
    self.maxOrder = maxOrder
    rebuild(flat: references.flatMap { $0 }, lengths: references.map(\.count))
  }

  init(maxOrder: Int) {
    self.maxOrder = maxOrder
  }

  @inline(__always)
  static func mix(_ h: UInt64, _ token: Int) -> UInt64 {
    var x = (h ^ UInt64(bitPattern: Int64(token))) &* 0x9E37_79B9_7F4A_7C15
    x ^= x >> 32
    return x
  }

  static let seed: UInt64 = 0x632B_E59B_D9B4_E019

  /// Recounts for new references given as one concatenated token array and the length of each,
  /// reusing this value's storage.
  mutating func rebuild(flat: [Int], lengths newLengths: [Int]) {
    tokens.removeAll(keepingCapacity: true)
    tokens.append(contentsOf: flat)
    lengths.removeAll(keepingCapacity: true)
    lengths.append(contentsOf: newLengths)
    var occurrences = 0
    for length in newLengths {
      for n in 1...maxOrder where length >= n { occurrences += length - n + 1 }
    }
    var capacity = 16
    while capacity < 2 * occurrences { capacity <<= 1 }
    // The arrays keep the largest size seen; the table uses their first `capacity` slots.
    if slotStart.count < capacity {
      slotHash = Array(repeating: 0, count: capacity)
      slotStart = Array(repeating: -1, count: capacity)
      slotOrder = Array(repeating: 0, count: capacity)
      slotMax = Array(repeating: 0, count: capacity)
      slotCurrent = Array(repeating: 0, count: capacity)
      slotStamp = Array(repeating: -1, count: capacity)
    } else {
      slotStart.withUnsafeMutableBufferPointer {
        UnsafeMutableBufferPointer(rebasing: $0[0..<capacity]).update(repeating: -1)
      }
      slotStamp.withUnsafeMutableBufferPointer {
        UnsafeMutableBufferPointer(rebasing: $0[0..<capacity]).update(repeating: -1)
      }
      slotMax.withUnsafeMutableBufferPointer {
        UnsafeMutableBufferPointer(rebasing: $0[0..<capacity]).update(repeating: 0)
      }
    }
    mask = capacity - 1
    let order = maxOrder
    tokens.withUnsafeBufferPointer { t in
      slotHash.withUnsafeMutableBufferPointer { hash in
        slotStart.withUnsafeMutableBufferPointer { start in
          slotOrder.withUnsafeMutableBufferPointer { ord in
            slotMax.withUnsafeMutableBufferPointer { maxCount in
              slotCurrent.withUnsafeMutableBufferPointer { current in
                slotStamp.withUnsafeMutableBufferPointer { stamp in
                  var offset = 0
                  for (r, length) in newLengths.enumerated() {
                    let end = offset + length
                    for i in offset..<end {
                      var h = Self.seed
                      for n in 1...min(order, end - i) {
                        h = Self.mix(h, t[i + n - 1])
                        var slot = Int(truncatingIfNeeded: h >> 20) & mask
                        while start[slot] >= 0 {
                          if hash[slot] == h && Int(ord[slot]) == n
                            && Self.equal(t, Int(start[slot]), t, i, n)
                          {
                            break
                          }
                          slot = (slot + 1) & mask
                        }
                        if start[slot] < 0 {
                          start[slot] = Int32(i)
                          hash[slot] = h
                          ord[slot] = Int32(n)
                        }
                        // Count within this reference, keep the maximum over references.
                        if stamp[slot] != Int32(r) {
                          stamp[slot] = Int32(r)
                          current[slot] = 0
                        }
                        current[slot] += 1
                        if current[slot] > maxCount[slot] { maxCount[slot] = current[slot] }
                      }
                    }
                    offset = end
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  @inline(__always)
  private static func equal(
    _ a: UnsafeBufferPointer<Int>, _ i: Int, _ b: UnsafeBufferPointer<Int>, _ j: Int, _ n: Int
  ) -> Bool {
    for k in 0..<n where a[i + k] != b[j + k] { return false }
    return true
  }

  /// sacrebleu's `_get_closest_ref_len`: the reference length closest to `hypothesisLength`,
  /// ties going to the shorter reference.
  public func closestLength(to hypothesisLength: Int) -> Int {
    var bestDiff = -1
    var best = -1
    for length in lengths {
      let diff = abs(hypothesisLength - length)
      if bestDiff == -1 || diff < bestDiff {
        bestDiff = diff
        best = length
      } else if diff == bestDiff && length < best {
        best = length
      }
    }
    return best
  }

  /// Sufficient statistics of `hypothesis` (token ids) against these references: lengths, clipped
  /// n-gram matches and n-gram totals for n = 1 ... `maxOrder`.
  public func sentenceStatistics(hypothesis: [Int]) -> BLEUStatistics {
    hypothesis.withUnsafeBufferPointer { h in
      withUnsafeTemporaryAllocation(of: Int32.self, capacity: slotCount) { used in
        used.initialize(repeating: 0)
        return statistics(h, used: used)
      }
    }
  }

  /// Core of `sentenceStatistics`; `used` (one zeroed counter per slot) counts how many times each
  /// reference n-gram has been matched, so clipping is `min(hypothesis count, reference maximum)`
  /// without counting the hypothesis n-grams separately.
  func statistics(_ h: UnsafeBufferPointer<Int>, used: UnsafeMutableBufferPointer<Int32>)
    -> BLEUStatistics
  {
    let order = maxOrder
    let length = h.count
    var correct = [Int](repeating: 0, count: order)
    var total = [Int](repeating: 0, count: order)
    for n in 1...order where length >= n { total[n - 1] = length - n + 1 }
    tokens.withUnsafeBufferPointer { t in
      slotHash.withUnsafeBufferPointer { hash in
        slotStart.withUnsafeBufferPointer { start in
          slotOrder.withUnsafeBufferPointer { ord in
            slotMax.withUnsafeBufferPointer { maxCount in
              correct.withUnsafeMutableBufferPointer { correct in
                for i in 0..<length {
                  var hv = Self.seed
                  for n in 1...min(order, length - i) {
                    hv = Self.mix(hv, h[i + n - 1])
                    var slot = Int(truncatingIfNeeded: hv >> 20) & mask
                    var found = false
                    while start[slot] >= 0 {
                      if hash[slot] == hv && Int(ord[slot]) == n
                        && Self.equal(t, Int(start[slot]), h, i, n)
                      {
                        used[slot] += 1
                        if used[slot] <= maxCount[slot] { correct[n - 1] += 1 }
                        found = true
                        break
                      }
                      slot = (slot + 1) & mask
                    }
                    // No reference has this n-gram, so none has any extension of it.
                    if !found { break }
                  }
                }
              }
            }
          }
        }
      }
    }
    return BLEUStatistics(
      hypothesisLength: length, referenceLength: closestLength(to: length), correct: correct,
      total: total)
  }

  /// Slots of the hash table in use (the arrays may be longer).
  var slotCount: Int { mask + 1 }
}
