"""The forward HQ: one per response; location and times validated; commander (acting until
named), deputies (PLA and 武警 one each), groups present, the 四合一 kit with its status log,
the link to the centre, resources on scene; every act in the duty log and on the timeline."""

from __future__ import annotations

from datetime import timedelta

import pytest

from nxcommand import dispatch, equipment, forward_hq, timeline
from nxcommand.clock import fmt_minute
from nxcommand.errors import ValidationError
from nxcommand.forward_hq import HQInput

from .conftest import NOW
from .test_dispatch import (
    ago,
    counts,
    end_response,
    last_log,
    make_response,
    one,
    person,
    team,
    to_youshan,
    town,
)


def add_groups(db, response_id, *names):
    now = NOW.strftime("%Y-%m-%d %H:%M:%S")
    return [db.execute("INSERT INTO response_groups (response_id, name, sort_order, created_at, updated_at) "
                       "VALUES (?, ?, ?, ?, ?)", [response_id, name, i, now, now]).lastrowid
            for i, name in enumerate(names)]


def hq_input(db, **extra):
    return HQInput(**({"town_id": town(db, "油山镇"), "place": "油山镇政府大院", "recorded_by": "张金龙",
                       "lon": 114.386, "lat": 24.957, "established_at": ago(4), "phone": "13800001111"} | extra))


@pytest.fixture
def response(demo_db, clock):
    return make_response(demo_db, clock)


@pytest.fixture
def hq(demo_db, clock, response):
    return forward_hq.establish(demo_db, response, hq_input(demo_db), clock)


def kit_item(db, call_sign):
    return one(db, "SELECT id FROM equipment WHERE call_sign = ?", [call_sign])


def test_one_hq_per_response_with_its_location_and_trace(demo_db, clock, response, hq):
    db = demo_db
    view = forward_hq.view(db, response)
    assert (view["town"], view["place"], view["lon"], view["lat"], view["established_at"]) == (
        "油山镇", "油山镇政府大院", 114.386, 24.957, ago(4))
    assert last_log(db)[:2] == (ago(4), "开设前方指挥部：油山镇油山镇政府大院，电话 13800001111")
    before = counts(db)
    with pytest.raises(ValidationError, match=f"该响应已于 {ago(4)} 在油山镇政府大院开设前方指挥部，每个响应只设一个前方指挥部"):
        forward_hq.establish(db, response, hq_input(db, place="大兰坑村小学"), clock)
    assert counts(db) == before


def test_location_and_time_are_validated(demo_db, clock, response):
    db = demo_db
    before = counts(db)
    for extra, message in (
            ({"lon": 24.957, "lat": 114.386}, "经度须在 73–136 之间"),
            ({"lon": 114.386, "lat": None}, "经度和纬度须同时填写或同时留空"),
            ({"lon": 113.2, "lat": 23.1}, "坐标（113.2, 23.1）离油山镇（114.385, 24.958）太远"),
            ({"place": " "}, "请填写具体地点"),
            ({"town_id": None}, "请选择所在镇（街道）"),
            ({"established_at": fmt_minute(NOW + timedelta(minutes=1))}, "开设时间不能晚于当前时间"),
            ({"established_at": ago(20)}, "开设时间不能早于"),
            ({"phone": "12"}, "前指电话"),
            ({"recorded_by": ""}, "请填写记录人")):
        with pytest.raises(ValidationError, match=message):
            forward_hq.establish(db, response, hq_input(db, **extra), clock)
    end_response(db, response)
    with pytest.raises(ValidationError, match="该应急响应已解除"):
        forward_hq.establish(db, response, hq_input(db), clock)
    assert counts(db) == before


