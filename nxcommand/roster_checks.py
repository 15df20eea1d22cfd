"""Duty rules over the roster: modes in force (常态, 节假日, special periods), leader-in-post
marks, the holiday "五个一" checklist, the roster checker, month and week view data, and the
demo roster.

The checker reports every stretch of time without a 带班领导 or a 值班员 (merged into ranges),
every person on two overlapping shifts, and every shift under rules that require the leader
in post (节假日, or a special period that says so) whose leader is not marked in post once
the shift has begun.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlite_utils import Database

from . import session
from .clock import MINUTE_FORMAT, SYSTEM_CLOCK, Clock, FixedClock
from .errors import NotFound, ValidationError
from .holidays import day_info
from .roster import (LEADER, OFFICER, Person, Shift, day_range, default_pattern,
                     duty_day_start, eligible_people, generate_shifts, get_shift, range_label,
                     shifts_between, shifts_overlapping, substitute, swap, write_people)
from .store import writing
from .text import has_control_chars, normalize

EARLY_MARK = timedelta(minutes=60)   # a leader may be marked in post this long before the start


@dataclass(frozen=True)
class DutyMode:
    kind: str               # 常态, 节假日, 特别防护期, 汛期, 高森林火险期
    name: str               # 国庆节, a period's name, or the kind
    leader_in_post: bool    # 带班领导须在岗
    daily_zero_report: bool  # 每日报告/零报告
    period_id: int | None = None



# ------------------------------------------------------------------ leader in post, 五个一

def mark_leader_in_post(db: Database, shift_id: int, clock: Clock = SYSTEM_CLOCK, by: str = "") -> None:
    """带班领导在岗: record that the shift's leader is in post, at the clock's time."""
    session.require(db, "值班记录")
    shift = get_shift(db, shift_id)
    if shift.leader is None:
        raise ValidationError(f"{shift.label}班次尚未安排带班领导", LEADER)
    if shift.leader_in_post_at is not None:
        raise ValidationError(f"{shift.label}带班领导已于 {shift.leader_in_post_at:%m-%d %H:%M} 标记在岗")
    now = clock.now()
    if now < shift.starts_at - EARLY_MARK:
        raise ValidationError(f"{shift.label}班次尚未开始（{shift.starts_at:%m-%d %H:%M} 开始），不能提前标记在岗")
    with writing(db):
        db.execute("UPDATE shifts SET leader_in_post_at = ?, leader_in_post_by = ? WHERE id = ?",
                   [now.strftime(MINUTE_FORMAT), normalize(by)[:32], shift_id])


def checklist_items(db: Database, active_only: bool = True) -> list[dict]:
    sql = "SELECT id, name, active FROM holiday_checklist_items"
    return list(db.query(sql + (" WHERE active = 1" if active_only else "") + " ORDER BY sort_order, id"))


def add_checklist_item(db: Database, name: str) -> int:
    session.require(db, "管理参考数据")
    name = normalize(name)
    if not name or len(name) > 30 or has_control_chars(name):
        raise ValidationError("请填写 1–30 个字的检查项", "名称")
    if db.execute("SELECT 1 FROM holiday_checklist_items WHERE name = ?", [name]).fetchone():
        raise ValidationError(f"已有检查项“{name}”", "名称")
    with writing(db):
        return db.execute("INSERT INTO holiday_checklist_items (name, sort_order) VALUES (?, "
                          "(SELECT coalesce(max(sort_order), 0) + 1 FROM holiday_checklist_items))",
                          [name]).lastrowid


def set_checklist_item_active(db: Database, item_id: int, active: bool) -> None:
    session.require(db, "管理参考数据")
    with writing(db):
        if db.execute("UPDATE holiday_checklist_items SET active = ? WHERE id = ?",
                      [int(active), item_id]).rowcount != 1:
            raise NotFound("该检查项不存在")


def shift_checklist(db: Database, shift_id: int) -> list[dict]:
    """The active 五个一 items with who ticked each and when (empty strings if not yet)."""
    return list(db.query(
        "SELECT i.id, i.name, coalesce(t.ticked_by, '') AS ticked_by, coalesce(t.ticked_at, '') AS ticked_at "
        "FROM holiday_checklist_items i LEFT JOIN shift_checklist_ticks t ON t.item_id = i.id AND t.shift_id = ? "
        "WHERE i.active = 1 ORDER BY i.sort_order, i.id", [shift_id]))


def tick(db: Database, shift_id: int, item_id: int, by: str, clock: Clock = SYSTEM_CLOCK) -> None:
    """Tick a 五个一 item on a holiday shift, naming who confirms it."""
    session.require(db, "值班记录")
    shift = get_shift(db, shift_id)
    if not day_info(db, shift.duty_date).is_statutory:
        raise ValidationError(f"{shift.label}不在法定节假日，无需填写“五个一”")
    item = db.execute("SELECT name FROM holiday_checklist_items WHERE id = ? AND active = 1",
                      [item_id]).fetchone()
    if item is None:
        raise NotFound("该检查项不存在或已停用")
    by = normalize(by)
    if not by or len(by) > 32:
        raise ValidationError("请填写确认人", "确认人")
    with writing(db):
        db.execute("INSERT INTO shift_checklist_ticks (shift_id, item_id, ticked_by, ticked_at) VALUES "
                   "(?, ?, ?, ?) ON CONFLICT DO NOTHING", [shift_id, item_id, by, clock.stamp()])


def untick(db: Database, shift_id: int, item_id: int) -> None:
    session.require(db, "值班记录")
    with writing(db):
        db.execute("DELETE FROM shift_checklist_ticks WHERE shift_id = ? AND item_id = ?", [shift_id, item_id])


# ------------------------------------------------------------------ modes and special periods

def period_kinds(db: Database) -> list[dict]:
    return list(db.query("SELECT * FROM duty_period_kinds ORDER BY sort_order, id"))


def add_period(db: Database, kind: str, start: date, end: date, *, name: str = "",
               leader_in_post: bool | None = None, daily_zero_report: bool | None = None,
               note: str = "", clock: Clock = SYSTEM_CLOCK) -> int:
    """A special period (特别防护期, 汛期, 高森林火险期); its rules default to its kind's."""
    session.require(db, "编排值班表")
    row = db.execute("SELECT id, leader_in_post, daily_zero_report FROM duty_period_kinds WHERE name = ?",
                     [normalize(kind)]).fetchone()
    if row is None:
        names = "、".join(k["name"] for k in period_kinds(db))
        raise ValidationError(f"特殊时期类型须为：{names}", "类型")
    day_range(start, end)
    name = normalize(name) or normalize(kind)
    if len(name) > 40 or has_control_chars(name):
        raise ValidationError("名称不能超过 40 个字", "名称")
    clash = db.execute("SELECT name, start_date, end_date FROM duty_periods WHERE kind_id = ? "
                       "AND start_date <= ? AND end_date >= ?",
                       [row[0], end.isoformat(), start.isoformat()]).fetchone()
    if clash:
        raise ValidationError(f"与已有的“{clash[0]}”（{clash[1]} 至 {clash[2]}）时间重叠", "开始日期")
    flags = [row[1] if leader_in_post is None else int(leader_in_post),
             row[2] if daily_zero_report is None else int(daily_zero_report)]
    with writing(db):
        return db.execute(
            "INSERT INTO duty_periods (kind_id, name, start_date, end_date, leader_in_post, "
            "daily_zero_report, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [row[0], name, start.isoformat(), end.isoformat(), *flags, normalize(note), clock.stamp()]
        ).lastrowid


