"""Reference data: event categories, grades, warning and response levels, deadline rules.

Defaults come from migration 0001 (DOMAIN.md §3–§4); the administrator edits them through
the functions here, which validate before writing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlite_utils import Database

from . import session
from .errors import NotFound, ValidationError
from .store import writing

REPORT_KINDS = ("电话报告", "书面初报", "续报", "核报", "终报")
_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


@dataclass(frozen=True)
class Threshold:
    grade: int             # 1 特别重大 … 3 较大; below all thresholds is 4 一般
    deaths: int
    serious_injuries: int
    direct_loss_yuan: int


def thresholds(db: Database) -> list[Threshold]:
    rows = db.execute(
        "SELECT grade_id, deaths, serious_injuries, direct_loss_yuan "
        "FROM production_safety_thresholds ORDER BY grade_id"
    ).fetchall()
    return [Threshold(*row) for row in rows]


def _count(value: object, label: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{label}必须是整数", label)
    if value < 0:
        raise ValidationError(f"{label}不能为负数", label)
    return value


def grade_production_safety(
    deaths: int, serious_injuries: int, direct_loss_yuan: int, rules: list[Threshold]
) -> int:
    """The grade (1–4) of a 生产安全事故: the highest reached by any criterion.

    "以上" includes the figure itself: 3 deaths is 较大, 10 deaths is 重大.
    """
    figures = (
        _count(deaths, "死亡人数"),
        _count(serious_injuries, "重伤人数"),
        _count(direct_loss_yuan, "直接经济损失"),
    )
    for rule in sorted(rules, key=lambda r: r.grade):
        limits = (rule.deaths, rule.serious_injuries, rule.direct_loss_yuan)
        if any(value >= limit for value, limit in zip(figures, limits)):
            return rule.grade
    return 4


def set_threshold(db: Database, rule: Threshold) -> None:
    """Change one grade's criteria; the criteria must stay strictly ordered by grade."""
    session.require(db, "管理参考数据")
    if rule.grade not in (1, 2, 3):
        raise ValidationError("只能设置特别重大、重大、较大三级的标准", "grade")
    for label, value in (("死亡人数", rule.deaths), ("重伤人数", rule.serious_injuries),
                         ("直接经济损失", rule.direct_loss_yuan)):
        if _count(value, label) == 0:
            raise ValidationError(f"{label}标准必须大于0", label)
    others = {r.grade: r for r in thresholds(db)}
    others[rule.grade] = rule
    ordered = [others[g] for g in sorted(others)]
    for higher, lower in zip(ordered, ordered[1:]):
        if not (higher.deaths > lower.deaths and higher.serious_injuries > lower.serious_injuries
                and higher.direct_loss_yuan > lower.direct_loss_yuan):
            raise ValidationError("分级标准必须逐级递减：高一级的每项标准都要大于低一级")
    with writing(db):
        db.execute(
            "UPDATE production_safety_thresholds SET deaths = ?, serious_injuries = ?, "
            "direct_loss_yuan = ? WHERE grade_id = ?",
            [rule.deaths, rule.serious_injuries, rule.direct_loss_yuan, rule.grade],
        )


def categories(db: Database) -> list[dict]:
    """Categories with their sub-types, in display order."""
    cats = [dict(r) for r in db.query("SELECT id, name FROM event_categories ORDER BY sort_order, id")]
    subs = list(db.query(
        "SELECT id, category_id, name, grading FROM event_subtypes ORDER BY sort_order, id"))
    for cat in cats:
        cat["subtypes"] = [s for s in subs if s["category_id"] == cat["id"]]
    return cats


def add_subtype(db: Database, category_id: int, name: str, grading: str = "chosen") -> int:
    session.require(db, "管理参考数据")
    name = (name or "").strip()
    if not name:
        raise ValidationError("请填写事件子类名称", "name")
    if grading not in ("chosen", "production_safety"):
        raise ValidationError("分级方式只能是“按专项预案选择”或“按生产安全事故标准计算”", "grading")
    if not db.execute("SELECT 1 FROM event_categories WHERE id = ?", [category_id]).fetchone():
        raise NotFound("事件类别不存在")
    if db.execute("SELECT 1 FROM event_subtypes WHERE category_id = ? AND name = ?",
                  [category_id, name]).fetchone():
        raise ValidationError(f"该类别下已有子类“{name}”", "name")
    with writing(db):
        cur = db.execute(
            "INSERT INTO event_subtypes (category_id, name, grading, sort_order) "
            "VALUES (?, ?, ?, (SELECT coalesce(max(sort_order), 0) + 1 FROM event_subtypes "
            "WHERE category_id = ?))",
            [category_id, name, grading, category_id],
        )
    return cur.lastrowid


