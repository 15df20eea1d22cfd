"""Handover lists every open item and freezes once accepted; video roll-call records."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import pytest

from nxcommand import handover, incidents, org, rollcall
from nxcommand.errors import ValidationError
from nxcommand.rollcall import UnitAnswer

from .test_intake import landslide


def test_handover_lists_every_open_item_and_freezes(demo_db, clock):
    clock.set(datetime(2026, 7, 1, 15, 0))
    event_id = incidents.create_event(demo_db, landslide(demo_db), clock)
    incidents.add_instruction(demo_db, "王磊", "做好群众转移安置", "2026-07-01 14:30", "刘艳玲", event_id, clock)
    incidents.add_reminder(demo_db, "18时前向市政府办报送转移安置人数", "刘艳玲", due_at="2026-07-01 18:00", clock=clock)
    incidents.add_reminder(demo_db, "卫星电话电池需充电", "刘艳玲", kind="设备", clock=clock)
    done = incidents.add_reminder(demo_db, "已完成的事项", "刘艳玲", clock=clock)
    incidents.finish_reminder(demo_db, done, clock)

    hid = handover.create(demo_db, "刘艳玲", "聂浩宇", "滑坡现场仍有降雨，注意续报", clock)
    record = handover.get(demo_db, hid)
    sections = [item["section"] for item in record["items"]]
    assert sections == ["在办事件", "待报信息", "待报信息", "待报信息", "领导批示", "备忘事项", "设备通信"]
    overdue = [i["text"] for i in record["items"] if i["section"] == "待报信息"]
    assert overdue[0].endswith("电话报告，已超时") and "续报一" in overdue[2]
    assert all("已完成的事项" not in i["text"] for i in record["items"])

    handover.set_remarks(demo_db, hid, "滑坡现场仍有降雨，21时前续报")
    with pytest.raises(ValidationError, match="只能由接班人"):
        handover.accept(demo_db, hid, "刘艳玲", clock)
    handover.accept(demo_db, hid, "聂浩宇", clock)
    assert handover.latest(demo_db, accepted_only=True)["id"] == hid
    with pytest.raises(ValidationError, match="不能修改"):
        handover.set_remarks(demo_db, hid, "事后改写")
    # even outside the console the database refuses to change an accepted record
    for sql in ("UPDATE handovers SET remarks = 'x'", "UPDATE handover_items SET text = 'x'",
                "DELETE FROM handover_items", "DELETE FROM handovers"):
        with pytest.raises(sqlite3.IntegrityError, match="交接班记录"):
            demo_db.execute(sql)
    assert handover.get(demo_db, hid)["remarks"] == "滑坡现场仍有降雨，21时前续报"


def test_handover_validation(demo_db, clock):
    with pytest.raises(ValidationError):
        handover.create(demo_db, "刘艳玲", "刘艳玲", clock=clock)
    with pytest.raises(ValidationError):
        handover.create(demo_db, "", "聂浩宇", clock=clock)
    handover.create(demo_db, "刘艳玲", "聂浩宇", clock=clock)
    with pytest.raises(ValidationError, match="尚未接收"):
        handover.create(demo_db, "聂浩宇", "郭俊杰", clock=clock)


def test_rollcall_records_answers(demo_db, clock):
    towns = [o for o in org.organizations(demo_db) if o["kind"] == "乡镇政府"][:3]
    rid = rollcall.record(demo_db, "2026-07-01 09:00", "张建中", [
        UnitAnswer(towns[0]["id"], "在岗", "值班员甲", "2026-07-01 09:01"),
        UnitAnswer(towns[1]["id"], "迟到应答", "值班员乙", "2026-07-01 09:12"),
        UnitAnswer(towns[2]["id"], "未应答")], "汛期视频点名", clock)
    summary = rollcall.history(demo_db)[0]
    assert (summary["id"], summary["called"], summary["answered"]) == (rid, 3, 2)
    assert summary["absent"] == (towns[2]["short_name"] or towns[2]["name"])
    assert [u["result"] for u in rollcall.units(demo_db, rid)] == ["在岗", "迟到应答", "未应答"]


@pytest.mark.parametrize("answer", [
    UnitAnswer(999999, "在岗", "某人", "2026-07-01 09:01"),
    UnitAnswer(1, "在岗", "某人", None),
    UnitAnswer(1, "在岗", "某人", "2026-07-01 08:59"),
    UnitAnswer(1, "未应答", "", "2026-07-01 09:05"),
    UnitAnswer(1, "请假", "某人", "2026-07-01 09:01"),
])
def test_bad_rollcall_is_refused(demo_db, clock, answer):
    with pytest.raises(ValidationError):
        rollcall.record(demo_db, "2026-07-01 09:00", "张建中", [answer], clock=clock)
    assert rollcall.history(demo_db) == []


def test_the_roster_names_the_incoming_officer(full_demo_db):
    from datetime import timedelta

    from nxcommand import roster

    from .conftest import NOW

    current = roster.current_shift(full_demo_db, NOW)
    following = roster.current_shift(full_demo_db, current.ends_at)
    me = current.officers[0].name
    assert handover.expected_incoming(full_demo_db, me, NOW) == following.officers[0].name
    # just after the change, the officer going off duty hands to the shift now running
    previous = roster.current_shift(full_demo_db, current.starts_at - timedelta(minutes=1))
    assert handover.expected_incoming(full_demo_db, previous.officers[0].name,
                                      current.starts_at + timedelta(minutes=5)) == me
