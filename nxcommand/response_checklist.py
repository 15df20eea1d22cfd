"""A response's checklist (处置清单, copied from the plan level by level) and its timed relief
targets (DOMAIN.md §6, the editable ``relief_targets`` table): due times, done/met records,
and what they give the board's timeline and clocks. ``response`` re-exports the public part."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlite_utils import Database

from . import incidents, session
from .clock import SYSTEM_CLOCK, Clock, parse_minute
from .clock import fmt_minute as fmt
from .errors import NotFound, ValidationError
from .store import writing
from .text import clean
from .timeline import Deadline, Entry

FUTURE_TOLERANCE = timedelta(minutes=5)


def add_level_items(db: Database, response_id: int, plan_id: int, levels: Iterable[int], start: datetime,
                    groups: dict[str, int], now: str) -> int:
    """Copy the plan's actions of ``levels`` into the response (inside the caller's
    transaction); a level already copied is skipped. Returns the number of items added."""
    added = 0
    for level in levels:
        if db.execute("SELECT 1 FROM response_checklist WHERE response_id = ? AND level = ?",
                      [response_id, level]).fetchone():
            continue
        for a in db.query(
                "SELECT a.seq, a.action, a.due_minutes, a.owner_org_id, g.name AS group_name "
                "FROM plan_level_actions a JOIN plan_levels l ON l.id = a.plan_level_id "
                "LEFT JOIN plan_groups g ON g.id = a.owner_group_id "
                "WHERE l.plan_id = ? AND l.level = ? ORDER BY a.seq", [plan_id, level]):
            due = fmt(start + timedelta(minutes=a["due_minutes"])) if a["due_minutes"] else None
            db.execute("INSERT INTO response_checklist (response_id, level, seq, action, owner_group_id, owner_org_id, "
                       "due_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       [response_id, level, a["seq"], a["action"], groups.get(a["group_name"]),
                        a["owner_org_id"], due, now, now])
            added += 1
    return added


_ITEMS = """
    SELECT c.*, r.roman, coalesce(g.name, o.short_name, o.name, '') AS owner
    FROM response_checklist c JOIN response_levels r ON r.id = c.level
    LEFT JOIN response_groups g ON g.id = c.owner_group_id
    LEFT JOIN organizations o ON o.id = c.owner_org_id