def levels(db: Database, table: str) -> list[dict]:
    """Rows of severity_grades, warning_levels or response_levels, highest first."""
    if table not in ("severity_grades", "warning_levels", "response_levels"):
        raise ValueError(table)
    return [dict(r) for r in db.query(f"SELECT * FROM {table} ORDER BY id")]


def set_level_colour(db: Database, table: str, level_id: int, color_hex: str) -> None:
    session.require(db, "管理参考数据")
    if table not in ("warning_levels", "response_levels"):
        raise ValueError(table)
    if not _HEX.match(color_hex or ""):
        raise ValidationError("颜色须为 #RRGGBB 形式的十六进制值", "color_hex")
    with writing(db):
        cur = db.execute(f"UPDATE {table} SET color_hex = ? WHERE id = ?", [color_hex, level_id])
        if cur.rowcount != 1:
            raise NotFound("级别不存在")


def role_tags(db: Database) -> list[str]:
    return [r[0] for r in db.execute("SELECT name FROM role_tags ORDER BY sort_order, id")]


def deadline_rules(db: Database, active_only: bool = True) -> list[dict]:
    sql = "SELECT * FROM report_deadline_rules"
    if active_only:
        sql += " WHERE active = 1"
    return [dict(r) for r in db.query(sql + " ORDER BY id")]


def save_deadline_rule(db: Database, rule: dict) -> int:
    """Insert (no ``id``) or update a reporting-deadline rule after validating it."""
    session.require(db, "管理参考数据")
    name = (rule.get("name") or "").strip()
    if not name:
        raise ValidationError("请填写规则名称", "name")
    if rule.get("report_kind") not in REPORT_KINDS:
        raise ValidationError("报告种类须为：" + "、".join(REPORT_KINDS), "report_kind")
    due, daily = rule.get("due_minutes"), rule.get("daily_at")
    if due is None and not daily:
        raise ValidationError("请填写时限（接报后多少分钟）或每日报送时刻", "due_minutes")
    if due is not None and (isinstance(due, bool) or not isinstance(due, int) or not 0 < due <= 60 * 24 * 30):
        raise ValidationError("时限须为 1 分钟到 30 天之间的整数分钟", "due_minutes")
    if daily and not _HHMM.match(daily):
        raise ValidationError("每日报送时刻须为 HH:MM，例如 09:00", "daily_at")
    max_grade = rule.get("max_grade", 4)
    if max_grade not in (1, 2, 3, 4):
        raise ValidationError("适用级别须为 1（特别重大）到 4（一般）", "max_grade")
    repeat = rule.get("repeat_days")
    if repeat is not None and (not isinstance(repeat, int) or repeat <= 0):
        raise ValidationError("续报天数须为正整数", "repeat_days")
    values = {
        "name": name, "category_id": rule.get("category_id"), "subtype_id": rule.get("subtype_id"),
        "max_grade": max_grade, "when_sensitive": int(bool(rule.get("when_sensitive"))),
        "report_kind": rule["report_kind"], "due_minutes": due, "daily_at": daily or None,
        "repeat_days": repeat, "note": (rule.get("note") or "").strip(),
        "active": int(rule.get("active", True)),
    }
    cols = list(values)
    with writing(db):
        if rule.get("id"):
            sets = ", ".join(f"{c} = ?" for c in cols)
            cur = db.execute(f"UPDATE report_deadline_rules SET {sets} WHERE id = ?",
                             [*values.values(), rule["id"]])
            if cur.rowcount != 1:
                raise NotFound("报送时限规则不存在")
            return rule["id"]
        cur = db.execute(
            f"INSERT INTO report_deadline_rules ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
            list(values.values()),
        )
        return cur.lastrowid
