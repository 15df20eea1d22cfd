"""The one GB/T 9704-2012 page template every document kind uses.

API::

    spec = DocSpec(bulletin="值班信息", title="…", unit="南雄市应急管理局值班室",
                   issued=date(2026, 7, 1), issue_no="第12期", doc_number=None,
                   secrecy=None, urgency="特急", drill=False,
                   report_to=("韶关市应急管理局",), send_to=(...), copy_to=(...),
                   printed_by="南雄市应急管理局值班室", printed_on=date(...),
                   signer="…", checker="…", drafter="…")
    pages = build_pdf(path, spec, story, progress=None)   # story: flowables from blocks

First page: 密级/紧急程度 top left (3号黑体), 【演练】 top right for drills, the bulletin name in
large red 小标宋, 第X期 (and the document number 雄应急〔2026〕12号 when given), the issuing
unit (left) and date (right), a red rule, then the title (2号, centred) and the story.
Last page: the 签发/核稿/拟稿 line and the colophon (报/送/抄, 印发) in 4号仿宋 between rules at
the foot of the type area. Every page: "— N —" in 4号 below the type area, odd pages right,
even pages left, one character in from the edge.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from reportlab import rl_config
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from . import fonts
from .blocks import (
    BLACK,
    BODY,
    CELL,
    EM_TOP,
    LEFT,
    PAGE_H,
    PAGE_W,
    PITCH,
    RED,
    SIZE4,
    TOP,
    TYPE_H,
    TYPE_W,
    Blank,
    Text,
    cn_date,
    subtitle,
    title,
)
from .fonts import FANGSONG, HEI, XBS

__all__ = ["Colophon", "DocSpec", "Header", "build_pdf"]


@dataclass
class DocSpec:
    bulletin: str                       # 值班信息 / 突发事件信息快报 / 情况专报 …
    title: str
    unit: str                           # issuing unit, under the bulletin name
    issued: date
    issue_no: str | None = None         # "第12期"
    doc_number: str | None = None       # 雄应急〔2026〕12号
    secrecy: str | None = None          # 密级
    urgency: str | None = None          # 紧急程度: 特急 / 加急
    drill: bool = False                 # marked 【演练】
    report_to: tuple[str, ...] = ()     # 报
    send_to: tuple[str, ...] = ()       # 送
    copy_to: tuple[str, ...] = ()       # 抄
    printed_by: str | None = None       # 印发 unit (defaults to ``unit``)
    printed_on: date | None = None      # 印发 date (defaults to ``issued``)
    signer: str | None = None           # 签发
    checker: str | None = None          # 核稿
    drafter: str | None = None          # 拟稿
    subtitle: str | None = None         # under the title in 楷体: 续报（一）, （2026年7月1日）
    author: str = ""
    keywords: tuple[str, ...] = field(default_factory=tuple)


class Header(Flowable):
    """The red header of the first page (版头), on the line grid."""

    def __init__(self, spec: DocSpec):
        super().__init__()
        self.spec = spec
        self.marks = 1 if (spec.secrecy or spec.urgency or spec.drill) else 0
        self.name_size = min(42.0, TYPE_W * 0.8 / max(1, len(spec.bulletin)))
        self.height = (self.marks + 2 + 1 + 1) * PITCH

    def wrap(self, availWidth, availHeight):
        self.width = availWidth
        return availWidth, self.height

    def draw(self):
        c, s = self.canv, self.spec
        y = self.height
        if self.marks:
            base = y - EM_TOP * BODY
            c.setFillColor(BLACK)
            c.setFont(HEI, BODY)
            marks = "　".join(m for m in (s.secrecy, s.urgency) if m)
            if marks:
                c.drawString(0, base, marks)
            if s.drill:
                c.setFillColor(RED)
                c.drawRightString(self.width, base, "【演练】")
            y -= PITCH
        # bulletin name: two grid lines, red 小标宋, letter-spaced a little
        c.setFillColor(RED)
        size = self.name_size
        base = y - PITCH - size * 0.38
        spacing = size * 0.15 if len(s.bulletin) <= 6 else 0
        c.saveState()
        t = c.beginText()
        t.setFont(XBS, size)
        t.setCharSpace(spacing)
        width = c.stringWidth(s.bulletin, XBS, size) + spacing * (len(s.bulletin) - 1)
        t.setTextOrigin((self.width - width) / 2, base)
        t.textOut(s.bulletin)
        c.drawText(t)
        c.restoreState()
        y -= 2 * PITCH
        # 第X期 (and the document number)
        c.setFillColor(BLACK)
        c.setFont(FANGSONG, BODY)
        line = "　".join(x for x in (s.issue_no, s.doc_number) if x)
        if line:
            c.drawCentredString(self.width / 2, y - EM_TOP * BODY, line)
        y -= PITCH
        # unit left, date right (one character in), then the red rule
        base = y - EM_TOP * BODY
        c.drawString(CELL, base, s.unit)
        c.drawRightString(self.width - CELL, base, cn_date(s.issued))
        c.setStrokeColor(RED)
        c.setLineWidth(1.6)
        rule_y = base - 9
        c.line(0, rule_y, self.width, rule_y)


class Colophon(Flowable):
    """签发/核稿/拟稿 and 版记 (报/送/抄, 印发) at the foot of the last page's type area."""

    LINE = 25.0

    def __init__(self, spec: DocSpec):
        super().__init__()
        self.spec = spec
        self.rows = []
        sign = "　　".join(f"{k}：{v}" for k, v in (("签发", spec.signer), ("核稿", spec.checker),
                                                   ("拟稿", spec.drafter)) if v)
        self.sign = sign
        for label, names in (("报", spec.report_to), ("送", spec.send_to), ("抄", spec.copy_to)):
            if names:
                self.rows.append(Text([(f"{label}：", FANGSONG), ("，".join(names) + "。", FANGSONG)],
                                      size=SIZE4, indent=1, pitch=self.LINE,
                                      right_indent=0.5))

    def _needed(self, width):
        h = 0.0
        if self.sign:
            h += PITCH
        for row in self.rows:
            h += row.wrap(width - SIZE4, 1e6)[1]
        h += self.LINE + 12  # 印发 line and the rules
        return h

    def wrap(self, availWidth, availHeight):
        self.width = availWidth
        need = self._needed(availWidth)
        self.height = max(need, availHeight) if need <= availHeight else need
        return availWidth, self.height

    def split(self, availWidth, availHeight):
        return []

    def draw(self):
        c, s = self.canv, self.spec
        y = self._needed(self.width)
        if self.sign:
            c.setFont(FANGSONG, SIZE4)
            c.setFillColor(BLACK)
            c.drawString(CELL, y - PITCH + 8, f"（{self.sign}）")
            y -= PITCH
        c.setStrokeColor(BLACK)
        c.setLineWidth(0.9)
        c.line(0, y, self.width, y)
        y -= 2
        for row in self.rows:
            h = row.wrap(self.width - SIZE4, 1e6)[1]
            row.drawOn(c, 0, y - h - (self.LINE - SIZE4) / 2 + 1)
            y -= h
            c.setLineWidth(0.5)
            c.line(0, y - 1, self.width, y - 1)
        y -= 2
        c.setFont(FANGSONG, SIZE4)
        base = y - self.LINE + 8
        c.drawString(SIZE4, base, s.printed_by or s.unit)
        c.drawRightString(self.width - SIZE4, base, f"{cn_date(s.printed_on or s.issued)}印发")
        c.setLineWidth(0.9)
        c.line(0, y - self.LINE, self.width, y - self.LINE)


