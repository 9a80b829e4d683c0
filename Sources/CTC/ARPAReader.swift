/// The ARPA reader's state machine, fed one line at a time: the `\data\` header with its
/// `ngram N=count` lines, the `\N-grams:` sections in order (`log10p w1 .. wN [backoff]`), then
/// `\end\`. Counts must match the header, words of higher orders must be unigrams, log
/// probabilities must be finite and not positive (`-inf` allowed), and no n-gram may repeat.
struct ARPAReader {
  enum Section: Equatable {
    case start, header
    case grams(Int)
    case end
  }

  let file: String
  var section = Section.start
  var counts: [Int] = []
  var seen: [Int] = []
  var vocabulary: [String] = []
  var wordIndices: [String: Int32] = [:]
  var probabilities: [[Float]] = []
  var backoffs: [[Float]] = []
  var extensions: [IntegerHashTable] = []
  var lastLine = 0

  init(file: String) { self.file = file }

  func error(_ line: Int, _ column: Int, _ message: String) -> TextFileError {
    TextFileError(file: file, line: line, column: column, message: message)
  }

  mutating func read(line: Int, fields: [TextFields.Field]) throws(TextFileError) {
    guard let first = fields.first else { return }
    lastLine = line
    switch section {
    case .start:
      guard first.text == "\\data\\", fields.count == 1 else {
        throw error(line, first.column, "expected \\data\\ before anything else")
      }
      section = .header
    case .header:
      if first.text.hasPrefix("ngram") {
        try readCount(line, fields)
      } else {
        try startSection(line, first, fields.count)
      }
    case .grams(let n):
      if first.text.hasPrefix("\\") {
        guard seen[n - 1] == counts[n - 1] else {
          throw error(
            line, first.column, "\(seen[n - 1]) \(n)-grams listed, the header says \(counts[n - 1])")
        }
        try startSection(line, first, fields.count)
      } else {
        try readGram(n, line, fields)
      }
    case .end:
      throw error(line, first.column, "text after \\end\\")
    }
  }

  mutating func readCount(_ line: Int, _ fields: [TextFields.Field]) throws(TextFileError) {
    // "ngram N=count", possibly written "ngram N = count".
    let spec = fields.dropFirst().map { String($0.text) }.joined()
    let column = fields.count > 1 ? fields[1].column : fields[0].column + 5
    let parts = spec.split(separator: "=", omittingEmptySubsequences: false)
    guard fields[0].text == "ngram", parts.count == 2, let n = Int(parts[0]), let c = Int(parts[1]),
      n >= 1, n <= 64, c >= 0
    else {
      throw error(line, column, "expected 'ngram N=COUNT' with 1 <= N <= 64 and COUNT >= 0")
    }
    guard n == counts.count + 1 else {
      throw error(line, column, "expected the count of \(counts.count + 1)-grams, got order \(n)")
    }
    counts.append(c)
  }

  mutating func startSection(_ line: Int, _ first: TextFields.Field, _ fieldCount: Int) throws(TextFileError)
  {
    let next: Int
    if case .grams(let n) = section { next = n + 1 } else { next = 1 }
    guard !counts.isEmpty else { throw error(line, first.column, "no 'ngram N=COUNT' line in \\data\\") }
    if first.text == "\\end\\" && fieldCount == 1 {
      guard next == counts.count + 1 else {
        throw error(line, first.column, "\\end\\ before the \\\(next)-grams: section")
      }
      section = .end
      return
    }
    guard first.text == "\\\(next)-grams:", fieldCount == 1, next <= counts.count else {
      let expected = next <= counts.count ? "\\\(next)-grams:" : "\\end\\"
      throw error(line, first.column, "expected \(expected), got '\(first.text)'")
    }
    section = .grams(next)
    seen.append(0)
    probabilities.append([])
    backoffs.append([])
    if next > 1 { extensions.append(IntegerHashTable(capacity: counts[next - 1])) }
    let reserve = min(counts[next - 1], 1 << 24)  // the header's count is only a hint
    probabilities[next - 1].reserveCapacity(reserve)
    backoffs[next - 1].reserveCapacity(reserve)
  }