def remove_period(db: Database, period_id: int) -> None:
    session.require(db, "编排值班表")
    with writing(db):
        if db.execute("DELETE FROM duty_periods WHERE id = ?", [period_id]).rowcount != 1:
            raise NotFound("该特殊时期不存在")


def periods(db: Database, first: date | None = None, last: date | None = None) -> list[dict]:
    sql = ("SELECT p.id, k.name AS kind, p.name, p.start_date, p.end_date, p.leader_in_post, "
           "p.daily_zero_report, p.note FROM duty_periods p JOIN duty_period_kinds k ON k.id = p.kind_id")
    params: list = []
    if first is not None and last is not None:
        sql += " WHERE p.start_date <= ? AND p.end_date >= ?"
        params = [last.isoformat(), first.isoformat()]
    return list(db.query(sql + " ORDER BY p.start_date, k.sort_order", params))


def modes_between(db: Database, first: date, last: date) -> dict[date, list[DutyMode]]:
    """The duty modes in force on each day of first..last (常态 when nothing else is)."""
    found = periods(db, first, last)
    result = {}
    for day in day_range(first, last):
        modes = []
        info = day_info(db, day)
        if info.is_statutory:
            modes.append(DutyMode("节假日", info.name or "节假日", True, True))
        iso = day.isoformat()
        modes += [DutyMode(p["kind"], p["name"], bool(p["leader_in_post"]), bool(p["daily_zero_report"]),
                           p["id"]) for p in found if p["start_date"] <= iso <= p["end_date"]]
        result[day] = modes or [DutyMode("常态", "常态", False, False)]
    return result


