#!/usr/bin/env python3
"""Writes Tests/Fixtures/sword: a tiny SWORD library of three hand-made zText modules named as
the real ones (spaRV1909eb, engKJV2006eb, engWEB2015eb), for the Corpora tests.

Standard library only (zlib, struct). Layout of a zText testament (little-endian):
  <t>.bzs  12 bytes per block: u32 offset in .bzz, u32 compressed size, u32 inflated size
  <t>.bzv  10 bytes per entry: u32 block, u32 offset in the inflated block, u16 size
  <t>.bzz  zlib streams, one per block (here: one block per book, BlockType=BOOK)
Entry order: 0 module heading, 1 testament heading, then per book its heading and per chapter
its heading (with <chapter osisID="Book.N" sID=...>) followed by the verses.
"""
import os
import struct
import sys
import zlib

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "sword")

# book -> chapters -> verses, per module. "" is an empty entry.
TEXTS = {
    "spaRV1909eb": {
        "ot": [("Gen", [['<w lemma="strong:H7225">EN el principio</w> cre\u00f3 Dios los cielos y la tierra.',
                         'Y la tierra estaba desordenada y vac\u00eda.'],
                        ['Y fueron acabados los cielos.']]),
               ("1Sam", [['Y aconteci\u00f3 en los d\u00edas que gobernaban los jueces.',
                          '\u00bfY ad\u00f3nde ir\u00e1s?']])],
        "nt": [("John", [['EN el principio era el Verbo.', '']])],
    },
    "engKJV2006eb": {
        "ot": [("Gen", [['In the <w lemma="strong:H7225">beginning</w> <w lemma="strong:H0430">God</w> created the heaven and the earth.',
                         'And the earth was without form, and void<note placement="foot">void: or, empty</note>.'],
                        ['Thus the heavens &amp; the earth were finished.']]),
               ("1Sam", [['Now it came to pass in the days when the judges ruled.',
                          'And whither <transChange type="added">wilt</transChange> thou go?']])],
        "nt": [("John", [['<title type="x-gen">The Word</title>In the beginning was the Word.', 'The same was in the beginning with God.']])],
    },
    "engWEB2015eb": {
        "ot": [("Gen", [['In the beginning, God created the heavens and the earth.',
                         'The earth was formless and empty.'],
                        ['The heavens, the earth, and all their vast array were finished.']]),
               ("1Sam", [['In the days when the judges judged, there was a famine.',
                          '\u201cWhere will you go?\u201d']])],
        "nt": [("John", [['In the beginning was the Word.', 'The same was in the beginning with God.']])],
    },
}

CONF = """[{name}]
DataPath=./modules/texts/ztext/{name}/
ModDrv=zText
SourceType=OSIS
Encoding=UTF-8
CompressType=ZIP
BlockType=BOOK
Versification={versification}
"""


def testament(books):
    """(bzs, bzv, bzz) bytes of one testament."""
    entries = [(None, b""), (None, b'<milestone type="x-importer"/>')]
    for number, (book, chapters) in enumerate(books):
        entries.append((number, ('<div osisID="%s" type="book"/>' % book).encode()))
        for c, verses in enumerate(chapters, start=1):
            entries.append((number, ('<chapter n="%d" osisID="%s.%d" sID="%s.%d"/>' % (c, book, c, book, c)).encode()))
            entries += [(number, v.encode()) for v in verses]
    # Headings before the first book go into block 0 as well.
    blocks = {}
    bzv = b""
    for block, text in entries:
        block = 0 if block is None else block
        data = blocks.setdefault(block, bytearray())
        bzv += struct.pack("<IIH", block, len(data) if text else 0, len(text))
        data += text
    bzs = b""
    bzz = b""
    for block in sorted(blocks):
        compressed = zlib.compress(bytes(blocks[block]))
        bzs += struct.pack("<III", len(bzz), len(compressed), len(blocks[block]))
        bzz += compressed
    return bzs, bzv, bzz


def main():
    os.makedirs(os.path.join(ROOT, "mods.d"), exist_ok=True)
    for name, testaments in TEXTS.items():
        versification = "NRSVA" if name.startswith("engWEB") else "KJV"
        with open(os.path.join(ROOT, "mods.d", name + ".conf"), "w") as f:
            f.write(CONF.format(name=name, versification=versification))
        folder = os.path.join(ROOT, "modules", "texts", "ztext", name)
        os.makedirs(folder, exist_ok=True)
        for t, books in testaments.items():
            for ext, data in zip(("bzs", "bzv", "bzz"), testament(books)):
                with open(os.path.join(folder, "%s.%s" % (t, ext)), "wb") as f:
                    f.write(data)
    print("wrote", os.path.normpath(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
