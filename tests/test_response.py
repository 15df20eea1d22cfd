"""Responses: opening under a plan, raising, lowering, ending; checklist, groups, relief
targets, the 续报 cadence in the reporting clocks, drills kept apart, the status-bar summary."""

from __future__ import annotations

from datetime import timedelta

import pytest

from nxcommand import deadlines, dutylog, orders, response, response_groups, timeline
from nxcommand.errors import ValidationError

from .respond_helpers import (
    change,
    count,
    flood_event,
    flood_plan,
    holder,
    one,
    open_input,
    person,
)


@pytest.fixture
def flood(demo_db, clock):
    return flood_event(demo_db, clock, minutes_ago=300)


def test_opening_at_level_three_takes_four_and_three_items_and_the_groups(demo_db, clock, flood):
    plan = flood_plan(demo_db)
    start = clock.now() - timedelta(minutes=30)
    rid = response.open_response(demo_db, open_input(demo_db, flood, 3, holder(demo_db, plan, 3, "副指挥长"),
                                                     start), clock)
    items = response.checklist(demo_db, rid)
    plan_items = {lv: one(demo_db, "SELECT count(*) FROM plan_level_actions a JOIN plan_levels l ON l.id = a.plan_level_id "
                              "WHERE l.plan_id = ? AND l.level = ?", [plan, lv]) for lv in (4, 3)}
    assert [i["level"] for i in items] == [4] * plan_items[4] + [3] * plan_items[3]
    first = items[0]                                     # 发布Ⅳ级应急响应启动通知 … 30 minutes
    assert first["owner"] == "综合协调组" and first["due_at"] == (start + timedelta(minutes=30)).strftime("%Y-%m-%d %H:%M")
    assert first["done_at"] is None
    groups = response_groups.groups(demo_db, rid)
    assert "抢险救援组" in [g["name"] for g in groups]
    rescue = next(g for g in groups if g["name"] == "抢险救援组")
    assert rescue["lead_org"] == "市水务局" and "市消防救援大队" in rescue["members_text"]
    got = response.get_response(demo_db, rid)
    assert got["live"] and got["level"] == 3 and got["matter"] == "油山镇山洪应急处置"
    assert [d["kind"] for d in response.decisions(demo_db, rid)] == ["启动"]
    log = dutylog.page(demo_db, dutylog.LogQuery(event_id=flood))
    assert any("决定启动" in e["summary"] and "Ⅲ级应急响应" in e["summary"] for e in log)


def test_a_decider_the_plan_forbids_is_refused_and_nothing_is_written(demo_db, clock, flood):
    before = {t: count(demo_db, t) for t in ("responses", "response_decisions", "response_checklist",
                                            "response_groups", "log_entries")}
    office = holder(demo_db, flood_plan(demo_db), 4, "办公室主任")      # may start Ⅳ, not Ⅲ
    with pytest.raises(ValidationError) as refused:
        response.open_response(demo_db, open_input(demo_db, flood, 3, office, clock.now()), clock)
    assert "无权启动" in str(refused.value) and "Ⅲ级" in str(refused.value) and refused.value.field == "决定人"
    assert {t: count(demo_db, t) for t in before} == before


def test_one_live_response_per_event_and_closed_events_refused(demo_db, clock, flood):
    office = holder(demo_db, flood_plan(demo_db), 4, "办公室主任")
    response.open_response(demo_db, open_input(demo_db, flood, 4, office, clock.now()), clock)
    with pytest.raises(ValidationError, match="已有正在进行的应急响应"):
        response.open_response(demo_db, open_input(demo_db, flood, 4, office, clock.now()), clock)


def test_raise_checks_the_new_level_and_adds_only_its_items(demo_db, clock, flood):
    plan = flood_plan(demo_db)
    office, deputy = holder(demo_db, plan, 4, "办公室主任"), holder(demo_db, plan, 3, "副指挥长")
    start = clock.now() - timedelta(hours=2)
    rid = response.open_response(demo_db, open_input(demo_db, flood, 4, office, start), clock)
    four = len(response.checklist(demo_db, rid))
    with pytest.raises(ValidationError, match="无权启动"):
        response.raise_level(demo_db, rid, change(office, clock.now(), 3), clock)
    with pytest.raises(ValidationError, match="应高于"):
        response.raise_level(demo_db, rid, change(deputy, clock.now(), 4), clock)
    raised = clock.now() - timedelta(minutes=30)
    added = response.raise_level(demo_db, rid, change(deputy, raised, 3), clock)
    items = response.checklist(demo_db, rid)
    assert added > 0 and len(items) == four + added
    assert all(i["due_at"] >= raised.strftime("%Y-%m-%d %H:%M") for i in items if i["level"] == 3 and i["due_at"])
    assert response.get_response(demo_db, rid)["level"] == 3
    kinds = [e.kind for e in timeline.timeline(demo_db, rid)]
    assert kinds.index("启动响应") < kinds.index("提级")


