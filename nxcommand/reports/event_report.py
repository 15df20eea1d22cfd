"""突发事件信息报告: 初报, 续报（一）（二）…, 核报, 终报 for one event (DOMAIN.md §4).

Item key: the event id. ``serial`` N picks the event's Nth written report (电话报告 are not
documents); without it the latest written report; an event with none yet gets a draft 初报 as
of now (no 签发 yet). Elements follow §4's order; a 续报 states only what changed since the
previous report (figures with their change, new measures from the duty log, leaders'
instructions and their follow-up), never the initial course again.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from .. import deadlines, dutylog, incidents
from ..clock import SYSTEM_CLOCK, Clock, parse_minute
from ..errors import NotFound
from . import blocks as b
from .page import DocSpec, build_pdf, bureau, int_key, names
from .registry import Built, Item

WRITTEN = ("书面初报", "续报", "核报", "终报")
LABEL = {"书面初报": "初报", "核报": "核报", "终报": "终报"}
FIG_LABELS = (("deaths", "死亡"), ("injured", "受伤"), ("missing", "失联"), ("trapped", "被困"))
# duty-log lines that are bookkeeping rather than measures
SKIP = ("伤亡情况更新", "四合一", "调整", "进驻", "签收指令", "队伍到达", "装备到达", "物资送达",
        "前方指挥部与指挥中心链路", "处置清单完成")


def written_reports(db, event_id: int) -> list[dict]:
    return [r for r in deadlines.reports(db, event_id) if r["kind"] in WRITTEN]


def report_label(report: dict) -> str:
    """初报 / 续报（一） / 核报 / 终报."""
    if report["kind"] == "续报":
        return f"续报（{b.cn_number(report['serial'])}）"
    return LABEL[report["kind"]]


def items(db) -> list[Item]:
    out = []
    for ev in incidents.list_events(db, "1900-01-01", "2999-12-31", include_drills=False):
        reps = written_reports(db, ev["id"])
        have = "、".join(report_label(r) for r in reps) or "尚无书面报告（可生成初报稿）"
        out.append(Item(str(ev["id"]), f"#{ev['id']} {ev['title']}（{ev['received_at']}接报；{have}）"))
    return out


def latest(db, now: datetime) -> Item | None:
    """The newest open event (not a drill), else the newest event received by ``now``."""
    stamp = now.strftime("%Y-%m-%d %H:%M")
    for ev in incidents.open_events(db, include_drills=False):
        if ev["received_at"] <= stamp:
            return Item(str(ev["id"]), ev["title"])
    for item in items(db):
        return item
    return None


# ---------------------------------------------------------------- content

def figures_at(db, event_id: int, moment: str) -> incidents.Figures:
    rows = [r for r in incidents.figures_history(db, event_id) if r["as_of"] <= moment]
    if not rows:
        return incidents.Figures()
    last = rows[-1]
    return incidents.Figures(**{k: last[k] for k in incidents.Figures.__dataclass_fields__})


def place_of(event: dict) -> str:
    return f"{event['town']}{event['village']}"


NOUNS = {"防汛": "洪涝灾害", "防旱": "旱灾", "防风": "风灾", "防冻": "低温冰冻灾害",
         "道路交通": "道路交通事故", "火灾": "火灾事故", "危险化学品": "危险化学品事故",
         "矿山": "矿山事故", "地震": "地震灾害"}


def kind_of(event: dict) -> str:
    """What happened as a noun: the event title's "发生…，" when it says more than the
    subtype's short name (山洪灾害 for 防汛), else a noun for the subtype."""
    short = event["subtype"] or event["category"]
    m = re.search(r"发生(.+?)[，,]", event["title"])
    if m and m.group(1) != short and len(m.group(1)) <= 12:
        return m.group(1)
    return NOUNS.get(short, short)


def casualties(f: incidents.Figures) -> str:
    parts = [f"{getattr(f, k)}人{label}" for k, label in FIG_LABELS if getattr(f, k)]
    return "造成" + "、".join(parts) if parts else "未造成人员伤亡"


