"""会商: a meeting and the orders it decided are saved together, or not at all."""

from __future__ import annotations

from datetime import timedelta

import pytest

from nxcommand import dutylog, meetings, orders, response, timeline
from nxcommand.errors import ValidationError
from nxcommand.meetings import MeetingInput, OrderDraft

from .respond_helpers import count, flood_event, flood_plan, holder, one, open_input


@pytest.fixture
def rid(demo_db, clock):
    flood = flood_event(demo_db, clock, minutes_ago=240)
    deputy = holder(demo_db, flood_plan(demo_db), 3, "副指挥长")
    return response.open_response(demo_db, open_input(demo_db, flood, 3, deputy, clock.now() - timedelta(hours=3)), clock)


def meeting_input(db, rid, clock, drafts):
    return MeetingInput(rid, clock.now() - timedelta(minutes=30), "市应急管理局、市水务局、油山镇", "降雨持续，山洪风险高",
                        "全力转移危险区群众", "刘艳玲", place="市应急指挥中心",
                        chaired_by=holder(db, flood_plan(db), 3, "副指挥长"), orders=drafts)


def test_a_meeting_writes_its_orders_in_the_same_transaction(demo_db, clock, rid):
    yss = one(demo_db, "SELECT id FROM admin_units WHERE name = '油山镇'")
    water = one(demo_db, "SELECT id FROM organizations WHERE short_name = '市水务局'")
    mid = meetings.hold_meeting(demo_db, meeting_input(demo_db, rid, clock, [
        OrderDraft("转移沿河群众", [("镇街", yss)], clock.now() + timedelta(hours=1)),
        OrderDraft("水库降低水位", [("单位", water)])]), clock)
    m = meetings.meeting(demo_db, mid)
    assert m["chair"] and [o["content"] for o in m["orders"]] == ["水库降低水位", "转移沿河群众"]
    assert all(o["issued_at"] == m["held_at"] for o in m["orders"])          # issued at the meeting
    assert meetings.meetings(demo_db, rid)[0]["order_count"] == 2
    entry = next(e for e in timeline.timeline(demo_db, rid) if e.kind == "会商")
    assert "全力转移危险区群众" in entry.text and "下达指令2条" in entry.text
    assert any("研判：降雨持续" in e["summary"] for e in dutylog.page(demo_db, dutylog.LogQuery(kind="会商")))


def test_a_bad_order_refuses_the_whole_meeting(demo_db, clock, rid):
    yss = one(demo_db, "SELECT id FROM admin_units WHERE name = '油山镇'")
    before = {t: count(demo_db, t) for t in ("meetings", "orders", "order_recipients", "log_entries")}
    with pytest.raises(ValidationError, match="第 2 条指令：请至少选择一个接收方"):
        meetings.hold_meeting(demo_db, meeting_input(demo_db, rid, clock, [
            OrderDraft("转移沿河群众", [("镇街", yss)]), OrderDraft("无人接收", [])]), clock)
    assert {t: count(demo_db, t) for t in before} == before


def test_meeting_fields_are_required(demo_db, clock, rid):
    data = meeting_input(demo_db, rid, clock, [])
    data.decisions = ""
    with pytest.raises(ValidationError, match="请填写会商决定"):
        meetings.hold_meeting(demo_db, data, clock)
    data = meeting_input(demo_db, rid, clock, [])
    data.held_at = clock.now() - timedelta(hours=4)
    with pytest.raises(ValidationError, match="早于响应启动时间"):
        meetings.hold_meeting(demo_db, data, clock)
    assert orders.orders_for(demo_db, rid) == []
