"""Resource registers (teams, experts, equipment, shelters, vulnerable people): validation,
conflicting edits, status history, filters, alerts, readiness, and the demo county's data."""

from __future__ import annotations

import json
import re
from datetime import date, datetime

import pytest

from nxcommand import (
    contacts,
    equipment,
    experts,
    org,
    resources,
    shelters,
    teams,
    vulnerable,
)
from nxcommand.clock import FixedClock
from nxcommand.errors import NotFound, ValidationError
from nxcommand.paths import demo_dir, project_root


def town(db, name: str) -> int:
    return next(t["id"] for t in org.towns(db) if t["name"] == name)


def village(db, town_name: str, name: str) -> int:
    return next(v["id"] for v in org.villages(db, town(db, town_name)) if v["name"] == name)


def counts(db) -> tuple:
    return tuple(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in (
        "teams", "team_status_changes", "experts", "equipment", "shelters", "vulnerable_people",
        "people", "person_roles"))


def team_input(db, **kw) -> teams.TeamInput:
    base = {"name": "南亩镇鱼鲜村应急分队", "kind": "基层", "town_id": town(db, "南亩镇"), "headcount": 6,
                "leader_name": "甘永福", "leader_phone": "13900990001", "village_id": village(db, "南亩镇", "鱼鲜村"),
                "insurance_expiry": "2027/3/1"}
    base.update(kw)
    return teams.TeamInput(**base)


# ------------------------------------------------------------------ demo county

def test_demo_holds_a_realistic_mix(demo_db):
    ids = teams.search(demo_db)
    rows = teams.rows(demo_db, ids)
    assert 35 <= len(ids) <= 46
    kinds = {r["kind"] for r in rows.values()}
    assert kinds == set(teams.KINDS)
    basic = [r for r in rows.values() if r["kind"] == "基层"]
    assert {r["town"] for r in basic} == {t["name"] for t in org.towns(demo_db)}   # 一乡镇一队
    assert min(r["headcount"] for r in rows.values()) <= 6
    fire = next(r for r in rows.values() if r["name"] == "南雄市消防救援大队")
    assert fire["kind"] == "综合性消防救援" and fire["headcount"] >= 50
    statuses = [r["status"] for r in rows.values()]
    assert statuses.count("待命") > len(ids) * 0.8 and {"出动", "在场"} <= set(statuses)
    assert 1 <= sum(not r["meets_standard"] for r in rows.values()) <= 5
    # leaders are directory contacts tagged 队伍负责人; the phone shown is their mobile
    for r in rows.values():
        person = contacts.get(demo_db, r["leader_id"])
        assert "队伍负责人" in person["role_list"] and r["leader_phone"] == person["mobile"]
    assert len(experts.search(demo_db)) >= 18
    assert len(equipment.search(demo_db)) >= 35
    assert len(shelters.search(demo_db)) >= 12
    assert len(vulnerable.search(demo_db)) >= 25


def test_demo_people_are_invented():
    data = json.loads((demo_dir() / "resources.json").read_text(encoding="utf-8"))
    directory = {p["name"] for p in json.loads((demo_dir() / "people.json").read_text(encoding="utf-8"))}
    named = ([(t["leader"], t["leader_phone"]) for t in data["teams"]]
             + [(e["name"], e["phone"]) for e in data["experts"]]
             + [(e["operator"], e["operator_phone"]) for e in data["equipment"] if e.get("operator")]
             + [(s["manager"], s["manager_phone"]) for s in data["shelters"]]
             + [(v["contact"], v["contact_phone"]) for v in data["vulnerable"] if v.get("contact")])
    names = {n for n, _ in named} | {v["name"] for v in data["vulnerable"]}
    assert not names & directory
    assert all(re.fullmatch(r"1390\d{7}", phone) for _, phone in named)
    assert all(not p.startswith("1390000") for _, p in named)          # people.json's block
    seeds = project_root().parent / "shared" / "seeds"
    if seeds.is_dir():
        text = re.sub(r"\s+", "", "".join(p.read_text(encoding="utf-8") for p in seeds.glob("*.txt")))
        assert not [n for n in names if n in text]


def test_demo_alerts_on_both_demo_days(demo_db):
    july = resources.alerts(demo_db, date(2026, 7, 1))
    assert any(a.overdue for a in july) and any(0 < a.days_left <= 30 for a in july)
    november = resources.alerts(demo_db, date(2026, 11, 23))
    assert sum(0 <= a.days_left <= 30 for a in november) >= 3
    assert all(a.kind == "保险到期" and a.ref[0] == "team" for a in july + november)


