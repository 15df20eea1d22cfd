"""Table cells for the documents' tables: reportlab's CJK Paragraph made, wrapped and drawn
cheaply, with the same fragments, line breaks and page (tests/test_reports_cells.py).

    cell(text, font=SONG, size=12, align=TA_LEFT) -> CellParagraph
    token_width(text, font, size)   stringWidth, remembered (the grid text uses it too)
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.textsplit import dumbSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph
from reportlab.platypus.paragraph import (_centerDrawParaLine, _leftDrawParaLine, _rightDrawParaLine,
                                          cleanBlockQuotedText)

from .fonts import SONG

_WIDTHS: dict[tuple[str, str, float], float] = {}     # (token, font, size) -> stringWidth


def token_width(text: str, font: str, size: float) -> float:
    key = (text, font, size)
    width = _WIDTHS.get(key)
    if width is None:
        width = _WIDTHS[key] = stringWidth(text, font, size)
    return width


_CELL_STYLES: dict[tuple, ParagraphStyle] = {}


def _cell_style(font: str, size: float, align=TA_LEFT) -> ParagraphStyle:
    key = (font, size, align)
    if key not in _CELL_STYLES:
        _CELL_STYLES[key] = ParagraphStyle(f"cell-{font}-{size}-{align}", fontName=font, fontSize=size,
                                           leading=size * 1.35, wordWrap="CJK", alignment=align)
    return _CELL_STYLES[key]


_FRAGS: dict[str, tuple] = {}      # style name -> the parser's text and line-break fragments
_DRAW_LINE = {TA_LEFT: _leftDrawParaLine, TA_CENTER: _centerDrawParaLine, TA_RIGHT: _rightDrawParaLine}


class CellParagraph(Paragraph):
    """A table cell: reportlab's CJK Paragraph, drawn by reportlab, with the same fragments
    and line breaks, made cheaply. A long brief has thousands of cells, and reportlab
    parses each one's markup, measures each character with stringWidth, and wraps each cell
    again for every part of a table split across pages and again while drawing it.

    - Plain text (nothing to escape) skips the markup parser: its fragments are the parser's
      fragments for the style (text, and a line break for each newline) with the text put in
      (tests compare the two).
    - One fragment is broken into lines by reportlab's own ``dumbSplit`` with character
      widths from a cache, as ``breakLinesCJK`` does with ``wordSplit``.
    - The line breaks are kept for the width last wrapped to: the Table computes a column's
      width in different orders, so widths agree only to rounding."""

    _wrapped_for = -1.0

    def __init__(self, text: str, style: ParagraphStyle):
        if "&" in text or "<" in text or ">" in text:
            super().__init__(escape(text).replace("\n", "<br/>"), style)
            return
        templates = _FRAGS.get(style.name)
        if templates is None:     # the parser's text fragment and line-break fragment
            sample = Paragraph("x<br/>x", style).frags
            templates = _FRAGS[style.name] = (sample[0], sample[1])
        plain, brk = templates
        self.caseSensitive, self.encoding = 1, "utf8"
        text = cleanBlockQuotedText(text.replace("\n", "<br/>"))
        frags = []
        for n, part in enumerate(text.split("<br/>")):
            if n:
                frags.append(brk.clone())
            if part:
                frags.append(plain.clone(text=part))
        self._setup(text, style, getattr(style, "bulletText", None), frags, cleanBlockQuotedText)

    def breakLinesCJK(self, maxWidths):
        frags = self.frags
        if (len(frags) != 1 or hasattr(frags[0], "cbDefn") or self.style.endDots or self.bulletText
                or getattr(self, "_splitpara", 0) or not isinstance(maxWidths, (list, tuple))):
            return super().breakLinesCJK(maxWidths)
        self.height = 0
        f = frags[0]
        text = f.text
        widths = [token_width(ch, f.fontName, f.fontSize) for ch in text]
        lines = [(space, [line]) for space, line in dumbSplit(text, widths, maxWidths)]
        return f.clone(kind=0, lines=lines, ascent=f.fontSize, descent=-0.2 * f.fontSize)

    def wrap(self, availWidth, availHeight):
        if abs(self._wrapped_for - availWidth) < 1e-6:
            self.width = availWidth
            return self.width, self.height
        size = super().wrap(availWidth, availHeight)
        self._wrapped_for = availWidth
        return size

    def drawOn(self, canvas, x, y, _sW=0):
        """Lines of one fragment are drawn as Paragraph.drawPara draws them, in a text object
        placed at the cell's position, without the graphics-state save, translation and fill
        colour Flowable.drawOn and drawPara wrap around each cell (the colour is already the
        table's text colour): a third of the cost of drawing a table, the same page."""
        bl, style = getattr(self, "blPara", None), self.style
        if (bl is None or bl.kind != 0 or _sW or self.bulletText or style.backColor or style.borderWidth
                or style.leftIndent or style.firstLineIndent or style.rightIndent
                or style.alignment not in _DRAW_LINE or getattr(bl, "us_lines", None) or getattr(bl, "link", None)
                or getattr(self, "autoLeading", getattr(style, "autoLeading", "")) not in ("", "off")
                or hasattr(self, "_offsets") or getattr(self, "_showBoundary", False)
                or canvas._fillColorObj != bl.textColor):
            return super().drawOn(canvas, x, y, _sW)
        lines = bl.lines
        if not lines:
            return
        tx = canvas.beginText(x, y + self.height - bl.fontSize)
        tx.preformatted = False
        tx.direction = style.wordWrap
        tx.setFont(bl.fontName, bl.fontSize, style.leading)
        draw_line, last = _DRAW_LINE[style.alignment], len(lines) - 1
        for n, (space, words) in enumerate(lines):
            draw_line(tx, 0, space, words, n == last)
        canvas.drawText(tx)


def cell(text, font: str = SONG, size: float = 12, align=TA_LEFT) -> Paragraph:
    text = "" if text is None else str(text)
    return CellParagraph(text, _cell_style(font, size, align))