def test_lower_and_end_need_someone_allowed_for_the_current_level_and_close_nothing(demo_db, clock, flood):
    plan = flood_plan(demo_db)
    office, deputy = holder(demo_db, plan, 4, "办公室主任"), holder(demo_db, plan, 3, "副指挥长")
    rid = response.open_response(demo_db, open_input(demo_db, flood, 3, deputy, clock.now() - timedelta(hours=3)), clock)
    with pytest.raises(ValidationError, match="降级须由有权启动Ⅲ级响应的人员决定"):
        response.lower_level(demo_db, rid, change(office, clock.now() - timedelta(hours=1), 4), clock)
    response.lower_level(demo_db, rid, change(deputy, clock.now() - timedelta(hours=1), 4, "雨势减弱"), clock)
    assert response.get_response(demo_db, rid)["level"] == 4
    group = response_groups.groups(demo_db, rid)[0]["id"]
    orders.issue_order(demo_db, orders.OrderInput(rid, "继续监测", [("工作组", group)], clock.now() - timedelta(minutes=20),
                                                  "刘艳玲"), clock)
    open_before = len(response.open_items(demo_db, rid)["checklist"])
    with pytest.raises(ValidationError, match="请填写理由"):
        response.end_response(demo_db, rid, change(office, clock.now(), reason=""), clock)
    left = response.end_response(demo_db, rid, change(office, clock.now(), reason="险情解除"), clock)
    assert len(left["checklist"]) == open_before > 0 and len(left["orders"]) == 1
    assert len(response.open_items(demo_db, rid)["checklist"]) == open_before      # still open, still recorded
    got = response.get_response(demo_db, rid)
    assert got["status"] == "已解除" and got["ended_by"] == office
    assert [d["kind"] for d in response.decisions(demo_db, rid)] == ["启动", "降级", "解除"]
    with pytest.raises(ValidationError, match="已解除"):
        response.raise_level(demo_db, rid, change(deputy, clock.now(), 3), clock)
    with pytest.raises(ValidationError, match="已解除"):
        orders.issue_order(demo_db, orders.OrderInput(rid, "x", [("工作组", group)], clock.now(), "刘艳玲"), clock)


def test_decision_times_may_not_run_backwards_or_into_the_future(demo_db, clock, flood):
    plan = flood_plan(demo_db)
    deputy = holder(demo_db, plan, 3, "副指挥长")
    with pytest.raises(ValidationError, match="晚于当前时间"):
        response.open_response(demo_db, open_input(demo_db, flood, 4, deputy, clock.now() + timedelta(hours=1)), clock)
    with pytest.raises(ValidationError, match="早于接报时间"):
        response.open_response(demo_db, open_input(demo_db, flood, 4, deputy, clock.now() - timedelta(hours=6)), clock)
    rid = response.open_response(demo_db, open_input(demo_db, flood, 4, deputy, clock.now() - timedelta(minutes=30)), clock)
    with pytest.raises(ValidationError, match="早于上一次决定时间"):
        response.raise_level(demo_db, rid, change(deputy, clock.now() - timedelta(minutes=40), 3), clock)


def test_drills_stay_out_of_lists_counts_and_the_status_bar(demo_db, clock, flood):
    plan = flood_plan(demo_db)
    deputy = holder(demo_db, plan, 3, "副指挥长")
    drill_event = flood_event(demo_db, clock, drill=True)
    with pytest.raises(ValidationError, match="真实事件不能以演练方式"):
        response.open_response(demo_db, open_input(demo_db, flood, 4, deputy, clock.now(), drill=True), clock)
    with pytest.raises(ValidationError, match="演练事件只能以演练方式"):
        response.open_response(demo_db, open_input(demo_db, drill_event, 4, deputy, clock.now()), clock)
    drill = response.open_response(demo_db, open_input(demo_db, drill_event, 2, holder(demo_db, plan, 2, "指挥长"),
                                                       clock.now(), drill=True), clock)
    assert response.list_responses(demo_db) == [] and response.live_summary(demo_db, clock.now()) is None
    assert [r["id"] for r in response.list_responses(demo_db, include_drills=True)] == [drill]
    real = response.open_response(demo_db, open_input(demo_db, flood, 4, deputy, clock.now() - timedelta(minutes=50)), clock)
    summary = response.live_summary(demo_db, clock.now())
    assert summary["response_id"] == real and summary["roman"] == "Ⅳ级" and summary["count"] == 1
    assert summary["color_hex"] == "#1E6FD9" and summary["plan"] == "防汛防旱防风" and summary["since_text"] == "50分钟"
    assert "【演练】" in dutylog.page(demo_db, dutylog.LogQuery(event_id=drill_event))[0]["summary"]


