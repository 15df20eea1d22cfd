"""会议情况汇报 / 情况专报 for a response, in the 公文 look (page.py), with charts and tables.

Red header 情况专报 and 第X期 (``serial``; by default the response's day: the first day's
brief is 第1期), title 关于…应急处置情况的汇报, as of the build time, then:
一、基本情况 (the event and a summary in figures), 二、响应启动与调整 (level decisions,
working groups, reports up and releases, the chronology as a table), 三、伤亡与转移安置
(figures, trend chart and table, shelters), 四、力量投入 (summary, forward HQ, chart by town,
table of teams and equipment), 五、物资调拨 (table per item, stock against minimum chart),
六、指令落实 (counts, meetings, table of every order by recipient), 七、下一步工作 (open
checklist items, open orders, upcoming deadlines). Tables repeat their header row on each
page; charts are kept whole on one page.

Items are the responses, live first; drills are left out of the list (a drill's brief can
still be built by id and is marked 【演练】).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ..clock import SYSTEM_CLOCK, Clock
from ..errors import ValidationError
from . import blocks as b
from . import charts
from .brief_data import BriefData, gather
from .registry import Built, Item

BULLETIN = "情况专报"
CHRONOLOGY = ("启动响应", "提级", "降级", "解除响应", "会商", "发布", "报告", "伤亡更新", "前指开设",
              "现场指挥官", "撤收", "救助目标")


# ---------------------------------------------------------------- items

def items(db) -> list[Item]:
    from .. import response

    found = []
    for r in response.list_responses(db):
        state = "响应中" if r["live"] else "已解除"
        what = r["event"].split("，")[0] if r["event"] else r["matter"].split("：")[0]
        found.append(Item(str(r["id"]), f"【{state}】{r['plan_short']}{r['roman']}应急响应：{what}"
                                        f"（{r['started_at']}启动）"))
    return found


def latest(db, now: datetime) -> Item | None:
    """The live response (the most severe), else the latest ended one."""
    found = items(db)
    return found[0] if found else None


def response_id_of(key: str) -> int:
    text = str(key).strip()
    if not text.isdigit():
        raise ValidationError(f"应急响应编号应为数字：{text}", "response")
    return int(text)


# ---------------------------------------------------------------- wording

def when(moment: datetime | None, ref: datetime) -> str:
    """14时20分 on the reference day, 6月30日17时00分 on another day of the year."""
    if moment is None:
        return "—"
    if moment.date() == ref.date():
        return b.cn_time(moment)
    if moment.year == ref.year:
        return f"{moment.month}月{moment.day}日{b.cn_time(moment)}"
    return b.cn_datetime(moment)


def short_when(moment: datetime | None, ref: datetime) -> str:
    """For table cells: 14:20 on the reference day; 6-30 above 17:00 on another day (two lines
    that do not wrap in a narrow column)."""
    if moment is None:
        return "—"
    if moment.date() == ref.date():
        return f"{moment:%H:%M}"
    return f"{moment.month}-{moment.day}\n{moment:%H:%M}"


def casualties(p) -> str:
    parts = [f"{getattr(p, k)}人{label}" for k, label in
             (("deaths", "死亡"), ("injured", "受伤"), ("missing", "失联"), ("trapped", "被困")) if getattr(p, k)]
    return "造成" + "、".join(parts) if parts else "暂无人员伤亡"


def _sentence(text: str) -> str:
    text = (text or "").strip()
    return text if not text or text[-1] in "。！？；" else text + "。"


def _numbered(rows, start: int = 1) -> list:
    return [b.h3(f"{n}.", "", text) for n, text in enumerate(rows, start)]


def captioned_table(caption: str, header, rows, widths, size: float = 11, align=None) -> list:
    """A ruled table whose caption (黑体 4号, centred) is its first row: the caption and the
    header row repeat on every page the table runs to, and the table may start right after
    the text before it instead of leaving the rest of the page blank."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.platypus import Table, TableStyle

    inner = b.table(header, rows, widths=widths, size=size, align=align)
    cap = b.cell(caption, b.HEI, b.SIZE4, TA_CENTER)
    data = [[cap] + [""] * (len(header) - 1)] + inner._cellvalues
    tbl = Table(data, colWidths=inner._colWidths, repeatRows=2, hAlign="CENTER")
    tbl.setStyle(TableStyle([
        ("SPAN", (0, 0), (-1, 0)),
        ("FONTNAME", (0, 0), (-1, -1), b.SONG),          # the spanned-over cells: no Helvetica
        ("GRID", (0, 1), (-1, -1), 0.6, b.BLACK),
        ("BOX", (0, 1), (-1, -1), 1.0, b.BLACK),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, 0), 8),
        ("BACKGROUND", (0, 1), (-1, 1), colors.Color(0.93, 0.93, 0.93)),
    ]))
    return [tbl, b.Blank(0.5)]