def test_demo_kit_and_register(demo_db):
    kit = equipment.four_in_one_kit(demo_db, org_id=resources.default_org(demo_db))
    assert list(kit) == list(equipment.FOUR_IN_ONE)
    assert [len(kit[r]) for r in equipment.FOUR_IN_ONE] == [1, 2, 1, 4]
    assert all(i["operator"] and i["call_sign"] for items in kit.values() for i in items)
    partial = equipment.four_in_one_kit(demo_db, team_id=teams.find(demo_db, "南雄市消防救援大队"))
    assert partial["指挥车"] == [] and partial["卫星通信"]
    gaps = vulnerable.search(demo_db, vulnerable.Query(gaps_only=True))
    assert 1 <= len(gaps) <= 5


# ------------------------------------------------------------------ teams

def test_add_team_with_new_leader(demo_db, clock):
    team_id = teams.add(demo_db, team_input(demo_db), clock)
    row = teams.get(demo_db, team_id)
    assert (row["leader"], row["leader_phone"], row["village"]) == ("甘永福", "13900990001", "鱼鲜村")
    assert row["insurance_expiry"] == "2027-03-01" and row["status_at"] == "2026-07-01 14:20:00"
    person = contacts.get(demo_db, row["leader_id"])
    assert person["role_list"] == ["队伍负责人"]
    assert person["org"] == "鱼鲜村村委会"            # filed under the village committee
    assert teams.status_history(demo_db, team_id) == [
        {"status": "待命", "changed_at": "2026-07-01 14:20:00", "note": "登记"}]


def test_existing_contact_becomes_the_leader(demo_db, clock):
    person = contacts.get(demo_db, contacts.search(demo_db, contacts.Query(text="张建中"))[0])
    team_id = teams.add(demo_db, team_input(demo_db, leader_name="张建中", leader_phone=""), clock)
    assert teams.get(demo_db, team_id)["leader_id"] == person["id"]
    assert "队伍负责人" in contacts.get(demo_db, person["id"])["role_list"]
    before = contacts.count(demo_db)
    teams.add(demo_db, team_input(demo_db, name="另一队", leader_name="张建中",
                                  leader_phone=person["mobile"]), clock)
    assert contacts.count(demo_db) == before


@pytest.mark.parametrize("change, field, message", [
    ({"name": " "}, "队伍名称", "请填写队伍名称"),
    ({"name": "南雄市消防救援大队"}, "队伍名称", "已有名为"),
    ({"kind": "专职"}, "队伍类型", "队伍类型须为"),
    ({"headcount": 0}, "队员人数", "1–100000"),
    ({"headcount": "十"}, "队员人数", "整数"),
    ({"town_id": None}, "所在镇（街道）", "请选择"),
    ({"village_id": -1}, "村（社区）", "不存在"),
    ({"insurance_expiry": "2027-02-30"}, "保险到期日", "日期"),
    ({"standby": "特级"}, "备勤等级", "备勤等级须为"),
    ({"lon": "114.3", "lat": ""}, "经度", "同时"),
    ({"leader_name": "", "leader_phone": ""}, "负责人", "请填写队伍负责人"),
    ({"leader_phone": "1390099"}, "电话", "手机"),
    ({"leader_name": "新队长", "leader_phone": ""}, "电话", "请填写其手机号码"),
])
def test_bad_team_input_writes_nothing(demo_db, clock, change, field, message):
    before = counts(demo_db)
    with pytest.raises(ValidationError) as info:
        teams.add(demo_db, team_input(demo_db, **change), clock)
    assert message in str(info.value) and info.value.field == field
    assert counts(demo_db) == before


def test_village_must_lie_in_the_town(demo_db, clock):
    with pytest.raises(ValidationError, match="不属于所选镇"):
        teams.add(demo_db, team_input(demo_db, village_id=village(demo_db, "油山镇", "上朔村")), clock)


def test_new_leader_with_a_taken_mobile_rolls_back_the_team(demo_db, clock):
    before = counts(demo_db)
    with pytest.raises(ValidationError, match="已登记在"):
        teams.add(demo_db, team_input(demo_db, leader_name="甘永福", leader_phone="13900000001"), clock)
    assert counts(demo_db) == before


