"""The meeting brief (情况专报 / 会议情况汇报), the 会商纪要 and the 新闻通稿 for the full demo:
items and latest, content checked against the core services, every drawn character covered
by its embedded face, wrong ids refused with no file, drills marked and kept out of the
lists, and a long response's brief paginating with repeated table headers and whole charts."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from nxcommand import (
    dispatch,
    incidents,
    meetings,
    orders,
    plan_checks,
    releases,
    response,
)
from nxcommand.clock import FixedClock
from nxcommand.errors import NotFound, ValidationError
from nxcommand.reports import brief_data, check, fonts, minutes, registry
from tests.respond_helpers import flood_event, flood_plan, open_input

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = ("一、基本情况", "二、响应启动与调整", "三、伤亡与转移安置", "四、力量投入", "五、物资调拨",
            "六、指令落实", "七、下一步工作")


def page_texts(path: Path) -> list[str]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        return [pdf[n].get_textpage().get_text_range() for n in range(len(pdf))]
    finally:
        pdf.close()


def flat(text: str) -> str:
    """The text without line breaks and spaces (the grid breaks lines anywhere)."""
    return "".join(text.split())


def build(db, kind: str, out: Path, item: str | None, clock) -> tuple[registry.Built, dict]:
    with fonts.recording() as drawn:
        built = registry.build(db, kind, out, item=item, clock=clock)
    return built, drawn


def live_id(db) -> int:
    return response.live_responses(db)[0]["id"]


# ---------------------------------------------------------------- items


def test_items_live_response_first_meetings_and_published_releases_newest_first(full_demo_db, clock):
    db = full_demo_db
    briefs = registry.items(db, "brief")
    assert [i.key for i in briefs] == [str(r["id"]) for r in response.list_responses(db)]
    assert briefs[0].key == str(live_id(db)) and "响应中" in briefs[0].label
    assert registry.latest(db, "brief", clock.now()).key == str(live_id(db))

    held = [(m["held_at"], m["id"]) for r in response.list_responses(db) for m in meetings.meetings(db, r["id"])]
    assert [i.key for i in registry.items(db, "meeting")] == [str(i) for _, i in sorted(held, reverse=True)]

    published = {str(r["id"]) for r in releases.published(db)}
    every = {str(r["id"]) for r in releases.list_for(db, live_id(db))}
    assert published < every                           # the demo holds an unpublished release too
    assert {i.key for i in registry.items(db, "release")} == published
    assert registry.latest(db, "release", clock.now()).key == max(published, key=int)


# ---------------------------------------------------------------- the brief


def test_brief_data_agrees_with_the_services(full_demo_db, clock):
    db, rid, now = full_demo_db, live_id(full_demo_db), clock.now()
    d = brief_data.gather(db, rid, now)
    r = response.get_response(db, rid)
    current = incidents.current_figures(db, r["event_id"])
    assert (d.figures.evacuated, d.figures.injured, d.figures.missing) == (
        current.evacuated, current.injured, current.missing)
    assert [lv.kind for lv in d.levels] == [x["kind"] for x in response.decisions(db, rid)]
    rows = orders.orders_for(db, rid)
    assert d.order_counts.recipients == len(rows)
    assert d.order_counts.orders == len({o["order_id"] for o in rows})
    assert d.order_counts.done == sum(o["done_at"] is not None for o in rows)
    overdue = [o for o in rows if o["done_at"] is None and o["due_at"] and o["due_at"] < now.strftime("%Y-%m-%d %H:%M")]
    assert d.order_counts.overdue == len(overdue) > 0
    assert sum(t.people for t in d.by_town) == dispatch.summary(db, rid)["队伍"]["人数"]
    assert {(s.item, s.quantity) for s in d.supplies} == {
        (s["item"], s["quantity"]) for s in dispatch.supplies_issued(db, rid)}
    open_recipients = {o["recipient"] for o in rows if o["done_at"] is None}
    assert open_recipients == {x for s in d.next_orders for x in s.owner.split("、")}
    assert {s.text for s in d.next_checklist} == {c["action"] for c in response.open_checklist(db, rid)}
    assert d.next_deadlines and all(s.kind not in ("清单", "指令") for s in d.next_deadlines)
    assert d.trend[-1].at <= now and d.trend == sorted(d.trend, key=lambda p: p.at)


def test_brief_for_the_live_response_renders_every_section_with_the_services_numbers(full_demo_db, clock,
                                                                                   tmp_path):
    db, rid = full_demo_db, live_id(full_demo_db)
    out = tmp_path / "brief.pdf"
    built, drawn = build(db, "brief", out, None, clock)          # latest: the live response
    assert check.uncovered(drawn) == {}
    assert built.pages >= 4 and out.exists()
    pages = page_texts(out)
    assert len(pages) == built.pages
    text = flat("".join(pages))
    at = [text.index(s) for s in SECTIONS]
    assert at == sorted(at)
    assert "加急情况专报第1期" in text[:20]
    assert built.title == "油山镇上朔村山洪灾害应急处置情况汇报" and built.title in text
    figures = incidents.current_figures(db, response.get_response(db, rid)["event_id"])
    assert f"累计转移群众{figures.evacuated}人" in text
    rows = orders.orders_for(db, rid)
    done = sum(o["done_at"] is not None for o in rows)
    assert f"共下达指令{len({o['order_id'] for o in rows})}条、{len(rows)}个接收方次" in text
    assert f"已反馈完成{done}个" in text
    for s in dispatch.supplies_issued(db, rid):
        assert f"{s['item']}{s['quantity']}{s['unit']}" in text
    for o in rows:
        assert flat(o["content"]) in text
    for caption in ("图1伤亡和转移人数变化", "图2各镇（街道）力量投入", "图3储备库（点）库存对照最低储备",
                    "表1处置大事记", "表5指令落实情况"):
        assert caption in text
    # the colophon on the last page only, with the signer of the last level decision
    assert "签发：田子健" in flat(pages[-1]) and "印发" in flat(pages[-1])
    assert all("印发" not in flat(p) for p in pages[:-1])
    geo = check.geometry(out)
    assert geo.a4
    assert abs(geo.pages[1].left_mm - 28) < 1.5


def test_brief_of_an_ended_response_speaks_of_it_as_ended(full_demo_db, clock, tmp_path):
    ended = next(r for r in response.list_responses(full_demo_db) if not r["live"])
    out = tmp_path / "ended.pdf"
    _built, drawn = build(full_demo_db, "brief", out, str(ended["id"]), clock)
    assert check.uncovered(drawn) == {}
    text = flat("".join(page_texts(out)))
    assert "应急响应已于" in text and "解除" in text and "加急" not in text
    assert "按时限做好报告" not in text           # no response clocks once ended


# ---------------------------------------------------------------- 会商纪要 and 新闻通稿


def test_minutes_of_a_meeting(full_demo_db, clock, tmp_path):
    db = full_demo_db
    first = min(int(i.key) for i in registry.items(db, "meeting"))
    m = meetings.meeting(db, first)
    out = tmp_path / "minutes.pdf"
    built, drawn = build(db, "meeting", out, str(first), clock)
    assert check.uncovered(drawn) == {}
    text = flat("".join(page_texts(out)))
    assert text.index("会商纪要") < text.index("第1期") < text.index("一、会商研判") < text.index("二、议定事项") \
        < text.index("三、工作部署")
    assert built.title in text and "纪要" in built.title
    assert flat(m["assessment"]) in text
    assert "（一）全力搜救失联人员。（二）油山镇沿河危险区群众全部转移。（三）开放镇中心小学避护场所。" in text
    for o in m["orders"]:
        assert flat(o["content"]) in text and o["recipient"] in text
    assert f"主持：{m['chair']}" in text and f"记录：{m['recorded_by']}" in text
    assert m["place"] in text


def test_minutes_split_the_recorded_decisions():
    assert minutes.decisions_of("一、维持Ⅲ级响应；二、加密监测；三、排查隐患点。") == [
        "维持Ⅲ级响应", "加密监测", "排查隐患点"]
    assert minutes.decisions_of("继续搜救；做好安置") == ["继续搜救", "做好安置"]


def test_release_of_a_published_release(full_demo_db, clock, tmp_path):
    db = full_demo_db
    key = registry.latest(db, "release", clock.now()).key
    r = releases.get(db, int(key))
    out = tmp_path / "release.pdf"
    built, drawn = build(db, "release", out, key, clock)
    assert check.uncovered(drawn) == {}
    assert built.title == r["title"] and built.pages == 1
    text = flat("".join(page_texts(out)))
    assert "新闻通稿第2期" in text[:20]
    for para in r["body"].splitlines():
        assert flat(para) in text
    assert "（完）" in text
    published = datetime.strptime(r["published_at"], "%Y-%m-%d %H:%M")
    assert f"{published.year}年{published.month}月{published.day}日{published.hour}时{published.minute:02d}分发布" in text
    assert "、".join(r["channels"]) in text and r["org"] in text and f"新闻发言人：{r['spokesperson']}" in text
    assert "终审田子健" in text


# ---------------------------------------------------------------- refusals and drills


@pytest.mark.parametrize("kind,item,error", [
    ("brief", "999", NotFound), ("brief", "油山", ValidationError),
    ("meeting", "999", NotFound), ("meeting", "x1", ValidationError),
    ("release", "999", NotFound), ("release", "abc", ValidationError),
])
def test_a_wrong_id_is_refused_with_no_file(full_demo_db, clock, tmp_path, kind, item, error):
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "doc.pdf"
    with pytest.raises(error) as exc:
        registry.build(full_demo_db, kind, out, item=item, clock=clock)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(exc.value))
    assert list(folder.iterdir()) == []


def test_an_unpublished_release_is_refused_with_its_state(full_demo_db, clock, tmp_path):
    draft = next(r for r in releases.list_for(full_demo_db, live_id(full_demo_db)) if r["state"] != "已发布")
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(ValidationError, match="尚未发布"):
        registry.build(full_demo_db, "release", folder / "r.pdf", item=str(draft["id"]), clock=clock)
    assert list(folder.iterdir()) == []


def test_a_drill_response_and_its_meeting_stay_out_of_the_lists_but_build_marked(full_demo_db, clock, tmp_path):
    db = full_demo_db
    event = flood_event(db, clock, drill=True)
    decider = plan_checks.allowed_deciders(db, flood_plan(db), 4)[0]["id"]
    drill = response.open_response(db, open_input(db, event, 4, decider, clock.now() - timedelta(minutes=30),
                                                  drill=True), clock)
    meeting = meetings.hold_meeting(db, meetings.MeetingInput(
        drill, clock.now() - timedelta(minutes=10), "演练参演单位", "演练研判", "一、继续演练", "刘艳玲"), clock)
    assert str(drill) not in {i.key for i in registry.items(db, "brief")}
    assert str(meeting) not in {i.key for i in registry.items(db, "meeting")}
    assert registry.latest(db, "brief", clock.now()).key == str(live_id(db))
    for kind, key in (("brief", drill), ("meeting", meeting)):
        out = tmp_path / f"{kind}.pdf"
        registry.build(db, kind, out, item=str(key), clock=clock)
        assert "【演练】" in page_texts(out)[0]


# ---------------------------------------------------------------- a long response


def _grow():
    spec = importlib.util.spec_from_file_location("bench_reports", ROOT / "bench" / "bench_reports.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.grow_response


def test_a_long_brief_paginates_with_repeated_headers_and_whole_charts(full_demo_db, tmp_path):
    db, rid = full_demo_db, live_id(full_demo_db)
    at = _grow()(db, rid, 24)
    out = tmp_path / "long.pdf"
    seen = []
    with fonts.recording() as drawn:
        built = registry.build(db, "brief", out, item=str(rid), clock=FixedClock(at),
                               progress=lambda done, total: seen.append((done, total)))
    assert check.uncovered(drawn) == {}
    assert built.pages >= 12
    assert seen and seen[-1][0] == seen[-1][1] and [d for d, _ in seen] == sorted(d for d, _ in seen)
    pages = [flat(p) for p in page_texts(out)]
    assert len(pages) == built.pages
    # every page holding order rows carries the table's caption and header row
    contents = {flat(o["content"])[:12] for o in orders.orders_for(db, rid)}
    with_orders = [n for n, p in enumerate(pages) if "表5指令落实情况" in p]
    assert len(with_orders) >= 3
    first, last = with_orders[0], with_orders[-1]
    assert with_orders == list(range(first, last + 1))
    for n in with_orders:
        assert "序号下达指令内容接收方及落实时限状态" in pages[n]
        assert any(c in pages[n] for c in contents)
    assert len([n for n, p in enumerate(pages) if "表2伤亡和转移人数统计" in p]) >= 2
    # a chart's title, axis labels and caption are on one page
    for parts in (("伤亡人数（人）", "转移群众（人）", "累计转移", "图1伤亡和转移人数变化"),
                  ("力量投入（按镇街，在场及途中）", "图2各镇（街道）力量投入"),
                  ("库存对照最低储备（达到最低储备的程度）", "注：", "图3储备库（点）库存对照最低储备")):
        holding = [n for n, p in enumerate(pages) if parts[0] in p]
        assert len(holding) == 1 and all(part in pages[holding[0]] for part in parts)
    assert "签发" in pages[-1] and all("印发" not in p for p in pages[:-1])


# ---------------------------------------------------------------- the poppler tools, when present


@pytest.mark.skipif(not (shutil.which("pdffonts") and shutil.which("pdfinfo") and shutil.which("pdftotext")),
                    reason="poppler-utils (pdffonts, pdfinfo, pdftotext) not installed")
def test_poppler_sees_embedded_fonts_a4_and_chinese_in_reading_order(full_demo_db, clock, tmp_path):
    for kind in ("brief", "meeting", "release"):
        out = tmp_path / f"{kind}.pdf"
        registry.build(full_demo_db, kind, out, clock=clock)
        listing = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
        rows = listing.splitlines()[2:]
        assert rows and all(row.split()[-5] == "yes" for row in rows), listing      # emb column
        info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
        assert "595.276 x 841.89 pts (A4)" in info
        text = flat(subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                                   check=True).stdout)
        if kind == "brief":
            at = [text.index(s) for s in SECTIONS]
            assert at == sorted(at)
        else:
            assert ("会商纪要" if kind == "meeting" else "新闻通稿") in text