def modes_on(db: Database, day: date) -> list[DutyMode]:
    return modes_between(db, day, day)[day]


# ------------------------------------------------------------------ the checker

NO_LEADER, NO_OFFICER = "no_leader", "no_officer"
DOUBLE_BOOKED, NOT_IN_POST = "double_booked", "leader_not_in_post"


@dataclass(frozen=True)
class Problem:
    kind: str                  # NO_LEADER, NO_OFFICER, DOUBLE_BOOKED, NOT_IN_POST
    description: str           # Chinese, ready to show
    start: datetime
    end: datetime
    days: tuple[date, ...]     # the duty days it touches (the first is where to go)
    shift_ids: tuple[int, ...] = ()
    person_id: int | None = None

    @property
    def day(self) -> date:
        return self.days[0]


def _duty_day(db_start, moment: datetime) -> date:
    return (moment - timedelta(hours=db_start.hour, minutes=db_start.minute)).date()


def _gaps(window: tuple[datetime, datetime], covered: list[tuple[datetime, datetime]]):
    cursor, end = window
    for s, e in sorted(covered):
        if s > cursor:
            yield cursor, min(s, end)
        cursor = max(cursor, e)
        if cursor >= end:
            return
    if cursor < end:
        yield cursor, end


def check_roster(db: Database, first: date, last: date, clock: Clock = SYSTEM_CLOCK) -> list[Problem]:
    """Every problem with the roster of the duty days first..last, in time order.

    A duty day runs from the duty-day start (08:30) to the same time the next day. Leaders
    are expected in post only on shifts that have begun by the clock's time."""
    day_start = duty_day_start(db)
    window = (datetime.combine(first, day_start), datetime.combine(last + timedelta(days=1), day_start))
    shifts = shifts_overlapping(db, *window)
    problems: list[Problem] = []

    def days_of(start: datetime, end: datetime) -> tuple[date, ...]:
        d0, d1 = _duty_day(day_start, start), _duty_day(day_start, end - timedelta(minutes=1))
        return tuple(d0 + timedelta(days=i) for i in range((d1 - d0).days + 1))

    for kind, label, has in ((NO_LEADER, LEADER, lambda s: s.leader is not None),
                             (NO_OFFICER, OFFICER, lambda s: bool(s.officers))):
        covered = [(s.starts_at, s.ends_at) for s in shifts if has(s)]
        for start, end in _gaps(window, covered):
            problems.append(Problem(kind, f"{range_label(start, end)} 无{label}", start, end,
                                    days_of(start, end)))

    booked: dict[int, list[tuple[Shift, str, Person]]] = {}
    for shift in shifts:
        for role, person in shift.people():
            booked.setdefault(person.id, []).append((shift, role, person))
    for entries in booked.values():
        for i, (a, role_a, person) in enumerate(entries):
            for b, role_b, _p in entries[i + 1:]:
                if b.starts_at < a.ends_at and a.starts_at < b.ends_at:
                    start, end = max(a.starts_at, b.starts_at), min(a.ends_at, b.ends_at)
                    problems.append(Problem(
                        DOUBLE_BOOKED, f"{person.name} 重复排班：{a.label}（{role_a}）与 {b.label}"
                        f"（{role_b}）在 {range_label(start, end)} 时间重叠", start, end,
                        tuple(sorted({a.duty_date, b.duty_date})), (a.id, b.id), person.id))

    modes = modes_between(db, first, last)
    now = clock.now()
    for shift in shifts:
        strict = [m.name for m in modes.get(shift.duty_date, []) if m.leader_in_post]
        if (strict and shift.leader is not None and shift.leader_in_post_at is None
                and shift.starts_at <= now):
            problems.append(Problem(
                NOT_IN_POST, f"{shift.label}（{'、'.join(strict)}）带班领导 {shift.leader.name} 未标记在岗",
                shift.starts_at, shift.ends_at, (shift.duty_date,), (shift.id,), shift.leader.id))
    return sorted(problems, key=lambda p: (p.start, p.kind))