def test_same_name_needs_a_phone(demo_db, clock):
    first = resources.find_or_add_person(demo_db, "温小雨", "13900990011", "专家", clock)
    second = resources.find_or_add_person(demo_db, "温小雨", "139-0099-0012", "专家", clock)
    assert first != second
    assert resources.find_or_add_person(demo_db, "温小雨", "13900990012", "", clock) == second
    with pytest.raises(ValidationError, match="有 2 位“温小雨”"):
        resources.find_or_add_person(demo_db, "温小雨", "", "专家", clock)
    landline = resources.find_or_add_person(demo_db, "温大雨", "5551888", "", clock)
    assert contacts.get(demo_db, landline)["office_phone"] == "0751-5551888"


def test_conflicting_edit_is_refused(demo_db, clock):
    team_id = teams.add(demo_db, team_input(demo_db), clock)
    row = teams.get(demo_db, team_id)
    data = teams.as_input(row)
    data.headcount = 9
    teams.update(demo_db, team_id, data, expected_version=row["version"], clock=clock)
    data.headcount = 11
    with pytest.raises(ValidationError, match="已被他人修改"):
        teams.update(demo_db, team_id, data, expected_version=row["version"], clock=clock)
    assert teams.get(demo_db, team_id)["headcount"] == 9


def test_status_changes_are_timed_and_kept(demo_db):
    clock = FixedClock(datetime(2026, 7, 1, 15, 0))
    team_id = teams.find(demo_db, "南亩镇应急救援队")
    teams.set_status(demo_db, team_id, "出动", clock, "赴鱼鲜村排险")
    clock.advance(minutes=40)
    teams.set_status(demo_db, team_id, "在场", clock)
    row = teams.get(demo_db, team_id)
    assert (row["status"], row["status_at"]) == ("在场", "2026-07-01 15:40:00")
    assert [h["status"] for h in teams.status_history(demo_db, team_id)][-2:] == ["出动", "在场"]
    with pytest.raises(ValidationError, match="已是“在场”"):
        teams.set_status(demo_db, team_id, "在场", clock)
    with pytest.raises(ValidationError, match="状态须为"):
        teams.set_status(demo_db, team_id, "休整", clock)


def test_filters(demo_db, clock):
    names = lambda q: [teams.get(demo_db, i)["name"] for i in teams.search(demo_db, q)]
    assert names(teams.Query(kind="综合性消防救援"))[0] == "南雄市消防救援大队"
    assert all(teams.get(demo_db, i)["town"] == "油山镇"
               for i in teams.search(demo_db, teams.Query(town_id=town(demo_db, "油山镇"))))
    assert set(names(teams.Query(status="在场"))) >= {"帽子峰镇应急救援队"}
    assert "南雄市森林消防大队帽子峰中队" in names(teams.Query(text="森林消防"))
    leader = teams.get(demo_db, teams.find(demo_db, "雄城燃气抢险队"))["leader"]
    assert names(teams.Query(text=leader)) == ["雄城燃气抢险队"]
    assert names(teams.Query(text="%")) == []                      # LIKE wildcards taken literally
    teams.add(demo_db, team_input(demo_db, name="100%突击队"), clock)
    assert names(teams.Query(text="%")) == ["100%突击队"]


def test_retired_team_leaves_lists_and_alerts(demo_db, clock):
    team_id = teams.find(demo_db, "岭北矿业矿山救护队")
    assert any(a.ref == ("team", team_id) for a in resources.alerts(demo_db, date(2026, 7, 1)))
    teams.retire(demo_db, team_id, "企业关停", clock)
    assert team_id not in teams.search(demo_db)
    assert team_id in teams.search(demo_db, teams.Query(include_retired=True))
    assert not any(a.ref == ("team", team_id) for a in resources.alerts(demo_db, date(2026, 7, 1)))
    with pytest.raises(NotFound):
        teams.set_status(demo_db, team_id, "出动", clock)


def test_alert_window_and_wording(demo_db, clock):
    team_id = teams.add(demo_db, team_input(demo_db, insurance_expiry="2026-08-15"), clock)
    mine = lambda today: [a for a in resources.alerts(demo_db, today) if a.ref == ("team", team_id)]
    assert mine(date(2026, 7, 1)) == []
    [alert] = mine(date(2026, 7, 20))
    assert (alert.days_left, alert.due, alert.overdue) == (26, date(2026, 8, 15), False)
    assert "还剩 26 天" in alert.message
    assert mine(date(2026, 8, 15))[0].message.count("今天")
    assert mine(date(2026, 8, 20))[0].overdue
    org.set_meta(demo_db, "alert_window_days", "60")
    assert mine(date(2026, 7, 1))


