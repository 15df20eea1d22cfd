"""Table cells are made and wrapped by a fast path (blocks.CellParagraph); it must give the
fragments and line breaks reportlab's own Paragraph gives for the same text, or the tables
of every document would change."""

from __future__ import annotations

from xml.sax.saxutils import escape

import pytest
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.platypus import Paragraph

from nxcommand.reports import blocks, fonts

TEXTS = [
    "", " ", "a  b", "\u3000全角\u3000空格 ", "x\ty", "12", "—", "Hello world 测试",
    "已完成：组织对油山镇辖区山塘水库开展拉网式巡查，发现险情立即上报并转移下游群众",
    "  leading", "trailing  ", "\xa0不换行\xa0空格", "G323国道K1234+500处（油山镇路段）",
    "AVeryLongLatinWordWithoutAnySpaceInsideItThatMustBeCut", "，。、；：？！）》",
    "两行\n文字", "A&B <c>", "1000元/吨", "（一）监测预警", "……——", "7-1\n08:50", "a\n\nb", "\nb", "a\n",
    " a \n b ", "三行\n文字\n最后一行比较长需要在窄的单元格里折行", "A&B\n<c>",
]
WIDTHS = (18.0, 30.0, 49.486614173228354, 106.97322834645671, 200.0, 441.0)


@pytest.mark.parametrize("font,size,align", [(fonts.SONG, 12, TA_LEFT), (fonts.HEI, 12, TA_CENTER),
                                             (fonts.SONG, 10.5, 2), (fonts.KAI, 14, TA_LEFT)])
def test_fast_cells_break_lines_as_reportlab_does(font, size, align):
    fonts.register()
    style = blocks._cell_style(font, size, align)
    for text in TEXTS:
        fast = blocks.cell(text, font, size, align)
        slow = Paragraph(escape(text).replace("\n", "<br/>"), style)
        assert [f.__dict__ for f in fast.frags] == [f.__dict__ for f in slow.frags], text
        assert (fast.text, fast.style, fast.bulletText) == (slow.text, slow.style, slow.bulletText)
        for width in WIDTHS:
            assert fast.wrap(width, 1000) == slow.wrap(width, 1000), (text, width)
            assert repr(fast.blPara.__dict__) == repr(slow.blPara.__dict__), (text, width)


def test_a_cell_wraps_again_for_another_width():
    cell = blocks.cell("组织对油山镇辖区山塘水库开展拉网式巡查")
    narrow = cell.wrap(40, 1000)[1]
    assert cell.wrap(40 + 1e-9, 1000)[1] == narrow          # the same width up to rounding
    assert cell.wrap(400, 1000)[1] < narrow
    assert cell.wrap(40, 1000)[1] == narrow


def _page_pixels(path) -> bytes:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        return pdf[0].render(scale=150 / 72).to_pil().tobytes()
    finally:
        pdf.close()


def test_cells_draw_the_same_page_as_reportlab(tmp_path, monkeypatch):
    """Cells are drawn without Flowable.drawOn's save/translate (blocks.CellParagraph.drawOn);
    the rendered page must equal the one reportlab's Paragraph cells give."""
    from reportlab.platypus import Flowable, SimpleDocTemplate

    fonts.register()
    rows = [[t, t[::-1], t[:7]] for t in TEXTS if "&" not in t and "<" not in t]
    header = ["序号", "内容", "状态"]

    def build(path, make):
        table = blocks.table(header, [[make(v, fonts.SONG, 12, a) for v, a in zip(r, (TA_LEFT, TA_CENTER, 2))]
                                      for r in rows], widths=[2, 5, 2])
        SimpleDocTemplate(str(path), invariant=1).build([table])

    def reportlab_cell(text, font, size, align):
        return Paragraph(escape(text).replace("\n", "<br/>"), blocks._cell_style(font, size, align))

    plain_draws = []
    original = Flowable.drawOn
    monkeypatch.setattr(Flowable, "drawOn", lambda self, *a, **k: (
        plain_draws.append(type(self).__name__), original(self, *a, **k))[1])
    build(tmp_path / "fast.pdf", blocks.cell)
    fast_plain = plain_draws.count("CellParagraph")
    build(tmp_path / "slow.pdf", reportlab_cell)
    assert fast_plain < len(rows)      # most cells took the lean path
    assert _page_pixels(tmp_path / "fast.pdf") == _page_pixels(tmp_path / "slow.pdf")
