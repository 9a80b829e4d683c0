/// The CTC label set of the speech corpora: blank, space and the letters a-z.
///
/// Transcripts are digit words ("three one four"); targets are their characters, so character
/// error rate is measured on the text users read. Index 0 is the CTC blank (PyTorch's
/// `ctc_loss` default `blank=0`), 1 is the space, 2...27 are `a`...`z`.
public enum SpeechAlphabet {
  public static let blank = 0
  /// Labels by index; index 0 (blank) prints as "_".
  public static let symbols: [Character] = ["_", " "] + "abcdefghijklmnopqrstuvwxyz".map { $0 }
  /// Number of classes including the blank (28).
  public static var count: Int { symbols.count }

  /// Label indices of `text`; nil when it contains anything other than a-z and single spaces.
  public static func encode(_ text: String) -> [Int]? {
    var labels: [Int] = []
    for ch in text {
      if ch == " " {
        labels.append(1)
      } else if let a = ch.asciiValue, a >= 97, a <= 122 {
        labels.append(Int(a) - 95)
      } else {
        return nil
      }
    }
    return labels
  }

  /// Text of label indices (blanks dropped).
  public static func decode(_ labels: [Int]) -> String {
    String(labels.filter { $0 != blank }.map { symbols[$0] })
  }
}
