"""Inside a plan: its response levels (start criteria, who may start each level, the actions
checklist the level adds, 报请上级) and its working-group template. ``plans`` re-exports
everything here, so callers write ``plans.set_level`` (see ``plans`` for the rules)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlite_utils import Database

from . import session
from .clock import SYSTEM_CLOCK, Clock
from .errors import NotFound, ValidationError
from .store import writing
from .text import clean, normalize

ROMAN = {1: "Ⅰ级", 2: "Ⅱ级", 3: "Ⅲ级", 4: "Ⅳ级"}
POST_ROLES = ("主任", "副主任", "指挥长", "副指挥长", "办公室主任", "成员")
GROUP_NAMES = ("综合协调组", "抢险救援组", "医疗救治组", "治安交通组", "后勤保障组", "新闻宣传组", "专家组",
               "监测预警组", "通信保障组", "转移安置组", "善后处理组")
TEXT_MAX = 2000
ACTION_MAX = 200
MAX_DUE_MINUTES = 43200      # 30 days

@dataclass
class ActionInput:
    """One checklist item. ``owner`` names one of the plan's working groups or a unit (full
    or short name); ``due_minutes``: within N minutes of the level's start, empty for none."""

    action: str
    owner: str = ""
    due_minutes: int | str | None = None


@dataclass
class LevelInput:
    level: int
    criteria: str
    deciders: list[tuple[int, str]] = field(default_factory=list)   # (command body id, post role)
    actions: list[ActionInput] = field(default_factory=list)
    escalation: str = ""                                            # 报请上级


@dataclass
class GroupInput:
    name: str
    lead_org_id: int | None
    members: list[int] | str = field(default_factory=list)   # unit ids, or names separated by 、
    duties: str = ""



def resolve_unit(db: Database, name: str) -> int | None:
    """A unit by its full or short name (exact, after normalising); None if unknown."""
    row = db.execute("SELECT id FROM organizations WHERE name = ? OR short_name = ? "
                     "ORDER BY name != ? LIMIT 1", [name, name, name]).fetchone()
    return row[0] if row else None


def resolve_units(db: Database, text: str, label: str = "成员单位") -> list[int]:
    """Unit ids from names separated by 、，,；; or new lines, in order, without repeats."""
    ids: list[int] = []
    for part in re.split(r"[、，,；;\n]+", normalize(text.replace("\n", "、"))):
        part = part.strip()
        if not part:
            continue
        unit = resolve_unit(db, part)
        if unit is None:
            raise ValidationError(f"{label}中的“{part}”不是通讯录中的单位（请写全称或简称）", label)
        if unit not in ids:
            ids.append(unit)
    return ids


def parse_actions(text: str) -> list[ActionInput]:
    """Checklist items typed one a line: 事项｜责任方｜时限（分钟）; the last two are optional.
    '|', '｜' and tabs separate the parts."""
    items = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        parts = [p.strip() for p in re.split(r"[|｜\t]", line)]
        if len(parts) > 3:
            raise ValidationError(f"处置清单第 {number} 行分隔符过多，应为“事项｜责任方｜时限分钟”", "处置清单")
        parts += [""] * (3 - len(parts))
        items.append(ActionInput(parts[0], parts[1], parts[2]))
    return items


def actions_text(actions: list[dict]) -> str:
    """The inverse of ``parse_actions`` for a level's stored items (to edit them)."""
    lines = []
    for a in actions:
        line = a["action"] + "｜" + (a["owner"] or "")
        if a["due_minutes"]:
            line += f"｜{a['due_minutes']}"
        lines.append(line)
    return "\n".join(lines)


def _exists(db: Database, table: str, row_id: int | None, message: str, label: str) -> None:
    if row_id is not None and not db.execute(f"SELECT 1 FROM {table} WHERE id = ?", [row_id]).fetchone():
        raise ValidationError(message, label)