# ---------------------------------------------------------------- sections

def _basic(d: BriefData) -> list:
    out = [b.h1("一、基本情况")]
    e, ref = d.event, d.as_of
    if e is not None:
        occurred = datetime.strptime(e["occurred_at"], "%Y-%m-%d %H:%M") if e.get("occurred_at") else None
        received = datetime.strptime(e["received_at"], "%Y-%m-%d %H:%M")
        place = f"{e['town']}{e['village']}{e['place']}"
        kind = e["subtype"] or e["category"]
        text = (f"{when(occurred or received, ref)}，{place}发生{d.subject.removeprefix(e['town'] + e['village'])}"
                f"（{e['category']}·{kind}，{e['grade_name']}）。{_sentence(e['cause'])}")
        if e.get("scope"):
            text += f"影响范围：{_sentence(e['scope'])}"
        text += (f"{when(received, ref)}，{d.county}应急指挥中心接{e['caller_unit'] or e['caller_name']}"
                 f"{e['source_kind'] or ''}报告。")
        out.append(b.body(text))
        if e.get("trend"):
            out.append(b.body(f"发展趋势：{_sentence(e['trend'])}"))
    elif d.warning:
        out.append(b.body(f"{d.county}发布{d.warning}，{d.body_short or '指挥部'}据此提前启动应急响应。"))
    f = d.figures
    forces = d.forces
    teams_out = forces["队伍"]["已派出"] + forces["队伍"]["在场"]
    summary = f"截至{b.cn_datetime(ref)}，"
    if f is not None:
        summary += f"{casualties(f)}，累计转移群众{f.evacuated}人；"
    if d.live:
        summary += (f"现有队伍{teams_out}支{forces['队伍']['人数']}人、装备"
                    f"{forces['装备']['已派出'] + forces['装备']['在场']}台套投入处置，")
    else:
        summary += (f"累计派出队伍{teams_out + forces['队伍']['已返回']}支、装备"
                    f"{forces['装备']['已派出'] + forces['装备']['在场'] + forces['装备']['已返回']}台套，")
    summary += (f"调拨物资{len(d.supplies)}类；下达指令{d.order_counts.orders}条，已反馈完成"
                f"{d.order_counts.done}个接收方次（共{d.order_counts.recipients}个）。")
    out.append(b.body(summary))
    return out


