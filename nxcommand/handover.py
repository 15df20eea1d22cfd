"""Shift handover (交接班): every open item listed, remarks, explicit acceptance, then frozen.

The outgoing officer creates the handover: the console lists every open event, every
report still due (with its deadline), every unfinished leader's instruction, every open
reminder and equipment/communications note. The outgoing officer adds remarks; the incoming
officer accepts explicitly. The database refuses any change to an accepted record.
"""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from . import deadlines, incidents, roster, session
from .clock import SYSTEM_CLOCK, Clock
from .errors import NotFound, ValidationError
from .incidents import _insert, _text, fmt
from .store import writing

SECTIONS = ("在办事件", "待报信息", "领导批示", "备忘事项", "设备通信")


def open_items(db: Database, now: datetime) -> list[dict]:
    """Every open item, in handover order: (section, text, due_at, ref_table, ref_id)."""
    items = []
    for event in incidents.open_events(db):
        drill = "【演练】" if event["is_drill"] else ""
        items.append({"section": "在办事件", "text": f"{drill}{event['title']}（{event['received_at']}接报）",
                      "due_at": None, "ref_table": "events", "ref_id": event["id"]})
    for due in deadlines.pending(db, now):
        late = "，已超时" if now > due.due_at else ""
        items.append({"section": "待报信息", "text": f"{due.event_title}：{due.name}{late}",
                      "due_at": fmt(due.due_at), "ref_table": "events", "ref_id": due.event_id})
    for ins in incidents.open_instructions(db):
        about = f"（{ins['event_title']}）" if ins["event_title"] else ""
        progress = f"；进展：{ins['last_note']}" if ins["last_note"] else ""
        items.append({"section": "领导批示",
                      "text": f"{ins['leader']}{ins['given_at']}批示{about}：{ins['content']}【{ins['status']}{progress}】",
                      "due_at": None, "ref_table": "instructions", "ref_id": ins["id"]})
    for rem in incidents.open_reminders(db):
        section = "备忘事项" if rem["kind"] == "备忘" else "设备通信"
        items.append({"section": section, "text": rem["text"], "due_at": rem["due_at"],
                      "ref_table": "reminders", "ref_id": rem["id"]})
    return sorted(items, key=lambda item: SECTIONS.index(item["section"]))  # stable within a section


def expected_incoming(db: Database, outgoing: str, now: datetime) -> str | None:
    """The officer the roster says takes over from ``outgoing``: on the next shift, or on the
    shift running now when ``outgoing`` is not on it (a handover just after the change)."""
    current = roster.current_shift(db, now)
    if current is None:
        return None
    on_current = any(p.name == outgoing for p in current.officers)
    target = roster.current_shift(db, current.ends_at) if on_current else current
    names = [p.name for p in (target.officers if target else ()) if p.name != outgoing]
    return names[0] if names else None


def create(db: Database, outgoing: str, incoming: str, remarks: str = "",
           clock: Clock = SYSTEM_CLOCK) -> int:
    session.require(db, "交接班")
    outgoing = _text(outgoing, "交班人", 32, required=True)
    incoming = _text(incoming, "接班人", 32, required=True)
    if outgoing == incoming:
        raise ValidationError("交班人和接班人不能是同一人", "接班人")
    if db.execute("SELECT 1 FROM handovers WHERE accepted_at IS NULL").fetchone():
        raise ValidationError("还有一份交接班记录尚未接收，请先完成它")
    items = open_items(db, clock.now())
    with writing(db):
        handover_id = _insert(db, "handovers", {
            "created_at": clock.stamp(), "outgoing": outgoing, "incoming": incoming,
            "remarks": _text(remarks, "交班说明", incidents.LONG_TEXT)})
        for order, item in enumerate(items, 1):
            _insert(db, "handover_items", {**item, "handover_id": handover_id, "sort_order": order})
    return handover_id


def set_remarks(db: Database, handover_id: int, remarks: str) -> None:
    session.require(db, "交接班")
    remarks = _text(remarks, "交班说明", incidents.LONG_TEXT)
    record = get(db, handover_id)
    if record["accepted_at"]:
        raise ValidationError("交接班记录已接收，不能修改")
    with writing(db):
        db.execute("UPDATE handovers SET remarks = ? WHERE id = ?", [remarks, handover_id])


def accept(db: Database, handover_id: int, incoming: str, clock: Clock = SYSTEM_CLOCK) -> None:
    """The incoming officer accepts; from here on the record is frozen. The duty log notes it."""
    session.require(db, "交接班")
    record = get(db, handover_id)
    if record["accepted_at"]:
        raise ValidationError("该交接班记录已经接收")
    if _text(incoming, "接班人", 32, required=True) != record["incoming"]:
        raise ValidationError(f"只能由接班人“{record['incoming']}”确认接收", "接班人")
    with writing(db):
        db.execute("UPDATE handovers SET accepted_at = ? WHERE id = ?", [clock.stamp(), handover_id])
        incidents.trace(db, clock, "交接班",
                        f"{record['outgoing']}与{record['incoming']}完成交接班，移交未结事项{len(record['items'])}项",
                        record["incoming"], actions=record["remarks"][:2000])


def get(db: Database, handover_id: int) -> dict:
    record = next(db.query("SELECT * FROM handovers WHERE id = ?", [handover_id]), None)
    if record is None:
        raise NotFound("交接班记录不存在")
    record["items"] = list(db.query(
        "SELECT * FROM handover_items WHERE handover_id = ? ORDER BY sort_order", [handover_id]))
    return record


def latest(db: Database, accepted_only: bool = False) -> dict | None:
    sql = "SELECT id FROM handovers" + (" WHERE accepted_at IS NOT NULL" if accepted_only else "")
    row = db.execute(sql + " ORDER BY created_at DESC, id DESC LIMIT 1").fetchone()
    return get(db, row[0]) if row else None


def pending(db: Database) -> dict | None:
    row = db.execute("SELECT id FROM handovers WHERE accepted_at IS NULL").fetchone()
    return get(db, row[0]) if row else None
