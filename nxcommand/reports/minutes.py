"""会商纪要 for a 会商 meeting of a response (meetings.meeting), in the 纪要 look: red header
会商纪要 and 第X期 (``serial``; by default the meeting's number within its response), the
title, then the opening paragraph (time, place, chair, what was studied), 一、会商研判,
二、议定事项 (numbered （一）（二）… from the recorded 一、二、三、 decisions), 三、工作部署
(the orders the meeting gave: recipients, due time and state, as a table), and the
participants (出席) and recorder (记录) as element lines.

Items are the meetings of real responses, newest first; a drill meeting can be built by id
and is marked 【演练】.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from ..clock import SYSTEM_CLOCK, Clock, parse_minute
from ..errors import ValidationError
from . import blocks as b
from .registry import Built, Item

BULLETIN = "会商纪要"
NUMBERED = re.compile(r"(?:^|[；;。\s])\s*([一二三四五六七八九十]+)、")


def _subject(r: dict) -> str:
    from .brief_data import subject_of

    return subject_of(r, {"title": r["event"]} if r["event"] else None)


def items(db) -> list[Item]:
    from .. import meetings, response

    found = []
    for r in response.list_responses(db):
        subject = _subject(r)
        for m in meetings.meetings(db, r["id"]):
            chair = f"{m['chair']}主持" if m["chair"] else ""
            found.append((m["held_at"], m["id"], Item(str(m["id"]), f"{m['held_at']} {chair}会商（{subject}）")))
    return [item for *_key, item in sorted(found, key=lambda x: (x[0], x[1]), reverse=True)]


def latest(db, now: datetime) -> Item | None:
    found = items(db)
    return found[0] if found else None


def decisions_of(text: str) -> list[str]:
    """一、维持Ⅲ级响应；二、加密监测… → ["维持Ⅲ级响应", "加密监测…"]; unnumbered text is
    split into its sentences (or kept whole)."""
    text = (text or "").strip()
    marks = list(NUMBERED.finditer(text))
    if marks:
        parts = []
        for n, m in enumerate(marks):
            end = marks[n + 1].start() if n + 1 < len(marks) else len(text)
            part = text[m.end():end].strip().strip("；;。 \n")
            if part:
                parts.append(part)
        return parts
    parts = [p.strip() for p in re.split(r"[；;\n]", text) if p.strip()]
    return parts or [text]


def _state(o: dict, now: datetime, ref: datetime) -> str:
    if o["done_at"]:
        late = "（超时）" if o["due_at"] and o["done_at"] > o["due_at"] else ""
        return f"{_short(o['done_at'], ref)}完成{late}"
    if o["due_at"] and now > parse_minute(o["due_at"], "时限"):
        return "逾期未完成"
    return "已签收" if o["acknowledged_at"] else "未签收"


def _short(text: str | None, ref: datetime) -> str:
    """12:40 on the meeting's day, 7月2日 08:00 on another."""
    if not text:
        return "—"
    moment = parse_minute(text, "时间")
    return f"{moment:%H:%M}" if moment.date() == ref.date() else f"{moment.month}月{moment.day}日 {moment:%H:%M}"