def _response(d: BriefData) -> list:
    ref = d.as_of
    out = [b.h1("二、响应启动与调整")]
    for n, step in enumerate(d.levels, 1):
        who = f"{step.decider}（{step.decider_post}）" if step.decider_post else step.decider
        if step.kind == "启动":
            text = (f"{when(step.at, ref)}，{who}决定启动《{d.plan}》{step.text.removeprefix('启动')}。"
                    f"响应事项：{_sentence(step.reason)}措施：{_sentence(step.measures)}")
        elif step.kind == "解除":
            text = f"{when(step.at, ref)}，{who}宣布{step.text}。理由：{_sentence(step.reason)}"
        else:
            text = (f"{when(step.at, ref)}，{who}决定将应急响应{step.text}。理由：{_sentence(step.reason)}"
                    + (f"措施：{_sentence(step.measures)}" if step.measures else ""))
        out.append(b.h2(f"（{b.cn_number(n)}）", f"{step.kind}。" if step.kind != "启动" else "启动响应。", text))
    if d.live:
        state = f"目前响应级别为{d.roman}，已持续{d.duration}"
        if d.expected_until:
            state += f"，预计期限至{when(d.expected_until, ref)}"
        out.append(b.body(state + "。"))
    elif d.ended_at:
        out.append(b.body(f"应急响应已于{when(d.ended_at, ref)}解除，历时{d.duration}。"))
    if d.groups:
        names = "、".join(g["name"] for g in d.groups)
        out.append(b.body(f"按照预案成立{names}等{len(d.groups)}个工作组，分别由"
                          f"{'、'.join(dict.fromkeys(g['lead_org'] for g in d.groups if g['lead_org']))}牵头。"))
    if d.reports or d.releases:
        parts = []
        if d.reports:
            to = "、".join(dict.fromkeys(r["to"] for r in d.reports if r["to"]))
            parts.append(f"已向{to or '上级'}报送{'、'.join(r['name'] for r in d.reports)}")
        if d.releases:
            parts.append(f"经{d.spokesperson or '新闻发言人'}统一口径，对外发布通稿{len(d.releases)}篇（"
                         + "；".join(f"《{x['title']}》，{when(x['published_at'], ref)}，{'、'.join(x['channels'])}"
                                    for x in d.releases) + "）")
        out.append(b.body("；".join(parts) + "。"))
    rows = [(short_when(e.at, ref), e.kind, e.text) for e in d.timeline if e.kind in CHRONOLOGY]
    if rows:
        out += captioned_table("表1　处置大事记", ("时间", "事项", "内容"), rows, widths=(0.15, 0.15, 0.70),
                             size=11, align="cll")
    return out


def _casualties(d: BriefData) -> list:
    ref = d.as_of
    out = [b.h1("三、伤亡与转移安置")]
    if d.figures is None:
        out.append(b.body("暂无伤亡和转移安置统计。"))
        return out
    f, first = d.figures, d.trend[0]
    text = f"据{when(f.at, ref)}统计，{casualties(f)}，累计转移群众{f.evacuated}人"
    if len(d.trend) > 1 and f.evacuated != first.evacuated:
        text += f"（{when(first.at, ref)}为{first.evacuated}人）"
    out.append(b.body(text + "。"))
    if len(d.trend) > 1:
        out += b.chart(charts.trend_chart(d.trend, b.TYPE_W), "图1　伤亡和转移人数变化")
    if d.shelters:
        total = sum(s.occupancy for s in d.shelters)
        out.append(b.body(f"目前{len(d.shelters)}个避难场所安置群众{total}人："
                          + "；".join(f"{s.name}{s.occupancy}人（容量{s.capacity}人）" for s in d.shelters) + "。"))
    rows = [(short_when(p.at, ref), p.deaths, p.injured, p.missing, p.trapped, p.evacuated) for p in d.trend]
    out += captioned_table("表2　伤亡和转移人数统计", ("统计时间", "死亡", "受伤", "失联", "被困", "累计转移"),
                         rows, widths=(0.22, 0.13, 0.13, 0.13, 0.13, 0.26), size=11, align="crrrrr")
    return out


def _forces(d: BriefData) -> list:
    ref = d.as_of
    out = [b.h1("四、力量投入")]
    t, q = d.forces["队伍"], d.forces["装备"]
    out.append(b.body(f"累计派出队伍{t['已派出'] + t['在场'] + t['已返回']}支，其中在场{t['在场']}支、途中{t['已派出']}支、"
                      f"已返回{t['已返回']}支，现有{t['人数']}人投入处置；派出装备{q['已派出'] + q['在场'] + q['已返回']}"
                      f"台套，在场{q['在场']}台套。"))
    if d.hq:
        hq = d.hq
        text = f"前方指挥部设在{hq['town']}{hq['place']}"
        if hq["established_at"]:
            text += f"，{when(datetime.strptime(hq['established_at'], '%Y-%m-%d %H:%M'), ref)}开设"
        c = hq["commander"]
        if c:
            text += (f"；现场指挥官{c['name']}（{c['org']}{c['post']}"
                     + ("，首个到场单位负责人代行" if c["acting"] else "") + "）")
        if hq["deputies"]:
            text += "，副指挥" + "、".join(f"{x['name']}（{x['org']}）" for x in hq["deputies"])
        if hq["groups_present"]:
            text += f"；{'、'.join(hq['groups_present'])}在前方指挥部集中办公"
        out.append(b.body(text + "。"))
    if d.by_town:
        out += b.chart(charts.towns_chart(charts.top_towns(d.by_town), b.TYPE_W), "图2　各镇（街道）力量投入")
    rows = [(x.kind, x.name, x.amount, x.destination, short_when(x.dispatched_at, ref),
             short_when(x.arrived_at, x.dispatched_at if ref.date() != x.dispatched_at.date() else ref)
             if x.arrived_at else "—", x.status) for x in d.deployed]
    if rows:
        out += captioned_table("表3　队伍和装备投入", ("类别", "名称", "数量", "派往", "派出", "到达", "状态"), rows,
                             widths=(0.08, 0.27, 0.09, 0.22, 0.11, 0.11, 0.12), size=10.5, align="clrlccc")
    return out


