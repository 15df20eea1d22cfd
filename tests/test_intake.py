"""Intake (接报) → event: required elements, grading, figures history, instructions."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from nxcommand import incidents, org, refdata
from nxcommand.errors import ValidationError
from nxcommand.incidents import EventInput, Figures


def ids(db):
    town = next(t for t in org.towns(db) if t["name"] == "乌迳镇")
    village = org.villages(db, town["id"])[0]
    cats = {c["name"]: c for c in refdata.categories(db)}
    subtypes = {s["name"]: s["id"] for c in cats.values() for s in c["subtypes"]}
    return town, village, cats, subtypes


def landslide(db, **change) -> EventInput:
    town, village, cats, subtypes = ids(db)
    data = EventInput(
        received_at="2026-07-01 14:05", source_kind="电话", occurred_at="2026-07-01 13:40",
        town_id=town["id"], village_id=village["id"], category_id=cats["自然灾害"]["id"],
        subtype_id=subtypes["地质灾害"], grade=3, cause="持续强降雨引发山体滑坡，冲毁民房2间",
        recorded_by="刘艳玲", caller_unit="乌迳镇政府", caller_name="张锦荣", caller_post="镇长",
        caller_phone="１３９００００１２３４",                       # typed in full width
        figures=Figures(trapped=2, evacuated=35))
    return replace(data, **change)


def test_intake_creates_an_event_with_a_composed_title(demo_db, clock):
    event_id = incidents.create_event(demo_db, landslide(demo_db), clock)
    event = incidents.get_event(demo_db, event_id)
    town, village, *_ = ids(demo_db)
    assert event["title"] == f"乌迳镇{village['name']}发生地质灾害，造成2人被困，正在处置"
    assert event["grade_name"] == "较大" and event["grade_computed"] == 0
    assert event["caller_phone"] == "13900001234"
    assert event["figures"] == Figures(trapped=2, evacuated=35)
    assert [e["id"] for e in incidents.open_events(demo_db)] == [event_id]


@pytest.mark.parametrize("change, field", [
    ({"town_id": None}, "事发镇街"),                       # an intake with no place
    ({"cause": "  "}, "起因经过"),
    ({"caller_unit": "", "caller_name": ""}, "来电单位"),
    ({"caller_phone": ""}, "联系电话"),                     # a phone intake needs a call-back number
    ({"received_at": "7月1日下午"}, "接报时间"),
    ({"occurred_at": "2026-07-01 14:30"}, "事发时间"),      # after 接报
    ({"received_at": "2026-07-02 09:00", "occurred_at": "2026-07-02 08:00"}, "接报时间"),  # future
    ({"grade": None}, "事件级别"),
    ({"figures": Figures(deaths=-1)}, "死亡"),              # a negative casualty count
    ({"figures": Figures(injured=1, serious_injured=2)}, "其中重伤"),
    ({"subtype_id": 9999}, "事件子类"),
    ({"source_kind": "传闻"}, "来源方式"),
])
def test_bad_intake_is_refused_and_writes_nothing(demo_db, clock, change, field):
    with pytest.raises(ValidationError) as err:
        incidents.create_event(demo_db, landslide(demo_db, **change), clock)
    assert err.value.field == field
    assert demo_db.execute("SELECT count(*) FROM events").fetchone()[0] == 0
    assert demo_db.execute("SELECT count(*) FROM event_figures").fetchone()[0] == 0


def test_production_safety_grade_is_computed_and_follows_the_figures(demo_db, clock):
    _, _, cats, subtypes = ids(demo_db)
    data = landslide(demo_db, category_id=cats["事故灾难"]["id"], subtype_id=subtypes["危险化学品"],
                     grade=4, figures=Figures(deaths=1, injured=4, serious_injured=2))
    event_id = incidents.create_event(demo_db, data, clock)
    event = incidents.get_event(demo_db, event_id)
    assert event["grade_computed"] == 1 and event["grade"] == 4          # chosen grade ignored
    with pytest.raises(ValidationError, match="不能晚于当前时间"):
        incidents.update_figures(demo_db, event_id, Figures(deaths=3), "2026-07-01 16:00", "刘艳玲", clock)
    clock.set(datetime(2026, 7, 1, 16, 5))
    incidents.update_figures(demo_db, event_id, Figures(deaths=3, injured=4, serious_injured=2),
                             "2026-07-01 16:00", "刘艳玲", clock)
    assert incidents.get_event(demo_db, event_id)["grade"] == 3             # 3 deaths: 较大
    history = incidents.figures_history(demo_db, event_id)
    assert [h["deaths"] for h in history] == [1, 3]                          # the history stays
    with pytest.raises(ValidationError):
        incidents.update_figures(demo_db, event_id, Figures(deaths=2), "2026-07-01 12:00", "刘艳玲", clock)


def test_instructions_are_tracked_until_done(demo_db, clock):
    event_id = incidents.create_event(demo_db, landslide(demo_db), clock)
    with pytest.raises(ValidationError, match="批示时间不能晚于当前时间"):
        incidents.add_instruction(demo_db, "王磊", "全力搜救", "2026-07-01 15:30", "刘艳玲", event_id, clock)
    clock.set(datetime(2026, 7, 1, 17, 30))
    ins = incidents.add_instruction(demo_db, "王磊", "全力搜救被困人员，做好次生灾害防范",
                                    "2026-07-01 14:30", "刘艳玲", event_id, clock)
    assert [i["id"] for i in incidents.open_instructions(demo_db)] == [ins]
    incidents.follow_up(demo_db, ins, "已转达乌迳镇及消防救援大队", "落实中", "刘艳玲", "2026-07-01 14:40", clock)
    assert incidents.open_instructions(demo_db)[0]["last_note"] == "已转达乌迳镇及消防救援大队"
    incidents.follow_up(demo_db, ins, "被困2人已救出", "已落实", "刘艳玲", "2026-07-01 17:10", clock)
    assert incidents.open_instructions(demo_db) == []
    with pytest.raises(ValidationError):
        incidents.follow_up(demo_db, ins, "再次更改", "落实中", "刘艳玲", "2026-07-01 17:20", clock)


def test_every_desk_action_leaves_a_trace_in_the_duty_log(demo_db, clock):
    from datetime import datetime

    from nxcommand import deadlines, dutylog, handover, org, rollcall

    from .test_deadlines import report

    clock.set(datetime(2026, 7, 1, 15, 0))
    event_id = incidents.create_event(demo_db, landslide(demo_db), clock)
    ins = incidents.add_instruction(demo_db, "王磊", "全力搜救", "2026-07-01 14:30", "刘艳玲", event_id, clock)
    incidents.follow_up(demo_db, ins, "已转达", "落实中", "刘艳玲", "2026-07-01 14:40", clock)
    deadlines.record_report(demo_db, report(event_id, "电话报告", "2026-07-01 14:20"), clock)
    incidents.update_figures(demo_db, event_id, Figures(trapped=0, evacuated=40), "2026-07-01 14:50", "刘艳玲", clock)
    entries = dutylog.page(demo_db, dutylog.LogQuery(event_id=event_id))
    assert [e["kind"] for e in reversed(entries)] == ["来电", "报告", "领导批示", "处置", "处置"]
    assert [e["logged_at"] for e in reversed(entries)] == [
        "2026-07-01 14:05", "2026-07-01 14:20", "2026-07-01 14:30", "2026-07-01 14:40", "2026-07-01 14:50"]
    assert "接报" in entries[-1]["summary"] and entries[-1]["town_id"] == ids(demo_db)[0]["id"]

    hid = handover.create(demo_db, "刘艳玲", "聂浩宇", "注意续报", clock)
    handover.accept(demo_db, hid, "聂浩宇", clock)
    unit = org.organizations(demo_db)[0]["id"]
    rollcall.record(demo_db, "2026-07-01 15:00", "张建中", [rollcall.UnitAnswer(unit, "未应答")], clock=clock)
    latest = dutylog.page(demo_db, dutylog.LogQuery(), limit=2)
    assert {e["kind"] for e in latest} == {"交接班", "视频点名"}


def test_titles_read_as_events():
    """The generated title names an event, not a register field (道路交通 → 道路交通事故)."""
    from nxcommand.incidents import kind_phrase

    assert kind_phrase("道路交通", "事故灾难") == "道路交通事故"
    assert kind_phrase("危险化学品", "事故灾难") == "危险化学品事故"
    assert kind_phrase("火灾", "事故灾难") == "火灾"
    assert kind_phrase("防汛", "自然灾害") == "洪涝灾害"
    assert kind_phrase("地质灾害", "自然灾害") == "地质灾害"
    assert kind_phrase(None, "社会安全事件") == "社会安全事件"
