"""Document build times: each kind for the demo county, and a ~30-page meeting brief with
charts, each against a floor measured in the same run.

    .venv/bin/python -m bench --only reports [--hours 26] [--runs 7]

The floor is plain reportlab: a SimpleDocTemplate of Paragraphs in the body face (loaded as
reportlab's own TTFont) rendering the same text (every character the document draws, in the
same paragraphs and table cells, as plain paragraphs), without the 公文 page template, the
line grid, the other faces (title, headings, 楷体), the tables' layout or the charts.
It is what any PDF of this text must at least cost; the ratio says what the template, faces,
tables and charts add. Build time includes gathering the data from the database
(services), so the ratio is an upper bound on the layout's own overhead.

The long brief: the demo's live flash-flood response grown through the services in a
temporary database (``grow_response``): every hour for ``--hours`` hours new casualty and
evacuee figures, orders to towns, units and working groups (most acknowledged, many reported
done, some late), every third hour a 会商 with its orders, teams and equipment dispatched,
arriving and returning, supplies issued from the depots.
"""

from __future__ import annotations

import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from nxcommand import dispatch, incidents, meetings, orders, response, session
from nxcommand.clock import FixedClock
from nxcommand.store import open_db

from bench.common import Result, demo_copy, median, paired_ms  # absolute: tests load this file by path

TARGET = 2.0

NOW = datetime(2026, 7, 1, 14, 20)

ORDER_TEXTS = (
    "组织对{town}辖区山塘水库开展拉网式巡查，发现险情立即上报并转移下游群众",
    "加强{town}安置点管理，保障转移群众饮食、饮水、住宿和医疗，做好卫生防疫",
    "对{town}境内受损道路设置警示标志，安排专人值守，严禁车辆人员冒险通行",
    "核实{town}受灾人员、房屋和农作物损失情况，按时限报送灾情统计",
    "落实{town}地质灾害隐患点“三查”制度，雨中加密巡查，雨后全面排查",
    "组织{town}各村（社区）做好危险区群众劝导，严防人员擅自返回",
)
FEEDBACK = ("已按要求落实，未发现新的险情", "已完成排查，转移群众已妥善安置", "已组织力量完成处置，情况稳定")
MEETING_TEXTS = (
    ("雨势减弱但山体含水饱和，次生地质灾害风险仍高；安置点运转正常",
     "一、维持现有响应级别；二、继续加密巡查隐患点；三、做好安置群众生活保障"),
    ("上游来水增加，浈江支流水位回涨；部分道路仍未抢通",
     "一、提前转移沿河低洼地带群众；二、抢通受损道路；三、预置抢险力量和物资"),
)