def _supplies(d: BriefData) -> list:
    out = [b.h1("五、物资调拨")]
    if d.supplies:
        lines = sum(s.lines for s in d.supplies)
        out.append(b.body(f"从应急物资储备库（点）调拨物资{len(d.supplies)}类{lines}批次："
                          + "、".join(f"{s.item}{s.quantity}{s.unit}" for s in d.supplies) + "。"))
        rows = [(s.item, s.spec, f"{s.quantity}{s.unit}", s.lines, "、".join(s.destinations)) for s in d.supplies]
        out += captioned_table("表4　物资调拨", ("物资", "规格", "数量", "批次", "去向"), rows,
                             widths=(0.18, 0.22, 0.14, 0.08, 0.38), size=11, align="llrcl")
    else:
        out.append(b.body("本次响应尚未调拨储备物资。"))
    if d.stock:
        below = [s for s in d.stock if s.below]
        text = f"全市{len(d.stock)}个储备库（点）中，"
        text += ("、".join(f"{s.label}{s.below}项" for s in below) + "物资低于最低储备，需及时补充"
                 if below else "各项物资均达到最低储备")
        out.append(b.body(text + "。"))
        out += b.chart(charts.stock_chart(d.stock, b.TYPE_W), "图3　储备库（点）库存对照最低储备")
    return out


def _recipients_text(o, ref: datetime) -> str:
    parts = []
    for r in o.recipients:
        if r.done_at:
            state = f"{short_when(r.done_at, ref)}完成" + ("（超时）" if r.late else "")
        elif r.overdue:
            state = "逾期未完成"
        elif r.acknowledged_at:
            state = f"{short_when(r.acknowledged_at, ref)}签收"
        else:
            state = "未签收"
        parts.append(f"{r.recipient}：{state}")
    return "\n".join(parts)


def _orders(d: BriefData) -> list:
    ref = d.as_of
    c = d.order_counts
    out = [b.h1("六、指令落实")]
    n = 0
    if d.meetings:
        n += 1
        out.append(b.h2(f"（{b.cn_number(n)}）", "会商部署。", f"共召开会商{len(d.meetings)}次，研判形势、部署工作。"))
        shown = d.meetings[-8:]
        for k, m in enumerate(shown, len(d.meetings) - len(shown) + 1):
            text = (f"{m.chair or '指挥部'}于{when(m.held_at, ref)}主持会商{'（' + m.place + '）' if m.place else ''}，"
                    f"议定：{_sentence(m.decisions)}")
            if m.order_count:
                text += f"下达指令{m.order_count}条。"
            out.append(b.h3(f"{k}.", "", text))
        if len(d.meetings) > len(shown):
            out.append(b.body(f"此前{len(d.meetings) - len(shown)}次会商情况详见会商纪要。"))
    if not d.orders:
        out.append(b.body("本次响应尚未下达指令。"))
        return out
    n += 1
    out.append(b.h2(f"（{b.cn_number(n)}）", "指令落实。", f"共下达指令{c.orders}条、{c.recipients}个接收方次：已签收{c.acknowledged}个，已反馈完成{c.done}个，"
                      f"逾期未完成{c.overdue}个，尚未签收{c.unacknowledged}个。"))
    rows = [(n, short_when(o.issued_at, ref), o.content, _recipients_text(o, ref),
             short_when(o.due_at, ref) if o.due_at else "—", o.state)
            for n, o in enumerate(d.orders, 1)]
    out += captioned_table("表5　指令落实情况", ("序号", "下达", "指令内容", "接收方及落实", "时限", "状态"), rows,
                         widths=(0.07, 0.11, 0.35, 0.28, 0.10, 0.09), size=10.5, align="ccllcc")
    return out


