"""The plan library (预案, DOMAIN.md §7): plans, their response levels with start criteria,
who may start each level and the actions checklist, and the working-group template.

A level's checklist holds only what that level adds: a response opened at Ⅳ级 runs the Ⅳ级
items; raising it to Ⅲ级 adds the Ⅲ级 items to those already running, and so on up to Ⅰ级.
Saving a level replaces its deciders and checklist as a whole (item ids change); a response
copies the items it runs, so it never points at them.

Levels and groups live in ``plan_parts`` (re-exported here); deadlines (filing, drills,
evaluations) and the decider checks are in ``plan_checks``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlite_utils import Database

from . import session
from .clock import SYSTEM_CLOCK, Clock
from .errors import NotFound, ValidationError
from .plan_parts import (  # noqa: F401
    GROUP_NAMES,
    POST_ROLES,
    ROMAN,
    ActionInput,
    GroupInput,
    LevelInput,
    _exists,
    _level,
    actions_text,
    add_group,
    groups,
    level,
    move_group,
    parse_actions,
    remove_group,
    remove_level,
    resolve_unit,
    resolve_units,
    set_level,
    update_group,
)
from .store import writing
from .text import clean, like_pattern, normalize

KINDS = ("总体", "专项", "部门", "乡镇（街道）", "村（社区）", "企业", "联合", "应急工作手册", "应急处置卡")
STATUSES = ("现行", "修订中", "废止")
NAME_MAX, SHORT_MAX, TEXT_MAX = 60, 60, 2000
DOC_NUMBER_MAX = 40


@dataclass
class PlanInput:
    """What the plan form submits; dates as date objects or typed text (2026-07-01, 2026/7/1,
    2026年7月1日), empty for none."""

    name: str
    kind: str
    subtype_id: int | None = None
    body_id: int | None = None
    lead_org_id: int | None = None
    approver: str = ""
    doc_number: str = ""
    issued_on: date | str | None = None
    filed_on: date | str | None = None
    last_drill_on: date | str | None = None
    last_evaluation_on: date | str | None = None
    status: str = "现行"
    note: str = ""


@dataclass(frozen=True)
class PlanQuery:
    kind: str | None = None
    subtype_id: int | None = None
    text: str = ""
    status: str | None = None


# ------------------------------------------------------------------ parsing helpers

_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def parse_day(value: date | str | None, label: str) -> date | None:
    """A date from a date or typed text; None when empty; ValidationError naming ``label``."""
    if value is None or isinstance(value, date):
        return value
    text = normalize(value)
    if not text:
        return None
    m = _DATE.fullmatch(text)
    try:
        if not m:
            raise ValueError
        day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise ValidationError(f"{label}“{text}”不是有效日期，应写作 2026-07-01", label) from None
    if not 1949 <= day.year <= 2100:
        raise ValidationError(f"{label}“{text}”的年份不合理", label)
    return day


_DOC_BRACKETS = str.maketrans({"[": "〔", "]": "〕", "(": "〔", ")": "〕", "【": "〔", "】": "〕",
                               "（": "〔", "）": "〕", "［": "〔", "］": "〕", "﹝": "〔", "﹞": "〕",
                               "〖": "〔", "〗": "〕", "{": "〔", "}": "〕"})
_DOC_NUMBER = re.compile(r"(.+?)〔(\d{4})〕0*(\d+)号")


def normalize_doc_number(text: str | None) -> str:
    """文号 with 六角括号 (GB/T 9704): 雄府办[2024]12号, (2024), 【2024】 → 雄府办〔2024〕12号;
    no zero padding of the serial. Empty stays empty; anything else is refused."""
    value = re.sub(r"\s+", "", normalize(text)).translate(_DOC_BRACKETS)
    if not value:
        return ""
    m = _DOC_NUMBER.fullmatch(value)
    if not m or not 1949 <= int(m.group(2)) <= 2100 or int(m.group(3)) == 0:
        raise ValidationError(f"文号“{normalize(text)}”格式不对，应如 雄府办〔2024〕12号", "文号")
    if len(value) > DOC_NUMBER_MAX:
        raise ValidationError(f"文号不能超过 {DOC_NUMBER_MAX} 个字", "文号")
    return f"{m.group(1)}〔{m.group(2)}〕{int(m.group(3))}号"


# ------------------------------------------------------------------ plans

def validate_plan(db: Database, data: PlanInput, today: date, plan_id: int | None = None) -> dict:
    name = clean(data.name, "预案名称", NAME_MAX, required=True)
    if data.kind not in KINDS:
        raise ValidationError("预案类型须为：" + "、".join(KINDS), "类型")
    if data.status not in STATUSES:
        raise ValidationError("状态须为：" + "、".join(STATUSES), "状态")
    _exists(db, "event_subtypes", data.subtype_id, "所选灾种不存在", "灾种")
    _exists(db, "command_bodies", data.body_id, "所选指挥机构不存在", "指挥机构")
    _exists(db, "organizations", data.lead_org_id, "所选牵头单位不存在", "牵头单位")
    days = {key: parse_day(getattr(data, key), label) for key, label in (
        ("issued_on", "印发日期"), ("filed_on", "备案日期"), ("last_drill_on", "最近演练日期"),
        ("last_evaluation_on", "最近评估日期"))}
    labels = {"issued_on": "印发日期", "filed_on": "备案日期", "last_drill_on": "最近演练日期",
              "last_evaluation_on": "最近评估日期"}
    for key, day in days.items():
        if day is not None and day > today:
            raise ValidationError(f"{labels[key]}不能晚于今天", labels[key])
    issued = days["issued_on"]
    if data.status == "现行" and issued is None:
        raise ValidationError("现行预案须填写印发日期", "印发日期")
    for key in ("filed_on", "last_drill_on", "last_evaluation_on"):
        if days[key] and issued and days[key] < issued:
            raise ValidationError(f"{labels[key]}不能早于印发日期", labels[key])
    if db.execute("SELECT 1 FROM plans WHERE name = ? AND id IS NOT ?", [name, plan_id]).fetchone():
        raise ValidationError(f"已有名为“{name}”的预案", "预案名称")
    record = {
        "name": name, "kind": data.kind, "subtype_id": data.subtype_id, "body_id": data.body_id,
        "lead_org_id": data.lead_org_id, "approver": clean(data.approver, "批准机关", SHORT_MAX),
        "doc_number": normalize_doc_number(data.doc_number), "status": data.status,
        "note": clean(data.note, "备注", TEXT_MAX, multiline=True),
    }
    record.update({k: (v.isoformat() if v else None) for k, v in days.items()})
    return record


def add_plan(db: Database, data: PlanInput, clock: Clock = SYSTEM_CLOCK) -> int:
    session.require(db, "编辑预案")
    record = validate_plan(db, data, clock.now().date())
    now = clock.stamp()
    with writing(db):
        cur = db.execute(
            f"INSERT INTO plans ({', '.join(record)}, created_at, updated_at) "
            f"VALUES ({', '.join('?' * len(record))}, ?, ?)", [*record.values(), now, now])
    return cur.lastrowid


def update_plan(db: Database, plan_id: int, data: PlanInput, *, expected_version: int | None = None,
                clock: Clock = SYSTEM_CLOCK) -> None:
    """Save an edit; a plan changed meanwhile by someone else is refused, not overwritten."""
    session.require(db, "编辑预案")
    if not db.execute("SELECT 1 FROM plans WHERE id = ?", [plan_id]).fetchone():
        raise NotFound("该预案不存在")
    record = validate_plan(db, data, clock.now().date(), plan_id)
    sets = ", ".join(f"{k} = ?" for k in record)
    with writing(db):
        cur = db.execute(
            f"UPDATE plans SET {sets}, updated_at = ?, version = version + 1 "
            "WHERE id = ? AND (? IS NULL OR version = ?)",
            [*record.values(), clock.stamp(), plan_id, expected_version, expected_version])
        if cur.rowcount != 1:
            raise ValidationError("该预案已被他人修改，请关闭后重新打开再编辑")


_DATE_FIELDS = {"filed_on": "备案日期", "last_drill_on": "演练日期", "last_evaluation_on": "评估日期"}


def record_date(db: Database, plan_id: int, what: str, day: date | str, clock: Clock = SYSTEM_CLOCK) -> None:
    """Record a filing (``filed_on``), drill (``last_drill_on``) or evaluation
    (``last_evaluation_on``) on ``day``; it may not be in the future nor before the plan's
    issue date, nor earlier than the one already recorded (correct that in the plan form)."""
    session.require(db, "编辑预案")
    if what not in _DATE_FIELDS:
        raise ValueError(what)
    label = _DATE_FIELDS[what]
    row = db.execute(f"SELECT issued_on, {what} FROM plans WHERE id = ?", [plan_id]).fetchone()
    if row is None:
        raise NotFound("该预案不存在")
    parsed = parse_day(day, label)
    if parsed is None:
        raise ValidationError(f"请填写{label}", label)
    if parsed > clock.now().date():
        raise ValidationError(f"{label}不能晚于今天", label)
    if row[0] and parsed.isoformat() < row[0]:
        raise ValidationError(f"{label}不能早于预案印发日期 {row[0]}", label)
    if row[1] and parsed.isoformat() < row[1]:
        raise ValidationError(f"已记录的{label}为 {row[1]}，新日期不能更早（如需更正请编辑预案）", label)
    with writing(db):
        db.execute(f"UPDATE plans SET {what} = ?, updated_at = ?, version = version + 1 WHERE id = ?",
                   [parsed.isoformat(), clock.stamp(), plan_id])


_LIST_SQL = """
    SELECT p.id, p.name, p.kind, p.subtype_id, coalesce(s.name, '') AS subtype, p.body_id,
           coalesce(b.short_name, b.name, '') AS body, p.lead_org_id,
           coalesce(o.short_name, o.name, '') AS lead_org, coalesce(o.name, '') AS lead_org_name,
           p.approver, p.doc_number, p.issued_on, p.filed_on, p.last_drill_on, p.last_evaluation_on,
           p.status, p.note, p.version,
           (SELECT group_concat(level) FROM (SELECT level FROM plan_levels l WHERE l.plan_id = p.id
                                             ORDER BY level DESC)) AS level_list
    FROM plans p
    LEFT JOIN event_subtypes s ON s.id = p.subtype_id
    LEFT JOIN command_bodies b ON b.id = p.body_id
    LEFT JOIN organizations o ON o.id = p.lead_org_id
