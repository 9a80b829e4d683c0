import Core

// sacrebleu's JSON output (`Score.format(..., is_json=True)`: `name`, `score`, `signature`,
// `verbose_score`, then every signature field as a string), with the score at full precision and
// LossLab's additions `precisions`, `bp`, `sys_len`, `ref_len`.

/// Renders scores as sacrebleu's JSON object for one signature (the signature's fields are
/// prepared once, so rendering one object per line stays cheap).
public struct BLEUJSONFormatter: Sendable {
  /// `json.dumps(indent=1)` layout as sacrebleu prints it; otherwise one line.
  public var pretty: Bool
  private let signatureField: String
  private let signatureFields: String

  public init(signature: String, pretty: Bool) {
    self.pretty = pretty
    signatureField = JSONText.quoted(signature)
    var fields: [String] = []
    for pair in signature.split(separator: "|") {
      guard let colon = pair.firstIndex(of: ":") else { continue }
      fields.append(
        JSONText.quoted(String(pair[..<colon])) + ": "
          + JSONText.quoted(String(pair[pair.index(after: colon)...])))
    }
    signatureFields = fields.joined(separator: pretty ? ",\n " : ", ")
  }

  public func format(_ score: BLEUScore) -> String {
    let separator = pretty ? ",\n " : ", "
    let list: [String] = score.precisions.map { JSONText.number($0) }
    let precisions: String =
      pretty
      ? "[\n" + list.map { "  " + $0 }.joined(separator: ",\n") + "\n ]"
      : "[" + list.joined(separator: ", ") + "]"
    let members = [
      "\"name\": \"BLEU\"", "\"score\": " + JSONText.number(score.score), "\"signature\": " + signatureField,
      "\"verbose_score\": " + JSONText.quoted(score.verbose), signatureFields,
      "\"precisions\": " + precisions,
      "\"bp\": " + JSONText.number(score.bp), "\"sys_len\": " + String(score.sysLen),
      "\"ref_len\": " + String(score.refLen),
    ]
    return pretty
      ? "{\n " + members.joined(separator: separator) + "\n}"
      : "{" + members.joined(separator: separator) + "}"
  }
}

extension BLEUScore {
  /// The JSON object for this score (see `BLEUJSONFormatter`). Numbers print as Python's `repr`
  /// would (shortest round-trip form).
  public func json(signature: String, pretty: Bool = true) -> String {
    BLEUJSONFormatter(signature: signature, pretty: pretty).format(self)
  }
}