def test_the_first_unit_on_scene_acts_until_a_commander_is_named(demo_db, clock, response, hq):
    db = demo_db
    assert forward_hq.commander(db, hq) is None
    first = dispatch.dispatch_team(db, response, team(db, "油山镇应急救援队"), to_youshan(db, dispatched_at=ago(5)), clock)
    later = dispatch.dispatch_team(db, response, team(db, "南雄市三防抢险队"), to_youshan(db, dispatched_at=ago(4)), clock)
    dispatch.mark_arrived(db, later, ago(3), recorded_by="张金龙", clock=clock)
    dispatch.mark_arrived(db, first, ago(3, 30), recorded_by="张金龙", clock=clock)
    acting = forward_hq.commander(db, hq)
    assert (acting["name"], acting["acting"], acting["since"]) == ("温玉梅", True, ago(3, 30))
    assert acting["basis"] == "首个到场单位油山镇应急救援队负责人代行"
    assert [r["id"] for r in forward_hq.view(db, response)["on_scene"]] == [first, later]

    forward_hq.name_commander(db, hq, person(db, "钟国平"), ago(2), recorded_by="张金龙", clock=clock)
    named = forward_hq.commander(db, hq)
    assert (named["name"], named["acting"], named["since"], named["org"]) == ("钟国平", False, ago(2), "市应急管理局")
    assert last_log(db)[1] == "前方指挥部现场指挥官：钟国平（市应急管理局副局长）"
    with pytest.raises(ValidationError, match="任命时间不能早于前方指挥部开设时间"):
        forward_hq.name_commander(db, hq, person(db, "田立新"), ago(5), recorded_by="张金龙", clock=clock)


def test_pla_and_armed_police_may_each_name_one_deputy(demo_db, clock, response, hq):
    db = demo_db
    forward_hq.add_deputy(db, hq, person(db, "卢峰"), "解放军", at=ago(3), recorded_by="张金龙", clock=clock)
    forward_hq.add_deputy(db, hq, person(db, "薛焕章"), "武警", at=ago(3), recorded_by="张金龙", clock=clock)
    forward_hq.add_deputy(db, hq, person(db, "李宏亮"), "地方", at=ago(3), recorded_by="张金龙", clock=clock)
    before = counts(db)
    with pytest.raises(ValidationError, match="武警方面已有副指挥（薛焕章），武警只可派一名副指挥"):
        forward_hq.add_deputy(db, hq, person(db, "李晓军"), "武警", recorded_by="张金龙", clock=clock)
    with pytest.raises(ValidationError, match="李宏亮已是副指挥"):
        forward_hq.add_deputy(db, hq, person(db, "李宏亮"), "地方", recorded_by="张金龙", clock=clock)
    with pytest.raises(ValidationError, match="所属方面须为"):
        forward_hq.add_deputy(db, hq, person(db, "李晓军"), "海军", recorded_by="张金龙", clock=clock)
    assert counts(db) == before
    assert [(d["side"], d["name"], d["org"]) for d in forward_hq.deputies(db, hq)] == [
        ("解放军", "卢峰", "市人武部"), ("武警", "薛焕章", "武警南雄中队"), ("地方", "李宏亮", "油山镇政府")]


def test_groups_present_come_from_the_response(demo_db, clock, response, hq):
    db = demo_db
    rescue, medical, _press = add_groups(db, response, "抢险救援组", "医疗救治组", "新闻宣传组")
    forward_hq.add_group(db, hq, rescue, ago(3), recorded_by="张金龙", clock=clock)
    forward_hq.add_group(db, hq, medical, ago(2), recorded_by="张金龙", clock=clock)
    with pytest.raises(ValidationError, match="抢险救援组已在前方指挥部"):
        forward_hq.add_group(db, hq, rescue, recorded_by="张金龙", clock=clock)
    other = make_response(db, clock, hours_ago=2)
    (foreign,) = add_groups(db, other, "抢险救援组")
    with pytest.raises(ValidationError, match="所选工作组不属于该响应"):
        forward_hq.add_group(db, hq, foreign, recorded_by="张金龙", clock=clock)
    assert [(g["name"], g["present"]) for g in forward_hq.groups(db, response)] == [
        ("抢险救援组", ago(3)), ("医疗救治组", ago(2)), ("新闻宣传组", None)]


