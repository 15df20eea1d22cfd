"""The duty roster (值班表): shift patterns, shifts, who is on them, 换班/替班 and history.

Every shift has one 带班领导 and one or two 值班员 (DOMAIN.md §5). Changes of who is on a
shift are recorded in ``roster_changes``, which the database keeps append-only. Duty modes,
leader-in-post marks, the 五个一 checklist, the checker and the month/week view data live in
``roster_checks``; Excel import and export in ``roster_excel``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlite_utils import Database

from . import session
from .clock import SYSTEM_CLOCK, Clock, MINUTE_FORMAT, parse_minute
from .errors import NotFound, ValidationError
from .store import writing
from .text import has_control_chars, normalize

LEADER, OFFICER = "带班领导", "值班员"
MAX_OFFICERS = 2
REASON_MAX = 200
MAX_DAYS = 366


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    mobile: str
    office_phone: str

    @property
    def phone(self) -> str:
        return self.mobile or self.office_phone


@dataclass(frozen=True)
class Shift:
    id: int
    duty_date: date
    name: str
    starts_at: datetime
    ends_at: datetime
    leader: Person | None
    officers: tuple[Person, ...]
    leader_in_post_at: datetime | None
    leader_in_post_by: str
    version: int

    @property
    def label(self) -> str:
        return f"{day_label(self.duty_date)} {self.name}"

    @property
    def times(self) -> str:
        return range_label(self.starts_at, self.ends_at, with_first_day=False)

    def people(self) -> list[tuple[str, Person]]:
        found = [(LEADER, self.leader)] if self.leader else []
        return found + [(OFFICER, p) for p in self.officers]


@dataclass(frozen=True)
class Slot:
    name: str
    start_time: str        # 'HH:MM'
    duration_minutes: int


@dataclass(frozen=True)
class Pattern:
    id: int
    name: str
    is_default: bool
    slots: tuple[Slot, ...]


@dataclass(frozen=True)
class Change:
    id: int
    shift_id: int
    shift_label: str
    kind: str
    role: str
    old_name: str
    new_name: str
    related_shift_id: int | None
    reason: str
    recorded_at: str

    @property
    def description(self) -> str:
        who = f"{self.old_name or '（空）'} → {self.new_name or '（空）'}"
        reason = f"（原因：{self.reason}）" if self.reason else ""
        return f"{self.shift_label} {self.kind}：{self.role} {who}{reason}"


# ------------------------------------------------------------------ formatting helpers

def day_label(day: date) -> str:
    return f"{day.month}月{day.day}日"


def range_label(start: datetime, end: datetime, with_first_day: bool = True) -> str:
    """'11月3日 08:30–11月4日 08:30', '11月3日 08:30–20:30'; without the first day
    '08:30–次日08:30'."""
    first = f"{day_label(start.date())} " if with_first_day else ""
    if end.date() == start.date():
        last = f"{end:%H:%M}"
    elif end.date() == start.date() + timedelta(days=1) and not with_first_day:
        last = f"次日{end:%H:%M}"
    else:
        last = f"{day_label(end.date())} {end:%H:%M}"
    return f"{first}{start:%H:%M}–{last}"


def _reason(reason: str | None, required: bool) -> str:
    reason = normalize(reason)
    if required and not reason:
        raise ValidationError("请填写原因", "原因")
    if len(reason) > REASON_MAX:
        raise ValidationError(f"原因不能超过 {REASON_MAX} 个字", "原因")
    if has_control_chars(reason):
        raise ValidationError("原因含有不可见的控制字符", "原因")
    return reason


def day_range(first: date, last: date) -> list[date]:
    if last < first:
        raise ValidationError("结束日期不能早于开始日期", "结束日期")
    if (last - first).days >= MAX_DAYS:
        raise ValidationError(f"一次最多处理 {MAX_DAYS} 天", "结束日期")
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


# ------------------------------------------------------------------ patterns

def patterns(db: Database) -> list[Pattern]:
    found = []
    for pid, name, is_default in db.execute(
            "SELECT id, name, is_default FROM shift_patterns ORDER BY sort_order, id").fetchall():
        slots = tuple(Slot(*r) for r in db.execute(
            "SELECT name, start_time, duration_minutes FROM shift_pattern_slots WHERE pattern_id = ? "
            "ORDER BY sort_order, id", [pid]))
        found.append(Pattern(pid, name, bool(is_default), slots))
    return found


def pattern(db: Database, pattern_id: int) -> Pattern:
    for p in patterns(db):
        if p.id == pattern_id:
            return p
    raise NotFound("该班次模式不存在")


def add_pattern(db: Database, name: str, slots: list[Slot]) -> int:
    """A new shift pattern, e.g. 三班倒. Slot names must differ; each lasts 1 minute to 24 h."""
    session.require(db, "编排值班表")
    name = normalize(name)
    if not name or len(name) > 20 or has_control_chars(name):
        raise ValidationError("请填写 1–20 个字的班次模式名称", "名称")
    if db.execute("SELECT 1 FROM shift_patterns WHERE name = ?", [name]).fetchone():
        raise ValidationError(f"已有名为“{name}”的班次模式", "名称")
    if not slots:
        raise ValidationError("班次模式至少要有一个班次", "班次")
    clean = []
    for slot in slots:
        slot_name = normalize(slot.name)
        if not slot_name or len(slot_name) > 10:
            raise ValidationError("请填写 1–10 个字的班次名称", "班次")
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", slot.start_time or ""):
            raise ValidationError(f"班次“{slot_name}”的开始时间须为 HH:MM，如 08:30", "开始时间")
        if not isinstance(slot.duration_minutes, int) or not 0 < slot.duration_minutes <= 1440:
            raise ValidationError(f"班次“{slot_name}”的时长须在 1 分钟到 24 小时之间", "时长")
        clean.append(Slot(slot_name, slot.start_time, slot.duration_minutes))
    if len({s.name for s in clean}) != len(clean):
        raise ValidationError("同一模式中的班次名称不能重复", "班次")
    with writing(db):
        cur = db.execute("INSERT INTO shift_patterns (name, sort_order) VALUES (?, "
                         "(SELECT coalesce(max(sort_order), 0) + 1 FROM shift_patterns))", [name])
        for order, slot in enumerate(clean, 1):
            db.execute("INSERT INTO shift_pattern_slots (pattern_id, name, start_time, duration_minutes, "
                       "sort_order) VALUES (?, ?, ?, ?, ?)",
                       [cur.lastrowid, slot.name, slot.start_time, slot.duration_minutes, order])
    return cur.lastrowid


def default_pattern(db: Database) -> Pattern | None:
    found = patterns(db)
    return next((p for p in found if p.is_default), found[0] if found else None)


def duty_day_start(db: Database) -> time:
    """When a duty day begins (the default pattern's first slot; 08:30 by default)."""
    p = default_pattern(db)
    hh, mm = (p.slots[0].start_time if p and p.slots else "08:30").split(":")
    return time(int(hh), int(mm))


# ------------------------------------------------------------------ shifts

_SHIFT_SQL = """SELECT id, duty_date, name, starts_at, ends_at, leader_in_post_at, leader_in_post_by,
                       version FROM shifts"""


def _shifts(db: Database, where: str, params: list) -> list[Shift]:
    rows = db.execute(f"{_SHIFT_SQL} WHERE {where} ORDER BY starts_at, id", params).fetchall()
    if not rows:
        return []
    ids = [r[0] for r in rows]
    people: dict[int, dict] = {i: {"leader": None, "officers": []} for i in ids}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for shift_id, role, p_id, name, mobile, office in db.execute(
                "SELECT a.shift_id, a.role, p.id, p.name, coalesce(p.mobile, ''), "
                "coalesce(p.office_phone, '') FROM shift_assignments a JOIN people p ON p.id = a.person_id "
                f"WHERE a.shift_id IN ({','.join('?' * len(chunk))}) ORDER BY a.shift_id, a.role, a.slot",
                chunk):
            person = Person(p_id, name, mobile, office)
            if role == LEADER:
                people[shift_id]["leader"] = person
            else:
                people[shift_id]["officers"].append(person)
    return [Shift(r[0], date.fromisoformat(r[1]), r[2], datetime.strptime(r[3], MINUTE_FORMAT),
                  datetime.strptime(r[4], MINUTE_FORMAT), people[r[0]]["leader"],
                  tuple(people[r[0]]["officers"]),
                  datetime.strptime(r[5], MINUTE_FORMAT) if r[5] else None, r[6], r[7])
            for r in rows]


def get_shift(db: Database, shift_id: int) -> Shift:
    found = _shifts(db, "id = ?", [shift_id])
    if not found:
        raise NotFound("该班次不存在")
    return found[0]


def shifts_between(db: Database, first: date, last: date) -> list[Shift]:
    """Shifts whose duty date lies in first..last, in time order."""
    return _shifts(db, "duty_date BETWEEN ? AND ?", [first.isoformat(), last.isoformat()])


def shifts_overlapping(db: Database, start: datetime, end: datetime) -> list[Shift]:
    """Shifts covering any moment of [start, end)."""
    return _shifts(db, "starts_at < ? AND ends_at > ?",
                   [end.strftime(MINUTE_FORMAT), start.strftime(MINUTE_FORMAT)])


def current_shift(db: Database, at: datetime) -> Shift | None:
    """The shift covering the moment ``at`` (the latest-starting one if several do)."""
    stamp = at.strftime(MINUTE_FORMAT)
    found = _shifts(db, "starts_at <= ? AND ends_at > ?", [stamp, stamp])
    return found[-1] if found else None


def _validate_shift(db: Database, duty_date: date, name: str, starts_at, ends_at
                    ) -> tuple[str, datetime, datetime]:
    name = normalize(name)
    if not name or len(name) > 10 or has_control_chars(name):
        raise ValidationError("请填写 1–10 个字的班次名称", "班次")
    start = parse_minute(starts_at, "开始时间")
    end = parse_minute(ends_at, "结束时间")
    if end < start:
        raise ValidationError(f"班次结束时间（{end:%Y-%m-%d %H:%M}）早于开始时间（{start:%Y-%m-%d %H:%M}）",
                              "结束时间")
    if end == start:
        raise ValidationError("班次结束时间必须晚于开始时间", "结束时间")
    if end - start > timedelta(hours=48):
        raise ValidationError("一个班次不能超过 48 小时", "结束时间")
    if not 0 <= (start.date() - duty_date).days <= 1:
        raise ValidationError("班次须在值班日期当天（或次日凌晨）开始", "开始时间")
    if db.execute("SELECT 1 FROM shifts WHERE duty_date = ? AND name = ?",
                  [duty_date.isoformat(), name]).fetchone():
        raise ValidationError(f"{day_label(duty_date)}已有“{name}”班次", "班次")
    return name, start, end


def insert_shift(db: Database, duty_date: date, name: str, start: datetime, end: datetime,
                 stamp: str) -> int:
    """Write one shift (the caller has validated it, inside its transaction)."""
    return db.execute(
        "INSERT INTO shifts (duty_date, name, starts_at, ends_at, created_at) VALUES (?, ?, ?, ?, ?)",
        [duty_date.isoformat(), name, start.strftime(MINUTE_FORMAT), end.strftime(MINUTE_FORMAT),
         stamp]).lastrowid


def add_shift(db: Database, duty_date: date, name: str, starts_at: str | datetime,
              ends_at: str | datetime, clock: Clock = SYSTEM_CLOCK) -> int:
    session.require(db, "编排值班表")
    name, start, end = _validate_shift(db, duty_date, name, starts_at, ends_at)
    with writing(db):
        return insert_shift(db, duty_date, name, start, end, clock.stamp())


def slot_times(day: date, slot: Slot) -> tuple[datetime, datetime]:
    hh, mm = slot.start_time.split(":")
    start = datetime.combine(day, time(int(hh), int(mm)))
    return start, start + timedelta(minutes=slot.duration_minutes)


@dataclass(frozen=True)
class GenerationPlan:
    pattern: Pattern
    first: date
    last: date
    new: tuple[tuple[date, Slot], ...]
    skipped: tuple[date, ...]       # days that already have shifts

    @property
    def summary(self) -> str:
        text = (f"将按“{self.pattern.name}”为 {self.first.year}年{day_label(self.first)}至"
                f"{day_label(self.last)}生成 {len(self.new)} 个班次")
        if self.skipped:
            text += f"；已有班次的 {len(self.skipped)} 天保持不变"
        return text + "。生成的班次尚未安排人员。"


def plan_generation(db: Database, pattern_id: int, first: date, last: date) -> GenerationPlan:
    p = pattern(db, pattern_id)
    days = day_range(first, last)
    taken = {r[0] for r in db.execute("SELECT DISTINCT duty_date FROM shifts WHERE duty_date BETWEEN ? AND ?",
                                      [first.isoformat(), last.isoformat()])}
    skipped = tuple(d for d in days if d.isoformat() in taken)
    new = tuple((d, s) for d in days if d.isoformat() not in taken for s in p.slots)
    return GenerationPlan(p, first, last, new, skipped)


def generate_shifts(db: Database, pattern_id: int, first: date, last: date,
                    clock: Clock = SYSTEM_CLOCK) -> list[int]:
    """Create the pattern's shifts for every day of first..last that has none yet."""
    session.require(db, "编排值班表")
    plan = plan_generation(db, pattern_id, first, last)
    stamp = clock.stamp()
    with writing(db):
        return [insert_shift(db, day, slot.name, *slot_times(day, slot), stamp) for day, slot in plan.new]


# ------------------------------------------------------------------ people on shifts

def _person(db: Database, person_id: int | None, role: str) -> Person:
    row = db.execute(
        "SELECT p.id, p.name, coalesce(p.mobile, ''), coalesce(p.office_phone, ''), p.active, "
        "EXISTS (SELECT 1 FROM person_roles pr JOIN role_tags t ON t.id = pr.role_tag_id "
        "        WHERE pr.person_id = p.id AND t.name = ?) FROM people p WHERE p.id = ?",
        [role, person_id]).fetchone()
    if row is None:
        raise ValidationError(f"所选{role}不存在", role)
    if not row[4]:
        raise ValidationError(f"“{row[1]}”已停用，不能排班", role)
    if not row[5]:
        raise ValidationError(f"“{row[1]}”没有“{role}”角色，不能担任{role}", role)
    return Person(*row[:4])


def eligible_people(db: Database, role: str) -> list[Person]:
    """Active people carrying ``role`` (带班领导 or 值班员), in directory order."""
    return [Person(*r) for r in db.execute(
        "SELECT p.id, p.name, coalesce(p.mobile, ''), coalesce(p.office_phone, '') FROM people p "
        "JOIN person_roles pr ON pr.person_id = p.id JOIN role_tags t ON t.id = pr.role_tag_id "
        "WHERE p.active = 1 AND t.name = ? ORDER BY p.sort_key, p.id", [role])]


def _slots(db: Database, shift_id: int) -> dict[tuple[str, int], int]:
    return {(r[0], r[1]): r[2] for r in db.execute(
        "SELECT role, slot, person_id FROM shift_assignments WHERE shift_id = ?", [shift_id])}


def _planned_slots(current: dict, leader_id: int | None, officer_ids: list[int]) -> dict:
    """New slot map; officers who stay keep their slot, newcomers fill the free ones."""
    wanted = {(LEADER, 1): leader_id} if leader_id is not None else {}
    kept = {k: v for k, v in current.items() if k[0] == OFFICER and v in officer_ids}
    wanted.update(kept)
    free = [k for k in ((OFFICER, 1), (OFFICER, 2)) if k not in kept]
    for person_id in (i for i in officer_ids if i not in kept.values()):
        wanted[free.pop(0)] = person_id
    return wanted


def write_people(db: Database, shift_id: int, leader_id: int | None, officer_ids: list[int],
                 kind: str, reason: str, stamp: str) -> int:
    """Put these people on the shift and record each change; the caller has validated them
    and holds the transaction. Returns the number of changed places."""
    current = _slots(db, shift_id)
    wanted = _planned_slots(current, leader_id, officer_ids)
    changed = [k for k in sorted(set(current) | set(wanted), key=lambda k: (k[0] != LEADER, k[1]))
               if current.get(k) != wanted.get(k)]
    if not changed:
        return 0
    for role, slot in changed:
        db.execute("DELETE FROM shift_assignments WHERE shift_id = ? AND role = ? AND slot = ?",
                   [shift_id, role, slot])
    for role, slot in changed:
        if wanted.get((role, slot)) is not None:
            db.execute("INSERT INTO shift_assignments (shift_id, role, slot, person_id) VALUES (?, ?, ?, ?)",
                       [shift_id, role, slot, wanted[(role, slot)]])
        old = current.get((role, slot))
        _record(db, shift_id, kind if old is not None or kind != "调整" else "排班", role, old,
                wanted.get((role, slot)), None, reason, stamp)
    clear = ", leader_in_post_at = NULL, leader_in_post_by = ''" if (LEADER, 1) in changed else ""
    db.execute(f"UPDATE shifts SET version = version + 1{clear} WHERE id = ?", [shift_id])
    return len(changed)


def _record(db, shift_id, kind, role, old, new, related, reason, stamp) -> None:
    db.execute("INSERT INTO roster_changes (shift_id, kind, role, old_person_id, new_person_id, "
               "related_shift_id, reason, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
               [shift_id, kind, role, old, new, related, reason, stamp])


def assign(db: Database, shift_id: int, leader_id: int | None, officer_ids: list[int], *,
           reason: str = "", clock: Clock = SYSTEM_CLOCK, expected_version: int | None = None) -> int:
    """Set who is on a shift: one 带班领导 and up to two 值班员.

    Filling empty places needs no reason; replacing or removing someone already on the
    shift does. Returns the number of places changed (0: nothing to do, nothing written)."""
    session.require(db, "编排值班表")
    shift = get_shift(db, shift_id)
    officer_ids = [i for i in officer_ids if i is not None]
    if len(officer_ids) > MAX_OFFICERS:
        raise ValidationError(f"每个班次最多安排 {MAX_OFFICERS} 名值班员", OFFICER)
    if len(set(officer_ids)) != len(officer_ids):
        raise ValidationError("同一名值班员不能在一个班次中重复安排", OFFICER)
    if leader_id is not None and leader_id in officer_ids:
        raise ValidationError("带班领导不能同时担任本班次的值班员", OFFICER)
    if leader_id is not None:
        _person(db, leader_id, LEADER)
    for person_id in officer_ids:
        _person(db, person_id, OFFICER)
    current = _slots(db, shift_id)
    wanted = _planned_slots(current, leader_id, officer_ids)
    replaces = any(current[k] != wanted.get(k) for k in current)
    reason = _reason(reason, required=replaces)
    if expected_version is not None and expected_version != shift.version:
        raise ValidationError("该班次已被他人修改，请重新打开后再调整")
    with writing(db):
        return write_people(db, shift_id, leader_id, officer_ids, "调整", reason, clock.stamp())


def _role_on(db: Database, shift: Shift, person_id: int) -> tuple[str, int]:
    for (role, slot), pid in _slots(db, shift.id).items():
        if pid == person_id:
            return role, slot
    name = db.execute("SELECT name FROM people WHERE id = ?", [person_id]).fetchone()
    raise ValidationError(f"“{name[0] if name else person_id}”不在{shift.label}班次上", "人员")


def swap(db: Database, shift_a: int, person_a: int, shift_b: int, person_b: int, reason: str,
         clock: Clock = SYSTEM_CLOCK) -> None:
    """换班: person_a (on shift_a) and person_b (on shift_b) exchange shifts, same role."""
    session.require(db, "编排值班表")
    a, b = get_shift(db, shift_a), get_shift(db, shift_b)
    if a.id == b.id:
        raise ValidationError("换班须在两个不同的班次之间进行", "班次")
    role_a, slot_a = _role_on(db, a, person_a)
    role_b, slot_b = _role_on(db, b, person_b)
    if role_a != role_b:
        raise ValidationError("只能同岗位换班：带班领导与带班领导、值班员与值班员", "人员")
    for shift, person in ((a, person_b), (b, person_a)):
        if person in _slots(db, shift.id).values():
            name = db.execute("SELECT name FROM people WHERE id = ?", [person]).fetchone()[0]
            raise ValidationError(f"“{name}”已在{shift.label}班次上，不能换到该班次", "人员")
        _person(db, person, role_a)
    reason = _reason(reason, required=True)
    stamp = clock.stamp()
    with writing(db):
        for shift, slot, old, new, other in ((a, slot_a, person_a, person_b, b),
                                             (b, slot_b, person_b, person_a, a)):
            db.execute("UPDATE shift_assignments SET person_id = ? WHERE shift_id = ? AND role = ? AND slot = ?",
                       [new, shift.id, role_a, slot])
            _record(db, shift.id, "换班", role_a, old, new, other.id, reason, stamp)
            clear = ", leader_in_post_at = NULL, leader_in_post_by = ''" if role_a == LEADER else ""
            db.execute(f"UPDATE shifts SET version = version + 1{clear} WHERE id = ?", [shift.id])


def substitute(db: Database, shift_id: int, person_out: int, person_in: int, reason: str,
               clock: Clock = SYSTEM_CLOCK) -> None:
    """替班: person_in takes person_out's place on the shift."""
    session.require(db, "编排值班表")
    shift = get_shift(db, shift_id)
    role, slot = _role_on(db, shift, person_out)
    incoming = _person(db, person_in, role)
    if person_in in _slots(db, shift_id).values():
        raise ValidationError(f"“{incoming.name}”已在{shift.label}班次上", "人员")
    reason = _reason(reason, required=True)
    with writing(db):
        db.execute("UPDATE shift_assignments SET person_id = ? WHERE shift_id = ? AND role = ? AND slot = ?",
                   [person_in, shift_id, role, slot])
        _record(db, shift_id, "替班", role, person_out, person_in, None, reason, clock.stamp())
        clear = ", leader_in_post_at = NULL, leader_in_post_by = ''" if role == LEADER else ""
        db.execute(f"UPDATE shifts SET version = version + 1{clear} WHERE id = ?", [shift_id])


def history(db: Database, shift_id: int | None = None, first: date | None = None,
            last: date | None = None) -> list[Change]:
    """Changes of who is on duty, oldest first; for one shift or the shifts of a date range."""
    where, params = ["1 = 1"], []
    if shift_id is not None:
        where.append("c.shift_id = ?")
        params.append(shift_id)
    if first is not None and last is not None:
        where.append("s.duty_date BETWEEN ? AND ?")
        params += [first.isoformat(), last.isoformat()]
    return [Change(r[0], r[1], f"{day_label(date.fromisoformat(r[2]))} {r[3]}", *r[4:])
            for r in db.execute(
                "SELECT c.id, c.shift_id, s.duty_date, s.name, c.kind, c.role, coalesce(o.name, ''), "
                "coalesce(n.name, ''), c.related_shift_id, c.reason, c.recorded_at FROM roster_changes c "
                "JOIN shifts s ON s.id = c.shift_id LEFT JOIN people o ON o.id = c.old_person_id "
                f"LEFT JOIN people n ON n.id = c.new_person_id WHERE {' AND '.join(where)} ORDER BY c.id",
                params)]
