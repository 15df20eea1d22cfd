"""Reporting clocks driven by an injected clock: deadlines appear, run late, clear; on-time rate."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from nxcommand import deadlines, incidents, refdata
from nxcommand.deadlines import ReportInput, serial_name
from nxcommand.errors import ValidationError
from nxcommand.incidents import Figures

from .test_intake import ids, landslide


def report(event_id, kind_, sent_at_, **change):
    data = ReportInput(event_id=event_id, kind=kind_, sent_at=sent_at_, channel="电话",
                       signed_by="张建中", drafted_by="刘艳玲", recorded_by="刘艳玲",
                       to_report="韶关市应急管理局", to_send="市委办、市政府办")
    return replace(data, **change)


def names_and_due(items):
    return [(d.name, d.due_at.strftime("%m-%d %H:%M")) for d in items]


def test_a_serious_natural_disaster_runs_its_clocks(demo_db, clock):
    clock.set(datetime(2026, 7, 1, 14, 20))
    event_id = incidents.create_event(demo_db, landslide(demo_db), clock)   # 较大, 接报 14:05
    pending = deadlines.pending(demo_db, clock.now())
    # phone 30 min; written report: the strictest of 60 min (较大) and 120 min (自然灾害)
    assert names_and_due(pending) == [("电话报告", "07-01 14:35"), ("书面初报", "07-01 15:05"),
                                      ("续报一", "07-02 09:00")]
    assert pending[0].remaining(clock.now()).total_seconds() == 15 * 60
    assert deadlines.next_deadline(demo_db, clock.now()).name == "电话报告"

    clock.set(datetime(2026, 7, 1, 14, 40))
    assert deadlines.pending(demo_db, clock.now())[0].state(clock.now()) == "超时"
    deadlines.record_report(demo_db, report(event_id, "电话报告", "2026-07-01 14:38"), clock)
    clock.set(datetime(2026, 7, 1, 15, 0))
    deadlines.record_report(demo_db, report(event_id, "书面初报", "2026-07-01 14:58", channel="传真"), clock)
    assert names_and_due(deadlines.pending(demo_db, clock.now())) == [("续报一", "07-02 09:00")]

    clock.set(datetime(2026, 7, 2, 10, 0))                   # 续报一 missed; 续报二 is next
    assert [(d.name, d.state(clock.now())) for d in deadlines.pending(demo_db, clock.now())] == [
        ("续报一", "超时"), ("续报二", "待报")]
    deadlines.record_report(demo_db, report(event_id, "续报", "2026-07-02 10:05"), clock)
    assert deadlines.reports(demo_db, event_id)[-1]["name"] == "续报一"

    overall, per_event = deadlines.timeliness(demo_db, date(2026, 7, 1), date(2026, 7, 2), clock.now())
    assert (overall.on_time, overall.due) == (1, 3)            # phone late, written on time, 续报一 late
    assert per_event[event_id].text() == "33.3%（1/3）"

    clock.set(datetime(2026, 7, 2, 16, 5))
    deadlines.record_report(demo_db, report(event_id, "终报", "2026-07-02 16:00"), clock)
    assert deadlines.pending(demo_db, clock.now()) == []
    assert incidents.get_event(demo_db, event_id)["status"] == "已结束"


def test_road_traffic_rereports_for_seven_days_not_thirty(demo_db, clock):
    _, _, cats, subtypes = ids(demo_db)
    data = landslide(demo_db, category_id=cats["事故灾难"]["id"], subtype_id=subtypes["道路交通"],
                     figures=Figures(injured=2))
    event_id = incidents.create_event(demo_db, data, clock)
    event = dict(next(demo_db.query("SELECT * FROM events WHERE id = ?", [event_id])))
    found = deadlines.for_event(demo_db, event, datetime(2026, 8, 30, 0, 0))
    assert [d.name for d in found] == ["书面初报"] + [serial_name("续报", n) for n in range(1, 8)]
    assert found[0].due_at == datetime(2026, 7, 1, 16, 5)      # each step up within 2 hours


def test_sensitive_events_get_the_strict_clock(demo_db, clock):
    _, _, cats, _ = ids(demo_db)
    quiet = landslide(demo_db, category_id=cats["社会安全事件"]["id"], subtype_id=None, grade=4)
    assert deadlines.for_event(demo_db, {**_row(demo_db, incidents.create_event(demo_db, quiet, clock))},
                               clock.now()) == []
    loud = replace(quiet, sensitive=True, received_at="2026-07-01 14:10")
    event_id = incidents.create_event(demo_db, loud, clock)
    assert [d.name for d in deadlines.for_event(demo_db, _row(demo_db, event_id), clock.now())] == [
        "电话报告", "书面初报"]


def _row(db, event_id):
    return dict(next(db.query("SELECT * FROM events WHERE id = ?", [event_id])))


def test_rule_edits_change_the_clocks(demo_db, clock):
    rule = next(r for r in refdata.deadline_rules(demo_db) if r["report_kind"] == "电话报告")
    refdata.save_deadline_rule(demo_db, {**rule, "due_minutes": 15})      # a stricter local rule
    incidents.create_event(demo_db, landslide(demo_db), clock)
    assert names_and_due(deadlines.pending(demo_db, clock.now()))[0] == ("电话报告", "07-01 14:20")


def test_drills_never_count_in_the_on_time_rate(demo_db, clock):
    clock.set(datetime(2026, 7, 1, 20, 0))
    incidents.create_event(demo_db, landslide(demo_db, is_drill=True), clock)
    overall, _ = deadlines.timeliness(demo_db, date(2026, 7, 1), date(2026, 7, 1), clock.now())
    assert overall.due == 0 and overall.text() == "—（无应报信息）"


@pytest.mark.parametrize("change, message", [
    ({"to_report": "", "to_send": ""}, "报送对象"),
    ({"sent_at": "2026-07-01 13:00"}, "早于接报时间"),
    ({"channel": ""}, "报送方式"),
    ({"signed_by": ""}, "签发"),
    ({"kind": "快报"}, "报告种类"),
])
def test_bad_reports_are_refused(demo_db, clock, change, message):
    event_id = incidents.create_event(demo_db, landslide(demo_db), clock)
    with pytest.raises(ValidationError, match=message):
        deadlines.record_report(demo_db, report(event_id, "书面初报", "2026-07-01 14:15", **change), clock)
    assert deadlines.reports(demo_db, event_id) == []


def test_a_report_is_recorded_once(demo_db, clock):
    event_id = incidents.create_event(demo_db, landslide(demo_db), clock)
    deadlines.record_report(demo_db, report(event_id, "书面初报", "2026-07-01 14:15"), clock)
    with pytest.raises(ValidationError, match="已经记录过"):
        deadlines.record_report(demo_db, report(event_id, "书面初报", "2026-07-01 14:18"), clock)


def test_serial_names():
    assert [serial_name("续报", n) for n in (1, 2, 10, 11, 20, 23)] == [
        "续报一", "续报二", "续报十", "续报十一", "续报二十", "续报二十三"]
    assert [serial_name("续报", n) for n in (99, 100, 110)] == ["续报九十九", "续报100", "续报110"]
    assert serial_name("终报", 0) == "终报"


def test_special_periods_and_holidays_require_the_daily_report(demo_db, clock):
    from nxcommand import roster_checks

    roster_checks.add_period(demo_db, "汛期", date(2026, 7, 1), date(2026, 7, 3), name="主汛期",
                             leader_in_post=True, daily_zero_report=True, note="", clock=clock)
    clock.set(datetime(2026, 7, 1, 8, 0))
    daily = [d for d in deadlines.pending(demo_db, clock.now()) if d.event_id is None]
    assert [(d.event_title, d.due_at.strftime("%m-%d %H:%M")) for d in daily] == [
        ("7月1日值班信息日报（主汛期）", "07-01 09:00"), ("7月2日值班信息日报（主汛期）", "07-02 09:00")]
    with pytest.raises(ValidationError, match="报告内容"):      # a report that is not 零报告 says something
        deadlines.record_daily_report(demo_db, date(2026, 7, 1), "2026-07-01 07:55", False, "传真",
                                      "韶关市应急管理局", "张建中", "刘艳玲", "", clock)
    deadlines.record_daily_report(demo_db, date(2026, 7, 1), "2026-07-01 07:55", True, "传真",
                                  "韶关市应急管理局", "张建中", "刘艳玲", "", clock)
    with pytest.raises(ValidationError, match="已经记录过"):
        deadlines.record_daily_report(demo_db, date(2026, 7, 1), "2026-07-01 07:58", True, "传真",
                                      "韶关市应急管理局", "张建中", "刘艳玲", "", clock)
    assert [d.due_at.day for d in deadlines.pending(demo_db, clock.now()) if d.event_id is None] == [2]

    clock.set(datetime(2026, 7, 3, 10, 0))                    # 7月2日 and 7月3日 missed
    overall, per_event = deadlines.timeliness(demo_db, date(2026, 7, 1), date(2026, 7, 3), clock.now())
    assert (overall.on_time, overall.due, per_event) == (1, 3, {})
    national = deadlines.daily_deadlines(demo_db, date(2026, 10, 1), date(2026, 10, 1))
    assert [d.event_title for d in national] == ["10月1日值班信息日报（国庆节）"]
    assert deadlines.daily_deadlines(demo_db, date(2026, 11, 18), date(2026, 11, 18)) == []  # 常态