def test_the_kit_items_carry_status_and_operator_and_go_in_use(demo_db, clock, response, hq):
    db = demo_db
    sat = forward_hq.add_kit_item(db, hq, kit_item(db, "雄应急卫星01"), at=ago(4), recorded_by="张金龙", clock=clock)
    drone = forward_hq.add_kit_item(db, hq, kit_item(db, "雄应急无人机01"), operator_id=person(db, "利茂林"),
                                    status="离线", at=ago(4), recorded_by="张金龙", clock=clock)
    assert equipment.get(db, kit_item(db, "雄应急卫星01"))["status"] == "在用"
    forward_hq.set_kit_status(db, drone, "在线", ago(3, 40), recorded_by="张金龙", clock=clock)
    forward_hq.set_kit_status(db, sat, "故障", ago(2), "天线受损", recorded_by="张金龙", clock=clock)
    assert last_log(db)[1] == "四合一卫星通信（雄应急卫星01）故障：天线受损"
    with pytest.raises(ValidationError, match="该装备已是“故障”状态"):
        forward_hq.set_kit_status(db, sat, "故障", recorded_by="张金龙", clock=clock)
    with pytest.raises(ValidationError, match="时间不能早于上一次状态记录"):
        forward_hq.set_kit_status(db, sat, "在线", ago(3), recorded_by="张金龙", clock=clock)
    kit = forward_hq.kit(db, hq)
    assert list(kit) == ["卫星通信", "无人机", "指挥车", "智能单兵终端"]
    assert [(k["call_sign"], k["operator"], k["status"], k["since"]) for k in kit["卫星通信"] + kit["无人机"]] == [
        ("雄应急卫星01", "胡茂林", "故障", ago(2)), ("雄应急无人机01", "利茂林", "在线", ago(3, 40))]
    assert [h["status"] for h in kit["无人机"][0]["history"]] == ["离线", "在线"]
    assert kit["指挥车"] == []
    before = counts(db)
    for call_sign, message in (("雄应急单兵04", "当前状态为“维修”"), ("雄应急卫星01", "已在前方指挥部")):
        with pytest.raises(ValidationError, match=message):
            forward_hq.add_kit_item(db, hq, kit_item(db, call_sign), recorded_by="张金龙", clock=clock)
    with pytest.raises(ValidationError, match="不是“四合一”标准配备"):
        forward_hq.add_kit_item(db, hq, one(db, "SELECT id FROM equipment WHERE name = '冲锋舟'"),
                                recorded_by="张金龙", clock=clock)
    assert counts(db) == before
    forward_hq.withdraw(db, hq, ago(0, 10), recorded_by="张金龙", clock=clock)
    assert equipment.get(db, kit_item(db, "雄应急卫星01"))["status"] == "完好待命"
    with pytest.raises(ValidationError, match="前方指挥部已于 .* 撤收"):
        forward_hq.set_link(db, hq, "连通", recorded_by="张金龙", clock=clock)