def _page_number(canv, doc):
    n = canv.getPageNumber()
    text = f"— {n} —"
    canv.saveState()
    canv.setFont(FANGSONG, SIZE4)
    canv.setFillColor(BLACK)
    base = PAGE_H - TOP - TYPE_H - 7 * 2.834645669 - SIZE4 * EM_TOP
    if n % 2:
        canv.drawRightString(LEFT + TYPE_W - SIZE4, base, text)
    else:
        canv.drawString(LEFT + SIZE4, base, text)
    canv.restoreState()


class _Doc(BaseDocTemplate):
    def __init__(self, path, spec: DocSpec, total: int, progress):
        super().__init__(str(path), pagesize=(PAGE_W, PAGE_H), leftMargin=LEFT,
                         rightMargin=PAGE_W - LEFT - TYPE_W, topMargin=TOP,
                         bottomMargin=PAGE_H - TOP - TYPE_H, title=spec.title,
                         author=spec.author or spec.unit, subject=spec.bulletin,
                         creator="nxcommand", keywords=list(spec.keywords),
                         initialFontName=FANGSONG, initialFontSize=BODY, invariant=1)
        frame = Frame(LEFT, PAGE_H - TOP - TYPE_H, TYPE_W, TYPE_H, leftPadding=0,
                      rightPadding=0, topPadding=0, bottomPadding=0, id="type-area")
        self.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=_page_number)])
        self._total = total
        self._done = 0
        self._story = None
        self._progress = progress

    def afterFlowable(self, flowable):
        self._done += 1
        if self._progress:
            self._progress(min(self._done, self._total), self._total)


def build_pdf(path: Path, spec: DocSpec, story: list[Flowable],
              progress: Callable[[int, int], None] | None = None) -> int:
    """Lay out ``story`` under ``spec``'s header with the colophon last; returns the pages."""
    fonts.register()
    head = title(spec.title)
    if spec.subtitle:
        head.insert(1, subtitle(spec.subtitle))
    flow = [Header(spec), Blank(1), *head, *story, Blank(0.5), Colophon(spec)]
    total = len(flow)
    doc = _Doc(path, spec, total, progress)
    doc._story = flow
    # Binary (compressed) streams rather than reportlab's default ASCII85 on top: the same
    # pages, a fifth smaller, and no pure-Python encoding of every page (rl_config is global:
    # set for this build only).
    a85, rl_config.useA85 = rl_config.useA85, 0
    try:
        doc.build(flow)
    finally:
        rl_config.useA85 = a85
    if progress and doc._done < total:
        progress(total, total)
    return doc.page


# ---------------------------------------------------------------- helpers the kinds share

def county(db) -> str:
    from ..org import meta
    return meta(db, "county_name") or ""


def bureau(db) -> str:
    """南雄市应急管理局: the issuing unit of the desk's documents."""
    return f"{county(db)}应急管理局"


def duty_office(db) -> str:
    return f"{bureau(db)}值班室"


def names(text: str | None) -> tuple[str, ...]:
    """'韶关市应急管理局、市委办，市政府办' -> ('韶关市应急管理局', '市委办', '市政府办')."""
    import re
    return tuple(p.strip() for p in re.split(r"[、，,；;\n]+", text or "") if p.strip())


def int_key(item_key: str, label: str) -> int:
    """The record number typed on the command line or passed by the console."""
    from ..errors import ValidationError
    from ..text import normalize
    text = normalize(str(item_key)).lstrip("#")
    if not text.isdigit():
        raise ValidationError(f"{label}编号应为数字，收到“{item_key}”", label)
    return int(text)