def grow_response(db, response_id: int, hours: int, start: datetime | None = None) -> datetime:
    """Grow a live response hour by hour through the services; returns the time the
    document should be built at (one hour after the last record)."""
    r = response.get_response(db, response_id)
    start = start or datetime.strptime(r["started_at"], "%Y-%m-%d %H:%M") + timedelta(hours=6)
    end = start + timedelta(hours=hours)
    clock = FixedClock(end + timedelta(hours=1))
    towns = [row[0] for row in db.execute("SELECT id FROM admin_units WHERE level = 'town' ORDER BY id")]
    choices = orders.recipient_choices(db, response_id)
    units = [rid for _, rid in choices["单位"]][:12]
    groups = [rid for _, rid in choices["工作组"]]
    leader = r["started_by"]
    depot_items = list(db.execute(
        "SELECT depot_id, item_id FROM depot_stock WHERE quantity >= 400 ORDER BY depot_id, item_id"))
    figures = incidents.current_figures(db, r["event_id"])
    out: list[tuple[int, datetime]] = []      # (dispatch id, return after)
    n = 0
    for h in range(hours):
        at = start + timedelta(hours=h)
        figures = incidents.Figures(
            deaths=figures.deaths + (h % 17 == 16), injured=figures.injured + (h % 5 == 0),
            serious_injured=figures.serious_injured, missing=max(0, figures.missing + (h % 13 == 3) - (h % 13 == 9)),
            trapped=(h % 7 == 2) * 2, evacuated=figures.evacuated + 35 + (h * 7) % 40,
            direct_loss_yuan=figures.direct_loss_yuan)
        incidents.update_figures(db, r["event_id"], figures, at, "值班员", clock)
        if h % 3 == 1:
            assessment, decisions = MEETING_TEXTS[h % 2]
            town = towns[(h * 5) % len(towns)]
            meetings.hold_meeting(db, meetings.MeetingInput(
                response_id, at, "市三防指挥部副指挥长、市应急管理局、市水务局、市气象局、有关镇（视频连线）",
                assessment, decisions, "值班员", "市应急指挥中心", leader,
                [meetings.OrderDraft(ORDER_TEXTS[(h + k) % len(ORDER_TEXTS)].format(town="有关镇"),
                                     [("镇街", towns[(h + k) % len(towns)]), ("镇街", town)],
                                     at + timedelta(hours=4)) for k in range(3)]), clock)
        for k in range(3):
            n += 1
            kind = ("镇街", "单位", "工作组")[k]
            pool = {"镇街": towns, "单位": units, "工作组": groups}[kind]
            recipients = [(kind, pool[(n + j) % len(pool)]) for j in range(1 + n % 2)]
            town_name = "油山镇" if kind != "镇街" else "辖区"
            orders.issue_order(db, orders.OrderInput(
                response_id, ORDER_TEXTS[n % len(ORDER_TEXTS)].format(town=town_name), recipients,
                at + timedelta(minutes=10 * k), "值班员", at + timedelta(minutes=10 * k, hours=3), leader), clock)
        for row in orders.orders_for(db, response_id):
            issued = datetime.strptime(row["issued_at"], "%Y-%m-%d %H:%M")
            if row["acknowledged_at"] is None and issued <= at - timedelta(minutes=20) and row["id"] % 9:
                orders.acknowledge(db, row["id"], issued + timedelta(minutes=8 + row["id"] % 20),
                                   f"{row['recipient']}值班室", clock)
            elif (row["acknowledged_at"] and row["done_at"] is None and issued <= at - timedelta(hours=2)
                  and row["id"] % 7):
                done = issued + timedelta(minutes=100 + (row["id"] * 13) % 120)
                orders.complete(db, row["id"], done, FEEDBACK[row["id"] % 3], "值班员", clock=clock)
        for dispatch_id, back in [d for d in out if d[1] <= at]:
            dispatch.mark_returned(db, dispatch_id, back, recorded_by="值班员", clock=clock)
            out.remove((dispatch_id, back))
        teams = dispatch.available_teams(db)
        if teams:
            team = teams[h % len(teams)]
            d = dispatch.dispatch_team(db, response_id, team["id"], dispatch.DispatchInput(
                towns[(h * 3) % len(towns)], leader, "值班员", place="受灾村组", task="抢险救援",
                dispatched_at=at, expected_arrival=at + timedelta(minutes=90)), clock)
            dispatch.mark_arrived(db, d, at + timedelta(minutes=60 + h % 45), recorded_by="值班员", clock=clock)
            out.append((d, at + timedelta(hours=8 + h % 6)))
        kit = dispatch.available_equipment(db)
        if kit and h % 2 == 0:
            d = dispatch.dispatch_equipment(db, response_id, kit[h % len(kit)]["id"], dispatch.DispatchInput(
                towns[(h * 7) % len(towns)], leader, "值班员", task="排涝抢险", dispatched_at=at), clock)
            dispatch.mark_arrived(db, d, at + timedelta(minutes=75), recorded_by="值班员", clock=clock)
            out.append((d, at + timedelta(hours=10)))
        if depot_items and h % 2 == 1:
            depot_id, item_id = depot_items[h % len(depot_items)]
            d = dispatch.dispatch_supply(db, response_id, depot_id, item_id, 5 + h % 10, dispatch.DispatchInput(
                towns[(h * 11) % len(towns)], leader, "值班员", place="安置点", dispatched_at=at), clock)
            dispatch.mark_arrived(db, d, at + timedelta(minutes=80), recorded_by="值班员", clock=clock)
    return clock.now()