# ------------------------------------------------------------------ month and week views

@dataclass(frozen=True)
class DayCell:
    day: date
    in_range: bool                  # inside the month (month view) or the week
    shifts: tuple[Shift, ...]
    modes: tuple[DutyMode, ...]
    holiday_name: str               # 国庆节, 国庆节调休上班, or ""
    is_statutory: bool
    is_makeup_workday: bool
    problems: tuple[Problem, ...]

    @property
    def badges(self) -> list[str]:
        """Short labels: the holiday or 调休上班, then each special period."""
        found = [self.holiday_name] if self.is_statutory or self.is_makeup_workday else []
        return found + [m.kind for m in self.modes if m.period_id is not None]


@dataclass(frozen=True)
class RosterView:
    first: date                          # first day of the range shown
    last: date
    weeks: tuple[tuple[DayCell, ...], ...]   # Monday-first rows
    problems: tuple[Problem, ...]


def _cells(db: Database, days: list[date], first: date, last: date, clock: Clock) -> RosterView:
    problems = tuple(check_roster(db, first, last, clock))
    shifts = shifts_between(db, days[0], days[-1])
    modes = modes_between(db, days[0], days[-1])
    cells = []
    for day in days:
        info = day_info(db, day)
        inside = first <= day <= last
        cells.append(DayCell(
            day, inside, tuple(s for s in shifts if s.duty_date == day), tuple(modes[day]),
            info.name, info.is_statutory, info.is_makeup_workday,
            tuple(p for p in problems if day in p.days) if inside else ()))
    return RosterView(first, last, tuple(tuple(cells[i:i + 7]) for i in range(0, len(cells), 7)), problems)


