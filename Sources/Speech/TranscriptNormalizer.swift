/// Maps written prompts to the 28-symbol alphabet of `SpeechAlphabet` (a-z and single spaces),
/// as the prompts are spoken.
///
/// Lower case; spans in `[...]`, `<...>` and `(...)` (stage directions such as "[beep]" or
/// "(silence)") dropped; apostrophes dropped ("party's" -> "partys", "don't" -> "dont": the
/// alphabet has no apostrophe); every digit spoken on its own ("press 1" -> "press one", "1234" ->
/// "one two three four", "3D" -> "three d"), as the prompts read digits; `#` -> "pound",
/// `*` -> "star", `&` -> "and"; any other character (punctuation, hyphens, letters outside a-z)
/// separates words; whitespace runs collapsed.
public enum TranscriptNormalizer {
  public static let digitWords = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
  ]

  public static func normalize(_ text: String) -> String {
    var out = ""
    var depth = 0
    for ch in text.lowercased() {
      switch ch {
      case "[", "<", "(":
        depth += 1
        out.append(" ")
        continue
      case "]", ">", ")":
        depth = max(0, depth - 1)
        out.append(" ")
        continue
      default: break
      }
      if depth > 0 { continue }
      switch ch {
      case "'", "\u{2019}": continue
      case "#": out += " pound "
      case "*": out += " star "
      case "&": out += " and "
      default:
        if let a = ch.asciiValue, a >= 48, a <= 57 {
          out += " \(digitWords[Int(a) - 48]) "
        } else if let a = ch.asciiValue, a >= 97, a <= 122 {
          out.append(ch)
        } else {
          out.append(" ")
        }
      }
    }
    return out.split(separator: " ").joined(separator: " ")
  }
}
