"""Checks of a generated document: glyph coverage and page geometry.

    with fonts.recording() as drawn:          # {font role: characters drawn}
        registry.build(db, kind, out, ...)
    assert uncovered(drawn) == {}              # every character drawn has a glyph in its face
    uncovered("文字", fonts.KAI)               # or check text against one face
    geometry(path) -> Geometry                 # measured from the PDF (pypdfium2 or pdftotext)

reportlab draws a character its face lacks as a blank without an error, so the coverage
check looks at what each face was actually asked to draw (fonts.RecordingTTFont).
"""

from __future__ import annotations

import itertools
import re
import shutil
import statistics
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from . import fonts

PT_PER_MM = 72 / 25.4


def uncovered(source, role: str = fonts.FANGSONG) -> dict[str, str]:
    """{font role: the characters it lacks} for a recording ({role: chars}) or a text drawn
    in ``role``; {} when every character is covered. Spaces and control characters don't
    need a glyph."""
    drawn = {role: set(source)} if isinstance(source, str) else source
    missing = {}
    for name, chars in drawn.items():
        have = fonts.glyphs(name)
        lacks = sorted(ch for ch in chars if ch.isprintable() and not ch.isspace() and ord(ch) not in have)
        if lacks:
            missing[name] = "".join(lacks)
    return missing


@dataclass
class PageGeometry:
    number: int
    width_mm: float
    height_mm: float
    lines: list[tuple[float, float, float, float, str]] = field(default_factory=list)  # mm, top-down

    def body_lines(self, size_pt: float = 16.0) -> list[tuple[float, float, float, float, str]]:
        """Lines whose box is one 16 pt em high (the body), in the type area."""
        return [ln for ln in self.lines if abs((ln[3] - ln[1]) * PT_PER_MM - size_pt) < 0.6]

    @property
    def left_mm(self) -> float:
        return min(ln[0] for ln in self.body_lines())

    @property
    def top_mm(self) -> float:
        return min(ln[1] for ln in self.lines)

    @property
    def type_width_mm(self) -> float:
        body = self.body_lines()
        return max(ln[2] for ln in body) - min(ln[0] for ln in body)

    @property
    def pitch_mm(self) -> float:
        tops = sorted({round(ln[1], 2) for ln in self.body_lines()})
        return statistics.median(b - a for a, b in itertools.pairwise(tops))

    @property
    def lines_per_page(self) -> int:
        return len({round(ln[1], 1) for ln in self.body_lines()})

    @property
    def chars_per_line(self) -> int:
        return max(len(ln[4]) for ln in self.body_lines())


@dataclass
class Geometry:
    pages: list[PageGeometry]

    @property
    def a4(self) -> bool:
        return all(abs(p.width_mm - 210) < 1 and abs(p.height_mm - 297) < 1 for p in self.pages)


def available() -> str | None:
    """'pypdfium2', 'pdftotext' or None: what geometry() can measure with."""
    try:
        import pypdfium2  # noqa: F401
        return "pypdfium2"
    except ImportError:
        return "pdftotext" if shutil.which("pdftotext") else None


def geometry(path: Path) -> Geometry:
    """Text lines of every page with their boxes in mm from the top-left corner."""
    how = available()
    if how == "pypdfium2":
        return _geometry_pdfium(Path(path))
    if how == "pdftotext":
        return _geometry_pdftotext(Path(path))
    raise RuntimeError("无法测量版面：既没有 pypdfium2，也没有 pdftotext")


def _geometry_pdftotext(path: Path) -> Geometry:
    out = subprocess.run(["pdftotext", "-bbox-layout", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout
    pages = []
    for n, chunk in enumerate(re.split(r"<page ", out)[1:], 1):
        w, h = (float(x) for x in re.match(r'width="([\d.]+)" height="([\d.]+)"', chunk).groups())
        page = PageGeometry(n, w / PT_PER_MM, h / PT_PER_MM)
        for line in re.findall(r"<line (.*?)</line>", chunk, re.DOTALL):
            box = [float(x) / PT_PER_MM for x in re.findall(r'[xy]M(?:in|ax)="([\d.]+)"', line)[:4]]
            words = "".join(re.findall(r">([^<]*)</word>", line))
            page.lines.append((box[0], box[1], box[2], box[3], words))
        pages.append(page)
    return Geometry(pages)


def _geometry_pdfium(path: Path) -> Geometry:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    pages = []
    try:
        for n in range(len(pdf)):
            page = pdf[n]
            w, h = page.get_size()
            geo = PageGeometry(n + 1, w / PT_PER_MM, h / PT_PER_MM)
            text = page.get_textpage()
            rows: dict[float, list] = {}
            for i in range(text.count_chars()):
                ch = text.get_text_range(i, 1)
                if not ch.strip():
                    continue
                left, bottom, right, top = text.get_charbox(i, loose=True)
                size = text.get_font_size(i) if hasattr(text, "get_font_size") else top - bottom
                base = round(bottom, 0)
                rows.setdefault(base, []).append((left, right, size, ch))
            for base, chars in sorted(rows.items(), key=lambda kv: -kv[0]):
                size = max(c[2] for c in chars)
                x0, x1 = min(c[0] for c in chars), max(c[1] for c in chars)
                # an em box like pdftotext's: 0.88 em above the baseline, 0.12 below
                top_pt = h - (base + 0.12 * size) - 0.88 * size
                geo.lines.append((x0 / PT_PER_MM, top_pt / PT_PER_MM, x1 / PT_PER_MM,
                                  (top_pt + size) / PT_PER_MM, "".join(c[3] for c in chars)))
            pages.append(geo)
            text.close()
            page.close()
    finally:
        pdf.close()
    return Geometry(pages)