def test_the_most_severe_live_response_leads_the_status_bar(demo_db, clock, flood):
    plan = flood_plan(demo_db)
    deputy = holder(demo_db, plan, 3, "副指挥长")
    response.open_response(demo_db, open_input(demo_db, flood, 4, deputy, clock.now() - timedelta(minutes=50)), clock)
    other = flood_event(demo_db, clock, minutes_ago=30)
    severe = response.open_response(demo_db, open_input(demo_db, other, 3, deputy, clock.now() - timedelta(minutes=5)), clock)
    summary = response.live_summary(demo_db, clock.now())
    assert summary["response_id"] == severe and summary["count"] == 2 and summary["color_hex"] == "#F9C80E"


def test_the_response_level_sets_the_xubao_rhythm_of_the_reporting_clocks(demo_db, clock, flood):
    plan = flood_plan(demo_db)
    deputy = holder(demo_db, plan, 3, "副指挥长")
    start = clock.now() - timedelta(minutes=50)
    before = [d for d in deadlines.for_event_id(demo_db, flood, clock.now()) if d.kind == "续报"]
    assert before and before[0].due_at.hour == 9                     # the daily 09:00 rule
    rid = response.open_response(demo_db, open_input(demo_db, flood, 3, deputy, start), clock)
    xubao = [d for d in deadlines.for_event_id(demo_db, flood, clock.now()) if d.kind == "续报"]
    assert [(d.serial, d.due_at) for d in xubao] == [(1, start + timedelta(hours=4))]
    assert "应急响应Ⅲ级" in xubao[0].rule
    assert any(d.event_id == flood and d.kind == "续报" and d.due_at == start + timedelta(hours=4)
               for d in deadlines.pending(demo_db, clock.now()))         # the status bar's source
    assert any(d.kind == "续报" and d.due == start + timedelta(hours=4) for d in timeline.clocks(demo_db, rid, clock.now()))
    # configurable: a 2-hour rhythm for Ⅲ级
    demo_db.execute("UPDATE response_report_cadence SET interval_minutes = 120 WHERE level = 3")
    assert [d.due_at for d in deadlines.for_event_id(demo_db, flood, clock.now()) if d.kind == "续报"] == [
        start + timedelta(hours=2)]
    # after 解除 the daily rule counts again
    clock.advance(hours=3)
    response.end_response(demo_db, rid, change(deputy, clock.now(), reason="解除"), clock)
    after = [d for d in deadlines.for_event_id(demo_db, flood, clock.now()) if d.kind == "续报"]
    assert after[0].due_at == start + timedelta(hours=2) and after[-1].due_at.hour == 9


def test_a_drill_response_never_sets_the_rhythm_of_a_real_event(demo_db, clock):
    drill_event = flood_event(demo_db, clock, drill=True)
    real = flood_event(demo_db, clock)
    plan = flood_plan(demo_db)
    response.open_response(demo_db, open_input(demo_db, drill_event, 2, holder(demo_db, plan, 2, "指挥长"),
                                               clock.now() - timedelta(minutes=10), drill=True), clock)
    assert all("应急响应" not in d.rule for d in deadlines.for_event_id(demo_db, real, clock.now()))
    assert any("应急响应Ⅱ级" in d.rule for d in deadlines.for_event_id(demo_db, drill_event, clock.now()))


