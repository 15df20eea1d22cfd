"""The duty roster's core: generation, who may be on a shift, 换班/替班 history, duty modes from
the real holiday calendar, the checker, current shift, month/week data and the demo roster."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nxcommand import contacts, holidays, org, roster
from nxcommand import roster_checks as checks
from nxcommand.clock import FixedClock
from nxcommand.errors import NotFound, ValidationError
from nxcommand.roster_checks import load_demo_roster
from nxcommand.store import open_db

NOV3 = date(2026, 11, 3)


def pid(db, name: str) -> int:
    return db.execute("SELECT id FROM people WHERE name = ? AND active = 1", [name]).fetchone()[0]


def pattern_id(db, name: str) -> int:
    return next(p.id for p in roster.patterns(db) if p.name == name)


def make_days(db, clock, first: date, days: int, pattern: str = "24小时班") -> list[roster.Shift]:
    roster.generate_shifts(db, pattern_id(db, pattern), first, first + timedelta(days=days - 1), clock)
    return roster.shifts_between(db, first, first + timedelta(days=days - 1))


def staff(db, clock, shifts, leaders=("张建中", "钟国平", "田立新"), officers=("张金龙", "肖文静", "郭俊杰")):
    for i, shift in enumerate(shifts):
        roster.assign(db, shift.id, pid(db, leaders[i % len(leaders)]),
                      [pid(db, officers[i % len(officers)])], clock=clock)


def table_counts(db) -> tuple:
    return tuple(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                 for t in ("shifts", "shift_assignments", "roster_changes", "duty_periods",
                           "shift_checklist_ticks"))


# ------------------------------------------------------------------ patterns and generation

def test_default_patterns_are_reference_data(demo_db):
    found = {p.name: [(s.name, s.start_time, s.duration_minutes) for s in p.slots]
             for p in roster.patterns(demo_db)}
    assert found == {"24小时班": [("全天", "08:30", 1440)],
                     "白班/夜班": [("白班", "08:30", 720), ("夜班", "20:30", 720)]}
    assert roster.default_pattern(demo_db).name == "24小时班"


def test_generating_a_month_of_24_hour_shifts(demo_db, clock):
    shifts = make_days(demo_db, clock, date(2026, 11, 1), 30)
    assert len(shifts) == 30
    third = shifts[2]
    assert (third.duty_date, third.name) == (NOV3, "全天")
    assert (third.starts_at, third.ends_at) == (datetime(2026, 11, 3, 8, 30), datetime(2026, 11, 4, 8, 30))
    assert third.leader is None and third.officers == ()
    # Generating again over a wider range keeps the existing days and fills the rest.
    plan = roster.plan_generation(demo_db, pattern_id(demo_db, "白班/夜班"), date(2026, 11, 29), date(2026, 12, 2))
    assert plan.skipped == (date(2026, 11, 29), date(2026, 11, 30)) and len(plan.new) == 4
    assert "生成 4 个班次" in plan.summary and "已有班次的 2 天保持不变" in plan.summary
    roster.generate_shifts(demo_db, plan.pattern.id, plan.first, plan.last, clock)
    night = roster.shifts_between(demo_db, date(2026, 12, 1), date(2026, 12, 1))[1]
    assert (night.name, night.starts_at, night.ends_at) == (
        "夜班", datetime(2026, 12, 1, 20, 30), datetime(2026, 12, 2, 8, 30))
    assert night.times == "20:30–次日08:30"


def test_a_shift_ending_before_it_starts_is_refused(demo_db, clock):
    before = table_counts(demo_db)
    with pytest.raises(ValidationError, match="早于开始时间"):
        roster.add_shift(demo_db, NOV3, "加班", "2026-11-03 20:00", "2026-11-03 08:00", clock)
    with pytest.raises(ValidationError, match="必须晚于开始时间"):
        roster.add_shift(demo_db, NOV3, "加班", "2026-11-03 08:00", "2026-11-03 08:00", clock)
    with pytest.raises(ValidationError, match="应为“年-月-日 时:分”"):
        roster.add_shift(demo_db, NOV3, "加班", "11月3日 8点", "2026-11-03 20:00", clock)
    with pytest.raises(ValidationError, match="一次最多"):
        roster.generate_shifts(demo_db, 1, date(2026, 1, 1), date(2027, 6, 1), clock)
    assert table_counts(demo_db) == before


def test_a_new_pattern_is_validated(demo_db):
    three = [roster.Slot("早班", "08:00", 480), roster.Slot("中班", "16:00", 480), roster.Slot("夜班", "00:00", 480)]
    new_id = roster.add_pattern(demo_db, "三班倒", three)
    assert [s.name for s in roster.pattern(demo_db, new_id).slots] == ["早班", "中班", "夜班"]
    with pytest.raises(ValidationError, match="开始时间须为 HH:MM"):
        roster.add_pattern(demo_db, "坏模式", [roster.Slot("早班", "8点", 480)])
    with pytest.raises(ValidationError, match="已有名为"):
        roster.add_pattern(demo_db, "三班倒", three)


# ------------------------------------------------------------------ assigning people

def test_only_qualified_active_people_can_be_assigned(demo_db, clock):
    shift = make_days(demo_db, clock, NOV3, 1)[0]
    before = table_counts(demo_db)
    cases = [
        (pid(demo_db, "张金龙"), [pid(demo_db, "肖文静")], "没有“带班领导”角色"),     # an officer as leader
        (pid(demo_db, "张建中"), [pid(demo_db, "钟国平")], "没有“值班员”角色"),      # a leader as officer
        (pid(demo_db, "张建中"), [pid(demo_db, n) for n in ("张金龙", "肖文静", "郭俊杰")], "最多安排 2 名"),
        (pid(demo_db, "王伟东"), [pid(demo_db, "王伟东")], "不能同时担任"),
        (pid(demo_db, "张建中"), [pid(demo_db, "张金龙")] * 2, "不能在一个班次中重复"),
        (99999, [pid(demo_db, "张金龙")], "不存在"),
    ]
    for leader, officers, message in cases:
        with pytest.raises(ValidationError, match=message):
            roster.assign(demo_db, shift.id, leader, officers, clock=clock)
    contacts.retire(demo_db, pid(demo_db, "肖文静"), "调离", clock)
    retired = demo_db.execute("SELECT id FROM people WHERE name = '肖文静'").fetchone()[0]
    with pytest.raises(ValidationError, match="已停用"):
        roster.assign(demo_db, shift.id, pid(demo_db, "张建中"), [retired], clock=clock)
    assert table_counts(demo_db) == before
    with pytest.raises(NotFound):
        roster.assign(demo_db, 424242, None, [], clock=clock)


def test_changing_people_needs_a_reason_and_is_recorded(demo_db, clock):
    shift = make_days(demo_db, clock, NOV3, 1)[0]
    assert roster.assign(demo_db, shift.id, pid(demo_db, "张建中"),
                         [pid(demo_db, "张金龙"), pid(demo_db, "肖文静")], clock=clock) == 3
    clock.set(datetime(2026, 11, 3, 8, 40))
    checks.mark_leader_in_post(demo_db, shift.id, clock)
    before = table_counts(demo_db)
    with pytest.raises(ValidationError, match="请填写原因"):
        roster.assign(demo_db, shift.id, pid(demo_db, "钟国平"), [pid(demo_db, "张金龙")], clock=clock)
    assert table_counts(demo_db) == before
    clock.advance(minutes=5)
    roster.assign(demo_db, shift.id, pid(demo_db, "钟国平"), [pid(demo_db, "肖文静")],
                  reason="张建中局长临时到省里开会", clock=clock)
    now = roster.get_shift(demo_db, shift.id)
    assert now.leader.name == "钟国平" and [p.name for p in now.officers] == ["肖文静"]
    assert now.leader_in_post_at is None                  # the mark was for the previous leader
    changes = [(c.kind, c.role, c.old_name, c.new_name, c.reason) for c in roster.history(demo_db, shift.id)]
    assert changes[:3] == [("排班", "带班领导", "", "张建中", ""), ("排班", "值班员", "", "张金龙", ""),
                           ("排班", "值班员", "", "肖文静", "")]
    assert changes[3:] == [("调整", "带班领导", "张建中", "钟国平", "张建中局长临时到省里开会"),
                           ("调整", "值班员", "张金龙", "", "张建中局长临时到省里开会")]
    assert roster.history(demo_db, shift.id)[-1].recorded_at == "2026-11-03 08:45:00"
    # Saving the same people again changes nothing and records nothing.
    assert roster.assign(demo_db, shift.id, pid(demo_db, "钟国平"), [pid(demo_db, "肖文静")], clock=clock) == 0
    assert len(roster.history(demo_db, shift.id)) == 5


def test_a_stale_form_cannot_overwrite_a_newer_change(demo_db, clock):
    shift = make_days(demo_db, clock, NOV3, 1)[0]
    roster.assign(demo_db, shift.id, pid(demo_db, "张建中"), [pid(demo_db, "张金龙")], clock=clock)
    with pytest.raises(ValidationError, match="已被他人修改"):
        roster.assign(demo_db, shift.id, pid(demo_db, "钟国平"), [pid(demo_db, "张金龙")], reason="调整",
                      clock=clock, expected_version=shift.version)
    assert roster.get_shift(demo_db, shift.id).leader.name == "张建中"


def test_swap_and_substitute_keep_history(demo_db, clock):
    a, b = make_days(demo_db, clock, NOV3, 2)
    roster.assign(demo_db, a.id, pid(demo_db, "张建中"), [pid(demo_db, "张金龙")], clock=clock)
    roster.assign(demo_db, b.id, pid(demo_db, "钟国平"), [pid(demo_db, "肖文静")], clock=clock)
    with pytest.raises(ValidationError, match="请填写原因"):
        roster.swap(demo_db, a.id, pid(demo_db, "张金龙"), b.id, pid(demo_db, "肖文静"), " ", clock)
    with pytest.raises(ValidationError, match="同岗位"):
        roster.swap(demo_db, a.id, pid(demo_db, "张金龙"), b.id, pid(demo_db, "钟国平"), "家中有事", clock)
    with pytest.raises(ValidationError, match="不在11月4日 全天班次上"):
        roster.swap(demo_db, a.id, pid(demo_db, "张金龙"), b.id, pid(demo_db, "郭俊杰"), "家中有事", clock)
    roster.swap(demo_db, a.id, pid(demo_db, "张金龙"), b.id, pid(demo_db, "肖文静"), "孩子生病需照顾", clock)
    assert roster.get_shift(demo_db, a.id).officers[0].name == "肖文静"
    assert roster.get_shift(demo_db, b.id).officers[0].name == "张金龙"
    with pytest.raises(ValidationError, match="没有“值班员”角色"):
        roster.substitute(demo_db, b.id, pid(demo_db, "张金龙"), pid(demo_db, "张建中"), "临时有事", clock)
    roster.substitute(demo_db, b.id, pid(demo_db, "张金龙"), pid(demo_db, "郭俊杰"), "临时抽调参加抢险", clock)
    assert roster.get_shift(demo_db, b.id).officers[0].name == "郭俊杰"
    kept = [(c.shift_id, c.kind, c.old_name, c.new_name, c.related_shift_id, c.reason)
            for c in roster.history(demo_db) if c.kind != "排班"]
    assert kept == [(a.id, "换班", "张金龙", "肖文静", b.id, "孩子生病需照顾"),
                    (b.id, "换班", "肖文静", "张金龙", a.id, "孩子生病需照顾"),
                    (b.id, "替班", "张金龙", "郭俊杰", None, "临时抽调参加抢险")]
    assert "替班：值班员 张金龙 → 郭俊杰（原因：临时抽调参加抢险）" in roster.history(demo_db, b.id)[-1].description


def test_history_is_never_rewritten(demo_db, clock):
    shift = make_days(demo_db, clock, NOV3, 1)[0]
    roster.assign(demo_db, shift.id, pid(demo_db, "张建中"), [pid(demo_db, "张金龙")], clock=clock)
    with pytest.raises(sqlite3.IntegrityError):
        demo_db.execute("UPDATE roster_changes SET reason = '改写'")
    with pytest.raises(sqlite3.IntegrityError):
        demo_db.execute("DELETE FROM roster_changes")
    with pytest.raises(sqlite3.IntegrityError):            # nor can a shift with history vanish
        demo_db.execute("DELETE FROM shifts WHERE id = ?", [shift.id])
    assert len(roster.history(demo_db, shift.id)) == 2


# ------------------------------------------------------------------ modes

def test_modes_follow_the_statutory_calendar(demo_db, clock):
    national_day = checks.modes_on(demo_db, date(2026, 10, 1))
    assert [(m.kind, m.name, m.leader_in_post) for m in national_day] == [("节假日", "国庆节", True)]
    assert [m.kind for m in checks.modes_on(demo_db, date(2026, 10, 10))] == ["常态"]   # 调休上班
    assert [m.kind for m in checks.modes_on(demo_db, date(2026, 10, 11))] == ["常态"]   # a plain Sunday
    holidays.set_override(demo_db, date(2026, 11, 3), "holiday", "县庆")
    assert [(m.kind, m.name) for m in checks.modes_on(demo_db, NOV3)] == [("节假日", "县庆")]


def test_special_periods_and_their_rules(demo_db, clock):
    flood = checks.add_period(demo_db, "汛期", date(2026, 4, 1), date(2026, 10, 15), name="2026年汛期",
                              leader_in_post=False, clock=clock)
    checks.add_period(demo_db, "特别防护期", date(2026, 9, 30), date(2026, 10, 8), clock=clock)
    modes = checks.modes_on(demo_db, date(2026, 10, 1))
    assert [(m.kind, m.name, m.leader_in_post, m.daily_zero_report) for m in modes] == [
        ("节假日", "国庆节", True, True), ("汛期", "2026年汛期", False, True), ("特别防护期", "特别防护期", True, True)]
    assert modes[1].period_id == flood
    before = table_counts(demo_db)
    with pytest.raises(ValidationError, match="时间重叠"):
        checks.add_period(demo_db, "汛期", date(2026, 10, 1), date(2026, 10, 31), clock=clock)
    with pytest.raises(ValidationError, match="结束日期不能早于开始日期"):
        checks.add_period(demo_db, "高森林火险期", date(2026, 12, 1), date(2026, 11, 1), clock=clock)
    with pytest.raises(ValidationError, match="特殊时期类型须为"):
        checks.add_period(demo_db, "春运", date(2026, 12, 1), date(2026, 12, 31), clock=clock)
    assert table_counts(demo_db) == before


# ------------------------------------------------------------------ leader in post, 五个一

def test_leader_in_post_is_marked_with_its_time(demo_db, clock):
    shift = make_days(demo_db, clock, date(2026, 10, 1), 1)[0]
    with pytest.raises(ValidationError, match="尚未安排带班领导"):
        checks.mark_leader_in_post(demo_db, shift.id, clock)
    staff(demo_db, clock, [shift])
    clock.set(datetime(2026, 9, 30, 20, 0))
    with pytest.raises(ValidationError, match="不能提前标记在岗"):
        checks.mark_leader_in_post(demo_db, shift.id, clock)
    clock.set(datetime(2026, 10, 1, 8, 36))
    checks.mark_leader_in_post(demo_db, shift.id, clock, by="张金龙")
    marked = roster.get_shift(demo_db, shift.id)
    assert (marked.leader_in_post_at, marked.leader_in_post_by) == (datetime(2026, 10, 1, 8, 36), "张金龙")
    with pytest.raises(ValidationError, match="已于 10-01 08:36 标记在岗"):
        checks.mark_leader_in_post(demo_db, shift.id, clock)


def test_five_ones_are_ticked_on_holiday_shifts_only(demo_db, clock):
    holiday, workday = (make_days(demo_db, clock, d, 1)[0] for d in (date(2026, 10, 2), date(2026, 10, 9)))
    items = checks.checklist_items(demo_db)
    assert [i["name"] for i in items] == ["领导在岗带班", "24小时值班", "值班表提前报备", "每日报告/零报告", "通讯畅通"]
    with pytest.raises(ValidationError, match="不在法定节假日"):
        checks.tick(demo_db, workday.id, items[0]["id"], "张金龙", clock)
    with pytest.raises(ValidationError, match="请填写确认人"):
        checks.tick(demo_db, holiday.id, items[0]["id"], "  ", clock)
    checks.tick(demo_db, holiday.id, items[3]["id"], "张金龙", clock)
    state = {i["name"]: (i["ticked_by"], i["ticked_at"]) for i in checks.shift_checklist(demo_db, holiday.id)}
    assert state["每日报告/零报告"] == ("张金龙", "2026-07-01 14:20:00") and state["通讯畅通"] == ("", "")
    checks.add_checklist_item(demo_db, "应急物资到位")
    assert len(checks.shift_checklist(demo_db, holiday.id)) == 6
    checks.untick(demo_db, holiday.id, items[3]["id"])
    assert all(not i["ticked_by"] for i in checks.shift_checklist(demo_db, holiday.id))


# ------------------------------------------------------------------ the checker

def test_a_sound_roster_has_no_problems(demo_db, clock):
    staff(demo_db, clock, make_days(demo_db, clock, date(2026, 11, 2), 5))
    assert checks.check_roster(demo_db, date(2026, 11, 2), date(2026, 11, 6), clock) == []


def test_gaps_are_reported_as_merged_ranges(demo_db, clock):
    shifts = make_days(demo_db, clock, date(2026, 11, 2), 5)
    staff(demo_db, clock, shifts)
    roster.assign(demo_db, shifts[1].id, None, [pid(demo_db, "肖文静")], reason="领导另有安排", clock=clock)
    for shift in shifts[2:4]:
        leader = roster.get_shift(demo_db, shift.id).leader
        roster.assign(demo_db, shift.id, leader.id, [], reason="人员待定", clock=clock)
    problems = checks.check_roster(demo_db, date(2026, 11, 1), date(2026, 11, 6), clock)
    assert [(p.kind, p.description) for p in problems] == [
        ("no_leader", "11月1日 08:30–11月2日 08:30 无带班领导"),       # no shift at all that day
        ("no_officer", "11月1日 08:30–11月2日 08:30 无值班员"),
        ("no_leader", "11月3日 08:30–11月4日 08:30 无带班领导"),
        ("no_officer", "11月4日 08:30–11月6日 08:30 无值班员"),        # two days, one line
    ]
    assert problems[-1].days == (date(2026, 11, 4), date(2026, 11, 5))


def test_a_gap_inside_a_day_is_exact(demo_db, clock):
    day, night = make_days(demo_db, clock, NOV3, 1, "白班/夜班")
    staff(demo_db, clock, [day])
    roster.assign(demo_db, night.id, pid(demo_db, "钟国平"), [], clock=clock)
    assert [p.description for p in checks.check_roster(demo_db, NOV3, NOV3, clock)] == [
        "11月3日 20:30–11月4日 08:30 无值班员"]


def test_double_booking_is_found(demo_db, clock):
    staff(demo_db, clock, make_days(demo_db, clock, NOV3, 1))
    extra = roster.add_shift(demo_db, NOV3, "加强班", "2026-11-03 14:00", "2026-11-03 22:00", clock)
    roster.assign(demo_db, extra, pid(demo_db, "钟国平"), [pid(demo_db, "张金龙")], clock=clock)
    problems = checks.check_roster(demo_db, NOV3, NOV3, clock)
    assert [(p.kind, p.person_id, p.description) for p in problems] == [
        ("double_booked", pid(demo_db, "张金龙"),
         "张金龙 重复排班：11月3日 全天（值班员）与 11月3日 加强班（值班员）在 11月3日 14:00–22:00 时间重叠")]


def test_holiday_and_strict_period_leaders_must_be_marked_in_post(demo_db, clock):
    shifts = make_days(demo_db, clock, date(2026, 9, 30), 3)        # 9-30 常态, 10-01 and 10-02 国庆节
    staff(demo_db, clock, shifts)
    clock.set(datetime(2026, 10, 1, 9, 0))
    problems = checks.check_roster(demo_db, date(2026, 9, 30), date(2026, 10, 2), clock)
    # 10-02 has not begun yet: its leader cannot be in post already.
    assert [p.description for p in problems] == ["10月1日 全天（国庆节）带班领导 钟国平 未标记在岗"]
    assert problems[0].day == date(2026, 10, 1) and problems[0].shift_ids == (shifts[1].id,)
    checks.mark_leader_in_post(demo_db, shifts[1].id, clock)
    assert checks.check_roster(demo_db, date(2026, 9, 30), date(2026, 10, 2), clock) == []
    # A period whose rules ask for it counts as well; one whose rules do not, does not.
    checks.add_period(demo_db, "汛期", date(2026, 9, 1), date(2026, 9, 30), leader_in_post=False, clock=clock)
    assert checks.check_roster(demo_db, date(2026, 9, 30), date(2026, 9, 30), clock) == []
    checks.add_period(demo_db, "特别防护期", date(2026, 9, 30), date(2026, 9, 30), name="国庆安保", clock=clock)
    assert [p.description for p in checks.check_roster(demo_db, date(2026, 9, 30), date(2026, 9, 30), clock)] == [
        "9月30日 全天（国庆安保）带班领导 张建中 未标记在岗"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(staffed=st.lists(st.booleans(), min_size=1, max_size=12))
def test_one_gap_line_per_unstaffed_run(tmp_path, staffed):
    """However the empty days fall, each run of them is one line, never one per hour."""
    db = open_db(tmp_path / f"{uuid.uuid4().hex}.db", create=True)
    clock = FixedClock(datetime(2026, 1, 1))
    unit = org.add_organization(db, "测试应急管理局", "政府部门")
    leader = contacts.add(db, contacts.ContactInput("甲领导", unit, mobile="13900000011", roles=["带班领导"]), clock)
    first = date(2026, 11, 2)
    shifts = make_days(db, clock, first, len(staffed))
    for shift, on in zip(shifts, staffed):
        if on:
            roster.assign(db, shift.id, leader, [], clock=clock)
    gaps = [p for p in checks.check_roster(db, first, shifts[-1].duty_date, clock) if p.kind == "no_leader"]
    runs = sum(1 for i, on in enumerate(staffed) if not on and (i == 0 or staffed[i - 1]))
    assert len(gaps) == runs
    assert sum(((p.end - p.start) for p in gaps), timedelta()) == timedelta(days=staffed.count(False))
    db.close()


# ------------------------------------------------------------------ current shift and views

def test_current_shift_gives_names_and_mobiles(demo_db, clock):
    shifts = make_days(demo_db, clock, NOV3, 2)
    staff(demo_db, clock, shifts)
    now = roster.current_shift(demo_db, datetime(2026, 11, 4, 3, 15))
    assert now.id == shifts[0].id
    assert (now.leader.name, now.leader.mobile) == ("张建中", "13900000001")
    assert [(p.name, p.mobile) for p in now.officers] == [("张金龙", "13900006802")]
    assert roster.current_shift(demo_db, datetime(2026, 11, 4, 8, 30)).id == shifts[1].id   # handover
    assert roster.current_shift(demo_db, datetime(2026, 11, 3, 8, 29)) is None


def test_month_view_is_a_calendar_grid_with_badges_and_problems(demo_db, clock):
    staff(demo_db, clock, make_days(demo_db, clock, date(2026, 10, 1), 20))
    clock.set(datetime(2026, 10, 25, 9, 0))
    view = checks.month_view(demo_db, 2026, 10, clock)
    assert view.weeks[0][0].day == date(2026, 9, 28) and not view.weeks[0][0].in_range
    assert all(len(week) == 7 for week in view.weeks)
    cells = {c.day: c for week in view.weeks for c in week}
    assert cells[date(2026, 10, 1)].badges == ["国庆节"]
    assert cells[date(2026, 10, 10)].badges == ["国庆节调休上班"]
    assert cells[date(2026, 10, 5)].shifts[0].leader.name in {"张建中", "钟国平", "田立新"}
    # Holiday leaders not marked in post, and the unstaffed end of the month.
    assert [p.kind for p in cells[date(2026, 10, 3)].problems] == ["leader_not_in_post"]
    assert {p.kind for p in cells[date(2026, 10, 25)].problems} == {"no_leader", "no_officer"}
    assert cells[date(2026, 10, 15)].problems == ()
    assert cells[date(2026, 9, 30)].problems == ()           # outside the month: not checked


def test_week_view_runs_monday_to_sunday(demo_db, clock):
    staff(demo_db, clock, make_days(demo_db, clock, date(2026, 11, 2), 7))
    view = checks.week_view(demo_db, date(2026, 11, 5), clock)
    days = [c.day for c in view.weeks[0]]
    assert days[0] == date(2026, 11, 2) and days[-1] == date(2026, 11, 8)
    assert all(len(c.shifts) == 1 for c in view.weeks[0]) and view.problems == ()


# ------------------------------------------------------------------ the demo roster

def test_demo_roster_is_realistic_and_clean(demo_db):
    clock = FixedClock(datetime(2026, 10, 12, 10, 0))
    first = date(2026, 9, 20)
    load_demo_roster(demo_db, first, 45, clock)
    last = first + timedelta(days=44)
    shifts = roster.shifts_between(demo_db, first, last)
    assert len(shifts) == 45 and all(s.name == "全天" and s.starts_at.time().isoformat() == "08:30:00"
                                     for s in shifts)
    assert checks.check_roster(demo_db, first, last, clock) == []
    leaders = {s.leader.name for s in shifts}
    assert len(leaders) >= 6
    national = [s for s in shifts if date(2026, 10, 1) <= s.duty_date <= date(2026, 10, 7)]
    assert all(len(s.officers) == 2 and s.leader_in_post_at for s in national)
    assert all(len(s.officers) == 1 for s in shifts if s.duty_date == date(2026, 10, 9))
    kinds = {c.kind for c in roster.history(demo_db)}
    assert {"换班", "替班"} <= kinds and all(c.reason for c in roster.history(demo_db) if c.kind != "排班")
    assert [p["kind"] for p in checks.periods(demo_db)] == ["高森林火险期"]
    on_duty = roster.current_shift(demo_db, clock.now())
    assert on_duty.duty_date == date(2026, 10, 12) and on_duty.leader.mobile.startswith("139")
    for shift in shifts:                                 # nobody works two days running
        nxt = next((s for s in shifts if s.duty_date == shift.duty_date + timedelta(days=1)), None)
        if nxt:
            assert not {p.id for p in shift.officers} & {p.id for p in nxt.officers}