def test_readiness_by_town(demo_db, clock):
    before = {r["town"]: r for r in resources.readiness_by_town(demo_db)}
    assert len(before) == len(org.towns(demo_db))
    assert next(iter(before)) == "雄州街道"
    team_id = teams.find(demo_db, "南亩镇应急救援队")
    teams.set_status(demo_db, team_id, "出动", clock)
    after = {r["town"]: r for r in resources.readiness_by_town(demo_db)}
    assert after["南亩镇"]["ready_teams"] == before["南亩镇"]["ready_teams"] - 1
    assert after["南亩镇"]["out_teams"] == before["南亩镇"]["out_teams"] + 1
    assert after["主田镇"]["ready_teams"] == after["主田镇"]["teams"] - 1    # its team is 不达标
    assert sum(r["people"] for r in after.values()) == sum(
        r["headcount"] for r in teams.rows(demo_db, teams.search(demo_db)).values())


# ------------------------------------------------------------------ experts

def test_experts(demo_db, clock):
    expert_id = experts.add(demo_db, experts.ExpertInput(
        field="地质灾害", name="古岳峰", phone="13900990021", title="高级工程师", employer="某勘查院"), clock)
    row = experts.get(demo_db, expert_id)
    assert (row["name"], row["mobile"], row["org"]) == ("古岳峰", "13900990021", "南雄市应急管理局")
    assert "专家" in contacts.get(demo_db, row["person_id"])["role_list"]
    with pytest.raises(ValidationError, match="已在专家库"):
        experts.add(demo_db, experts.ExpertInput(field="矿山", person_id=row["person_id"]), clock)
    with pytest.raises(ValidationError, match="专业领域须为"):
        experts.add(demo_db, experts.ExpertInput(field="天文", name="古岳峰", phone="13900990021"), clock)
    found = experts.search(demo_db, experts.Query(field="地质灾害", text="古岳"))
    assert found == [expert_id]
    experts.remove(demo_db, expert_id)
    assert contacts.get(demo_db, row["person_id"])["active"]        # still in the directory


# ------------------------------------------------------------------ equipment

def test_equipment_holder_and_call_sign(demo_db, clock):
    team_id = teams.find(demo_db, "南雄市三防抢险队")
    item = equipment.add(demo_db, equipment.EquipmentInput(
        name="救生抛投器", kind="其他", quantity="５", unit="台", team_id=team_id, hazard_kit="防汛抗旱"), clock)
    row = equipment.get(demo_db, item)
    assert (row["holder"], row["town"], row["quantity"]) == ("南雄市三防抢险队", "雄州街道", 5)
    with pytest.raises(ValidationError, match="二选一"):
        equipment.add(demo_db, equipment.EquipmentInput(name="x", kind="其他", team_id=team_id,
                                                        org_id=resources.default_org(demo_db)), clock)
    with pytest.raises(ValidationError, match="已被其他装备使用"):
        equipment.add(demo_db, equipment.EquipmentInput(name="单兵", kind="单兵", team_id=team_id,
                                                        call_sign="雄应急单兵01"), clock)
    with pytest.raises(ValidationError, match="四合一角色须为"):
        equipment.add(demo_db, equipment.EquipmentInput(name="单兵", kind="单兵", team_id=team_id,
                                                        four_in_one="电台"), clock)


def test_kit_item_with_new_operator(demo_db, clock):
    team_id = teams.find(demo_db, "南雄市三防抢险队")
    item = equipment.add(demo_db, equipment.EquipmentInput(
        name="应急指挥车", kind="专用车辆", unit="辆", team_id=team_id, four_in_one="指挥车",
        operator_name="邝志诚", operator_phone="13900990031", call_sign="三防指挥01"), clock)
    kit = equipment.four_in_one_kit(demo_db, team_id=team_id)
    assert [i["id"] for i in kit["指挥车"]] == [item] and kit["卫星通信"] == []
    assert kit["指挥车"][0]["operator"] == "邝志诚" and kit["指挥车"][0]["ready"]
    equipment.set_status(demo_db, item, "维修", clock)
    assert not equipment.four_in_one_kit(demo_db, team_id=team_id)["指挥车"][0]["ready"]
    assert item in equipment.search(demo_db, equipment.Query(four_in_one=True))
    assert item not in equipment.search(demo_db, equipment.Query(kind="通信"))


# ------------------------------------------------------------------ shelters

