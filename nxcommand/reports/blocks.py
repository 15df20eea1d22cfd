"""Story helpers for the 公文 page: grid text, headings by level, element lists, tables, charts.

API (every kind builds a list of flowables with these and hands it to page.build_pdf)::

    title(text)                       2号 小标宋, centred, on the 29 pt line grid
    subtitle(text)                    3号 楷体 centred (e.g. "（2026年7月1日14时）")
    body(text, indent=2)              3号 仿宋 paragraph: 28 characters a line, justified
    h1("一、基本情况")                  黑体 level-one heading (kept with what follows)
    h2("（一）", "标题", "正文…")         楷体 level-two heading, optionally run into body text
    h3("1.", "标题", "正文…"), h4("（1）", …)   body face
    elements([("接报时间", "…"), …])   key-value lines: label in 黑体, value in 仿宋
    table(header, rows, widths=None, size=12)   ruled table (宋体, header in 黑体)
    cell(text, font, size, align)     a table cell (nxcommand.reports.cells)
    chart(drawing, caption=None)     a reportlab.graphics Drawing scaled to the type area
    blank(lines=1), signature(unit, date)
    Text(runs, ...)                   the grid flowable behind all of the above
    cn_date(d), cn_time(t), cn_datetime(t), cn_number(n)   GB/T 9704 ways to write them

Geometry: A4, type area 156 × 225 mm from 28 mm left and 37 mm top; body 16 pt with
PITCH = 225 mm / 22 and a character cell of 156 mm / 28 (character spacing slightly below 0),
so a full page of body holds exactly 22 lines of 28 characters.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from itertools import groupby

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Table, TableStyle

from . import fonts
from .cells import CellParagraph, _cell_style, cell, token_width as _token_width  # noqa: F401 (API)
from .fonts import FANGSONG, HEI, KAI, SONG, XBS

PAGE_W, PAGE_H = A4
LEFT = 28 * mm
TOP = 37 * mm
TYPE_W = 156 * mm
TYPE_H = 225 * mm
LINES = 22
CHARS = 28
PITCH = TYPE_H / LINES            # 28.99 pt
BODY = 16.0                       # 3号
SIZE4 = 14.0                      # 4号
TITLE = 22.0                      # 2号
CELL = TYPE_W / CHARS             # 15.79 pt: one character of body
EM_TOP = 0.88                     # ideographic em box top above the baseline (Noto CJK, UKai)
RED = colors.Color(0.86, 0.0, 0.0)
BLACK = colors.black

NO_START = set("，。、；：？！）》」』〕】〉”’…—·%‰,.;:?!)]}℃")
NO_END = set("（《「『〔【〈“‘([{")
CN_DIGITS = "〇一二三四五六七八九"


# ---------------------------------------------------------------- dates, times, numbers

def cn_date(d: date | datetime | str) -> str:
    """2026年7月1日 (GB/T 9704: Arabic numerals, no zero padding)."""
    if isinstance(d, str):
        d = datetime.fromisoformat(d.strip()[:19]) if len(d.strip()) > 10 else date.fromisoformat(d.strip())
    return f"{d.year}年{d.month}月{d.day}日"


def cn_time(t: datetime | str) -> str:
    """14时20分 (00 minutes kept: 9时00分 reads as a recorded time)."""
    if isinstance(t, str):
        t = datetime.fromisoformat(t.strip()[:19])
    return f"{t.hour}时{t.minute:02d}分"


def cn_datetime(t: datetime | str) -> str:
    if isinstance(t, str):
        t = datetime.fromisoformat(t.strip()[:19])
    return f"{cn_date(t)}{cn_time(t)}"


def cn_stamps(text: str) -> str:
    """'2026-07-01 12:40' (and '2026-07-01') inside recorded text -> 2026年7月1日12时40分."""
    import re
    text = re.sub(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2})?", lambda m: cn_datetime(m.group(0)), text)
    return re.sub(r"\d{4}-\d{2}-\d{2}(?![\d:])", lambda m: cn_date(m.group(0)), text)


def cn_number(n: int) -> str:
    """1 → 一, 12 → 十二, 21 → 二十一 (for 一、 and （一）)."""
    if n < 0:
        raise ValueError(n)
    if n < 10:
        return CN_DIGITS[n]
    if n < 20:
        return "十" + (CN_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return CN_DIGITS[n // 10] + "十" + (CN_DIGITS[n % 10] if n % 10 else "")
    return str(n)


# ---------------------------------------------------------------- the grid text flowable

def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _covered(runs):
    """Characters a face lacks (AR PL UKai has every GB2312 hanzi but not all of GBK) are
    drawn in the serif body face, which has the whole GBK repertoire: never a blank."""
    out = []
    for text, font, color in runs:
        have = fonts.glyphs(font)
        if font == FANGSONG or all(ord(ch) in have or ch in " \n" for ch in text):
            out.append((text, font, color))
            continue
        for ch in text:
            face = font if ord(ch) in have or ch in " \n" else FANGSONG
            if out and out[-1][1] == face and out[-1][2] == color:
                out[-1] = (out[-1][0] + ch, face, color)
            else:
                out.append((ch, face, color))
    return out


_WIDE: dict[str, bool] = {}                          # character -> breaks alone


def _tokens(runs, size, cs):
    """Split runs [(text, font, color)] into unbreakable tokens [(text, font, color, width)]:
    one wide character each; Latin words and numbers stay together. Widths come from a
    cache (a document draws a few hundred distinct characters thousands of times)."""
    out = []
    wide = _WIDE
    for text, font, color in _covered(runs):
        word = ""
        for ch in text:
            if ch == "\n":
                continue
            alone = wide.get(ch)
            if alone is None:
                alone = wide[ch] = _is_wide(ch) or ch == " "
            if alone:
                if word:
                    out.append((word, font, color))
                    word = ""
                out.append((ch, font, color))
            else:
                word += ch
        if word:
            out.append((word, font, color))
    return [(t, f, c, _token_width(t, f, size) + cs * len(t)) for t, f, c in out]


class Text(Flowable):
    """Text on the page's line grid: each line is PITCH (or ``pitch``) high; characters are
    advanced by their width plus ``char_space``; lines break between wide characters and
    between Latin words, never before closing or after opening punctuation; full lines are
    justified. Splits across pages line by line."""

    def __init__(self, runs, *, size: float = BODY, indent: float = 2, align: str = "justify",
                 pitch: float = PITCH, char_space: float | None = None, keep_with_next=False,
                 right_indent: float = 0, min_after: int = 0):
        super().__init__()
        fonts.register()
        self.runs = [(r[0], r[1], r[2] if len(r) > 2 else BLACK) for r in runs]
        self.size = size
        self.indent = indent          # first-line indent in body characters
        self.right_indent = right_indent
        self.align = align
        self.pitch = pitch
        self.cs = (CELL - BODY) if char_space is None and size == BODY else (char_space or 0.0)
        self.keepWithNext = keep_with_next
        self.min_after = min_after    # headings: lines of what follows that must fit too
        self._lines = None
        self._width = None

    def text(self) -> str:
        return "".join(r[0] for r in self.runs)

    # layout
    def _layout(self, width):
        if self._lines is not None and self._width == width:
            return self._lines
        tokens = _tokens(self.runs, self.size, self.cs)
        lines, line, used = [], [], 0.0
        first_indent = self.indent * (CELL if self.size == BODY else self.size)
        right = self.right_indent * CELL
        limit = width - first_indent - right
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            if line and used + tok[3] > limit + 0.01:
                # kinsoku: keep closing punctuation off the line start, opening off the end
                while len(line) > 1 and tok[0][0] in NO_START and line[-1][0][0] not in NO_START:
                    i -= 1
                    tok = tokens[i]
                    used -= line.pop()[3]
                while len(line) > 1 and line[-1][0][-1] in NO_END:
                    i -= 1
                    used -= line.pop()[3]
                lines.append((line, used, limit, len(lines) == 0))
                line, used, limit = [], 0.0, width - right
                if tokens[i][0] == " ":
                    i += 1
                continue
            if not line and tok[3] > limit:  # an over-long Latin word: cut it
                cut = max(1, int(len(tok[0]) * limit / tok[3]))
                head, rest = tok[0][:cut], tok[0][cut:]
                w = stringWidth(head, tok[1], self.size) + self.cs * len(head)
                tokens[i:i + 1] = [(head, tok[1], tok[2], w),
                                   (rest, tok[1], tok[2], tok[3] - w)]
                tok = tokens[i]
            line.append(tok)
            used += tok[3]
            i += 1
        if line or not lines:
            lines.append((line, used, limit, len(lines) == 0))
        self._lines = [(ln, u, lim, first, k == len(lines) - 1)
                       for k, (ln, u, lim, first) in enumerate(lines)]
        self._width = width
        return self._lines

    def wrap(self, availWidth, availHeight):
        self.width = availWidth
        self.height = len(self._layout(availWidth)) * self.pitch
        need = self.height + self.min_after * self.pitch
        if self.min_after and need > availHeight + 0.01 and availHeight < TYPE_H - 0.01:
            return availWidth, need      # no room for the heading and two lines: next page
        return availWidth, self.height

    def split(self, availWidth, availHeight):
        lines = self._layout(availWidth)
        fit = int((availHeight + 0.01) // self.pitch)
        if fit <= 0 or fit >= len(lines):
            return []
        if self.keepWithNext:
            return []
        head, tail = self._clone(lines[:fit]), self._clone(lines[fit:])
        return [head, tail]

    def _clone(self, lines):
        other = Text([], size=self.size, indent=self.indent, align=self.align, pitch=self.pitch,
                     char_space=self.cs, right_indent=self.right_indent)
        other.runs = self.runs
        other._lines, other._width = lines, self._width
        return other

    def draw(self):
        canv = self.canv
        canv.saveState()   # character spacing is graphics state: keep it to this flowable
        top = self.height
        indent_w = self.indent * (CELL if self.size == BODY else self.size)
        for n, (line, used, limit, first, last) in enumerate(self._lines):
            if not line:
                continue
            baseline = top - n * self.pitch - EM_TOP * self.size
            x = indent_w if first else 0.0
            chars = sum(len(t[0]) for t in line)
            # the last character's spacing does not count towards the ink width
            ink = used - self.cs
            cs = self.cs
            if self.align == "justify" and not last and chars > 1 and 0 < limit - ink < 3 * CELL:
                cs += (limit - ink) / (chars - 1)
            elif self.align == "center":
                x = (self.width - ink) / 2
            elif self.align == "right":
                x = self.width - self.right_indent * CELL - ink
            t = canv.beginText(x, baseline)
            t.setCharSpace(cs)
            font = color = None
            # One text show per run of a face and colour, not per character: character
            # spacing (Tc) follows every glyph either way, so the page is the same.
            for (f, c), parts in groupby(line, key=lambda tok: (tok[1], tok[2])):
                if f != font:
                    t.setFont(f, self.size)
                    font = f
                if c != color:
                    t.setFillColor(c)
                    color = c
                t.textOut("".join(tok[0] for tok in parts))
            canv.drawText(t)
        canv.restoreState()


class Blank(Flowable):
    """Empty grid lines."""

    def __init__(self, lines: float = 1, pitch: float = PITCH):
        super().__init__()
        self.height = lines * pitch

    def wrap(self, availWidth, availHeight):
        return availWidth, min(self.height, availHeight)

    def draw(self):
        pass


def blank(lines: float = 1) -> Flowable:
    return Blank(lines)


class Rule(Flowable):
    """A horizontal rule across the type area, centred in ``height``."""

    def __init__(self, color=RED, thickness: float = 1.0, height: float = 6.0):
        super().__init__()
        self.color, self.thickness, self.height = color, thickness, height

    def wrap(self, availWidth, availHeight):
        self.width = availWidth
        return availWidth, self.height

    def draw(self):
        self.canv.setStrokeColor(self.color)
        self.canv.setLineWidth(self.thickness)
        self.canv.line(0, self.height / 2, self.width, self.height / 2)


# ---------------------------------------------------------------- helpers kinds use

def title(text: str) -> list[Flowable]:
    return [Text([(text, XBS)], size=TITLE, indent=0, align="center", keep_with_next=True),
            Blank(1)]


def subtitle(text: str) -> Flowable:
    return Text([(text, KAI)], indent=0, align="center", keep_with_next=True)


def body(text: str, indent: float = 2) -> Flowable:
    return Text([(text, FANGSONG)], indent=indent)


def runs(*parts) -> Flowable:
    """A body paragraph of mixed faces: runs(("（一）", KAI), ("正文", FANGSONG))."""
    return Text(list(parts))


def h1(text: str) -> Flowable:
    """一、标题 in 黑体 on its own line."""
    return Text([(text, HEI)], min_after=2)


def h2(number: str, heading: str, text: str = "") -> Flowable:
    """（一）标题 in 楷体; with ``text`` the paragraph runs on in 仿宋."""
    parts = [(f"{number}{heading}", KAI)]
    if text:
        parts.append((text, FANGSONG))
    return Text(parts, min_after=0 if text else 2)


def h3(number: str, heading: str, text: str = "") -> Flowable:
    parts = [(f"{number}{heading}", FANGSONG)]
    if text:
        parts.append((text, FANGSONG))
    return Text(parts, min_after=0 if text else 2)


def h4(number: str, heading: str, text: str = "") -> Flowable:
    return h3(number, heading, text)


def sentence(text: str) -> str:
    """Text ending in a full stop (。！？ kept)."""
    text = (text or "").strip()
    return text if not text or text[-1] in "。！？；…" else text + "。"


def elements(pairs, indent: float = 2, skip_empty: bool = True) -> list[Flowable]:
    """Element lines "标签：内容" (label in 黑体, value in 仿宋); empty values are left out
    (or shown as 暂无 with ``skip_empty=False``)."""
    out = []
    for label, value in pairs:
        if value in (None, "") and skip_empty:
            continue
        value = str(value).strip() if value not in (None, "") else "暂无"
        out.append(Text([(f"{label}：", HEI), (value, FANGSONG)], indent=indent))
    return out


def table(header, rows, widths=None, size: float = 12, align=None) -> Table:
    """A ruled table across the type area (header row repeated on each page).
    ``widths`` are fractions of the type area; ``align`` a per-column 'l'/'c'/'r' string."""
    fonts.register()
    n = len(header)
    widths = widths or [1 / n] * n
    total = sum(widths)
    col_w = [TYPE_W * w / total for w in widths]
    align = align or "l" * n
    amap = {"l": TA_LEFT, "c": TA_CENTER, "r": 2}
    data = [[cell(h, HEI, size, TA_CENTER) for h in header]]
    for row in rows:
        data.append([v if isinstance(v, Flowable) else cell(v, SONG, size, amap[align[i]])
                     for i, v in enumerate(row)])
    tbl = Table(data, colWidths=col_w, repeatRows=1, hAlign="CENTER")
    tbl.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), SONG, size),   # Table sets it even for flowable cells
        ("GRID", (0, 0), (-1, -1), 0.6, BLACK),
        ("BOX", (0, 0), (-1, -1), 1.0, BLACK),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.93, 0.93, 0.93)),
    ]))
    return tbl


def table_block(caption: str, header, rows, **kw) -> list[Flowable]:
    """A caption line (黑体 4号, centred) kept with its table, and a blank line after."""
    cap = Text([(caption, HEI)], size=SIZE4, indent=0, align="center", min_after=3)
    return [cap, table(header, rows, **kw), Blank(0.5)]


class _ChartSlot(Flowable):
    def __init__(self, drawing, max_height):
        super().__init__()
        self.drawing = drawing
        scale = min(1.0, TYPE_W / drawing.width, max_height / drawing.height)
        self.scale = scale
        self.width = drawing.width * scale
        self.height = drawing.height * scale

    def wrap(self, availWidth, availHeight):
        return self.width, self.height

    def draw(self):
        from reportlab.graphics import renderPDF
        self.canv.saveState()
        self.canv.translate((TYPE_W - self.width) / 2, 0)
        self.canv.scale(self.scale, self.scale)
        renderPDF.draw(self.drawing, self.canv, 0, 0)
        self.canv.restoreState()


def chart(drawing, caption: str | None = None, max_lines: int = 12) -> list[Flowable]:
    """A reportlab.graphics Drawing scaled to the type area width (at most ``max_lines``
    grid lines high), centred, with an optional caption below; kept on one page."""
    parts: list[Flowable] = [_ChartSlot(drawing, max_lines * PITCH)]
    if caption:
        parts.append(Text([(caption, HEI)], size=SIZE4, indent=0, align="center"))
    parts.append(Blank(0.5))
    return [KeepTogether(parts)]


def signature(unit: str, when: date | datetime | str) -> list[Flowable]:
    """落款: issuing unit and date, right-aligned with four characters to spare."""
    return [Blank(1),
            Text([(unit, FANGSONG)], indent=0, align="right", right_indent=4),
            Text([(cn_date(when), FANGSONG)], indent=0, align="right", right_indent=4)]
