"""The shipped faces registered with reportlab under the roles a 公文 uses.

Roles (GB/T 9704 names → the free faces in resources/fonts):
    FANGSONG 仿宋 body         → Noto Serif SC NX Regular
    XBS      小标宋 title       → Noto Serif SC NX Bold
    HEI      黑体 headings      → Noto Sans SC NX Bold
    KAI      楷体 level two     → AR PL UKai (GBK subset); Noto Serif Regular if it is missing
    SONG     宋体 tables        → Noto Serif SC NX Regular (same file as FANGSONG, own name)

``register()`` loads them once (reportlab embeds each as a subset). Every face is a
:class:`RecordingTTFont`: while a :func:`recording` is active, the text each face draws is
collected, so check.uncovered can prove every drawn character has a glyph.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from ..paths import fonts_dir

FANGSONG = "NX-FangSong"
XBS = "NX-XiaoBiaoSong"
HEI = "NX-Hei"
KAI = "NX-Kai"
SONG = "NX-Song"

KAI_FILE = "ARPLUKai-GBK.ttf"
FILES = {
    FANGSONG: "NotoSerifSC-Regular.ttf",
    XBS: "NotoSerifSC-Bold.ttf",
    HEI: "NotoSansSC-Bold.ttf",
    KAI: KAI_FILE,
    SONG: "NotoSerifSC-Regular.ttf",
}
FALLBACK = {KAI: "NotoSerifSC-Regular.ttf"}

_lock = threading.Lock()
_registered: dict[str, str] = {}     # role -> file actually used
_recorders: list[dict[str, set[str]]] = []


class _TableSlices:
    """A font table read in slices straight from the file's bytes (each slice a bytes)."""

    def __init__(self, data: bytes, start: int, length: int):
        self._view = memoryview(data)[start:start + length]

    def __getitem__(self, key):
        return bytes(self._view[key])

    def __len__(self) -> int:
        return len(self._view)


def _slice_glyf(face) -> None:
    """Embedding a subset copies the face's whole 'glyf' table (7–14 MB for these faces) to
    take a few hundred glyphs out of it; a document embeds one subset per 256 characters of
    each face. Hand reportlab's subsetter a view it slices instead."""
    whole = face.get_table

    def get_table(tag):
        if tag == "glyf":
            start, length = face.get_table_pos(tag)
            return _TableSlices(face._ttf_data, start, length)
        return whole(tag)

    face.get_table = get_table


class RecordingTTFont(TTFont):
    """A TTFont that reports what it draws to the active recordings, and remembers the width
    of each single character at each size: reportlab's CJK line breaking measures text one
    character at a time (a 30-page brief asks some 60,000 times for a few hundred)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._char_widths: dict[tuple[str, float], float] = {}
        _slice_glyf(self.face)

    def stringWidth(self, text, size, encoding="utf8"):  # noqa: N802 - reportlab API
        if len(text) != 1:
            return super().stringWidth(text, size, encoding)
        key = (text, size)
        width = self._char_widths.get(key)
        if width is None:
            width = self._char_widths[key] = super().stringWidth(text, size, encoding)
        return width

    def splitString(self, text, doc, encoding="utf-8"):
        if _recorders:
            for rec in _recorders:
                rec.setdefault(self.fontName, set()).update(text)
        return super().splitString(text, doc, encoding)


def register() -> dict[str, str]:
    """Register every role once; returns role -> file name used. RuntimeError (Chinese) if a
    required face is missing."""
    with _lock:
        if _registered:
            return dict(_registered)
        for role, name in FILES.items():
            path = fonts_dir() / name
            if not path.exists() and role in FALLBACK:
                path = fonts_dir() / FALLBACK[role]
            if not path.exists():
                raise RuntimeError(f"缺少字体文件：{path.name}（应位于 {fonts_dir()}）")
            pdfmetrics.registerFont(RecordingTTFont(role, str(path)))
            _registered[role] = path.name
        return dict(_registered)


def kai_is_real() -> bool:
    return register()[KAI] == KAI_FILE


def face_file(role: str) -> str:
    return register()[role]


_glyphs: dict[str, frozenset[int]] = {}


def glyphs(role: str) -> frozenset[int]:
    """Code points the face of ``role`` has a glyph for."""
    if role not in _glyphs:
        register()
        _glyphs[role] = frozenset(pdfmetrics.getFont(role).face.charToGlyph)
    return _glyphs[role]


@contextmanager
def recording():
    """Collect {font role: characters drawn} while the block runs."""
    drawn: dict[str, set[str]] = {}
    _recorders.append(drawn)
    try:
        yield drawn
    finally:
        _recorders.remove(drawn)
