"""Build the CJK fonts nxcommand ships under resources/fonts/.

Sources: the Noto CJK fonts packaged by Debian 12 (bookworm) in
  fonts-noto-cjk 1:20220127+repack1-1
which holds NotoSerifCJK-{Regular,Bold}.ttc (Noto Serif CJK 2.001) and
NotoSansCJK-{Regular,Bold}.ttc (Noto Sans CJK 2.004); fonts-noto-cjk-extra
(other weights) is not needed. Fetch and unpack without installing anything:
  apt-get download fonts-noto-cjk
  dpkg-deb -x fonts-noto-cjk_*.deb unpacked
Then run (fontTools 4.68.0 is what was used):
  python resources/fonts/build_fonts.py unpacked/usr/share/fonts/opentype/noto resources/fonts

The 楷体 face for printed documents (level-two headings) is AR PL UKai 0.2.20080216.2 from
Debian's fonts-arphic-ukai 0.2.20080216.2-5 (ukai.ttc, face "AR PL UKai CN", already
TrueType outlines), under the Arphic Public License (ARPHIC-LICENSE.txt, copied from the
package's copyright file). Same subset, renamed "AR PL UKai NX":
  apt-get download fonts-arphic-ukai
  dpkg-deb -x fonts-arphic-ukai_*.deb unpacked
  python resources/fonts/build_fonts.py unpacked/usr/share/fonts/truetype/arphic resources/fonts \
      --only ARPLUKai-GBK.ttf

For each font the Simplified Chinese face is taken from the .ttc (or a
NotoSerifCJKsc-*.otf / NotoSansCJKsc-*.otf if that is what SRC_DIR holds),
subset to the GBK repertoire plus common typographic symbols, stripped of the
OpenType layout tables, converted from CFF (cubic) to TrueType 'glyf' (quadratic)
outlines, which reportlab requires, and renamed "Noto Serif SC NX" /
"Noto Sans SC NX". Takes about 45 s per serif and 30 s per sans font (~2.5 min
for all four, one core, < 400 MB of memory). Output is byte-for-byte reproducible
(head.modified is kept from the source). The result is under the SIL OFL 1.1 (OFL.txt).
"""
import argparse
import sys
import time
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

# (output file, source .ttc, source .otf, face family in source, new family, style)
TARGETS = [
    ("NotoSerifSC-Regular.ttf", "NotoSerifCJK-Regular.ttc", "NotoSerifCJKsc-Regular.otf",
     "Noto Serif CJK SC", "Noto Serif SC NX", "Regular"),
    ("NotoSerifSC-Bold.ttf", "NotoSerifCJK-Bold.ttc", "NotoSerifCJKsc-Bold.otf",
     "Noto Serif CJK SC", "Noto Serif SC NX", "Bold"),
    ("NotoSansSC-Regular.ttf", "NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf",
     "Noto Sans CJK SC", "Noto Sans SC NX", "Regular"),
    ("NotoSansSC-Bold.ttf", "NotoSansCJK-Bold.ttc", "NotoSansCJKsc-Bold.otf",
     "Noto Sans CJK SC", "Noto Sans SC NX", "Bold"),
    ("ARPLUKai-GBK.ttf", "ukai.ttc", "ukai.ttf", "AR PL UKai CN", "AR PL UKai NX", "Regular"),
]

# Ranges kept in addition to GBK (only what the source font actually has is kept).
EXTRA_RANGES = [
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1 (·, ×, ÷, ±, ...)
    (0x2010, 0x2027),  # dashes, quotes, bullets, ellipsis
    (0x2030, 0x203B),  # per mille, primes, ※
    (0x2100, 0x215F),  # letterlike symbols (℃, №, ...)
    (0x2160, 0x217F),  # Roman numerals Ⅰ Ⅱ Ⅲ Ⅳ
    (0x2190, 0x21FF),  # arrows
    (0x2460, 0x24FF),  # circled / parenthesised numbers ①②③
    (0x2500, 0x257F),  # box drawing
    (0x25A0, 0x25FF),  # geometric shapes
    (0x3000, 0x303F),  # CJK punctuation (、。〔〕【】)
    (0xFF00, 0xFFEF),  # full-width forms
]

# Tables that are only useful for OpenType layout or CFF; they would double the size.
DROP_TABLES = ["GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH", "VORG", "DSIG"]


