"""Warnings: issue, adjust, lift with every element; signals relayed from 气象局 kept apart;
duty-log traces; queries; a warning starting a plan early."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from nxcommand import early_warning as ew
from nxcommand.clock import fmt_minute
from nxcommand.errors import ValidationError
from tests.conftest import NOW


def one(db, sql, params=()):
    return db.execute(sql, list(params)).fetchone()[0]


def town(db, name):
    return one(db, "SELECT id FROM admin_units WHERE level = 'town' AND name = ?", [name])


def ago(hours: float = 0, minutes: float = 0) -> str:
    return fmt_minute(NOW - timedelta(hours=hours, minutes=minutes))


def counts(db):
    return (one(db, "SELECT count(*) FROM warnings"), one(db, "SELECT count(*) FROM warning_towns"),
            one(db, "SELECT count(*) FROM log_entries"))


def log_entries(db, n=1):
    return [r[0] for r in db.execute(
        "SELECT e.summary FROM log_entries e JOIN log_kinds k ON k.id = e.kind_id WHERE k.name = '预警' "
        "ORDER BY e.id DESC LIMIT ?", [n])]


def gov(db, **extra) -> ew.WarningInput:
    return ew.WarningInput(**({
        "source": ew.GOVERNMENT, "category_id": 1, "subtype_id": 1, "level": 3, "starts_at": ago(1),
        "town_ids": [town(db, "油山镇"), town(db, "百顺镇")],
        "matters": "山区溪河水位上涨，山洪风险高", "measures": "转移危险区群众；停止涉河施工",
        "issued_at": ago(1), "recorded_by": "张金龙",
        "issuer_body_id": one(db, "SELECT id FROM command_bodies WHERE name = '南雄市三防指挥部'")} | extra))


def signal(db, **extra) -> ew.WarningInput:
    org = lambda name: one(db, "SELECT id FROM organizations WHERE name = ?", [name])
    return ew.WarningInput(**({
        "source": ew.SIGNAL, "category_id": 1, "subtype_id": 8, "level": 2, "starts_at": ago(2),
        "town_ids": [town(db, "油山镇")], "matters": "3小时内降雨量将达50毫米以上", "measures": "防御暴雨",
        "issued_at": ago(2), "recorded_by": "张金龙", "issuer_org_id": org("南雄市气象局"),
        "signal_name": "暴雨橙色预警信号", "relayed_org_id": org("南雄市应急管理局"),
        "relayed_at": ago(1, 50)} | extra))


def test_issue_a_government_warning_with_every_element_and_its_log_entry(demo_db, clock):
    wid = ew.issue(demo_db, gov(demo_db), clock)
    w = ew.get(demo_db, wid)
    assert (w["title"], w["status"], w["color_name"], w["level_name"]) == ("防汛黄色预警", "生效", "黄色", "三级")
    assert (w["category"], w["subtype"], w["issuer"], w["source_label"]) == ("自然灾害", "防汛", "南雄市三防指挥部", "政府预警")
    assert w["towns"] == ["油山镇", "百顺镇"] and w["starts_at"] == ago(1) and w["issued_at"] == ago(1)
    assert w["signal_name"] == "" and w["relayed_by"] == ""
    entry = log_entries(demo_db)[0]
    for part in ("发布预警：防汛黄色预警", "南雄市三防指挥部", "影响范围油山镇、百顺镇", "警示事项：山区溪河", "防范措施：转移"):
        assert part in entry
    assert one(demo_db, "SELECT logged_at FROM log_entries ORDER BY id DESC LIMIT 1") == ago(1)


def test_a_relayed_signal_keeps_its_name_issuer_and_who_relayed_it(demo_db, clock):
    wid = ew.issue(demo_db, signal(demo_db), clock)
    w = ew.get(demo_db, wid)
    assert (w["source_label"], w["title"], w["issuer"], w["relayed_by"]) == (
        "气象预警信号（转发）", "暴雨橙色预警信号", "南雄市气象局", "南雄市应急管理局")
    assert w["relayed_at"] == ago(1, 50)
    assert "转发气象预警信号：暴雨橙色预警信号" in log_entries(demo_db)[0]
    assert one(demo_db, "SELECT source FROM log_entries ORDER BY id DESC LIMIT 1") == "南雄市气象局（南雄市应急管理局转发）"
    assert [x["id"] for x in ew.history(demo_db, source=ew.SIGNAL)] == [wid]
    assert ew.history(demo_db, source=ew.GOVERNMENT) == []


@pytest.mark.parametrize("change, field", [
    ({"town_ids": []}, "影响范围"),
    ({"level": None}, "级别"),
    ({"level": 7}, "级别"),
    ({"subtype_id": 12}, "灾种"),              # 道路交通 is not a 自然灾害
    ({"matters": "  "}, "警示事项"),
    ({"measures": ""}, "防范措施"),
    ({"issuer_body_id": None}, "发布单位"),
    ({"issued_at": ago(-2), "starts_at": ago(-2)}, "发布时间"),
    ({"starts_at": ago(2)}, "起始时间"),
    ({"signal_name": "暴雨黄色预警信号"}, "信号名称"),
    ({"source": "网传"}, "来源"),
])
def test_a_warning_missing_an_element_is_refused_and_nothing_is_written(demo_db, clock, change, field):
    before = counts(demo_db)
    with pytest.raises(ValidationError) as err:
        ew.issue(demo_db, gov(demo_db, **change), clock)
    assert err.value.field == field and str(err.value)
    assert counts(demo_db) == before


def test_a_town_of_another_level_or_a_village_is_not_a_scope(demo_db, clock):
    village = one(demo_db, "SELECT id FROM admin_units WHERE level = 'village' LIMIT 1")
    with pytest.raises(ValidationError, match="镇（街道）"):
        ew.issue(demo_db, gov(demo_db, town_ids=[village]), clock)


@pytest.mark.parametrize("change, message", [
    ({"signal_name": "暴雨黄色预警信号"}, "颜色（黄色）与所选级别（橙色）不一致"),
    ({"relayed_at": ago(3)}, "转发时间不能早于信号发布时间"),
    ({"relayed_org_id": None}, "转发单位"),
    ({"issuer_org_id": 7}, "气象局"),          # 应急管理局 does not issue weather signals
    ({"signal_name": ""}, "信号名称"),
])
def test_signal_rules(demo_db, clock, change, message):
    before = counts(demo_db)
    with pytest.raises(ValidationError, match=message):
        ew.issue(demo_db, signal(demo_db, **change), clock)
    assert counts(demo_db) == before


def test_adjust_reissues_a_linked_version_and_marks_the_old_one(demo_db, clock):
    first = ew.issue(demo_db, gov(demo_db), clock)
    data = replace(ew.input_from(demo_db, first, "肖文静"), level=2, issued_at=ago(0, 30), starts_at=ago(0, 30),
                   town_ids=[town(demo_db, "油山镇"), town(demo_db, "百顺镇"), town(demo_db, "帽子峰镇")])
    second = ew.adjust(demo_db, first, data, "降雨持续，风险升高", clock)
    old, new = ew.get(demo_db, first), ew.get(demo_db, second)
    assert (old["status"], old["superseded_at"]) == ("已调整", ago(0, 30))
    assert (new["status"], new["replaces_id"], new["revision"], new["color_name"], new["title"]) == (
        "生效", first, 2, "橙色", "防汛橙色预警")
    assert new["towns"] == ["油山镇", "百顺镇", "帽子峰镇"]
    assert [w["id"] for w in ew.chain(demo_db, first)] == [first, second]
    assert [w["id"] for w in ew.chain(demo_db, second)] == [first, second]
    assert [w["id"] for w in ew.current(demo_db)] == [second]
    assert [w["id"] for w in ew.history(demo_db)] == [second, first]
    entry = log_entries(demo_db)[0]
    assert entry.startswith("调整预警（原防汛黄色预警，黄色）：防汛橙色预警（橙色）") and "调整原因：降雨持续" in entry
    with pytest.raises(ValidationError, match="已调整，不能再调整"):
        ew.adjust(demo_db, first, data, "再次调整", clock)


def test_adjust_refusals_write_nothing(demo_db, clock):
    first = ew.issue(demo_db, gov(demo_db), clock)
    before = counts(demo_db)
    with pytest.raises(ValidationError, match="调整原因"):
        ew.adjust(demo_db, first, gov(demo_db), "", clock)
    with pytest.raises(ValidationError, match="不能改变预警来源"):
        ew.adjust(demo_db, first, signal(demo_db), "改为信号", clock)
    with pytest.raises(ValidationError, match="不能早于原预警"):
        ew.adjust(demo_db, first, gov(demo_db, issued_at=ago(3), starts_at=ago(3)), "补录", clock)
    with pytest.raises(ValidationError, match="他人修改"):
        ew.adjust(demo_db, first, gov(demo_db), "并发", clock, expected_version=99)
    assert counts(demo_db) == before and ew.get(demo_db, first)["status"] == "生效"


def test_lift_ends_the_warning_period(demo_db, clock):
    wid = ew.issue(demo_db, gov(demo_db), clock)
    ew.lift(demo_db, wid, ago(0, 10), "张金龙", reason="降雨停止", clock=clock)
    w = ew.get(demo_db, wid)
    assert (w["status"], w["lifted_at"], w["lift_reason"], w["lifted_by"]) == (
        "已解除", ago(0, 10), "降雨停止", "南雄市三防指挥部")
    assert ew.current(demo_db) == []
    assert "解除预警：防汛黄色预警" in log_entries(demo_db)[0]
    before = counts(demo_db)
    with pytest.raises(ValidationError, match="已解除，不能再解除"):
        ew.lift(demo_db, wid, ago(0, 5), "张金龙", clock=clock)
    other = ew.issue(demo_db, gov(demo_db), clock)
    with pytest.raises(ValidationError, match="解除时间不能早于发布时间"):
        ew.lift(demo_db, other, ago(5), "张金龙", clock=clock)
    with pytest.raises(ValidationError, match="解除时间不能晚于当前时间"):
        ew.lift(demo_db, other, ago(-1), "张金龙", clock=clock)
    assert counts(demo_db)[0] == before[0] + 1 and ew.get(demo_db, other)["status"] == "生效"


def test_queries_by_town_most_severe_first(demo_db, clock):
    yellow = ew.issue(demo_db, gov(demo_db), clock)
    orange = ew.issue(demo_db, signal(demo_db), clock)
    lifted = ew.issue(demo_db, gov(demo_db, town_ids=[town(demo_db, "乌迳镇")]), clock)
    ew.lift(demo_db, lifted, ago(0, 5), "张金龙", clock=clock)
    assert [w["id"] for w in ew.current(demo_db)] == [orange, yellow]
    assert [w["id"] for w in ew.for_town(demo_db, town(demo_db, "百顺镇"))] == [yellow]
    assert ew.for_town(demo_db, town(demo_db, "乌迳镇")) == []
    assert [w["id"] for w in ew.for_town(demo_db, town(demo_db, "乌迳镇"), include_history=True)] == [lifted]
    assert [w["id"] for w in ew.history(demo_db, since=ago(1, 30))] == [lifted, yellow]


def test_a_warning_offers_the_plans_of_its_hazard(demo_db, clock):
    wid = ew.issue(demo_db, gov(demo_db), clock)
    names = [p["name"] for p in ew.plans_for_warning(demo_db, wid)]
    assert names[0] == "南雄市防汛防旱防风应急预案" and "南雄市突发事件总体应急预案" in names
    assert "南雄市森林火灾应急预案" not in names


def test_a_warning_starts_a_response_early(demo_db, clock):
    response = pytest.importorskip("nxcommand.response")
    wid = ew.issue(demo_db, gov(demo_db), clock)
    plan_id = ew.plans_for_warning(demo_db, wid)[0]["id"]
    from nxcommand import plan_checks
    decider = plan_checks.allowed_deciders(demo_db, plan_id, 4)[0]
    decider_id = decider["id"] if isinstance(decider, dict) else decider
    rid = response.open_response(demo_db, response.ResponseInput(
        plan_id=plan_id, level=4, matter="防御山洪", measures="转移群众", decider_id=decider_id,
        decided_at=ago(0, 20), recorded_by="张金龙", warning_id=wid), clock)
    assert one(demo_db, "SELECT warning_id FROM responses WHERE id = ?", [rid]) == wid


def test_demo_warnings(full_demo_db):
    live = ew.current(full_demo_db)
    assert [w["title"] for w in live] == ["暴雨橙色预警信号", "山洪地质灾害黄色预警"]
    signal_, gov_ = live
    assert (signal_["source"], signal_["revision"], signal_["relayed_by"]) == ("气象预警信号", 2, "南雄市应急管理局")
    assert gov_["towns"] == ["油山镇", "百顺镇", "帽子峰镇"] and gov_["issuer"] == "南雄市三防指挥部"
    assert [w["status"] for w in ew.history(full_demo_db)].count("已解除") == 1
    assert [w["status"] for w in ew.history(full_demo_db)].count("已调整") == 1