# ------------------------------------------------------------------ the floor

def _floor_face() -> str:
    """The body face registered as reportlab's own TTFont (not nxcommand's, whose width
    cache and drawing record are the document's speed-ups, not the floor's)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    from nxcommand.paths import fonts_dir
    from nxcommand.reports import fonts

    name = "Floor-FangSong"
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, str(fonts_dir() / fonts.face_file(fonts.FANGSONG))))
    return name


def floor_pdf(text_blocks: list[str], out: Path) -> int:
    """Plain reportlab: the same text as Paragraphs in the same faces. Returns pages."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    style = ParagraphStyle("floor", fontName=_floor_face(), fontSize=16, leading=29, wordWrap="CJK")
    doc = SimpleDocTemplate(str(out), pagesize=A4, leftMargin=28 * mm, rightMargin=26 * mm,
                            topMargin=37 * mm, bottomMargin=35 * mm)
    story = [Paragraph(block.replace("&", "&amp;").replace("<", "&lt;"), style) for block in text_blocks if block]
    doc.build(story)
    return doc.page


def drawn_text(path: Path) -> list[str]:
    """The text of a generated PDF as paragraphs (pypdfium2): each page's text joined and cut
    after every 。, so the floor sets paragraphs of the same length as the document's."""
    import re

    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    blocks = []
    for page in pdf:
        text = "".join(page.get_textpage().get_text_range().split())
        blocks += [part for part in re.split(r"(?<=。)", text) if part]
    pdf.close()
    return blocks


def measure(db, kind: str, item: str | None, now: datetime, folder: Path, runs: int) -> dict:
    """The kind built (data gathered from the database, laid out, written) against plain
    reportlab setting the text it drew, taken alternately; medians in seconds."""
    from nxcommand.reports import registry

    out = folder / f"{kind}.pdf"
    clock = FixedClock(now)
    built = registry.build(db, kind, out, item=item, clock=clock)
    text = drawn_text(out)
    floor_out = folder / f"{kind}-floor.pdf"
    floor_pages = floor_pdf(text, floor_out)
    a, b = paired_ms(lambda: registry.build(db, kind, out, item=item, clock=clock),
                     lambda: floor_pdf(text, floor_out), runs)
    return {"kind": kind, "item": built.title, "pages": built.pages, "seconds": median(a) / 1000,
            "floor": median(b) / 1000, "floor_pages": floor_pages, "chars": sum(len(b) for b in text)}


def run(runs: int = 7, hours: int = 26, quick: bool = False, say=print) -> list[Result]:
    from nxcommand.reports import registry

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = open_db(demo_copy(folder / "demo.db"))
        session.sign_in(db, session.system("性能测试"))
        for kind in list(registry.KINDS)[:2] if quick else registry.KINDS:
            rows.append(measure(db, kind, None, NOW, folder, runs))
        db.close()
        long_db = open_db(demo_copy(folder / "long.db"))
        session.sign_in(long_db, session.system("性能测试"))
        live = response.live_responses(long_db)[0]["id"]
        t0 = time.perf_counter()
        at = grow_response(long_db, live, hours)
        say(f"  long response ({hours} hours) grown through the services in {time.perf_counter() - t0:.1f} s")
        long = measure(long_db, "brief", str(live), at, folder, runs)
        long["kind"] = f"meeting brief, {hours} hours of a response"
        rows.append(long)
        long_db.close()
    return [Result("documents", f"{r['kind']} ({r['pages']} pages)", r["seconds"], r["floor"], "s", TARGET, "ratio",
                   detail=f"{r['chars']:,} characters; the floor sets them on {r['floor_pages']} pages")
            for r in rows]