def title_for(event: dict, report_kind: str, f: incidents.Figures, prev: incidents.Figures | None) -> str:
    cas = casualties(f)
    if prev and (prev.missing or prev.trapped) and not (f.missing or f.trapped):
        cas += "，被困失联人员已全部找到" if prev.missing else "，被困人员已全部脱险"
    progress = {"终报": "处置工作结束", "核报": "情况已核实"}.get(report_kind, "正在处置")
    return f"{place_of(event)}发生{kind_of(event)}，{cas}，{progress}"


def figures_text(f: incidents.Figures) -> str:
    parts = [f"{label}{getattr(f, k)}人" for k, label in FIG_LABELS if getattr(f, k)]
    text = "、".join(parts) if parts else "暂无人员伤亡"
    if f.serious_injured:
        text += f"（其中重伤{f.serious_injured}人）"
    if f.evacuated:
        text += f"；累计转移群众{f.evacuated}人"
    if f.direct_loss_yuan:
        text += f"；初步估算直接经济损失{f.direct_loss_yuan / 10000:g}万元"
    return text + "。"


def figures_change(old: incidents.Figures, new: incidents.Figures) -> str:
    parts = []
    for key, label in (*FIG_LABELS, ("serious_injured", "重伤"), ("evacuated", "转移群众")):
        a, c = getattr(old, key), getattr(new, key)
        if a != c:
            what = f"{label}人员" if key != "evacuated" else "累计转移群众"
            verb = "增至" if c > a else "减至"
            parts.append(f"{what}由{a}人{verb}{c}人")
    if old.direct_loss_yuan != new.direct_loss_yuan:
        parts.append(f"直接经济损失估算由{old.direct_loss_yuan / 10000:g}万元调整为"
                     f"{new.direct_loss_yuan / 10000:g}万元")
    return "；".join(parts) + "。" if parts else "人员伤亡情况无变化。"


def _hm(stamp: str) -> str:
    return b.cn_time(parse_minute(stamp, "时间"))


def measures(db, event_id: int, after: str | None, until: str) -> list[str]:
    """What was done for the event in (after, until], condensed from the duty log: dispatches
    of one kind merged into one line, bookkeeping left out."""
    rows = dutylog.page(db, dutylog.LogQuery(event_id=event_id), limit=5000)
    rows = [r for r in reversed(rows)
            if r["kind"] in ("处置", "会商", "交办") and r["logged_at"] <= until
            and (after is None or r["logged_at"] > after) and not r["corrected_by"]]
    out: list[str] = []
    groups: dict[str, list[str]] = {}
    for r in rows:
        s = r["summary"]
        if any(k in s[:24] for k in SKIP) or "反馈指令" in s[:20]:
            continue
        m = re.match(r"(派出队伍|派出装备|调拨物资出库)：(.+?)\s*→", s)
        if m:
            what = m.group(2).strip()
            key = {"派出队伍": "先后派出救援队伍", "派出装备": "调派装备"}.get(m.group(1))
            if key is None:  # 调拨物资出库：DEPOT ITEM QTY
                depot, _, what = what.partition(" ")
                key = f"从{depot}调拨应急物资"
            if key not in groups:
                groups[key] = []
                out.append(key)
            groups[key].append(what.replace(" ", ""))
            continue
        if s.startswith("下达指令"):
            s = s.replace("下达指令 → ", "向").replace("：", "下达指令：", 1)
        out.append(f"{_hm(r['logged_at'])}，{b.cn_stamps(s).rstrip('。')}。")
    return [f"{line}：{'、'.join(groups[line])}。" if line in groups else line for line in out]


def instructions_in(db, event_id: int, after: str | None, until: str) -> list[str]:
    lines = []
    for ins in incidents.instructions_for(db, event_id):
        if ins["given_at"] <= until and (after is None or ins["given_at"] > after):
            lines.append(f"{b.cn_datetime(ins['given_at'])}，{ins['leader']}批示：“{ins['content']}”"
                         f"（{ins['status']}）。")
        # follow-ups (no service lists them per event; the table is small)
        for at, note, status in db.execute(
                "SELECT at, note, status FROM instruction_updates WHERE instruction_id = ? ORDER BY at",
                [ins["id"]]):
            if at <= until and (after is None or at > after):
                lines.append(f"{_hm(at)}，{ins['leader']}批示落实情况：{note}（{status}）。")
    return lines