def _next(d: BriefData) -> list:
    ref = d.as_of
    out = [b.h1("七、下一步工作")]

    def item(s) -> str:
        tail = []
        if s.owner:
            tail.append(s.owner)
        if s.due:
            tail.append(f"时限{when(s.due, ref)}" + ("，已超时" if s.overdue else ""))
        return _sentence(s.text.rstrip("。") + (f"（{'，'.join(tail)}）" if tail else ""))

    n = 0
    if d.next_checklist:
        n += 1
        out.append(b.h2(f"（{b.cn_number(n)}）", "抓紧完成处置清单事项。"))
        out += _numbered([item(s) for s in d.next_checklist])
    if d.next_orders:
        n += 1
        out.append(b.h2(f"（{b.cn_number(n)}）", "督促指令落实到位。"))
        out += _numbered([item(s) for s in d.next_orders])
    if d.next_deadlines and d.live:
        n += 1
        out.append(b.h2(f"（{b.cn_number(n)}）", "按时限做好报告、救助和力量到位。"))
        out += _numbered([item(s) for s in d.next_deadlines])
    if not n:
        out.append(b.body("各项处置事项和指令均已完成。"))
    if d.live:
        out.append(b.body(f"{d.body_short or '指挥部'}将继续密切关注雨情、水情和灾情发展，"
                          "加强会商研判，及时调整响应措施，做好信息报送和发布工作。"
                          if "防汛" in d.plan else
                          f"{d.body_short or '指挥部'}将继续密切关注事态发展，加强会商研判，"
                          "及时调整响应措施，做好信息报送和发布工作。"))
    return out


# ---------------------------------------------------------------- the document

def story(d: BriefData) -> list:
    out = [b.subtitle(f"（截至{b.cn_datetime(d.as_of)}）"), b.Blank(0.5)]
    for part in (_basic, _response, _casualties, _forces, _supplies, _orders, _next):
        out += part(d)
    from reportlab.platypus import KeepTogether

    # 落款 stays on the page of the last paragraph
    out[-1:] = [KeepTogether(out[-1:] + b.signature(f"{d.body}办公室" if d.body else f"{d.county}应急管理局",
                                                    d.as_of))]
    return out


def spec_for(d: BriefData, serial: int | None):
    from .page import DocSpec

    level = {"市": "市", "县": "县", "区": "区"}.get(d.county[-1:], "市") if d.county else "市"
    issue = serial if serial is not None else (d.as_of.date() - d.started_at.date()).days + 1
    signer = d.levels[-1].decider if d.levels else None
    return DocSpec(
        bulletin=BULLETIN, title=d.title,
        unit=f"{d.body}办公室" if d.body else f"{d.county}应急管理局", issued=d.as_of.date(),
        issue_no=f"第{max(issue, 1)}期", urgency="特急" if d.live and d.level <= 2 else ("加急" if d.live else None),
        drill=d.is_drill,
        report_to=(f"{level}委、{level}政府领导",),
        send_to=tuple(dict.fromkeys(r["to"] for r in d.reports if r["to"])),
        copy_to=tuple(x for x in (f"{d.body_short}各成员单位" if d.body_short else "", "各镇（街道）") if x),
        signer=signer, drafter=d.recorded_by or None, author=d.body or d.county,
        keywords=("情况专报", "会议情况汇报", d.plan_short))


def build(db, item_key: str, out: Path, *, serial: int | None = None, clock: Clock = SYSTEM_CLOCK,
          progress=None) -> Built:
    from .page import build_pdf

    d = gather(db, response_id_of(item_key), clock.now())
    spec = spec_for(d, serial)
    pages = build_pdf(Path(out), spec, story(d), progress=progress)
    return Built(Path(out), pages, spec.title)
