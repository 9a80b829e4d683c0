import Core
import Foundation
import TestSupport
import Testing

@testable import Corpora

/// The zText reader on the hand-made fixture library (`scripts/make_ztext_fixture.py`) and on
/// damaged copies of its files: every bad file is named with the byte offset of the bad record.
@Suite struct ZTextTests {
  static let library = Fixtures.url("sword")
  static let kjvFolder = library.appendingPathComponent("modules/texts/ztext/engKJV2006eb")

  static func bytes(_ name: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: kjvFolder.appendingPathComponent(name)))
  }

  static func decode(bzs: [UInt8], bzv: [UInt8], bzz: [UInt8]) throws -> ZTextTestament {
    try ZTextTestament(blockIndex: bzs, verseIndex: bzv, blocks: bzz, paths: ("ot.bzs", "ot.bzv", "ot.bzz"))
  }

  @Test func readsEntriesInIndexOrder() throws {
    let ot = try ZTextTestament(folder: Self.kjvFolder, testament: "ot")
    #expect(ot.entries.count == 12)
    #expect(ot.entries[0] == "")
    #expect(ot.entries[3] == #"<chapter n="1" osisID="Gen.1" sID="Gen.1"/>"#)
    #expect(ot.entries[10] == "Now it came to pass in the days when the judges ruled.")
  }

  @Test func structureMapsBookChapterAndVerse() throws {
    let module = try BibleModule.read(name: "engKJV2006eb", swordDirectory: Self.library)
    #expect(module.books == ["Gen", "1Sam", "John"])
    #expect(module.versification == "KJV")
    #expect(
      module.verses.map(\.reference.description) == [
        "Gen.1.1", "Gen.1.2", "Gen.2.1", "1Sam.1.1", "1Sam.1.2", "John.1.1", "John.1.2",
      ])
    #expect(module.verses[1].text == "And the earth was without form, and void .")
    #expect(module.verses[2].text == "Thus the heavens & the earth were finished.")
    #expect(module.verses[5].text == "In the beginning was the Word.")
  }

  @Test func truncatedIndexesNameTheirLastRecord() throws {
    let bzs = try Self.bytes("ot.bzs")
    let bzv = try Self.bytes("ot.bzv")
    let bzz = try Self.bytes("ot.bzz")
    #expect(
      throws: ZTextError(
        path: "ot.bzv", offset: 110,
        reason: "truncated verse record (the file is 119 bytes, not a multiple of 10)")
    ) {
      try Self.decode(bzs: bzs, bzv: Array(bzv.dropLast()), bzz: bzz)
    }
    #expect(
      throws: ZTextError(
        path: "ot.bzs", offset: 12,
        reason: "truncated block record (the file is 23 bytes, not a multiple of 12)")
    ) {
      try Self.decode(bzs: Array(bzs.dropLast()), bzv: bzv, bzz: bzz)
    }
  }

  @Test func badRecordsNameTheirOffset() throws {
    let bzs = try Self.bytes("ot.bzs")
    let bzv = try Self.bytes("ot.bzv")
    let bzz = try Self.bytes("ot.bzz")
    // Entry 4 (record at byte 40) names block 7 of 2.
    var wrongBlock = bzv
    wrongBlock[40] = 7
    #expect(throws: ZTextError(path: "ot.bzv", offset: 40, reason: "entry 4 names block 7; the module has 2"))
    {
      try Self.decode(bzs: bzs, bzv: wrongBlock, bzz: bzz)
    }
    // Entry 4 runs past the end of its block.
    var longEntry = bzv
    longEntry[48] = 0xFF
    longEntry[49] = 0xFF
    let error = #expect(throws: ZTextError.self) { try Self.decode(bzs: bzs, bzv: longEntry, bzz: bzz) }
    #expect(error?.offset == 40 && error?.path == "ot.bzv")
    // Block 1 (record at byte 12) points past the end of .bzz.
    var farBlock = bzs
    farBlock[15] = 0x7F
    let far = #expect(throws: ZTextError.self) { try Self.decode(bzs: farBlock, bzv: bzv, bzz: bzz) }
    #expect(far?.offset == 12 && far?.path == "ot.bzs")
    // Corrupt zlib data: the error names the block's first byte in .bzz.
    let second = Int(ZTextTestament.u32(bzs, 12))
    var corrupt = bzz
    corrupt[second] ^= 0xFF
    corrupt[second + 1] ^= 0xFF
    let bad = #expect(throws: ZTextError.self) { try Self.decode(bzs: bzs, bzv: bzv, bzz: corrupt) }
    #expect(bad?.offset == second && bad?.path == "ot.bzz")
  }

  @Test func missingModuleIsAFileError() throws {
    let error = #expect(throws: FileError.self) {
      try BibleModule.read(name: "noSuchModule", swordDirectory: Self.library)
    }
    #expect(error?.reason.contains("not installed") == true)
  }

  @Test func chapterMarkersOutOfOrderAreRefused() throws {
    let entries = [
      "", "", "", #"<chapter osisID="Gen.1" sID="Gen.1"/>"#, "v1", #"<chapter osisID="Gen.3" sID="Gen.3"/>"#,
      "v1",
    ]
    let error = #expect(throws: ZTextError.self) { try BibleModule.structure(entries, path: "ot.bzv") }
    #expect(error?.offset == 50)
    #expect(throws: ZTextError.self) { try BibleModule.structure(["", "a", "b"], path: "ot.bzv") }
  }
}