def _numbered(lines: list[str]) -> list:
    return [b.h3(f"{i}.", "", line) for i, line in enumerate(lines, 1)]


def _section(n: int, heading: str) -> object:
    return b.h1(f"{b.cn_number(n)}、{heading}")


def story_initial(db, event: dict, f, as_of: str, note: str) -> list:
    e = event
    caller = "".join(x for x in (e["caller_unit"], e["caller_name"], e["caller_post"]) if x)
    caller += f"（电话：{e['caller_phone']}）" if e["caller_phone"] else ""
    story = [b.body(f"{b.cn_datetime(e['received_at'])}，我局接{caller or e['source_kind']}报告，"
                    f"{b.cn_datetime(e['occurred_at'])}，{place_of(e)}{e['place']}发生{kind_of(e)}。"
                    "现将有关情况报告如下：")]
    n = 0
    n += 1
    story += [_section(n, "基本情况"), *b.elements([
        ("接报时间", b.cn_datetime(e["received_at"])),
        ("信息来源", f"{e['source_kind']}，{caller}" if caller else e["source_kind"]),
        ("事发时间", b.cn_datetime(e["occurred_at"])),
        ("事发地点", f"{place_of(e)}{e['place']}"),
        ("地点概况", e["site_overview"]),
        ("事件类型", (f"{e['category']}{('（' + e['subtype'] + '）') if e['subtype'] else ''}，"
                     f"初判等级{e['grade_name']}")),
    ])]
    n += 1
    story += [_section(n, "起因、性质和经过"), b.body(b.sentence(e["cause"]) or "正在核实。")]
    n += 1
    loss = f"财产损失：{b.sentence(e['loss'])}" if e["loss"] else ""
    story += [_section(n, "人员伤亡和财产损失"),
              b.body(f"截至{b.cn_datetime(as_of)}，{figures_text(f)}{loss}")]
    n += 1
    story += [_section(n, "影响范围和发展趋势"), b.body(b.sentence(e["scope"]) or "正在核实。")]
    if e["trend"]:
        story.append(b.body(b.sentence(e["trend"])))
    n += 1
    story += [_section(n, "已采取的措施和领导到位情况")]
    if e["measures"]:
        story.append(b.body(e["measures"].rstrip("。") + "。"))
    story += _numbered(measures(db, e["id"], None, as_of))
    if e["leaders_on_scene"]:
        story.append(b.body(e["leaders_on_scene"].rstrip("。") + "。"))
    story += [b.body(line) for line in instructions_in(db, e["id"], None, as_of)]
    if note:
        story.append(b.body(note.rstrip("。") + "。"))
    n += 1
    story += [_section(n, "请求事项和下一步工作"), b.body(b.sentence(e["requests"]) or "暂无请求事项。"),
              b.body("我局将继续跟踪事态发展，及时续报。")]
    story += _contact(n + 1, e)
    return story


def _contact(n: int, e: dict) -> list:
    if not e["site_contact_name"]:
        return []
    who = "，".join(x for x in (e["site_contact_name"], e["site_contact_post"], e["site_contact_phone"]) if x)
    return [_section(n, "现场负责人"), b.body(f"{who}。")]