"""
_KIND_ORDER = "CASE p.kind " + " ".join(f"WHEN '{k}' THEN {i}" for i, k in enumerate(KINDS)) + " END"


def list_plans(db: Database, query: PlanQuery = PlanQuery()) -> list[dict]:
    """Plans matching every given filter; ``text`` matches name, 文号, unit, body and hazard."""
    where, params = ["1 = 1"], []
    if query.kind:
        where.append("p.kind = ?")
        params.append(query.kind)
    if query.subtype_id is not None:
        where.append("p.subtype_id = ?")
        params.append(query.subtype_id)
    if query.status:
        where.append("p.status = ?")
        params.append(query.status)
    for term in normalize(query.text).split(" "):
        if term:
            where.append("(p.name || ' ' || p.doc_number || ' ' || coalesce(o.name, '') || ' ' || "
                         "coalesce(o.short_name, '') || ' ' || coalesce(b.name, '') || ' ' || "
                         "coalesce(s.name, '') || ' ' || p.note) LIKE ? ESCAPE '\\'")
            params.append(like_pattern(term))
    sql = f"{_LIST_SQL} WHERE {' AND '.join(where)} ORDER BY p.status = '废止', {_KIND_ORDER}, p.id"
    return list(db.query(sql, params))


def plans_for_subtype(db: Database, subtype_id: int) -> list[dict]:
    """The 现行 plans a response to an event of this hazard may be opened from: the plans for
    that hazard (专项 first), then the 总体 plans, which cover every hazard."""
    return list(db.query(
        f"{_LIST_SQL} WHERE p.status = '现行' AND (p.subtype_id = ? OR p.kind = '总体') "
        f"ORDER BY p.subtype_id IS NULL, {_KIND_ORDER}, p.id", [subtype_id]))


def plan(db: Database, plan_id: int) -> dict:
    """A plan with its levels (Ⅳ→Ⅰ; each with deciders resolved to people, escalation and
    checklist) and its working groups."""
    row = next(db.query(f"{_LIST_SQL} WHERE p.id = ?", [plan_id]), None)
    if row is None:
        raise NotFound("该预案不存在")
    row["levels"] = [_level(db, lv) for lv in db.query(
        "SELECT l.*, r.roman, r.color_hex FROM plan_levels l JOIN response_levels r ON r.id = l.level "
        "WHERE l.plan_id = ? ORDER BY l.level DESC", [plan_id])]
    row["groups"] = groups(db, plan_id)
    return row
