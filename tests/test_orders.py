"""Orders (指令): recipients required, acknowledgement and report-back per recipient,
unacknowledged and overdue ones visible, every step in the duty log and the timeline."""

from __future__ import annotations

from datetime import timedelta

import pytest

from nxcommand import dutylog, orders, response, response_groups, timeline
from nxcommand.errors import ValidationError
from nxcommand.orders import OrderInput

from .respond_helpers import count, flood_event, flood_plan, holder, one, open_input


@pytest.fixture
def rid(demo_db, clock):
    flood = flood_event(demo_db, clock, minutes_ago=240)
    deputy = holder(demo_db, flood_plan(demo_db), 3, "副指挥长")
    return response.open_response(demo_db, open_input(demo_db, flood, 3, deputy, clock.now() - timedelta(hours=3)), clock)


def town(db, name: str) -> int:
    return one(db, "SELECT id FROM admin_units WHERE name = ?", [name])


def test_an_order_without_a_recipient_is_refused_and_nothing_is_written(demo_db, clock, rid):
    before = (count(demo_db, "orders"), count(demo_db, "order_recipients"), count(demo_db, "log_entries"))
    with pytest.raises(ValidationError) as refused:
        orders.issue_order(demo_db, OrderInput(rid, "转移群众", [], clock.now(), "刘艳玲"), clock)
    assert "至少选择一个接收方" in str(refused.value) and refused.value.field == "接收单位"
    assert (count(demo_db, "orders"), count(demo_db, "order_recipients"), count(demo_db, "log_entries")) == before


def test_bad_orders_are_refused(demo_db, clock, rid):
    yss = town(demo_db, "油山镇")
    with pytest.raises(ValidationError, match="请填写指令内容"):
        orders.issue_order(demo_db, OrderInput(rid, " ", [("镇街", yss)], clock.now(), "刘艳玲"), clock)
    with pytest.raises(ValidationError, match="完成时限应晚于下达时间"):
        orders.issue_order(demo_db, OrderInput(rid, "转移", [("镇街", yss)], clock.now(), "刘艳玲",
                                               clock.now() - timedelta(minutes=1)), clock)
    with pytest.raises(ValidationError, match="所选接收工作组不存在"):
        orders.issue_order(demo_db, OrderInput(rid, "转移", [("工作组", 99999)], clock.now(), "刘艳玲"), clock)
    with pytest.raises(ValidationError, match="所选接收镇街不存在"):       # a village is not a town
        village = one(demo_db, "SELECT id FROM admin_units WHERE name = '上朔村'")
        orders.issue_order(demo_db, OrderInput(rid, "转移", [("镇街", village)], clock.now(), "刘艳玲"), clock)


def test_each_recipient_acknowledges_and_reports_back_on_its_own(demo_db, clock, rid):
    group = next(g["id"] for g in response_groups.groups(demo_db, rid) if g["name"] == "转移安置组")
    issued = clock.now() - timedelta(minutes=90)
    order = orders.issue_order(demo_db, OrderInput(
        rid, "组织沿河群众转移", [("镇街", town(demo_db, "油山镇")), ("镇街", town(demo_db, "帽子峰镇")), ("工作组", group)],
        issued, "刘艳玲", issued + timedelta(hours=1)), clock)
    rows = {o["recipient"]: o for o in orders.orders_for(demo_db, rid) if o["order_id"] == order}
    assert set(rows) == {"油山镇", "帽子峰镇", "转移安置组"} and {o["state"] for o in rows.values()} == {"未签收"}
    now = clock.now()
    overdue = [d for d in timeline.clocks(demo_db, rid, now) if d.kind == "指令" and d.overdue(now)]
    assert len(overdue) == 3 and any(d.label.endswith("→ 油山镇") for d in overdue)

    yss, mzf = rows["油山镇"]["id"], rows["帽子峰镇"]["id"]
    with pytest.raises(ValidationError, match="早于下达时间"):
        orders.acknowledge(demo_db, yss, issued - timedelta(minutes=1), "值班员李", clock)
    orders.acknowledge(demo_db, yss, issued + timedelta(minutes=5), "油山镇值班员", clock)
    with pytest.raises(ValidationError, match="已于"):
        orders.acknowledge(demo_db, yss, issued + timedelta(minutes=6), "油山镇值班员", clock)
    with pytest.raises(ValidationError, match="请填写反馈情况"):
        orders.complete(demo_db, yss, now, "", "刘艳玲", clock=clock)
    orders.complete(demo_db, yss, issued + timedelta(minutes=50), "已转移120人", "刘艳玲", clock=clock)
    orders.complete(demo_db, mzf, issued + timedelta(minutes=80), "已转移35人", "刘艳玲", clock=clock)   # no 签收 first
    state = {o["recipient"]: o for o in orders.orders_for(demo_db, rid)}
    assert state["油山镇"]["state"] == "已完成" and state["油山镇"]["feedback"] == "已转移120人"
    assert state["帽子峰镇"]["acknowledged_at"] == state["帽子峰镇"]["done_at"]           # the report back proves receipt
    assert [o["recipient"] for o in orders.unacknowledged(demo_db, rid)] == ["转移安置组"]
    kinds = [e.kind for e in timeline.timeline(demo_db, rid) if e.ref[0].startswith("order")]
    assert kinds.count("指令") == 1 and kinds.count("签收") == 2 and kinds.count("反馈") == 2
    log = [e["summary"] for e in dutylog.page(demo_db, dutylog.LogQuery(kind="交办"))]
    assert any("下达指令 → 油山镇、帽子峰镇、转移安置组" in s for s in log)
    assert any("帽子峰镇反馈指令完成（超时）" in s for s in log)


def test_recipient_choices_cover_towns_units_and_this_responses_groups(demo_db, clock, rid):
    choices = orders.recipient_choices(demo_db, rid)
    assert "油山镇" in [n for n, _ in choices["镇街"]] and "市水务局" in [n for n, _ in choices["单位"]]
    assert [n for n, _ in choices["工作组"]] == [g["name"] for g in response_groups.groups(demo_db, rid)]
    assert not any("村民委员会" in n for n, _ in choices["单位"])