def build(db, item_key: str, out: Path, *, serial: int | None = None, clock: Clock = SYSTEM_CLOCK,
          progress=None) -> Built:
    from reportlab.platypus import KeepTogether

    from .. import meetings, org, plans, response
    from .brief import captioned_table
    from .page import DocSpec, build_pdf

    key = str(item_key).strip()
    if not key.isdigit():
        raise ValidationError(f"会商编号应为数字：{key}", "meeting")
    m = meetings.meeting(db, int(key))
    r = response.get_response(db, m["response_id"])
    held = parse_minute(m["held_at"], "会商时间")
    now = clock.now()
    ordinal = [x["id"] for x in reversed(meetings.meetings(db, r["id"]))].index(m["id"]) + 1
    county = org.meta(db, "county_name") or ""
    level = {"县": "县", "区": "区"}.get(county[-1:], "市")
    plan = plans.plan(db, r["plan_id"])
    body = next((x for x in org.command_bodies(db) if x["id"] == plan["body_id"]), None)
    unit = f"{body['name']}办公室" if body else f"{county}应急管理局"
    chair = m["chair"]
    chair_post = ""
    if m["chaired_by"] and body:
        chair_post = next((p["role"] for p in body["posts"] if p["person_id"] == m["chaired_by"]), "")
    if m["chaired_by"] and not chair_post:
        row = db.execute("SELECT post FROM people WHERE id = ?", [m["chaired_by"]]).fetchone()
        chair_post = re.sub(r"（.*?）", "", row[0]) if row and row[0] else ""
    subject = _subject(r)
    place = m["place"] or "指挥中心"
    story = [b.subtitle(f"（{b.cn_datetime(held)}）"), b.Blank(0.5)]
    in_body = body is not None and any(p["person_id"] == m["chaired_by"] for p in body["posts"])
    who = (f"{(body['short_name'] or body['name']) if in_body else ''}{chair_post}{chair}".strip()
           or "指挥部")
    story.append(b.body(
        f"{b.cn_date(held)}{b.cn_time(held)}，{who}在{place}主持召开会商，研究{subject}应急处置工作。"
        f"{r['plan_short']}{r['roman']}应急响应{'正在实施' if r['live'] else '已解除'}。"
        f"{m['participants'].rstrip('。')}参加会商。现将会商议定事项纪要如下："))
    story += [b.h1("一、会商研判"), b.body(m["assessment"].rstrip("。") + "。")]
    story.append(b.h1("二、议定事项"))
    for n, part in enumerate(decisions_of(m["decisions"]), 1):
        story.append(b.h2(f"（{b.cn_number(n)}）", "", part.rstrip("。") + "。"))
    story.append(b.h1("三、工作部署"))
    grouped: dict[int, list[dict]] = {}
    for o in sorted(m["orders"], key=lambda o: (o["order_id"], o["id"])):
        grouped.setdefault(o["order_id"], []).append(o)
    if grouped:
        story.append(b.body(f"会商下达指令{len(grouped)}条，由{who}签发，各接收单位按时限落实并反馈："))
        rows = []
        for n, group in enumerate(grouped.values(), 1):
            first = group[0]
            rows.append((n, first["content"], "、".join(o["recipient"] for o in group), _short(first["due_at"], held),
                         "\n".join(f"{o['recipient']}：{_state(o, now, held)}" for o in group)))
        story += captioned_table("会商下达指令及落实情况", ("序号", "指令内容", "接收单位", "完成时限", "落实情况"),
                                 rows, widths=(0.07, 0.37, 0.17, 0.15, 0.24), size=11, align="cllcl")
    else:
        story.append(b.body("本次会商未下达指令，议定事项由各工作组按职责落实。"))
    story.append(b.Blank(0.5))
    tail = b.elements([("出席", m["participants"].rstrip("。")), ("主持", f"{chair}（{chair_post}）" if chair_post else chair or "—"),
                       ("记录", m["recorded_by"])], indent=0)
    story.append(KeepTogether(tail + b.signature(unit, held)))
    title = f"{subject}应急处置会商纪要"
    spec = DocSpec(
        bulletin=BULLETIN, title=title, unit=unit, issued=held.date(),
        issue_no=f"第{serial if serial is not None else ordinal}期", drill=bool(r["is_drill"]),
        report_to=(f"{level}委、{level}政府领导",),
        send_to=tuple(dict.fromkeys(o["recipient"] for o in m["orders"])),
        copy_to=(f"{body['short_name'] or body['name']}各成员单位",) if body else (),
        signer=chair or None, drafter=m["recorded_by"] or None, author=unit,
        keywords=("会商纪要", r["plan_short"]))
    pages = build_pdf(Path(out), spec, story, progress=progress)
    return Built(Path(out), pages, title)
