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
