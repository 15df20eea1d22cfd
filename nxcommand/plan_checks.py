"""Checks on plans: who may start a response level, and the plan deadlines (DOMAIN.md §7).

Who may start a level is an explicit list of command-body posts per plan and level (the
matrix is configurable, DOMAIN.md §3); no hierarchy is implied, so a plan that lets the
指挥长 start Ⅳ级 says so. Deadlines come from the editable ``plan_deadline_rules`` table:
filing within 20 working days of issue (weekends and statutory holidays skipped, 调休
workdays counted, from ``holidays.day_info``), a drill and an evaluation every 3 years
(counted from the last one, or from the issue date when none is recorded). Only 现行 plans
are watched.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlite_utils import Database

from . import session
from .alerts import Alert, window_days
from .errors import NotFound, ValidationError
from .holidays import day_info
from .store import writing

DEFAULT_RULES = {"预案备案": (20, "工作日"), "预案演练": (3, "年"), "预案评估": (3, "年")}


# ------------------------------------------------------------------ deciders

def holders(db: Database, body_id: int, role: str) -> list[dict]:
    """Active people holding ``role`` in command body ``body_id``."""
    return list(db.query(
        "SELECT p.id, p.name, p.post, p.mobile, cp.role, b.name AS body "
        "FROM command_body_posts cp JOIN people p ON p.id = cp.person_id "
        "JOIN command_bodies b ON b.id = cp.body_id "
        "WHERE cp.body_id = ? AND cp.role = ? AND p.active = 1 ORDER BY cp.sort_order, cp.id",
        [body_id, role]))


def _deciders(db: Database, plan_id: int, level: int) -> list[tuple[int, str, str]]:
    """(body id, role, body name) allowed to start the level; NotFound without the level."""
    row = db.execute("SELECT id FROM plan_levels WHERE plan_id = ? AND level = ?", [plan_id, level]).fetchone()
    if row is None:
        name = db.execute("SELECT name FROM plans WHERE id = ?", [plan_id]).fetchone()
        if name is None:
            raise NotFound("该预案不存在")
        roman = db.execute("SELECT roman FROM response_levels WHERE id = ?", [level]).fetchone()
        raise NotFound(f"《{name[0]}》未设{roman[0] if roman else '该级'}响应")
    return [tuple(r) for r in db.execute(
        "SELECT d.body_id, d.post_role, b.name FROM plan_level_deciders d "
        "JOIN command_bodies b ON b.id = d.body_id WHERE d.plan_level_id = ? ORDER BY d.sort_order", [row[0]])]


def allowed_deciders(db: Database, plan_id: int, level: int) -> list[dict]:
    """The people who may start ``level`` of the plan: holders of the listed posts, each once
    (the first post listed names their role), with ``body`` and ``role``."""
    people: dict[int, dict] = {}
    for body_id, role, _name in _deciders(db, plan_id, level):
        for person in holders(db, body_id, role):
            people.setdefault(person["id"], person)
    return list(people.values())


def may_start(db: Database, plan_id: int, level: int, person_id: int) -> bool:
    try:
        return any(p["id"] == person_id for p in allowed_deciders(db, plan_id, level))
    except NotFound:
        return False


def decider_choices(db: Database) -> list[dict]:
    """Every (command body, post) that someone holds, with the holders' names, for the level
    form: body_id, body (short name), role, names."""
    rows = list(db.query(
        "SELECT cp.body_id, coalesce(b.short_name, b.name) AS body, cp.role, "
        "group_concat(p.name, '、') AS names, min(cp.sort_order) AS first "
        "FROM command_body_posts cp JOIN command_bodies b ON b.id = cp.body_id "
        "JOIN people p ON p.id = cp.person_id AND p.active = 1 "
        "GROUP BY cp.body_id, cp.role ORDER BY cp.body_id, first"))
    for row in rows:
        del row["first"]
    return rows


def deciders_text(db: Database, plan_id: int, level: int) -> str:
    """南雄市三防指挥部指挥长（王磊）或 南雄市三防指挥部副指挥长（田子健、叶志远）."""
    parts = []
    for body_id, role, body in _deciders(db, plan_id, level):
        names = "、".join(p["name"] for p in holders(db, body_id, role)) or "暂无人员"
        parts.append(f"{body}{role}（{names}）")
    return "或".join(parts)


def require_decider(db: Database, plan_id: int, level: int, person_id: int) -> None:
    """Refuse (ValidationError) a decider the plan does not allow for ``level``, naming who may."""
    if may_start(db, plan_id, level, person_id):
        return
    deciders = _deciders(db, plan_id, level)          # NotFound when the plan lacks the level
    person = db.execute("SELECT name FROM people WHERE id = ?", [person_id]).fetchone()
    plan_name, roman = db.execute(
        "SELECT p.name, r.roman FROM plans p, response_levels r WHERE p.id = ? AND r.id = ?",
        [plan_id, level]).fetchone()
    who = person[0] if person else "所选人员"
    if not deciders:
        raise ValidationError(f"《{plan_name}》未规定{roman}响应由谁决定启动，请先在预案中设置", "决定人")
    raise ValidationError(f"{who}无权启动《{plan_name}》{roman}响应；应由"
                          f"{deciders_text(db, plan_id, level)}决定启动", "决定人")


# ------------------------------------------------------------------ deadline rules

def deadline_rules(db: Database) -> dict[str, tuple[int, str]]:
    """kind -> (amount, unit) from the reference table, defaults where a row is missing."""
    rules = dict(DEFAULT_RULES)
    rules.update({k: (a, u) for k, a, u in db.execute("SELECT kind, amount, unit FROM plan_deadline_rules")})
    return rules


def set_deadline_rule(db: Database, kind: str, amount: int) -> None:
    """Change a plan deadline (the administrator's setting), e.g. 预案备案 → 15 工作日."""
    session.require(db, "管理参考数据")
    if kind not in DEFAULT_RULES:
        raise ValidationError("期限类型须为：" + "、".join(DEFAULT_RULES), "kind")
    if not isinstance(amount, int) or not 1 <= amount <= (60 if kind == "预案备案" else 10):
        raise ValidationError("期限数值不合理", "amount")
    unit = DEFAULT_RULES[kind][1]
    with writing(db):
        db.execute("INSERT INTO plan_deadline_rules (kind, amount, unit) VALUES (?, ?, ?) "
                   "ON CONFLICT(kind) DO UPDATE SET amount = excluded.amount", [kind, amount, unit])


def add_working_days(db: Database, start: date, count: int) -> date:
    """The ``count``-th working day after ``start`` (weekends and statutory holidays skipped,
    调休 make-up workdays counted)."""
    day = start
    while count > 0:
        day += timedelta(days=1)
        if not day_info(db, day).is_holiday:
            count -= 1
    return day


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:                    # 29 February
        return day.replace(year=day.year + years, day=28)


def _add(db: Database, start: date, rule: tuple[int, str]) -> date:
    amount, unit = rule
    return add_working_days(db, start, amount) if unit == "工作日" else add_years(start, amount)


def deadlines(db: Database, plan_row: dict) -> dict[str, date | None]:
    """The plan's next 备案/演练/评估 deadlines (备案 None once filed or without an issue date)."""
    rules = deadline_rules(db)
    issued = date.fromisoformat(plan_row["issued_on"]) if plan_row.get("issued_on") else None
    out: dict[str, date | None] = {"预案备案": None, "预案演练": None, "预案评估": None}
    if issued and not plan_row.get("filed_on"):
        out["预案备案"] = _add(db, issued, rules["预案备案"])
    for kind, key in (("预案演练", "last_drill_on"), ("预案评估", "last_evaluation_on")):
        base = plan_row.get(key) or plan_row.get("issued_on")
        if base:
            out[kind] = _add(db, date.fromisoformat(base), rules[kind])
    return out


def _left(days: int) -> str:
    if days < 0:
        return f"已逾期 {-days} 天"
    return "今天到期" if days == 0 else f"还剩 {days} 天"


def alerts(db: Database, today: date) -> list[Alert]:
    """Filing, drill and evaluation deadlines of 现行 plans that fall within the alert window
    (``alerts.window_days``) or have passed."""
    window = window_days(db)
    rules = deadline_rules(db)
    found: list[Alert] = []
    for row in db.query("SELECT id, name, issued_on, filed_on, last_drill_on, last_evaluation_on "
                        "FROM plans WHERE status = '现行' ORDER BY id"):
        for kind, due in deadlines(db, row).items():
            if due is None:
                continue
            days = (due - today).days
            if days > window:
                continue
            amount, unit = rules[kind]
            if kind == "预案备案":
                message = (f"《{row['name']}》{row['issued_on']} 印发，应在 {amount} 个工作日内即 "
                           f"{due.isoformat()} 前报送备案，尚未备案（{_left(days)}）")
            else:
                what = kind[2:]
                key = "last_drill_on" if what == "演练" else "last_evaluation_on"
                since = (f"上次{what} {row[key]}" if row[key] else f"{row['issued_on']} 印发后未记录{what}")
                message = f"《{row['name']}》{since}，应每 {amount} {unit}{what}一次，{due.isoformat()} 到期（{_left(days)}）"
            found.append(Alert(kind, row["name"], due, days, message, ("plan", row["id"])))
    found.sort(key=lambda a: (a.days_left, a.kind, a.subject))
    return found
