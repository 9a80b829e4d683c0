/// Interns tokens (code-point sequences) to integer ids. A one-code-point token's id is the code
/// point itself; longer tokens get ids from 0x110000 up, so equal ids mean equal code points.
struct TokenInterner {
  private var arena: [UInt32] = []
  private var starts: [Int] = []
  private var lengths: [Int] = []
  private var table: [Int32]
  private var mask: Int

  static let firstMultiScalarID = 0x11_0000

  init() {
    table = Array(repeating: -1, count: 1 << 12)
    mask = (1 << 12) - 1
  }

  mutating func id(_ buffer: UnsafeBufferPointer<UInt32>, _ start: Int, _ end: Int) -> Int {
    let length = end - start
    if length == 1 { return Int(buffer[start]) }
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for k in start..<end { h = (h ^ UInt64(buffer[k])) &* 0x0000_0100_0000_01B3 }
    h ^= h >> 29
    var slot = Int(truncatingIfNeeded: h) & mask
    while true {
      let entry = Int(table[slot])
      if entry < 0 { break }
      if lengths[entry] == length {
        let s = starts[entry]
        var equal = true
        for k in 0..<length where arena[s + k] != buffer[start + k] {
          equal = false
          break
        }
        if equal { return Self.firstMultiScalarID + entry }
      }
      slot = (slot + 1) & mask
    }
    let entry = starts.count
    starts.append(arena.count)
    lengths.append(length)
    arena.append(contentsOf: buffer[start..<end])
    table[slot] = Int32(entry)
    if starts.count * 2 > table.count { grow() }
    return Self.firstMultiScalarID + entry
  }

  private mutating func grow() {
    let capacity = table.count * 2
    table = Array(repeating: -1, count: capacity)
    mask = capacity - 1
    for entry in starts.indices {
      var h: UInt64 = 0xCBF2_9CE4_8422_2325
      let s = starts[entry]
      for k in s..<(s + lengths[entry]) { h = (h ^ UInt64(arena[k])) &* 0x0000_0100_0000_01B3 }
      h ^= h >> 29
      var slot = Int(truncatingIfNeeded: h) & mask
      while table[slot] >= 0 { slot = (slot + 1) & mask }
      table[slot] = Int32(entry)
    }
  }
}
