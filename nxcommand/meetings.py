"""会商 meetings of a response (一套工作机制): time, place, chair, participants, the assessment
(研判), the decisions, and the orders they gave — written through ``orders`` in the same
transaction as the meeting, so a meeting and its orders are saved together or not at all.
The minutes (纪要) are printable in step 5 from ``meeting``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlite_utils import Database

from . import incidents, orders, session
from .clock import SYSTEM_CLOCK, Clock, parse_minute
from .clock import fmt_minute as fmt
from .errors import NotFound, ValidationError
from .store import writing
from .text import clean
from .timeline import Entry

FUTURE_TOLERANCE = timedelta(minutes=5)


@dataclass
class OrderDraft:
    """An order the meeting decided; issued at the meeting's time by its chair."""

    content: str
    recipients: list[tuple[str, int]]
    due_at: str | datetime | None = None


@dataclass
class MeetingInput:
    response_id: int
    held_at: str | datetime
    participants: str
    assessment: str
    decisions: str
    recorded_by: str
    place: str = ""
    chaired_by: int | None = None
    orders: list[OrderDraft] = field(default_factory=list)


def hold_meeting(db: Database, data: MeetingInput, clock: Clock = SYSTEM_CLOCK) -> int:
    """Record a meeting with its resulting orders; any bad order refuses the whole meeting."""
    session.require(db, "下达指令")
    response = db.execute("SELECT status, started_at, event_id, is_drill FROM responses WHERE id = ?",
                          [data.response_id]).fetchone()
    if response is None:
        raise NotFound("该应急响应不存在")
    if response[0] != "响应中":
        raise ValidationError("该响应已解除，不能再记录会商")
    held = parse_minute(data.held_at, "会商时间")
    if held > clock.now() + FUTURE_TOLERANCE:
        raise ValidationError("会商时间不能晚于当前时间", "会商时间")
    if fmt(held) < response[1]:
        raise ValidationError(f"会商时间不能早于响应启动时间（{response[1]}）", "会商时间")
    chair = ""
    if data.chaired_by is not None:
        row = db.execute("SELECT name FROM people WHERE id = ?", [data.chaired_by]).fetchone()
        if row is None:
            raise ValidationError("所选主持人不在通讯录中", "主持人")
        chair = row[0]
    row = {"response_id": data.response_id, "held_at": fmt(held), "place": clean(data.place, "地点", 100),
           "chaired_by": data.chaired_by,
           "participants": clean(data.participants, "参会人员", 1000, required=True, multiline=True),
           "assessment": clean(data.assessment, "会商研判", 4000, required=True, multiline=True),
           "decisions": clean(data.decisions, "会商决定", 4000, required=True, multiline=True),
           "recorded_by": clean(data.recorded_by, "记录人", 32, required=True)}
    prepared = []
    for number, draft in enumerate(data.orders, 1):
        try:
            prepared.append(orders.prepare(db, orders.OrderInput(
                data.response_id, draft.content, draft.recipients, held, row["recorded_by"], draft.due_at,
                data.chaired_by), clock))
        except ValidationError as exc:
            raise ValidationError(f"第 {number} 条指令：{exc}", exc.field) from None
    now = clock.stamp()
    with writing(db):
        meeting_id = db.execute(
            "INSERT INTO meetings (response_id, held_at, place, chaired_by, participants, assessment, decisions, "
            "recorded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [*row.values(), now]).lastrowid
        incidents.trace(db, clock, "会商", f"{'【演练】' if response[3] else ''}{chair + '主持' if chair else ''}会商"
                        f"{'（' + row['place'] + '）' if row['place'] else ''}。研判：{row['assessment']}。"
                        f"决定：{row['decisions']}", row["recorded_by"], row["held_at"], response[2],
                        source=row["participants"][:100],
                        actions=f"下达指令{len(prepared)}条" if prepared else "")
        for item in prepared:
            item["row"] = {**item["row"], "meeting_id": meeting_id}
            orders.write(db, item, clock)
    return meeting_id


def meetings(db: Database, response_id: int) -> list[dict]:
    """The response's meetings, newest first, with chair name and order count."""
    return list(db.query(
        "SELECT m.*, coalesce(p.name, '') AS chair, "
        "(SELECT count(*) FROM orders o WHERE o.meeting_id = m.id) AS order_count "
        "FROM meetings m LEFT JOIN people p ON p.id = m.chaired_by WHERE m.response_id = ? "
        "ORDER BY m.held_at DESC, m.id DESC", [response_id]))


def meeting(db: Database, meeting_id: int) -> dict:
    """One meeting with its orders (one row per recipient) — the minutes' content."""
    row = next(db.query("SELECT m.*, coalesce(p.name, '') AS chair FROM meetings m "
                        "LEFT JOIN people p ON p.id = m.chaired_by WHERE m.id = ?", [meeting_id]), None)
    if row is None:
        raise NotFound("该会商记录不存在")
    row["orders"] = [o for o in orders.orders_for(db, row["response_id"]) if o["meeting_id"] == meeting_id]
    return row


def timeline_entries(db: Database, response_id: int) -> list[Entry]:
    return [Entry(parse_minute(m["held_at"], "会商时间"), "会商",
                  f"{m['chair'] + '主持' if m['chair'] else ''}会商：{m['decisions']}"
                  + (f"（下达指令{m['order_count']}条）" if m["order_count"] else ""), ("meeting", m["id"]),
                  m["chair"] or m["recorded_by"])
            for m in meetings(db, response_id)]