"""


def checklist(db: Database, response_id: int) -> list[dict]:
    """Every item, by level (Ⅳ first, the order they were added) and sequence."""
    return list(db.query(_ITEMS + " WHERE c.response_id = ? ORDER BY c.level DESC, c.seq", [response_id]))


def open_checklist(db: Database, response_id: int) -> list[dict]:
    return [c for c in checklist(db, response_id) if c["done_at"] is None]


def mark_item_done(db: Database, item_id: int, done_at: str | datetime, done_by: str, note: str = "",
                   clock: Clock = SYSTEM_CLOCK) -> None:
    """Record a checklist item done: when, by whom (the unit or person who reported it)."""
    session.require(db, "跟踪落实")
    item = next(db.query(_ITEMS + " WHERE c.id = ?", [item_id]), None)
    if item is None:
        raise NotFound("该处置事项不存在")
    if item["done_at"]:
        raise ValidationError(f"该事项已于{item['done_at']}完成")
    response = db.execute("SELECT started_at, event_id, is_drill FROM responses WHERE id = ?",
                          [item["response_id"]]).fetchone()
    moment = parse_minute(done_at, "完成时间")
    if moment > clock.now() + FUTURE_TOLERANCE:
        raise ValidationError("完成时间不能晚于当前时间", "完成时间")
    if fmt(moment) < response[0]:
        raise ValidationError(f"完成时间不能早于响应启动时间（{response[0]}）", "完成时间")
    by = clean(done_by, "完成人", 60, required=True)
    note = clean(note, "完成情况", 1000, multiline=True)
    with writing(db):
        db.execute("UPDATE response_checklist SET done_at = ?, done_by = ?, note = ?, updated_at = ?, "
                   "version = version + 1 WHERE id = ?", [fmt(moment), by, note, clock.stamp(), item_id])
        drill = "【演练】" if response[2] else ""
        incidents.trace(db, clock, "处置", f"{drill}处置清单完成：{item['action']}（{item['owner'] or '—'}）"
                        + (f"。{note}" if note else ""), by, fmt(moment), response[1])


def checklist_entries(db: Database, response_id: int) -> list[Entry]:
    found = [Entry(parse_minute(c["done_at"], "完成时间"), "清单完成", f"{c['action']}（{c['owner'] or '—'}）",
                   ("checklist", c["id"]), c["done_by"])
             for c in checklist(db, response_id) if c["done_at"]]
    for t in targets(db, response_id):
        if t["met_at"]:
            found.append(Entry(parse_minute(t["met_at"], "完成时间"), "救助目标",
                               f"{t['name']}：已达成" + (f"（{t['note']}）" if t["note"] else ""),
                               ("target", t["id"]), t["met_by"]))
    return found


def checklist_deadlines(db: Database, response_id: int) -> list[Deadline]:
    return [Deadline(f"{c['roman']}清单：{c['action']}（{c['owner'] or '—'}）", parse_minute(c["due_at"], "时限"),
                     parse_minute(c["done_at"], "完成时间") if c["done_at"] else None, "清单", ("checklist", c["id"]))
            for c in checklist(db, response_id) if c["due_at"]]


# ------------------------------------------------------------------ relief targets

def targets(db: Database, response_id: int) -> list[dict]:
    """The active relief targets that apply to the response's event (every target without
    category and subtype, its category's, its subtype's), with due time and met record."""
    row = db.execute("SELECT r.started_at, e.category_id, e.subtype_id FROM responses r "
                     "LEFT JOIN events e ON e.id = r.event_id WHERE r.id = ?", [response_id]).fetchone()
    if row is None:
        raise NotFound("该应急响应不存在")
    started, category, subtype = row
    rows = list(db.query(
        "SELECT t.id, t.name, t.minutes, t.source, m.met_at, coalesce(m.met_by, '') AS met_by, "
        "coalesce(m.note, '') AS note FROM relief_targets t "
        "LEFT JOIN response_targets m ON m.target_id = t.id AND m.response_id = ? "
        "WHERE t.active = 1 AND (t.category_id IS NULL OR t.category_id IS ?) "
        "AND (t.subtype_id IS NULL OR t.subtype_id IS ?) ORDER BY t.minutes, t.sort_order, t.id",
        [response_id, category, subtype]))
    start = parse_minute(started, "启动时间")
    for t in rows:
        t["due_at"] = fmt(start + timedelta(minutes=t["minutes"]))
    return rows


def mark_target_met(db: Database, response_id: int, target_id: int, met_at: str | datetime, met_by: str,
                    note: str = "", clock: Clock = SYSTEM_CLOCK) -> None:
    session.require(db, "跟踪落实")
    target = next((t for t in targets(db, response_id) if t["id"] == target_id), None)
    if target is None:
        raise ValidationError("该救助时限目标不适用于本响应", "目标")
    if target["met_at"]:
        raise ValidationError(f"该目标已于{target['met_at']}记录达成")
    response = db.execute("SELECT started_at, event_id, is_drill FROM responses WHERE id = ?",
                          [response_id]).fetchone()
    moment = parse_minute(met_at, "达成时间")
    if moment > clock.now() + FUTURE_TOLERANCE:
        raise ValidationError("达成时间不能晚于当前时间", "达成时间")
    if fmt(moment) < response[0]:
        raise ValidationError("达成时间不能早于响应启动时间", "达成时间")
    by = clean(met_by, "记录人", 32, required=True)
    note = clean(note, "说明", 500)
    late = "（超时）" if fmt(moment) > target["due_at"] else ""
    with writing(db):
        db.execute("INSERT INTO response_targets (response_id, target_id, met_at, met_by, note, created_at) "
                   "VALUES (?, ?, ?, ?, ?, ?)", [response_id, target_id, fmt(moment), by, note, clock.stamp()])
        drill = "【演练】" if response[2] else ""
        incidents.trace(db, clock, "处置", f"{drill}救助时限目标达成{late}：{target['name']}"
                        + (f"。{note}" if note else ""), by, fmt(moment), response[1])
