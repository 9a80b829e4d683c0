import Core
import Testing

@testable import Tensors

@Test func jsonTextEscapesAsPythonJSONDumps() {
  // Expected bytes: Python 3 `json.dumps(s, ensure_ascii=False)` (also serde_json's output).
  #expect(JSONText.quoted("plain") == "\"plain\"")
  #expect(JSONText.quoted("a\"b\\c") == "\"a\\\"b\\\\c\"")
  #expect(JSONText.quoted("\n\r\t\u{08}\u{0C}") == "\"\\n\\r\\t\\b\\f\"")
  #expect(JSONText.quoted("\u{00}\u{01}\u{1F}") == "\"\\u0000\\u0001\\u001f\"")
  #expect(JSONText.quoted("é ∑ 😀 /") == "\"é ∑ 😀 /\"")
  var out = "x="
  JSONText.appendQuoted("k", to: &out)
  #expect(out == "x=\"k\"")
}

@Test func jsonTextNumbersAreShortestRoundTrip() {
  // Expected text: Python 3 `repr(float(x))`.
  #expect(JSONText.number(0.1) == "0.1")
  #expect(JSONText.number(1) == "1.0")
  #expect(JSONText.number(-0.0) == "-0.0")
  #expect(JSONText.number(1e-7) == "1e-07")
  #expect(JSONText.number(1.5e300) == "1.5e+300")
  #expect(JSONText.number(2.0 / 3.0) == "0.6666666666666666")
  #expect(JSONText.number(.nan) == "NaN")
  #expect(JSONText.number(-.infinity) == "-Infinity")
  #expect(JSONText.number(.infinity, nonFinite: .quotedString) == "\"Infinity\"")
  #expect(JSONText.number(.nan, nonFinite: .quotedString) == "\"NaN\"")
  for x in [0.1, 1.0 / 3.0, 123456.789, .leastNonzeroMagnitude, Double.greatestFiniteMagnitude] {
    #expect(Double(JSONText.number(x)) == x)
  }
}