def wanted_unicodes():
    """GBK repertoire (every BMP code point the 'gbk' codec can encode) plus extras.

    The 'gb2312' codec is asked too: it maps a few bytes differently (A1A4 is
    U+30FB there, U+00B7 in GBK), and text checked against either must render.
    """
    codes = set()
    for codec in ("gbk", "gb2312"):
        for cp in range(0x10000):
            try:
                chr(cp).encode(codec)
            except UnicodeEncodeError:
                continue
            codes.add(cp)
    for lo, hi in EXTRA_RANGES:
        codes.update(range(lo, hi + 1))
    return codes


def open_source(src_dir, ttc_name, otf_name, family):
    """Return the Simplified Chinese face as a TTFont, from a .ttc or a single .otf."""
    for name in (ttc_name, otf_name):
        hits = sorted(src_dir.rglob(name))
        if not hits:
            continue
        path = hits[0]
        if name.endswith(".ttc"):
            for i, face in enumerate(TTCollection(str(path), lazy=True).fonts):
                if face["name"].getDebugName(1) == family:
                    return TTFont(str(path), fontNumber=i), f"{path} #{i}"
            sys.exit(f"{path}: no face with family {family!r}")
        return TTFont(str(path)), str(path)
    sys.exit(f"neither {ttc_name} nor {otf_name} found under {src_dir}")


def subset_font(font, unicodes):
    opts = subset.Options()
    opts.layout_features = []
    opts.drop_tables += DROP_TABLES
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.hinting = False
    opts.notdef_outline = True
    opts.glyph_names = False
    opts.desubroutinize = True
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=unicodes)
    sub.subset(font)


def cff_to_glyf(font, max_err=1.0):
    """Replace the CFF table by glyf/loca with quadratic outlines."""
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(None)
        # CFF contours run counter-clockwise, TrueType ones clockwise.
        glyph_set[name].draw(Cu2QuPen(pen, max_err, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    del font["CFF "]
    font.sfntVersion = "\x00\x01\x00\x00"

    # Left side bearings must match the new outline bounding boxes.
    hmtx = font["hmtx"].metrics
    for name in order:
        g = glyf.glyphs[name]
        g.recalcBounds(glyf)
        hmtx[name] = (hmtx[name][0], getattr(g, "xMin", 0))

    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr, value in dict(maxZones=1, maxTwilightPoints=0, maxStorage=0,
                            maxFunctionDefs=0, maxInstructionDefs=0,
                            maxStackElements=0, maxSizeOfInstructions=0,
                            maxComponentElements=0, maxComponentDepth=0).items():
        setattr(maxp, attr, value)
    font["head"].glyphDataFormat = 0
    post = font["post"]
    post.formatType = 3.0  # no glyph names: keeps the file small
    post.extraNames, post.mapping = [], {}


def rename(font, family, style, origin="Noto CJK"):
    name = font["name"]
    ps = f"{family}-{style}".replace(" ", "")
    full = family if style == "Regular" else f"{family} {style}"
    version = font["head"].fontRevision
    name.names = [n for n in name.names if n.nameID not in (1, 2, 3, 4, 5, 6, 16, 17)]
    for nid, text in {1: family, 2: style, 3: f"{version:.3f};NX;{ps}", 4: full,
                      5: f"Version {version:.3f}; subset TrueType conversion of {origin}",
                      6: ps}.items():
        name.setName(text, nid, 3, 1, 0x409)
        name.setName(text, nid, 1, 0, 0)


def build(src_dir, out_dir, target, unicodes):
    out_name, ttc, otf, src_family, family, style = target
    t0 = time.monotonic()
    font, origin = open_source(src_dir, ttc, otf, src_family)
    subset_font(font, unicodes)
    if "CFF " in font:
        cff_to_glyf(font)
    rename(font, family, style, src_family.rsplit(" ", 1)[0] if "UKai" in src_family else "Noto CJK")
    out = out_dir / out_name
    font.recalcTimestamp = False  # keep the source date: reproducible output
    font.save(str(out))
    secs = time.monotonic() - t0
    print(f"{out_name}: {origin} -> {len(font.getGlyphOrder())} glyphs, "
          f"{out.stat().st_size / 1e6:.1f} MB, {secs:.0f} s", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("src_dir", type=Path, help="folder holding the unpacked Noto CJK fonts")
    ap.add_argument("out_dir", type=Path, help="where to write the .ttf files")
    ap.add_argument("--only", help="build only the output file with this name")
    args = ap.parse_args()
    args.out_dir.mkdir(parents=True, exist_ok=True)
    unicodes = wanted_unicodes()
    for target in TARGETS:
        if args.only in (None, target[0]):
            build(args.src_dir, args.out_dir, target, unicodes)


if __name__ == "__main__":
    main()