def test_checklist_items_are_marked_done_and_overdue_ones_show(demo_db, clock, flood):
    deputy = holder(demo_db, flood_plan(demo_db), 3, "副指挥长")
    start = clock.now() - timedelta(minutes=45)
    rid = response.open_response(demo_db, open_input(demo_db, flood, 4, deputy, start), clock)
    overdue = [d for d in timeline.clocks(demo_db, rid, clock.now()) if d.kind == "清单" and d.overdue(clock.now())]
    assert len(overdue) == 1 and "启动通知" in overdue[0].label          # the 30-minute item
    item = overdue[0].ref[1]
    with pytest.raises(ValidationError, match="请填写完成人"):
        response.mark_item_done(demo_db, item, clock.now(), "", clock=clock)
    with pytest.raises(ValidationError, match="晚于当前时间"):
        response.mark_item_done(demo_db, item, clock.now() + timedelta(hours=1), "综合协调组", clock=clock)
    response.mark_item_done(demo_db, item, clock.now() - timedelta(minutes=5), "综合协调组", "已通报", clock)
    done = next(c for c in response.checklist(demo_db, rid) if c["id"] == item)
    assert done["done_by"] == "综合协调组" and done["done_at"] == (clock.now() - timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M")
    assert not [d for d in timeline.clocks(demo_db, rid, clock.now()) if d.kind == "清单" and d.overdue(clock.now())]
    with pytest.raises(ValidationError, match="已于"):
        response.mark_item_done(demo_db, item, clock.now(), "综合协调组", clock=clock)
    assert any(e.kind == "清单完成" for e in timeline.timeline(demo_db, rid))


def test_relief_targets_apply_by_hazard_and_run_as_clocks(demo_db, clock, flood):
    deputy = holder(demo_db, flood_plan(demo_db), 3, "副指挥长")
    start = clock.now() - timedelta(minutes=150)
    rid = response.open_response(demo_db, open_input(demo_db, flood, 4, deputy, start), clock)
    names = {t["name"]: t for t in response.targets(demo_db, rid)}
    assert set(names) == {"受灾群众8小时内得到初步救助", "洪水救援力量2小时内到达现场"}     # no earthquake targets
    clocks = {d.label: d for d in timeline.clocks(demo_db, rid, clock.now()) if d.kind == "救助"}
    assert clocks["洪水救援力量2小时内到达现场"].overdue(clock.now())
    assert clocks["受灾群众8小时内得到初步救助"].due == start + timedelta(hours=8)
    quake = one(demo_db, "SELECT id FROM relief_targets WHERE name = '救援力量1小时内出动'")
    with pytest.raises(ValidationError, match="不适用"):
        response.mark_target_met(demo_db, rid, quake, clock.now(), "刘艳玲", clock=clock)
    target = names["洪水救援力量2小时内到达现场"]["id"]
    response.mark_target_met(demo_db, rid, target, clock.now() - timedelta(minutes=10), "刘艳玲", "消防到场", clock)
    met = next(d for d in timeline.clocks(demo_db, rid, clock.now()) if d.label == "洪水救援力量2小时内到达现场")
    assert met.done_at == clock.now() - timedelta(minutes=10) and not met.overdue(clock.now())
    assert any("救助时限目标达成（超时）" in e["summary"] for e in dutylog.page(demo_db, dutylog.LogQuery(event_id=flood)))


def test_groups_are_edited_for_the_response_only(demo_db, clock, flood):
    deputy = holder(demo_db, flood_plan(demo_db), 3, "副指挥长")
    rid = response.open_response(demo_db, open_input(demo_db, flood, 4, deputy, clock.now()), clock)
    g = next(x for x in response_groups.groups(demo_db, rid) if x["name"] == "抢险救援组")
    leader = person(demo_db, "薛秀英")
    response_groups.update_group(demo_db, g["id"], response_groups.GroupInput(
        g["name"], g["lead_org_id"], leader, "", "组织抢险", "市消防救援大队、市人武部"), "刘艳玲",
        expected_version=g["version"], clock=clock)
    edited = response_groups.group(demo_db, g["id"])
    assert edited["leader"] == "薛秀英" and edited["contact_phone"]               # the leader's mobile
    assert edited["members_text"] == "市消防救援大队、市人武部" and edited["duties"] == "组织抢险"
    plan_group = one(demo_db, "SELECT duties FROM plan_groups WHERE plan_id = ? AND name = '抢险救援组'",
                     [flood_plan(demo_db)])
    assert plan_group != "组织抢险"                                              # the template is untouched
    with pytest.raises(ValidationError, match="已被他人修改"):
        response_groups.update_group(demo_db, g["id"], response_groups.GroupInput(
            g["name"], g["lead_org_id"]), "刘艳玲", expected_version=g["version"], clock=clock)
    with pytest.raises(ValidationError, match="不是通讯录中的单位"):
        response_groups.update_group(demo_db, g["id"], response_groups.GroupInput(
            g["name"], g["lead_org_id"], members="不存在的局"), "刘艳玲", clock=clock)
    new = response_groups.add_group(demo_db, rid, response_groups.GroupInput(
        "转移安置二组", g["lead_org_id"], duties="帽子峰片区"), "刘艳玲", clock)
    assert response_groups.group(demo_db, new)["name"] == "转移安置二组"


def test_the_demo_holds_a_live_flood_response_at_three_and_an_ended_landslide_one(full_demo_db, clock):
    live = response.live_responses(full_demo_db)
    assert len(live) == 1 and live[0]["level"] == 3 and "山洪" in live[0]["event"] and live[0]["warning"]
    rid = live[0]["id"]
    assert [d["kind"] for d in response.decisions(full_demo_db, rid)] == ["启动", "提级"]
    now = clock.now()
    overdue = [d for d in timeline.clocks(full_demo_db, rid, now) if d.overdue(now)]
    assert {d.kind for d in overdue} == {"清单", "指令"} and len(overdue) == 2
    assert len(orders.unacknowledged(full_demo_db, rid)) == 1
    ended = [r for r in response.list_responses(full_demo_db) if not r["live"]]
    assert len(ended) == 1 and "地质灾害" in ended[0]["plan"] and ended[0]["ended_at"] < now.strftime("%Y-%m-%d %H:%M")
