"""Orders (指令) of the command centre to towns, units and working groups (DOMAIN.md §2,
"统一指挥、即时研判、及时反馈"): issued at, content, due; each recipient acknowledges (签收)
and reports back (反馈, done) on its own, so an order to three towns is followed town by town.

An order needs at least one recipient and a live response. Completing an order that was
never acknowledged records the acknowledgement at the same time (the report back proves
receipt). Every step leaves a 交办 entry in the duty log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlite_utils import Database

from . import incidents, session
from .clock import SYSTEM_CLOCK, Clock, parse_minute
from .clock import fmt_minute as fmt
from .errors import NotFound, ValidationError
from .store import writing
from .text import clean
from .timeline import Deadline, Entry

KINDS = ("镇街", "单位", "工作组")
COLUMN = {"镇街": "town_id", "单位": "org_id", "工作组": "group_id"}
FUTURE_TOLERANCE = timedelta(minutes=5)
CONTENT_MAX = 1000


@dataclass
class OrderInput:
    response_id: int
    content: str
    recipients: list[tuple[str, int]]         # ("镇街", town id) / ("单位", org id) / ("工作组", group id)
    issued_at: str | datetime
    recorded_by: str
    due_at: str | datetime | None = None
    issued_by: int | None = None              # the leader who gave it (person id)
    meeting_id: int | None = None
    recipients_text: list[str] = field(default_factory=list, repr=False)   # filled by prepare


def _moment(value, label: str, clock: Clock) -> datetime:
    moment = parse_minute(value, label)
    if moment > clock.now() + FUTURE_TOLERANCE:
        raise ValidationError(f"{label}不能晚于当前时间", label)
    return moment


def recipient_name(db: Database, kind: str, rid: int, response_id: int) -> str:
    if kind == "镇街":
        row = db.execute("SELECT name FROM admin_units WHERE id = ? AND level = 'town'", [rid]).fetchone()
    elif kind == "单位":
        row = db.execute("SELECT coalesce(short_name, name) FROM organizations WHERE id = ?", [rid]).fetchone()
    elif kind == "工作组":
        row = db.execute("SELECT name FROM response_groups WHERE id = ? AND response_id = ?",
                         [rid, response_id]).fetchone()
    else:
        raise ValidationError("接收方类型须为：" + "、".join(KINDS), "接收单位")
    if row is None:
        raise ValidationError(f"所选接收{kind}不存在", "接收单位")
    return row[0]


def prepare(db: Database, data: OrderInput, clock: Clock = SYSTEM_CLOCK) -> dict:
    """The order as it will be written, or ValidationError (nothing written)."""
    response = db.execute("SELECT status, started_at, event_id, is_drill FROM responses WHERE id = ?",
                          [data.response_id]).fetchone()
    if response is None:
        raise NotFound("该应急响应不存在")
    if response[0] != "响应中":
        raise ValidationError("该响应已解除，不能再下达指令")
    content = clean(data.content, "指令内容", CONTENT_MAX, required=True, multiline=True)
    if not data.recipients:
        raise ValidationError("请至少选择一个接收方（镇街、单位或工作组），指令不能没有接收方", "接收单位")
    recipients = list(dict.fromkeys(data.recipients))
    names = [recipient_name(db, kind, rid, data.response_id) for kind, rid in recipients]
    issued = _moment(data.issued_at, "下达时间", clock)
    if fmt(issued) < response[1]:
        raise ValidationError(f"下达时间不能早于响应启动时间（{response[1]}）", "下达时间")
    due = None
    if data.due_at not in (None, ""):
        due = parse_minute(data.due_at, "完成时限")
        if due <= issued:
            raise ValidationError("完成时限应晚于下达时间", "完成时限")
    issuer = ""
    if data.issued_by is not None:
        row = db.execute("SELECT name FROM people WHERE id = ?", [data.issued_by]).fetchone()
        if row is None:
            raise ValidationError("所选下达指令的领导不在通讯录中", "下达人")
        issuer = row[0]
    return {"row": {"response_id": data.response_id, "meeting_id": data.meeting_id, "content": content,
                    "issued_at": fmt(issued), "issued_by": data.issued_by, "due_at": fmt(due) if due else None,
                    "recorded_by": clean(data.recorded_by, "记录人", 32, required=True)},
            "recipients": recipients, "names": names, "issuer": issuer,
            "event_id": response[2], "drill": bool(response[3])}


def write(db: Database, prepared: dict, clock: Clock = SYSTEM_CLOCK) -> int:
    """Write a prepared order inside the caller's transaction (see ``meetings``)."""
    row, now = prepared["row"], clock.stamp()
    order_id = db.execute(
        "INSERT INTO orders (response_id, meeting_id, content, issued_at, issued_by, due_at, recorded_by, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [*row.values(), now]).lastrowid
    for kind, rid in prepared["recipients"]:
        db.execute(f"INSERT INTO order_recipients (order_id, {COLUMN[kind]}, updated_at) VALUES (?, ?, ?)",
                   [order_id, rid, now])
    due = f"，限{row['due_at']}前完成" if row["due_at"] else ""
    by = f"{prepared['issuer']}指示：" if prepared["issuer"] else ""
    incidents.trace(db, clock, "交办", f"{'【演练】' if prepared['drill'] else ''}下达指令 → "
                    f"{'、'.join(prepared['names'])}：{by}{row['content']}{due}", row["recorded_by"],
                    row["issued_at"], prepared["event_id"])
    return order_id


def issue_order(db: Database, data: OrderInput, clock: Clock = SYSTEM_CLOCK) -> int:
    session.require(db, "下达指令")
    prepared = prepare(db, data, clock)
    with writing(db):
        return write(db, prepared, clock)


_SQL = """
    SELECT r.id, r.order_id, o.response_id, o.meeting_id, o.content, o.issued_at, o.due_at, o.recorded_by,
           coalesce(p.name, '') AS issued_by, r.acknowledged_at, r.acknowledged_by, r.done_at, r.feedback,
           r.version, CASE WHEN r.town_id IS NOT NULL THEN '镇街' WHEN r.org_id IS NOT NULL THEN '单位'
                           ELSE '工作组' END AS recipient_kind,
           coalesce(t.name, og.short_name, og.name, g.name) AS recipient,
           x.event_id, x.is_drill
    FROM order_recipients r JOIN orders o ON o.id = r.order_id
    JOIN responses x ON x.id = o.response_id
    LEFT JOIN people p ON p.id = o.issued_by
    LEFT JOIN admin_units t ON t.id = r.town_id
    LEFT JOIN organizations og ON og.id = r.org_id
    LEFT JOIN response_groups g ON g.id = r.group_id
"""


def _state(row: dict) -> str:
    return "已完成" if row["done_at"] else "已签收" if row["acknowledged_at"] else "未签收"


def orders_for(db: Database, response_id: int) -> list[dict]:
    """One row per order and recipient, newest order first; ``state`` 未签收/已签收/已完成."""
    rows = list(db.query(_SQL + " WHERE o.response_id = ? ORDER BY o.issued_at DESC, o.id DESC, r.id",
                         [response_id]))
    for row in rows:
        row["state"] = _state(row)
    return rows


def recipient(db: Database, recipient_id: int) -> dict:
    row = next(db.query(_SQL + " WHERE r.id = ?", [recipient_id]), None)
    if row is None:
        raise NotFound("该指令不存在")
    row["state"] = _state(row)
    return row


def recipient_choices(db: Database, response_id: int) -> dict[str, list[tuple[str, int]]]:
    """What an order can go to: the towns, the units, this response's working groups."""
    return {"镇街": [(r[1], r[0]) for r in db.execute(
                "SELECT id, name FROM admin_units WHERE level = 'town' ORDER BY kind = '镇', id")],
            "单位": [(r[1], r[0]) for r in db.execute(
                "SELECT id, coalesce(short_name, name) FROM organizations o WHERE NOT EXISTS "
                "(SELECT 1 FROM admin_units u WHERE u.id = o.admin_unit_id AND u.level = 'village') "
                "ORDER BY sort_order, id")],
            "工作组": [(r[1], r[0]) for r in db.execute(
                "SELECT id, name FROM response_groups WHERE response_id = ? ORDER BY sort_order, id", [response_id])]}


def _trace(db: Database, clock: Clock, row: dict, text: str, by: str, at: str) -> None:
    incidents.trace(db, clock, "交办", f"{'【演练】' if row['is_drill'] else ''}{row['recipient']}{text}",
                    by, at, row["event_id"])


def acknowledge(db: Database, recipient_id: int, at: str | datetime, by: str,
                clock: Clock = SYSTEM_CLOCK) -> None:
    """签收: the recipient confirms it received the order (``by``: who signed for it)."""
    session.require(db, "跟踪落实")
    row = recipient(db, recipient_id)
    if row["acknowledged_at"]:
        raise ValidationError(f"{row['recipient']}已于{row['acknowledged_at']}签收")
    moment = _moment(at, "签收时间", clock)
    if fmt(moment) < row["issued_at"]:
        raise ValidationError("签收时间不能早于下达时间", "签收时间")
    who = clean(by, "签收人", 60, required=True)
    with writing(db):
        db.execute("UPDATE order_recipients SET acknowledged_at = ?, acknowledged_by = ?, updated_at = ?, "
                   "version = version + 1 WHERE id = ?", [fmt(moment), who, clock.stamp(), recipient_id])
        _trace(db, clock, row, f"签收指令（{who}）：{row['content'][:60]}", row["recorded_by"], fmt(moment))


def complete(db: Database, recipient_id: int, at: str | datetime, feedback: str, recorded_by: str,
             acknowledged_by: str = "", clock: Clock = SYSTEM_CLOCK) -> None:
    """反馈完成: when and what was done. Acknowledges too when not yet acknowledged."""
    session.require(db, "跟踪落实")
    row = recipient(db, recipient_id)
    if row["done_at"]:
        raise ValidationError(f"{row['recipient']}已于{row['done_at']}反馈完成")
    moment = _moment(at, "完成时间", clock)
    if fmt(moment) < (row["acknowledged_at"] or row["issued_at"]):
        raise ValidationError("完成时间不能早于签收时间" if row["acknowledged_at"] else "完成时间不能早于下达时间",
                              "完成时间")
    text = clean(feedback, "反馈情况", 2000, required=True, multiline=True)
    by = clean(recorded_by, "记录人", 32, required=True)
    ack_by = clean(acknowledged_by, "签收人", 60) or row["recipient"]
    with writing(db):
        if not row["acknowledged_at"]:
            db.execute("UPDATE order_recipients SET acknowledged_at = ?, acknowledged_by = ? WHERE id = ?",
                       [fmt(moment), ack_by, recipient_id])
        db.execute("UPDATE order_recipients SET done_at = ?, feedback = ?, updated_at = ?, version = version + 1 "
                   "WHERE id = ?", [fmt(moment), text, clock.stamp(), recipient_id])
        late = "（超时）" if row["due_at"] and fmt(moment) > row["due_at"] else ""
        _trace(db, clock, row, f"反馈指令完成{late}：{row['content'][:60]}。反馈：{text}", by, fmt(moment))


def unacknowledged(db: Database, response_id: int) -> list[dict]:
    return [o for o in orders_for(db, response_id) if o["acknowledged_at"] is None]


def timeline_entries(db: Database, response_id: int) -> list[Entry]:
    rows = orders_for(db, response_id)
    found: list[Entry] = []
    seen: dict[int, list[str]] = {}
    for o in rows:
        seen.setdefault(o["order_id"], []).append(o["recipient"])
    for o in rows:
        if o["recipient"] == seen[o["order_id"]][0]:
            by = f"（{o['issued_by']}）" if o["issued_by"] else ""
            found.append(Entry(parse_minute(o["issued_at"], "下达时间"), "指令",
                               f"→ {'、'.join(seen[o['order_id']])}{by}：{o['content']}", ("order", o["order_id"]),
                               o["issued_by"] or o["recorded_by"]))
        if o["acknowledged_at"]:
            found.append(Entry(parse_minute(o["acknowledged_at"], "签收时间"), "签收",
                               f"{o['recipient']}签收：{o['content'][:40]}", ("order_recipient", o["id"]),
                               o["acknowledged_by"]))
        if o["done_at"]:
            found.append(Entry(parse_minute(o["done_at"], "完成时间"), "反馈",
                               f"{o['recipient']}反馈完成：{o['feedback']}", ("order_recipient", o["id"]),
                               o["recipient"]))
    return found


def deadlines(db: Database, response_id: int, now: datetime) -> list[Deadline]:
    return [Deadline(f"指令：{o['content'][:30]} → {o['recipient']}", parse_minute(o["due_at"], "完成时限"),
                     parse_minute(o["done_at"], "完成时间") if o["done_at"] else None, "指令",
                     ("order_recipient", o["id"]))
            for o in orders_for(db, response_id) if o["due_at"]]