def test_the_link_log_gives_the_current_state(demo_db, clock, response, hq):
    db = demo_db
    forward_hq.set_link(db, hq, "连通", ago(4), "卫星", recorded_by="张金龙", clock=clock)
    forward_hq.set_link(db, hq, "中断", ago(2, 30), note="山体遮挡", recorded_by="张金龙", clock=clock)
    assert last_log(db)[1] == "前方指挥部与指挥中心链路中断：山体遮挡"
    with pytest.raises(ValidationError, match="链路已是“中断”状态"):
        forward_hq.set_link(db, hq, "中断", recorded_by="张金龙", clock=clock)
    with pytest.raises(ValidationError, match="时间不能早于上一次链路记录"):
        forward_hq.set_link(db, hq, "连通", ago(3), recorded_by="张金龙", clock=clock)
    forward_hq.set_link(db, hq, "连通", ago(2), "公网", recorded_by="张金龙", clock=clock)
    view = forward_hq.view(db, response)
    assert (view["link"], view["link_since"]) == ("连通", ago(2))
    assert [(r["state"], r["at"]) for r in view["link_log"]] == [("连通", ago(2)), ("中断", ago(2, 30)),
                                                                 ("连通", ago(4))]
    kinds = [(e.kind, e.at) for e in forward_hq.timeline_entries(db, response)]
    assert kinds == [("前指开设", NOW - timedelta(hours=4)), ("链路建立", NOW - timedelta(hours=4)),
                     ("链路中断", NOW - timedelta(hours=2, minutes=30)), ("链路恢复", NOW - timedelta(hours=2))]
    assert [e.kind for e in timeline.timeline(db, response)][-4:] == [k for k, _ in kinds]
    assert forward_hq.deadlines(db, response, NOW) == []


def test_no_hq_yet(demo_db, response):
    assert forward_hq.view(demo_db, response) is None
    assert forward_hq.timeline_entries(demo_db, response) == []


def test_the_demo_story_loads_for_the_live_flood_response_in_youshan(demo_db, clock):
    from nxcommand import field_demo, ledger

    db = demo_db
    assert field_demo.load_demo_field(db, clock) is None          # no response yet: nothing to do
    response = make_response(db, clock, hours_ago=5.5)
    add_groups(db, response, "综合协调组", "抢险救援组", "转移安置组", "新闻宣传组")
    drill = make_response(db, clock, drill=True, hours_ago=1)
    assert field_demo.live_flood_response(db) == response
    hq = field_demo.load_demo_field(db, clock)
    view = forward_hq.view(db, response)
    assert view["id"] == hq and forward_hq.view(db, drill) is None
    assert (view["commander"]["name"], view["commander"]["acting"]) == ("田立新", False)
    assert [d["side"] for d in view["deputies"]] == ["解放军", "武警", "地方"]
    assert [g["name"] for g in view["groups"] if g["present"]] == ["综合协调组", "抢险救援组", "转移安置组"]
    assert {role: [k["status"] for k in items] for role, items in view["kit"].items()} == {
        "卫星通信": ["在线"], "无人机": ["在线"], "指挥车": ["在线"], "智能单兵终端": ["在线", "故障"]}
    assert view["link"] == "连通" and [r["state"] for r in view["link_log"]] == ["连通", "中断", "连通"]
    summary = dispatch.summary(db, response)
    assert summary["队伍"]["在场"] == 5 and summary["队伍"]["已返回"] == 1 and summary["队伍"]["已派出"] == 1
    assert summary["装备"]["在场"] == 3 and summary["物资"] == {"在途": 1, "已送达": 6}
    issued = {s["item"]: s["quantity"] for s in dispatch.supplies_issued(db, response)}
    assert issued == {"救生衣": 120, "救灾单帐篷": 40, "棉被": 380, "瓶装饮用水": 200, "折叠床": 150, "方便面": 100}
    assert ledger.verify(db) == []
    occupancy = dict(db.execute("SELECT name, occupancy FROM shelters WHERE name LIKE '油山镇%'").fetchall())
    assert occupancy == {"油山镇文化站避难点": 146, "油山镇大兰坑村小学避难点": 52}
    # every record in the past and in order; an open arrival clock for the team still on the way
    entries = timeline.timeline(db, response)
    assert all(e.at <= NOW for e in entries)
    open_clocks = [d for d in timeline.clocks(db, response, NOW) if d.done_at is None and d.kind == "到达"]
    assert [d.label for d in open_clocks] == ["到达：南雄市民兵应急排 → 油山镇 岭背村"]
    assert not open_clocks[0].overdue(NOW)