def month_view(db: Database, year: int, month: int, clock: Clock = SYSTEM_CLOCK) -> RosterView:
    """The calendar grid of a month (whole weeks, Monday first) with problems of the month."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    days = [d for week in weeks for d in week]
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    return _cells(db, days, first, last, clock)


def week_view(db: Database, day: date, clock: Clock = SYSTEM_CLOCK) -> RosterView:
    """The Monday-to-Sunday week containing ``day``."""
    monday = day - timedelta(days=day.weekday())
    days = [monday + timedelta(days=i) for i in range(7)]
    return _cells(db, days, days[0], days[-1], clock)


# ------------------------------------------------------------------ demo roster

def load_demo_roster(db: Database, first_day: date, days: int, clock: Clock = SYSTEM_CLOCK) -> None:
    """24 h shifts from 08:30 at the demo county's 应急管理局: leaders and officers rotating
    (nobody on duty two days running), two officers on holidays, one 高森林火险期, a 替班 and
    a 换班, leaders marked in post (and 五个一 ticked) on begun shifts whose rules ask for it."""
    with session.acting(db, session.system("演示数据")):
        return _load_demo_roster(db, first_day, days, clock)


def _load_demo_roster(db: Database, first_day: date, days: int, clock: Clock = SYSTEM_CLOCK) -> None:
    unit = "南雄市应急管理局"
    leaders = [p for p in eligible_people(db, LEADER) if _in_unit(db, p.id, unit)]
    officers = [p for p in eligible_people(db, OFFICER) if _in_unit(db, p.id, unit)]
    if not leaders or len(officers) < 4 or days < 1:
        raise ValidationError(f"演示值班表需要{unit}至少 1 名带班领导和 4 名值班员")
    leaders.sort(key=lambda p: p.id)
    officers.sort(key=lambda p: p.id)
    last_day = first_day + timedelta(days=days - 1)
    now = clock.now()
    with writing(db):
        start = first_day + timedelta(days=days // 3)
        add_period(db, "高森林火险期", start, min(last_day, start + timedelta(days=20)),
                   name=f"{start.year}年高森林火险期", note="森林防火指挥部发布的高火险时段（演示）", clock=clock)
        modes = modes_between(db, first_day, last_day)
        generate_shifts(db, default_pattern(db).id, first_day, last_day, clock)
        turn, previous = 0, set()
        for i, shift in enumerate(shifts_between(db, first_day, last_day)):
            leader = leaders[i % len(leaders)]
            need = 2 if any(m.kind == "节假日" for m in modes[shift.duty_date]) else 1
            ring = [officers[(turn + k) % len(officers)] for k in range(len(officers))]
            rested = [p.id for p in ring if p.id != leader.id and p.id not in previous]
            chosen = (rested + [p.id for p in ring if p.id != leader.id and p.id not in rested])[:need]
            turn += need
            drafted = FixedClock(min(now, shift.starts_at - timedelta(days=7)))
            write_people(db, shift.id, leader.id, chosen, "排班", "", drafted.stamp())
            previous = set(chosen)
        _demo_changes(db, shifts_between(db, first_day, last_day), officers, now)
        for shift in shifts_between(db, first_day, last_day):
            if shift.starts_at > now:
                continue
            marked = FixedClock(min(now, shift.starts_at + timedelta(minutes=12)))
            if any(m.leader_in_post for m in modes[shift.duty_date]):
                mark_leader_in_post(db, shift.id, marked, by=shift.officers[0].name)
            if any(m.kind == "节假日" for m in modes[shift.duty_date]):
                for item in checklist_items(db):
                    tick(db, shift.id, item["id"], shift.officers[0].name, marked)
def _in_unit(db: Database, person_id: int, unit: str) -> bool:
    return bool(db.execute("SELECT 1 FROM people p JOIN organizations o ON o.id = p.org_id "
                           "WHERE p.id = ? AND o.name = ?", [person_id, unit]).fetchone())


def _demo_changes(db: Database, shifts: list[Shift], officers: list[Person], now: datetime) -> None:
    """One 替班 and one 换班 between officers, recorded the day before the shift."""
    def busy(i: int) -> set[int]:
        return {p.id for j in (i - 1, i, i + 1) if 0 <= j < len(shifts) for _r, p in shifts[j].people()}

    if len(shifts) >= 3:
        shift = shifts[2]
        spare = next((p for p in officers if p.id not in busy(2)), None)
        if spare is not None:
            substitute(db, shift.id, shift.officers[0].id, spare.id, "家中老人住院需陪护，申请替班",
                       FixedClock(min(now, shift.starts_at - timedelta(hours=20))))
            shifts[2] = get_shift(db, shift.id)
    for i, j in ((5, 8), (6, 9), (10, 13)):
        if j >= len(shifts):
            return
        a, b = shifts[i], shifts[j]
        pa, pb = a.officers[0], b.officers[0]
        if pa.id not in busy(j) and pb.id not in busy(i):
            swap(db, a.id, pa.id, b.id, pb.id, f"参加市应急管理局业务培训，与{pb.name}换班",
                 FixedClock(min(now, a.starts_at - timedelta(days=1))))
            return
