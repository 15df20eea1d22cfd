"""The working groups of a response (一套工作机制): copied from the plan's template when the
response opens, then edited for this response only — lead unit, member units, leader, contact
phone, duties. A group's tasks are the checklist items it owns and the orders sent to it."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlite_utils import Database

from . import incidents, session
from .clock import SYSTEM_CLOCK, Clock
from .errors import NotFound, ValidationError
from .phones import normalize_phone
from .plan_parts import resolve_units
from .store import writing
from .text import clean


@dataclass
class GroupInput:
    name: str
    lead_org_id: int | None
    leader_id: int | None = None
    contact_phone: str = ""                 # blank: the leader's mobile
    duties: str = ""
    members: list[int] | str = field(default_factory=list)   # unit ids, or names separated by 、


def instantiate(db: Database, response_id: int, plan_id: int, now: str) -> dict[str, int]:
    """Copy the plan's groups and their members (inside the caller's transaction); name -> id."""
    from .plans import groups as plan_groups

    made: dict[str, int] = {}
    for order, g in enumerate(plan_groups(db, plan_id), 1):
        gid = db.execute(
            "INSERT INTO response_groups (response_id, name, lead_org_id, duties, sort_order, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)", [response_id, g["name"], g["lead_org_id"], g["duties"], order, now, now]
        ).lastrowid
        _write_members(db, gid, [m["id"] for m in g["members"]])
        made[g["name"]] = gid
    return made


def _write_members(db: Database, group_id: int, members: list[int]) -> None:
    db.execute("DELETE FROM response_group_members WHERE group_id = ?", [group_id])
    for order, org_id in enumerate(members, 1):
        db.execute("INSERT INTO response_group_members (group_id, org_id, sort_order) VALUES (?, ?, ?)",
                   [group_id, org_id, order])


def groups(db: Database, response_id: int) -> list[dict]:
    rows = list(db.query(
        "SELECT g.*, coalesce(o.short_name, o.name, '') AS lead_org, coalesce(p.name, '') AS leader, "
        "(SELECT count(*) FROM response_checklist c WHERE c.owner_group_id = g.id) AS items, "
        "(SELECT count(*) FROM response_checklist c WHERE c.owner_group_id = g.id AND c.done_at IS NULL) AS open_items, "
        "(SELECT count(*) FROM order_recipients r WHERE r.group_id = g.id) AS orders "
        "FROM response_groups g LEFT JOIN organizations o ON o.id = g.lead_org_id "
        "LEFT JOIN people p ON p.id = g.leader_id WHERE g.response_id = ? ORDER BY g.sort_order, g.id",
        [response_id]))
    for g in rows:
        g["members"] = list(db.query(
            "SELECT o.id, o.name, coalesce(o.short_name, o.name) AS short FROM response_group_members m "
            "JOIN organizations o ON o.id = m.org_id WHERE m.group_id = ? ORDER BY m.sort_order", [g["id"]]))
        g["members_text"] = "、".join(m["short"] for m in g["members"])
    return rows


def group(db: Database, group_id: int) -> dict:
    row = db.execute("SELECT response_id FROM response_groups WHERE id = ?", [group_id]).fetchone()
    if row is None:
        raise NotFound("该工作组不存在")
    return next(g for g in groups(db, row[0]) if g["id"] == group_id)


def tasks(db: Database, group_id: int) -> list[dict]:
    """What the group has to do: its checklist items and the orders sent to it (kind, text,
    due_at, done_at)."""
    found = [{"kind": "清单", "text": c["action"], "due_at": c["due_at"], "done_at": c["done_at"]}
             for c in db.query("SELECT action, due_at, done_at FROM response_checklist WHERE owner_group_id = ? "
                               "ORDER BY level DESC, seq", [group_id])]
    found += [{"kind": "指令", "text": o["content"], "due_at": o["due_at"], "done_at": o["done_at"]}
              for o in db.query("SELECT o.content, o.due_at, r.done_at FROM order_recipients r "
                                "JOIN orders o ON o.id = r.order_id WHERE r.group_id = ? ORDER BY o.issued_at",
                                [group_id])]
    return found


def _validate(db: Database, response_id: int, data: GroupInput, group_id: int | None) -> tuple[dict, list[int]]:
    name = clean(data.name, "工作组名称", 30, required=True)
    if data.lead_org_id is None:
        raise ValidationError("请选择工作组的牵头单位", "牵头单位")
    if not db.execute("SELECT 1 FROM organizations WHERE id = ?", [data.lead_org_id]).fetchone():
        raise ValidationError("所选牵头单位不存在", "牵头单位")
    members = resolve_units(db, data.members) if isinstance(data.members, str) else list(dict.fromkeys(data.members))
    for org_id in members:
        if not db.execute("SELECT 1 FROM organizations WHERE id = ?", [org_id]).fetchone():
            raise ValidationError("所选成员单位不存在", "成员单位")
    members = [m for m in members if m != data.lead_org_id]
    phone = clean(data.contact_phone, "联系电话", 40)
    if data.leader_id is not None:
        leader = db.execute("SELECT mobile, office_phone FROM people WHERE id = ?", [data.leader_id]).fetchone()
        if leader is None:
            raise ValidationError("所选组长不在通讯录中", "组长")
        phone = phone or leader[0] or leader[1] or ""
    if phone:
        phone = normalize_phone(phone, "联系电话") or ""
    if db.execute("SELECT 1 FROM response_groups WHERE response_id = ? AND name = ? AND id IS NOT ?",
                  [response_id, name, group_id]).fetchone():
        raise ValidationError(f"本响应已有“{name}”", "工作组名称")
    return ({"name": name, "lead_org_id": data.lead_org_id, "leader_id": data.leader_id, "contact_phone": phone,
             "duties": clean(data.duties, "职责", 2000, multiline=True)}, members)


def add_group(db: Database, response_id: int, data: GroupInput, recorded_by: str,
              clock: Clock = SYSTEM_CLOCK) -> int:
    session.require(db, "响应编组")
    response = db.execute("SELECT event_id FROM responses WHERE id = ?", [response_id]).fetchone()
    if response is None:
        raise NotFound("该应急响应不存在")
    record, members = _validate(db, response_id, data, None)
    by = clean(recorded_by, "记录人", 32, required=True)
    now = clock.stamp()
    with writing(db):
        gid = db.execute(
            "INSERT INTO response_groups (response_id, name, lead_org_id, leader_id, contact_phone, duties, "
            "sort_order, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, "
            "(SELECT coalesce(max(sort_order), 0) + 1 FROM response_groups WHERE response_id = ?), ?, ?)",
            [response_id, *record.values(), response_id, now, now]).lastrowid
        _write_members(db, gid, members)
        incidents.trace(db, clock, "处置", f"增设{record['name']}", by, event_id=response[0])
    return gid


def update_group(db: Database, group_id: int, data: GroupInput, recorded_by: str, *,
                 expected_version: int | None = None, clock: Clock = SYSTEM_CLOCK) -> None:
    """Save an edit; a group changed meanwhile by someone else is refused, not overwritten."""
    session.require(db, "响应编组")
    row = db.execute("SELECT g.response_id, r.event_id FROM response_groups g JOIN responses r "
                     "ON r.id = g.response_id WHERE g.id = ?", [group_id]).fetchone()
    if row is None:
        raise NotFound("该工作组不存在")
    record, members = _validate(db, row[0], data, group_id)
    by = clean(recorded_by, "记录人", 32, required=True)
    leader = db.execute("SELECT name FROM people WHERE id = ?", [record["leader_id"]]).fetchone()
    with writing(db):
        cur = db.execute(
            "UPDATE response_groups SET name = ?, lead_org_id = ?, leader_id = ?, contact_phone = ?, duties = ?, "
            "updated_at = ?, version = version + 1 WHERE id = ? AND (? IS NULL OR version = ?)",
            [*record.values(), clock.stamp(), group_id, expected_version, expected_version])
        if cur.rowcount != 1:
            raise ValidationError("该工作组已被他人修改，请关闭后重新打开再编辑")
        _write_members(db, group_id, members)
        incidents.trace(db, clock, "处置", f"调整{record['name']}：组长{leader[0] if leader else '未定'}"
                        f"{'，' + record['contact_phone'] if record['contact_phone'] else ''}", by, event_id=row[1])
