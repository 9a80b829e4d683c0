/// An open-addressing hash map from `UInt64` keys to `Int32` values (linear probing, a
/// MurmurHash3 finaliser), for the n-gram trie and the decoders' LM histories, where the
/// standard `Dictionary`'s SipHash dominated the decoding time. `UInt64.max` is reserved.
struct IntegerHashTable: Sendable {
  private var keys: [UInt64]
  private var values: [Int32]
  private var mask: Int
  private(set) var count = 0

  /// Room for `capacity` entries before growing (at most 2^24 reserved up front).
  init(capacity: Int = 16) {
    let wanted = Swift.min(Swift.max(capacity, 0), 1 << 24)
    var size = 16
    while size < wanted * 2 { size *= 2 }
    keys = [UInt64](repeating: .max, count: size)
    values = [Int32](repeating: 0, count: size)
    mask = size - 1
  }

  @inline(__always)
  private func slot(_ key: UInt64) -> Int {
    // MurmurHash3's 64-bit finaliser: every key bit reaches the low bits the mask keeps.
    var x = key
    x ^= x >> 33
    x &*= 0xff51_afd7_ed55_8ccd
    x ^= x >> 33
    x &*= 0xc4ce_b9fe_1a85_ec53
    x ^= x >> 33
    return Int(truncatingIfNeeded: x) & mask
  }

  @inline(__always)
  subscript(key: UInt64) -> Int32? {
    var i = slot(key)
    while true {
      let k = keys[i]
      if k == key { return values[i] }
      if k == .max { return nil }
      i = (i + 1) & mask
    }
  }

  /// Inserts or replaces.
  mutating func set(_ key: UInt64, _ value: Int32) {
    if (count + 1) * 2 > keys.count { grow() }
    var i = slot(key)
    while true {
      let k = keys[i]
      if k == key {
        values[i] = value
        return
      }
      if k == .max {
        keys[i] = key
        values[i] = value
        count += 1
        return
      }
      i = (i + 1) & mask
    }
  }

  private mutating func grow() {
    let (oldKeys, oldValues) = (keys, values)
    keys = [UInt64](repeating: .max, count: oldKeys.count * 2)
    values = [Int32](repeating: 0, count: oldKeys.count * 2)
    mask = keys.count - 1
    count = 0
    for (k, v) in zip(oldKeys, oldValues) where k != .max { set(k, v) }
  }
}