def _level(db: Database, level: dict) -> dict:
    from .plan_checks import holders

    level["deciders"] = []
    for d in db.query(
            "SELECT d.body_id, d.post_role, b.name AS body, coalesce(b.short_name, b.name) AS body_short "
            "FROM plan_level_deciders d JOIN command_bodies b ON b.id = d.body_id "
            "WHERE d.plan_level_id = ? ORDER BY d.sort_order", [level["id"]]):
        d["people"] = holders(db, d["body_id"], d["post_role"])
        level["deciders"].append(d)
    level["actions"] = list(db.query(
        "SELECT a.id, a.seq, a.action, a.due_minutes, a.owner_group_id, a.owner_org_id, "
        "coalesce(g.name, o.short_name, o.name, '') AS owner "
        "FROM plan_level_actions a LEFT JOIN plan_groups g ON g.id = a.owner_group_id "
        "LEFT JOIN organizations o ON o.id = a.owner_org_id WHERE a.plan_level_id = ? ORDER BY a.seq",
        [level["id"]]))
    return level


def level(db: Database, plan_id: int, level_no: int) -> dict | None:
    row = next(db.query(
        "SELECT l.*, r.roman, r.color_hex FROM plan_levels l JOIN response_levels r ON r.id = l.level "
        "WHERE l.plan_id = ? AND l.level = ?", [plan_id, level_no]), None)
    return _level(db, row) if row else None

# ------------------------------------------------------------------ levels

def _plan_exists(db: Database, plan_id: int) -> None:
    if not db.execute("SELECT 1 FROM plans WHERE id = ?", [plan_id]).fetchone():
        raise NotFound("该预案不存在")


def _validate_level(db: Database, plan_id: int, data: LevelInput) -> tuple[dict, list, list]:
    if data.level not in ROMAN:
        raise ValidationError("响应级别须为Ⅰ级至Ⅳ级", "级别")
    record = {"criteria": clean(data.criteria, "启动条件", TEXT_MAX, required=True, multiline=True),
              "escalation": clean(data.escalation, "报请上级", 200)}
    deciders: list[tuple[int, str]] = []
    for body_id, role in data.deciders:
        role = normalize(role)
        body = db.execute("SELECT name FROM command_bodies WHERE id = ?", [body_id]).fetchone()
        if body is None:
            raise ValidationError("决定启动人员所在的指挥机构不存在", "决定启动")
        if role not in POST_ROLES and not db.execute(
                "SELECT 1 FROM command_body_posts WHERE body_id = ? AND role = ?", [body_id, role]).fetchone():
            raise ValidationError(f"{body[0]}没有“{role}”这一职务", "决定启动")
        if (body_id, role) not in deciders:
            deciders.append((body_id, role))
    group_ids = {name: gid for gid, name in db.execute(
        "SELECT id, name FROM plan_groups WHERE plan_id = ?", [plan_id])}
    actions = []
    for number, item in enumerate(data.actions, 1):
        where = f"处置清单第 {number} 项"
        text = clean(item.action, f"{where}的事项", ACTION_MAX)
        if not text:
            raise ValidationError(f"{where}缺少事项内容", "处置清单")
        owner = normalize(item.owner)
        group_id = org_id = None
        if owner:
            group_id = group_ids.get(owner)
            if group_id is None:
                org_id = resolve_unit(db, owner)
                if org_id is None:
                    raise ValidationError(f"{where}的责任方“{owner}”既不是本预案的工作组，也不是通讯录中的单位",
                                          "处置清单")
        due = item.due_minutes
        if isinstance(due, str):
            due = normalize(due).removesuffix("分钟").strip()
            if due and not due.isdigit():
                raise ValidationError(f"{where}的时限“{due}”应为分钟数", "处置清单")
            due = int(due) if due else None
        if due is not None and not 1 <= due <= MAX_DUE_MINUTES:
            raise ValidationError(f"{where}的时限应在 1–{MAX_DUE_MINUTES} 分钟之间", "处置清单")
        actions.append((number, text, group_id, org_id, due))
    return record, deciders, actions