  mutating func readGram(_ n: Int, _ line: Int, _ fields: [TextFields.Field]) throws(TextFileError) {
    guard fields.count == n + 1 || fields.count == n + 2 else {
      throw error(
        line, fields[0].column, "a \(n)-gram line holds log10p, \(n) words and an optional backoff")
    }
    let probability = try number(fields[0], line, what: "log10 probability")
    guard probability <= 0 else {
      throw error(line, fields[0].column, "positive log10 probability \(fields[0].text)")
    }
    var backoff: Float = 0
    if fields.count == n + 2 {
      backoff = try number(fields[n + 1], line, what: "log10 backoff")
      guard backoff.isFinite else { throw error(line, fields[n + 1].column, "non-finite backoff") }
    }
    guard seen[n - 1] < counts[n - 1] else {
      throw error(line, fields[0].column, "more \(n)-grams than the header's \(counts[n - 1])")
    }
    seen[n - 1] += 1
    if n == 1 {
      let word = String(fields[1].text)
      guard wordIndices[word] == nil else {
        throw error(line, fields[1].column, "repeated unigram '\(word)'")
      }
      wordIndices[word] = Int32(vocabulary.count)
      vocabulary.append(word)
      probabilities[0].append(probability)
      backoffs[0].append(backoff)
      return
    }
    var words: [Int32] = []
    for f in fields[1...n] {
      guard let w = wordIndices[String(f.text)] else {
        throw error(line, f.column, "'\(f.text)' is not a unigram of the model")
      }
      words.append(w)
    }
    let context = contextEntry(Array(words.dropLast()))
    let key = ARPALanguageModel.key(context, words[n - 1])
    if let existing = extensions[n - 2][key] {
      // A blank inserted for a longer n-gram listed out of order cannot happen (orders come in
      // sequence), so an existing entry is a repeat.
      guard probabilities[n - 1][Int(existing)].isNaN else {
        throw error(line, fields[1].column, "repeated \(n)-gram")
      }
      probabilities[n - 1][Int(existing)] = probability
      backoffs[n - 1][Int(existing)] = backoff
      return
    }
    extensions[n - 2].set(key, Int32(probabilities[n - 1].count))
    probabilities[n - 1].append(probability)
    backoffs[n - 1].append(backoff)
  }

  /// The entry of an n-gram used as a context, inserting blank entries for missing prefixes.
  mutating func contextEntry(_ words: [Int32]) -> Int32 {
    var entry = words[0]
    for k in 1..<words.count {
      let key = ARPALanguageModel.key(entry, words[k])
      if let e = extensions[k - 1][key] {
        entry = e
      } else {
        let e = Int32(probabilities[k].count)
        extensions[k - 1].set(key, e)
        probabilities[k].append(.nan)
        backoffs[k].append(0)
        entry = e
      }
    }
    return entry
  }

  func number(_ field: TextFields.Field, _ line: Int, what: String) throws(TextFileError) -> Float {
    let text = field.text
    let value: Float?
    switch text.lowercased() {
    case "-inf", "-infinity": value = -.infinity
    default: value = Float(text)
    }
    guard let value, !value.isNaN, value != .infinity else {
      throw error(line, field.column, "\(what) '\(text)' is not a number")
    }
    return value
  }

  mutating func finish() throws(TextFileError) -> ARPALanguageModel {
    guard section == .end else {
      throw error(lastLine, 1, "the file ends before \\end\\")
    }
    guard counts[0] > 0 else { throw error(lastLine, 1, "no unigrams") }
    for marker in ["<s>", "</s>"] where wordIndices[marker] == nil {
      throw error(lastLine, 1, "no \(marker) unigram (KenLM requires <s> and </s>)")
    }
    if wordIndices["<unk>"] == nil {
      wordIndices["<unk>"] = Int32(vocabulary.count)
      vocabulary.append("<unk>")
      probabilities[0].append(-100)
      backoffs[0].append(0)
    }
    return ARPALanguageModel(
      order: counts.count, vocabulary: vocabulary, probabilities: probabilities, backoffs: backoffs,
      extensions: extensions, counts: counts)
  }
}
