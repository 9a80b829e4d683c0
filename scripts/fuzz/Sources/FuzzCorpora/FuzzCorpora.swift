import Corpora
import Foundation
import FuzzSupport
import Speech

/// The corpus readers (docs/bible.md, docs/ctc.md): the first byte selects
/// 0: a SWORD zText testament -- two little-endian u16 lengths, then the block index, the verse
///    index and the zlib blocks (`ZTextTestament`), each entry then stripped of OSIS markup;
/// 1: OSIS markup alone (`OSISText.plainText`, `chapterStart`);
/// 2: Asterisk's `name: text` transcript list (`AsteriskCorpus.parseTranscripts`).
/// Properties: refusals are the readers' own errors; a zText error's offset lies inside the file
/// it names; transcript errors name `file:line` with the line inside the text.
@_cdecl("FuzzCorpora_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
  return runFuzzer(argc, argv) { bytes in
    guard let selector = bytes.first else { return }
    let body = Array(bytes.dropFirst())
    switch selector % 3 {
    case 0:
      guard body.count >= 4 else { return }
      let a = min(Int(body[0]) | Int(body[1]) << 8, body.count - 4)
      let b = min(Int(body[2]) | Int(body[3]) << 8, body.count - 4 - a)
      let blockIndex = Array(body[4..<(4 + a)])
      let verseIndex = Array(body[(4 + a)..<(4 + a + b)])
      let blocks = Array(body[(4 + a + b)...])
      do {
        let testament = try ZTextTestament(
          blockIndex: blockIndex, verseIndex: verseIndex, blocks: blocks, paths: ("t.bzs", "t.bzv", "t.bzz"))
        for entry in testament.entries {
          _ = OSISText.plainText(entry)
          _ = OSISText.chapterStart(entry)
        }
      } catch let error as ZTextError {
        let size = ["t.bzs": blockIndex.count, "t.bzv": verseIndex.count, "t.bzz": blocks.count][error.path]
        fuzzCheck(size != nil, "error names an unknown file: \(error)")
        fuzzCheck(error.offset >= 0 && error.offset <= (size ?? 0), "offset outside the file: \(error)")
      } catch {
        fuzzCheck(false, "ZTextTestament threw a \(type(of: error)): \(error)")
      }
    case 1:
      let text = String(decoding: body, as: UTF8.self)
      _ = OSISText.plainText(text)
      _ = OSISText.chapterStart(text)
    default:
      let text = String(decoding: body, as: UTF8.self)
      let lines = body.filter { $0 == 0x0A }.count + 1
      do {
        for prompt in try AsteriskCorpus.parseTranscripts(text, file: "t.txt") {
          fuzzCheck(prompt.line >= 1 && prompt.line <= lines, "prompt line \(prompt.line) outside the text")
        }
      } catch let error as SpeechCorpusError {
        fuzzCheck("\(error)".hasPrefix("t.txt:"), "error names no file: \(error)")
      } catch {
        fuzzCheck(false, "parseTranscripts threw a \(type(of: error)): \(error)")
      }
    }
  }
}
