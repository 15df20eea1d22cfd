"""The GB/T 9704 page template measured from the generated PDF, and the coverage check."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date

import pytest

from nxcommand.reports import blocks as b
from nxcommand.reports import check, fonts, page

needs = {tool: pytest.mark.skipif(shutil.which(tool) is None, reason=f"{tool} (poppler-utils) not installed")
         for tool in ("pdffonts", "pdfinfo", "pdftotext")}
SPEC = {"bulletin": "值班信息", "title": "关于做好汛期值班值守工作的通知", "unit": "南雄市应急管理局值班室",
            "issued": date(2026, 7, 1), "issue_no": "第12期", "doc_number": "雄应急〔2026〕12号",
            "secrecy": "内部", "urgency": "特急", "report_to": ("韶关市应急管理局",),
            "send_to": ("市委办公室", "市政府办公室"), "copy_to": ("各镇（街道）",),
            "signer": "田立新", "checker": "李少红", "drafter": "刘艳玲"}


def build(tmp_path, story, **kw):
    out = tmp_path / "doc.pdf"
    with fonts.recording() as drawn:
        pages = page.build_pdf(out, page.DocSpec(**{**SPEC, **kw}), story)
    return out, pages, drawn


@pytest.fixture
def full_pages(tmp_path):
    """A document whose pages 2… are nothing but body text."""
    return build(tmp_path, [b.body("汛" * 28 * 80, indent=0)])


@pytest.mark.skipif(check.available() is None, reason="neither pypdfium2 nor pdftotext")
def test_type_area_holds_22_lines_of_28_characters(full_pages):
    out, pages, _ = full_pages
    geo = check.geometry(out)
    assert geo.a4 and pages == len(geo.pages) >= 3
    p = geo.pages[1]                                   # a page of body only
    assert p.lines_per_page == 22
    assert p.chars_per_line == 28
    assert p.left_mm == pytest.approx(28, abs=0.2)
    assert p.top_mm == pytest.approx(37, abs=0.2)
    assert p.type_width_mm == pytest.approx(156, abs=0.5)
    assert p.pitch_mm * 22 == pytest.approx(225, abs=0.5)


@pytest.mark.skipif(check.available() is None, reason="neither pypdfium2 nor pdftotext")
def test_page_numbers_sit_below_the_type_area_outside_odd_right_even_left(full_pages):
    out, _, _ = full_pages
    geo = check.geometry(out)
    for p in geo.pages[:2]:
        num = [ln for ln in p.lines if "—" in ln[4] and str(p.number) in ln[4]]
        assert num, f"no page number on page {p.number}"
        x0, y0, x1, _y1, _ = num[0]
        assert y0 > 37 + 225                          # under the type area
        if p.number % 2:
            assert x1 > 28 + 156 - 20                 # right
        else:
            assert x0 < 28 + 20                       # left


@needs["pdffonts"]
def test_every_font_is_embedded_as_a_subset(full_pages):
    out, _, _ = full_pages
    rows = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
    fonts_rows = rows.splitlines()[2:]
    assert len(fonts_rows) >= 3
    for row in fonts_rows:
        emb, sub, uni = row.split()[-5:-2]
        assert (emb, sub, uni) == ("yes", "yes", "yes"), row
    assert "Helvetica" not in rows


@needs["pdfinfo"]
def test_pdfinfo_says_a4(full_pages):
    out, _, _ = full_pages
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert "595.276 x 841.89 pts (A4)" in info


@needs["pdftotext"]
def test_text_copies_as_chinese_in_reading_order(tmp_path):
    story = [b.h1("一、基本情况"), b.body("油山镇上朔村发生山洪。"), b.h2("（一）", "转移群众。", "已转移486人。"),
             b.h3("1.", "", "调拨棉被300床。"), b.h4("（1）", "", "帐篷40顶。")]
    out, _, _ = build(tmp_path, story)
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout.replace("\n", "").replace(" ", "")
    order = ["内部", "特急", "值班信息", "第12期", "雄应急〔2026〕12号", "南雄市应急管理局值班室",
             "2026年7月1日", "关于做好汛期值班值守工作的通知", "一、基本情况", "油山镇上朔村发生山洪。",
             "（一）转移群众。已转移486人。", "1.调拨棉被300床。", "（1）帐篷40顶。", "签发：田立新",
             "报：韶关市应急管理局。", "送：市委办公室，市政府办公室。", "抄：各镇（街道）。", "2026年7月1日印发"]
    positions = [text.find(s) for s in order]
    assert -1 not in positions, [s for s, p in zip(order, positions) if p < 0]
    assert positions == sorted(positions)


def test_drills_are_marked_in_the_header(tmp_path):
    _, _, drawn = build(tmp_path, [b.body("演练。")], drill=True)
    assert set("【演练】") <= drawn[fonts.HEI]


def test_coverage_check_passes_for_a_real_document_and_names_a_missing_glyph(tmp_path):
    _, _, drawn = build(tmp_path, [b.body("汛期值班。")])
    assert set("汛期值班") <= drawn[fonts.FANGSONG] and set("值班信息") <= drawn[fonts.XBS]
    assert check.uncovered(drawn) == {}
    rare = "\U00020000"                                # CJK Ext. B: not in the GBK subset
    _, _, drawn = build(tmp_path, [b.body(f"汛期{rare}值班。")])
    assert check.uncovered(drawn) == {fonts.FANGSONG: rare}
    assert check.uncovered(f"楷{rare}", fonts.KAI) == {fonts.KAI: rare}


def test_gb_t_9704_ways_of_writing_dates_times_and_numbers():
    assert b.cn_date(date(2026, 7, 1)) == "2026年7月1日"
    assert b.cn_time("2026-07-01 14:20") == "14时20分"
    assert b.cn_datetime("2026-07-01 09:05") == "2026年7月1日9时05分"
    assert [b.cn_number(n) for n in (1, 10, 12, 20, 21)] == ["一", "十", "十二", "二十", "二十一"]
    assert b.cn_stamps("限2026-07-01 12:40前，2026-06-30接报") == "限2026年7月1日12时40分前，2026年6月30日接报"


def test_lines_never_start_with_closing_punctuation(tmp_path):
    text = "一二三四五六七八九十一二三四五六七八九十一二三四五六七八，句号。" * 3
    t = b.Text([(text, fonts.FANGSONG)], indent=0)
    t.wrap(b.TYPE_W, 1e6)
    starts = [line[0][0][0] for line, *_ in t._lines]
    assert len(starts) > 1 and not any(ch in b.NO_START for ch in starts)


def test_a_hanzi_the_kai_face_lacks_is_drawn_in_the_body_face(tmp_path):
    lacking = next(chr(cp) for cp in range(0x4E00, 0x9FA6)
                   if cp not in fonts.glyphs(fonts.KAI) and cp in fonts.glyphs(fonts.FANGSONG))
    _, _, drawn = build(tmp_path, [b.h2("（一）", f"关于{lacking}的情况。")])
    assert check.uncovered(drawn) == {}
    assert lacking in drawn[fonts.FANGSONG] and lacking not in drawn.get(fonts.KAI, set())
    assert set("关于的情况") <= drawn[fonts.KAI]
