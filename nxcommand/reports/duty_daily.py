"""值班日报 for one duty date: shifts and people, the day's log, events and their reports,
the on-time rate of reporting, open items. Item key: YYYY-MM-DD."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

from .. import deadlines, dutylog, handover, incidents, roster
from ..clock import SYSTEM_CLOCK, Clock
from ..errors import NotFound, ValidationError
from ..text import normalize
from . import blocks as b
from .page import DocSpec, build_pdf, county, duty_office
from .registry import Built, Item

WEEK = "一二三四五六日"
EVENT_WORK = ("处置", "交办")


def parse_day(key: str) -> date:
    text = normalize(str(key)).replace("/", "-")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"日期应写作 2026-07-01，收到“{key}”", "日期") from None


def items(db) -> list[Item]:
    days = {r[0] for r in db.execute(
        "SELECT DISTINCT substr(logged_at, 1, 10) FROM log_entries ORDER BY 1 DESC LIMIT 120")}
    days |= {r[0] for r in db.execute(
        # days on the roster up to the last day the desk logged anything (never the future;
        # the console's clock, not SQLite's, decides what "today" is: see latest())
        "SELECT DISTINCT duty_date FROM shifts WHERE duty_date <= "
        "(SELECT max(substr(logged_at, 1, 10)) FROM log_entries) ORDER BY 1 DESC LIMIT 120")}
    out = []
    for key in sorted(days, reverse=True)[:120]:
        d = date.fromisoformat(key)
        out.append(Item(key, f"{b.cn_date(d)}（星期{WEEK[d.weekday()]}）值班日报"))
    return out


def latest(db, now: datetime) -> Item | None:
    d = now.date()
    return Item(d.isoformat(), f"{b.cn_date(d)}值班日报")


def _day_events(db, day: date) -> list[dict]:
    """Events received that day plus those still open at its end (drills apart)."""
    seen, out = set(), []
    for ev in incidents.list_events(db, day.isoformat(), day.isoformat()):
        seen.add(ev["id"])
        out.append(ev)
    end = (day + timedelta(days=1)).isoformat()
    for ev in incidents.list_events(db, "1900-01-01", day.isoformat()):
        full = incidents.get_event(db, ev["id"])
        if ev["id"] not in seen and full["received_at"] < end and (
                full["closed_at"] is None or full["closed_at"] >= day.isoformat()):
            seen.add(ev["id"])
            out.append(ev)
    return out


def build(db, item_key: str, out: Path, *, serial=None, clock: Clock = SYSTEM_CLOCK,
          progress=None) -> Built:
    day = parse_day(item_key)
    now = clock.now()
    if day > now.date():
        raise ValidationError(f"{b.cn_date(day)}尚未到来，不能生成值班日报", "日期")
    shifts = roster.shifts_between(db, day, day)
    log = dutylog.page(db, dutylog.LogQuery(date_from=day, date_to=day), limit=5000)
    if not shifts and not log:
        raise NotFound(f"{b.cn_date(day)}没有排班也没有值班日志，无法生成值班日报")
    log = list(reversed(log))
    events = _day_events(db, day)
    end = min(now, datetime.combine(day + timedelta(days=1), datetime.min.time()))

    story = [b.h1("一、值班情况")]
    if shifts:
        rows = [[s.name, s.times, s.leader.name if s.leader else "（空缺）",
                 "、".join(p.name for p in s.officers) or "（空缺）",
                 "、".join(p.phone for _r, p in s.people() if p.phone)] for s in shifts]
        story.append(b.body(f"当日共{len(shifts)}个班次，实行24小时值班和领导带班制度。"))
        story += b.table_block("表1 当日值班安排", ["班次", "时间", "带班领导", "值班员", "联系电话"],
                               rows, widths=[1.1, 1.8, 1.2, 1.8, 2.6], align="lllll")
    else:
        story.append(b.body("当日未排班。"))
    story.append(b.h1("二、值班日志"))
    kinds = Counter(r["kind"] for r in log)
    summary = "、".join(f"{k}{n}条" for k, n in kinds.most_common())
    story.append(b.body(f"当日共记录值班日志{len(log)}条" + (f"，其中{summary}。" if log else "。")))
    # event work (处置/交办) is told under 三; the table keeps what came to the desk
    shown = [r for r in log if r["kind"] not in EVENT_WORK]
    if shown:
        rows = [[r["logged_at"][11:], r["kind"], _short(b.cn_stamps(r["summary"]), 70), r["recorded_by"]]
                for r in shown]
        story += b.table_block("表2 值班日志摘要（处置、交办类见各事件）", ["时间", "类别", "内容", "记录人"],
                               rows, widths=[0.9, 0.9, 6, 1.1], align="ccll", size=10.5)
    story.append(b.h1("三、突发事件及信息报送"))
    if events:
        for i, ev in enumerate(events, 1):
            reps = [r for r in deadlines.reports(db, ev["id"]) if r["sent_at"][:10] == day.isoformat()]
            sent = "；".join(f"{b.cn_time(r['sent_at'])}{r['name']}" for r in reps) or "当日无报送"
            drill = "【演练】" if ev["is_drill"] else ""
            story.append(b.h2(f"（{b.cn_number(i)}）", f"{drill}{ev['title']}。",
                              f"{b.cn_datetime(ev['received_at'])}接报，{ev['status']}。当日报送：{sent}。"))
    else:
        story.append(b.body("当日无突发事件。"))
    overall, _per = deadlines.timeliness(db, day, day, end)
    story += [b.h1("四、信息报送及时率"),
              b.body(f"当日应报信息{overall.due}项，按时报送{overall.on_time}项，"
                     f"上报及时率{overall.text()}。" if overall.due else "当日无应报信息。")]
    story.append(b.h1("五、待办事项"))
    open_items = handover.open_items(db, end)
    if open_items:
        story.append(b.body(f"截至{b.cn_datetime(end)}，尚有未结事项{len(open_items)}项："))
        story += [b.h3(f"{i}.", f"【{it['section']}】", b.cn_stamps(it["text"]) + (
            f"（时限：{b.cn_datetime(it['due_at'])}）" if it["due_at"] else "") + "。")
            for i, it in enumerate(open_items, 1)]
    else:
        story.append(b.body("无未结事项。"))

    leader = next((s.leader.name for s in shifts if s.leader), None)
    officer = next((s.officers[0].name for s in shifts if s.officers), None)
    title = f"{county(db)}应急管理局值班日报"
    spec = DocSpec(bulletin="值班信息", title=title, subtitle=f"（{b.cn_date(day)}）",
                   unit=duty_office(db), issued=day, issue_no=f"第{day.timetuple().tm_yday}期",
                   report_to=("局领导",), send_to=("局各股室", "各镇（街道）应急办"),
                   signer=leader, drafter=officer, keywords=("值班日报",))
    pages = build_pdf(out, spec, story, progress)
    return Built(path=Path(out), pages=pages, title=f"{b.cn_date(day)}值班日报")


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"
