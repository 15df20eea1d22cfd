"""The shipped fonts cover every character the console shows: demo data and UI strings."""

from __future__ import annotations

from functools import lru_cache

import pytest
from reportlab.pdfbase.ttfonts import TTFontFile

from nxcommand.paths import demo_dir, fonts_dir, migrations_dir, project_root

FACES = ["NotoSansSC-Regular.ttf", "NotoSansSC-Bold.ttf", "NotoSerifSC-Regular.ttf", "NotoSerifSC-Bold.ttf"]
KAI = "ARPLUKai-GBK.ttf"   # documents only: level-two headings (characters it lacks fall back to serif)


@lru_cache
def cmap(face: str) -> frozenset[int]:
    return frozenset(TTFontFile(str(fonts_dir() / face)).charToGlyph)


def shown_characters(texts) -> set[str]:
    return {ch for text in texts for ch in text if ord(ch) > 0x7E and ch.isprintable()}


def ui_texts() -> list[str]:
    """Every source file whose strings reach the screen: the UI, the core's messages, the
    reference data in the migrations, the stylesheet."""
    root = project_root()
    files = [*(root / "ui").glob("*.py"), *(root / "nxcommand").glob("*.py"),
             *migrations_dir().glob("*.sql"), root / "resources" / "style.qss"]
    return [path.read_text(encoding="utf-8") for path in files]


def demo_texts(demo_db) -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in demo_dir().glob("*.json")]
    for (table,) in demo_db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
        for row in demo_db.execute(f"SELECT * FROM [{table}]"):
            texts.extend(str(v) for v in row if isinstance(v, str))
    return texts


def test_fonts_ship_with_their_license():
    for face in FACES:
        assert (fonts_dir() / face).stat().st_size > 1_000_000
    assert "SIL OPEN FONT LICENSE" in (fonts_dir() / "OFL.txt").read_text(encoding="utf-8").upper()
    assert "ARPHIC PUBLIC LICENSE" in (fonts_dir() / "ARPHIC-LICENSE.txt").read_text(encoding="utf-8")


def test_the_kai_face_is_a_real_kai_with_the_gbk_repertoire():
    from nxcommand.reports import fonts

    assert fonts.kai_is_real()                          # not the serif fallback
    kai = cmap(KAI)
    assert (fonts_dir() / KAI).stat().st_size > 1_000_000
    gb2312_hanzi = {cp for cp in range(0x4E00, 0xA000) if _encodes(cp, "gb2312")}
    assert len(gb2312_hanzi) == 6763 and gb2312_hanzi <= kai          # every common hanzi
    assert len({cp for cp in range(0x4E00, 0xA000) if _encodes(cp, "gbk")} & kai) > 18000
    assert {ord(c) for c in "（一）〔〕、。：；“”—０１２"} <= kai


def test_kai_covers_the_demo_counties_chinese(demo_db):
    hanzi = {ch for ch in shown_characters(demo_texts(demo_db)) if "\u4e00" <= ch <= "\u9fff"}
    assert len(hanzi) > 500
    assert sorted(ch for ch in hanzi if ord(ch) not in cmap(KAI)) == []


def _encodes(cp: int, codec: str) -> bool:
    try:
        chr(cp).encode(codec)
        return True
    except UnicodeEncodeError:
        return False


@pytest.mark.parametrize("face", FACES)
def test_every_ui_and_demo_character_is_covered(face, demo_db):
    chars = shown_characters(ui_texts() + demo_texts(demo_db))
    assert len(chars) > 500                                   # the scan really read something
    missing = sorted(ch for ch in chars if ord(ch) not in cmap(face))
    assert missing == [], f"{face} lacks: {''.join(missing)}"


def test_the_scan_would_catch_a_missing_glyph():
    rare = "\U00020000"  # CJK Extension B: outside the GBK subset we ship
    assert ord(rare) not in cmap("NotoSansSC-Regular.ttf")
    assert shown_characters([rare]) == {rare}