def shelter_input(db, **kw) -> shelters.ShelterInput:
    base = {"name": "南亩镇中心小学避难点", "level": "固定避难场所", "town_id": town(db, "南亩镇"), "capacity": 200,
                "area_m2": "1200", "setting": "室内"}
    base.update(kw)
    return shelters.ShelterInput(**base)


def test_shelter_occupancy_stays_within_capacity(demo_db, clock):
    shelter_id = shelters.add(demo_db, shelter_input(demo_db), clock)
    shelters.set_occupancy(demo_db, shelter_id, 150, clock)
    row = shelters.get(demo_db, shelter_id)
    assert (row["occupancy"], row["occupancy_at"]) == (150, "2026-07-01 14:20:00")
    with pytest.raises(ValidationError, match="最多容纳 200 人"):
        shelters.set_occupancy(demo_db, shelter_id, 201, clock)
    with pytest.raises(ValidationError):
        shelters.set_occupancy(demo_db, shelter_id, -1, clock)
    data = shelter_input(demo_db, capacity=100)
    with pytest.raises(ValidationError, match="不能少于"):
        shelters.update(demo_db, shelter_id, data, expected_version=row["version"], clock=clock)
    with pytest.raises(ValidationError, match="不能删除"):
        shelters.remove(demo_db, shelter_id)
    assert shelters.get(demo_db, shelter_id)["occupancy"] == 150


def test_shelter_in_use_by_the_register_cannot_go(demo_db, clock):
    shelter_id = shelters.find(demo_db, "百顺镇高山村文化室避难点")
    with pytest.raises(ValidationError, match="请先为他们改派"):
        shelters.remove(demo_db, shelter_id)
    with pytest.raises(ValidationError, match="场所类型须为"):
        shelters.add(demo_db, shelter_input(demo_db, level="避难所"), clock)


# ------------------------------------------------------------------ vulnerable people

def test_register_flags_gaps_by_village_and_town(demo_db, clock):
    vid = village(demo_db, "南亩镇", "石迳村")
    shelter_id = shelters.add(demo_db, shelter_input(demo_db), clock)
    complete = vulnerable.add(demo_db, vulnerable.PersonInput(
        name="甘阿婆", village_id=vid, category="独居老人", needs="需搀扶", contact_name="甘石坚",
        contact_phone="13900990041", route="村道步行", shelter_id=shelter_id), clock)
    lacking = vulnerable.add(demo_db, vulnerable.PersonInput(name="甘小宝", village_id=vid, category="留守儿童"), clock)
    assert vulnerable.get(demo_db, complete)["gaps"] == ""
    assert vulnerable.get(demo_db, lacking)["gaps"] == "缺对接人 缺安置场所"
    assert [r["name"] for r in vulnerable.by_village(demo_db, vid)] == ["甘阿婆", "甘小宝"]
    contact = contacts.get(demo_db, vulnerable.get(demo_db, complete)["contact_id"])
    assert contact["org"] == "石迳村村委会"
    net = {r["village"]: r for r in vulnerable.town_network(demo_db, town(demo_db, "南亩镇"))}
    assert (net["石迳村"]["people"], net["石迳村"]["gaps"], net["石迳村"]["no_contact"]) == (2, 1, 1)
    assert net["鱼鲜村"]["people"] == net["鱼鲜村"]["gaps"] == 0
    assert net["石迳村"]["shelters"] == "南亩镇中心小学避难点"
    summary = {r["town"]: r for r in vulnerable.county_summary(demo_db)}
    assert summary["南亩镇"]["people"] == 2
    assert vulnerable.search(demo_db, vulnerable.Query(town_id=town(demo_db, "南亩镇"), gaps_only=True)) == [lacking]


def test_register_validation(demo_db, clock):
    before = counts(demo_db)
    for data, message in [
        (vulnerable.PersonInput(name="", village_id=village(demo_db, "南亩镇", "石迳村"), category="独居老人"), "姓名"),
        (vulnerable.PersonInput(name="甲", village_id=town(demo_db, "南亩镇"), category="独居老人"), "村（社区）"),
        (vulnerable.PersonInput(name="甲", village_id=None, category="独居老人"), "请选择村"),
        (vulnerable.PersonInput(name="甲", village_id=village(demo_db, "南亩镇", "石迳村"), category="老人"), "人员类别"),
        (vulnerable.PersonInput(name="甲", village_id=village(demo_db, "南亩镇", "石迳村"), category="其他",
                                shelter_id=99999), "安置场所"),
    ]:
        with pytest.raises(ValidationError, match=message):
            vulnerable.add(demo_db, data, clock)
    assert counts(demo_db) == before
