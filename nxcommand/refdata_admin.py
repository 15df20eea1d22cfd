"""The administrator's edits of reference data and settings (管理参考数据).

Every function here first checks that the actor signed in on ``db`` may 管理参考数据, then
validates and writes: event sub-types (add, rename, grading), the 生产安全事故 grading
thresholds, the warning and response level colours, the reporting-deadline rules and the
account lockout settings kept in ``meta``. Reading goes through ``nxcommand.refdata``.
"""

from __future__ import annotations

from sqlite_utils import Database

from . import accounts, refdata, session
from .errors import NotFound, ValidationError
from .store import writing
from .text import clean

ACTION = "管理参考数据"
GRADING = {"chosen": "按专项预案选择", "production_safety": "按生产安全事故标准计算"}
LEVEL_TABLES = {"warning_levels": "预警级别", "response_levels": "响应级别"}
# Bounds an administrator may set for the lockout: never so loose that guessing is easy,
# never so long that a locked-out officer waits a whole shift.
LOCKOUT_FAILURES = (3, 20)
LOCKOUT_MINUTES = (1, 24 * 60)


def _grading(value: object) -> str:
    if value not in GRADING:
        raise ValidationError("分级方式只能是“按专项预案选择”或“按生产安全事故标准计算”", "分级方式")
    return value  # type: ignore[return-value]


def add_subtype(db: Database, category_id: int, name: str, grading: str = "chosen") -> int:
    """A new event sub-type at the end of its category."""
    session.require(db, ACTION)
    name = clean(name, "子类名称", 30, required=True)
    return refdata.add_subtype(db, category_id, name, _grading(grading))


def update_subtype(db: Database, subtype_id: int, name: str, grading: str) -> None:
    """Rename a sub-type or change how its events are graded. Events already recorded keep
    the grade they were given."""
    session.require(db, ACTION)
    name = clean(name, "子类名称", 30, required=True)
    grading = _grading(grading)
    row = db.execute("SELECT category_id FROM event_subtypes WHERE id = ?", [subtype_id]).fetchone()
    if row is None:
        raise NotFound("事件子类不存在")
    if db.execute("SELECT 1 FROM event_subtypes WHERE category_id = ? AND name = ? AND id != ?",
                  [row[0], name, subtype_id]).fetchone():
        raise ValidationError(f"该类别下已有子类“{name}”", "子类名称")
    with writing(db):
        db.execute("UPDATE event_subtypes SET name = ?, grading = ? WHERE id = ?",
                   [name, grading, subtype_id])


def set_threshold(db: Database, rule: refdata.Threshold) -> None:
    session.require(db, ACTION)
    refdata.set_threshold(db, rule)


def set_level_colour(db: Database, table: str, level_id: int, color_hex: str) -> None:
    session.require(db, ACTION)
    if table not in LEVEL_TABLES:
        raise ValidationError("只能修改预警级别和响应级别的颜色")
    refdata.set_level_colour(db, table, level_id, (color_hex or "").strip().upper())


def save_deadline_rule(db: Database, rule: dict) -> int:
    """Insert (no ``id``) or update a reporting-deadline rule."""
    session.require(db, ACTION)
    rule = dict(rule)
    rule["name"] = clean(rule.get("name"), "规则名称", 60, required=True)
    rule["note"] = clean(rule.get("note"), "说明", 200)
    subtype = rule.get("subtype_id")
    if subtype is not None:
        found = db.execute("SELECT category_id FROM event_subtypes WHERE id = ?", [subtype]).fetchone()
        if found is None:
            raise ValidationError("所选事件子类不存在", "子类")
        if rule.get("category_id") not in (None, found[0]):
            raise ValidationError("所选子类不属于所选类别", "子类")
        rule["category_id"] = found[0]
    return refdata.save_deadline_rule(db, rule)


def set_rule_active(db: Database, rule_id: int, active: bool) -> None:
    """Stop applying a rule (it is kept) or apply it again."""
    session.require(db, ACTION)
    with writing(db):
        cur = db.execute("UPDATE report_deadline_rules SET active = ? WHERE id = ?",
                         [1 if active else 0, rule_id])
        if cur.rowcount != 1:
            raise NotFound("报送时限规则不存在")


def _whole(value: object, label: str, low: int, high: int, unit: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{label}必须是整数", label)
    if not low <= value <= high:
        raise ValidationError(f"{label}须在 {low}–{high} {unit}之间", label)
    return value


def lockout(db: Database) -> tuple[int, int]:
    """(consecutive failures that lock an account, minutes it stays locked)."""
    return accounts.lockout_settings(db)


def set_lockout(db: Database, max_failures: int, minutes: int) -> None:
    """The lockout settings (meta ``lockout_max_failures`` / ``lockout_minutes``)."""
    session.require(db, ACTION)
    failures = _whole(max_failures, "连续输错次数", *LOCKOUT_FAILURES, "次")
    minutes = _whole(minutes, "锁定时长", *LOCKOUT_MINUTES, "分钟")
    with writing(db):
        for key, value in (("lockout_max_failures", failures), ("lockout_minutes", minutes)):
            db.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
                       "ON CONFLICT(key) DO UPDATE SET value = excluded.value", [key, str(value)])