def story_follow(db, event: dict, report: dict, prev: dict, f, pf) -> list:
    e, as_of, since = event, report["sent_at"], prev["sent_at"]
    final = report["kind"] == "终报"
    verb = "终报" if final else "续报"
    story = [b.body(f"{b.cn_datetime(since)}我局报送{report_label(prev)}后，{place_of(e)}{kind_of(e)}"
                    f"处置工作{'已经结束' if final else '持续推进'}。现将有关情况{verb}如下：")]
    n = 1
    story += [_section(n, "处置结果" if final else "最新情况")]
    if report["content"]:
        story.append(b.body(report["content"].rstrip("。") + "。"))
    story.append(b.body(f"截至{b.cn_datetime(as_of)}，{figures_change(pf, f)}目前{figures_text(f)}"))
    new = measures(db, e["id"], since, as_of)
    n += 1
    story += [_section(n, "新采取的措施")]
    story += _numbered(new) if new else [b.body("此期间无新增处置措施。")]
    said = instructions_in(db, e["id"], since, as_of)
    if said:
        n += 1
        story += [_section(n, "领导批示及落实情况"), *[b.body(x) for x in said]]
    n += 1
    if final:
        story += [_section(n, "善后工作"), b.body("后续善后处置工作由属地政府负责，我局将督促落实。")]
    else:
        story += [_section(n, "发展趋势和下一步工作")]
        story += [b.body(x.rstrip("。") + "。") for x in (e["trend"], e["requests"]) if x]
        story.append(b.body("我局将继续跟踪事态发展，及时续报。"))
    story += _contact(n + 1, e)
    return story


# ---------------------------------------------------------------- build

def issue_number(db, report: dict | None, year: int) -> int:
    """第X期: the report's place among the year's written reports (drafts come after)."""
    n = 0
    for (rid,) in db.execute(
            "SELECT r.id FROM reports r JOIN events e ON e.id = r.event_id WHERE e.is_drill = 0 "
            "AND r.kind IN ('书面初报', '续报', '核报', '终报') AND substr(r.sent_at, 1, 4) = ? "
            "ORDER BY r.sent_at, r.id", [str(year)]):
        n += 1
        if report is not None and rid == report["id"]:
            return n
    return n + 1


def build(db, item_key: str, out: Path, *, serial: int | None = None, clock: Clock = SYSTEM_CLOCK,
          progress=None) -> Built:
    event_id = int_key(item_key, "事件")
    try:
        event = incidents.get_event(db, event_id)
    except NotFound:
        raise NotFound(f"事件 #{event_id} 不存在（用 nxcommand report --list 查看可选事件）") from None
    reps = written_reports(db, event_id)
    if serial is not None and not 1 <= serial <= len(reps):
        have = f"只有{len(reps)}份书面报告" if reps else "尚无书面报告"
        raise NotFound(f"事件 #{event_id} {have}，没有第{serial}份")
    if reps:
        idx = (serial or len(reps)) - 1
        report, prev = reps[idx], (reps[idx - 1] if idx > 0 else None)
        as_of = report["sent_at"]
    else:
        report, prev = None, None
        as_of = clock.now().strftime("%Y-%m-%d %H:%M")
    kind = report["kind"] if report else "书面初报"
    f = figures_at(db, event_id, as_of)
    pf = figures_at(db, event_id, prev["sent_at"]) if prev else None
    if prev is None:
        story = story_initial(db, event, f, as_of, report["content"] if report else "")
    else:
        story = story_follow(db, event, report, prev, f, pf)
    label = report_label(report) if report else "初报（稿）"
    summary = title_for(event, kind, f, pf)
    doc_title = f"{label}：{summary}"
    when = parse_minute(as_of, "时间")
    urgent = "特急" if (event["grade"] <= 3 or event["sensitive"]) and kind == "书面初报" else "加急"
    spec = DocSpec(
        bulletin="突发事件信息快报", title=summary, subtitle=label, unit=bureau(db), issued=when.date(),
        issue_no=f"第{issue_number(db, report, when.year)}期", urgency=urgent,
        drill=bool(event["is_drill"]),
        report_to=names(report["to_report"]) if report else (),
        send_to=names(report["to_send"]) if report else (),
        copy_to=names(report["to_copy"]) if report else (),
        signer=report["signed_by"] if report else None,
        checker=(report["checked_by"] or None) if report else None,
        drafter=report["drafted_by"] if report else None,
        keywords=("突发事件信息报告", label))
    pages = build_pdf(out, spec, story, progress)
    return Built(path=Path(out), pages=pages, title=doc_title)