def set_level(db: Database, plan_id: int, data: LevelInput, *, expected_version: int | None = None,
              clock: Clock = SYSTEM_CLOCK) -> int:
    """Add or replace one response level of a plan: criteria, escalation, deciders, checklist.
    ``expected_version`` is the level's version when the form opened (None for a new level)."""
    session.require(db, "编辑预案")
    _plan_exists(db, plan_id)
    record, deciders, actions = _validate_level(db, plan_id, data)
    now = clock.stamp()
    current = db.execute("SELECT id, version FROM plan_levels WHERE plan_id = ? AND level = ?",
                         [plan_id, data.level]).fetchone()
    if current and expected_version is not None and current[1] != expected_version:
        raise ValidationError("该响应级别已被他人修改，请关闭后重新打开再编辑")
    with writing(db):
        if current:
            level_id = current[0]
            db.execute("UPDATE plan_levels SET criteria = ?, escalation = ?, updated_at = ?, "
                       "version = version + 1 WHERE id = ?",
                       [record["criteria"], record["escalation"], now, level_id])
            db.execute("DELETE FROM plan_level_deciders WHERE plan_level_id = ?", [level_id])
            db.execute("DELETE FROM plan_level_actions WHERE plan_level_id = ?", [level_id])
        else:
            level_id = db.execute(
                "INSERT INTO plan_levels (plan_id, level, criteria, escalation, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [plan_id, data.level, record["criteria"], record["escalation"], now, now]).lastrowid
        for order, (body_id, role) in enumerate(deciders, 1):
            db.execute("INSERT INTO plan_level_deciders (plan_level_id, body_id, post_role, sort_order) "
                       "VALUES (?, ?, ?, ?)", [level_id, body_id, role, order])
        for seq, text, group_id, org_id, due in actions:
            db.execute("INSERT INTO plan_level_actions (plan_level_id, seq, action, owner_group_id, "
                       "owner_org_id, due_minutes) VALUES (?, ?, ?, ?, ?, ?)",
                       [level_id, seq, text, group_id, org_id, due])
        db.execute("UPDATE plans SET updated_at = ? WHERE id = ?", [now, plan_id])
    return level_id


def remove_level(db: Database, plan_id: int, level_no: int) -> None:
    session.require(db, "编辑预案")
    with writing(db):
        cur = db.execute("DELETE FROM plan_levels WHERE plan_id = ? AND level = ?", [plan_id, level_no])
        if cur.rowcount != 1:
            raise NotFound("该预案没有这一响应级别")


# ------------------------------------------------------------------ working groups

def groups(db: Database, plan_id: int) -> list[dict]:
    rows = list(db.query(
        "SELECT g.id, g.name, g.lead_org_id, coalesce(o.short_name, o.name) AS lead_org, g.duties, "
        "g.sort_order, g.version FROM plan_groups g JOIN organizations o ON o.id = g.lead_org_id "
        "WHERE g.plan_id = ? ORDER BY g.sort_order, g.id", [plan_id]))
    for g in rows:
        g["members"] = list(db.query(
            "SELECT o.id, o.name, coalesce(o.short_name, o.name) AS short FROM plan_group_members m "
            "JOIN organizations o ON o.id = m.org_id WHERE m.group_id = ? ORDER BY m.sort_order", [g["id"]]))
        g["members_text"] = "、".join(m["short"] for m in g["members"])
    return rows


def _validate_group(db: Database, plan_id: int, data: GroupInput, group_id: int | None) -> tuple[dict, list[int]]:
    name = clean(data.name, "工作组名称", 30, required=True)
    if data.lead_org_id is None:
        raise ValidationError("请选择工作组的牵头单位", "牵头单位")
    _exists(db, "organizations", data.lead_org_id, "所选牵头单位不存在", "牵头单位")
    members = resolve_units(db, data.members) if isinstance(data.members, str) else list(dict.fromkeys(data.members))
    for org_id in members:
        _exists(db, "organizations", org_id, "所选成员单位不存在", "成员单位")
    members = [m for m in members if m != data.lead_org_id]
    if db.execute("SELECT 1 FROM plan_groups WHERE plan_id = ? AND name = ? AND id IS NOT ?",
                  [plan_id, name, group_id]).fetchone():
        raise ValidationError(f"本预案已有“{name}”", "工作组名称")
    return ({"name": name, "lead_org_id": data.lead_org_id,
             "duties": clean(data.duties, "职责", TEXT_MAX, multiline=True)}, members)


def _write_members(db: Database, group_id: int, members: list[int]) -> None:
    db.execute("DELETE FROM plan_group_members WHERE group_id = ?", [group_id])
    for order, org_id in enumerate(members, 1):
        db.execute("INSERT INTO plan_group_members (group_id, org_id, sort_order) VALUES (?, ?, ?)",
                   [group_id, org_id, order])


def add_group(db: Database, plan_id: int, data: GroupInput, clock: Clock = SYSTEM_CLOCK) -> int:
    session.require(db, "编辑预案")
    _plan_exists(db, plan_id)
    record, members = _validate_group(db, plan_id, data, None)
    now = clock.stamp()
    with writing(db):
        group_id = db.execute(
            "INSERT INTO plan_groups (plan_id, name, lead_org_id, duties, sort_order, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, (SELECT coalesce(max(sort_order), 0) + 1 FROM plan_groups WHERE plan_id = ?), ?, ?)",
            [plan_id, record["name"], record["lead_org_id"], record["duties"], plan_id, now, now]).lastrowid
        _write_members(db, group_id, members)
    return group_id


def update_group(db: Database, group_id: int, data: GroupInput, *, expected_version: int | None = None,
                 clock: Clock = SYSTEM_CLOCK) -> None:
    session.require(db, "编辑预案")
    row = db.execute("SELECT plan_id FROM plan_groups WHERE id = ?", [group_id]).fetchone()
    if row is None:
        raise NotFound("该工作组不存在")
    record, members = _validate_group(db, row[0], data, group_id)
    with writing(db):
        cur = db.execute(
            "UPDATE plan_groups SET name = ?, lead_org_id = ?, duties = ?, updated_at = ?, "
            "version = version + 1 WHERE id = ? AND (? IS NULL OR version = ?)",
            [record["name"], record["lead_org_id"], record["duties"], clock.stamp(), group_id,
             expected_version, expected_version])
        if cur.rowcount != 1:
            raise ValidationError("该工作组已被他人修改，请关闭后重新打开再编辑")
        _write_members(db, group_id, members)


def remove_group(db: Database, group_id: int) -> None:
    """Remove a group from the template; refused while a checklist item names it."""
    session.require(db, "编辑预案")
    used = db.execute(
        "SELECT r.roman, a.action FROM plan_level_actions a JOIN plan_levels l ON l.id = a.plan_level_id "
        "JOIN response_levels r ON r.id = l.level WHERE a.owner_group_id = ? ORDER BY l.level DESC, a.seq",
        [group_id]).fetchone()
    if used:
        raise ValidationError(f"该工作组仍是{used[0]}处置清单“{used[1]}”的责任方，请先修改清单")
    with writing(db):
        if db.execute("DELETE FROM plan_groups WHERE id = ?", [group_id]).rowcount != 1:
            raise NotFound("该工作组不存在")


def move_group(db: Database, group_id: int, step: int) -> None:
    """Move a group up (step -1) or down (+1) in its plan's order."""
    session.require(db, "编辑预案")
    row = db.execute("SELECT plan_id FROM plan_groups WHERE id = ?", [group_id]).fetchone()
    if row is None:
        raise NotFound("该工作组不存在")
    ids = [r[0] for r in db.execute("SELECT id FROM plan_groups WHERE plan_id = ? ORDER BY sort_order, id", [row[0]])]
    at = ids.index(group_id)
    to = max(0, min(len(ids) - 1, at + step))
    ids.insert(to, ids.pop(at))
    with writing(db):
        for order, gid in enumerate(ids, 1):
            db.execute("UPDATE plan_groups SET sort_order = ? WHERE id = ?", [order, gid])
