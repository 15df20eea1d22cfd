"""The demo county: structure from DOMAIN.md §9, invented people and phone numbers."""

from __future__ import annotations

import json
import re

import pytest

from nxcommand import contacts, org
from nxcommand.errors import NotFound, ValidationError
from nxcommand.paths import demo_dir, project_root

TOWNS = ["乌迳", "界址", "坪田", "黄坑", "邓坊", "油山", "南亩", "水口", "江头", "湖口", "珠玑",
         "主田", "古市", "全安", "百顺", "澜河", "帽子峰"]


def test_county_towns_and_villages(demo_db):
    assert org.county(demo_db)["name"] == "南雄市"
    names = [t["name"] for t in org.towns(demo_db)]
    assert names[0] == "雄州街道"
    assert sorted(names[1:]) == sorted(f"{t}镇" for t in TOWNS)
    for town in org.towns(demo_db):
        assert len(org.villages(demo_db, town["id"])) >= 3, town["name"]


def test_units_bodies_and_contacts(demo_db):
    assert contacts.count(demo_db) >= 140
    assert len(org.organizations(demo_db)) >= 60
    bodies = {b["short_name"]: b for b in org.command_bodies(demo_db)}
    assert len(bodies) == 6
    anweihui = next(b for b in bodies.values() if "安全生产委员会" in b["name"])
    assert [p["role"] for p in anweihui["posts"]].count("主任") == 2
    for body in bodies.values():
        assert body["office"] and len(body["members"]) >= 8 and body["posts"]
    on_duty = contacts.search(demo_db, contacts.Query(text="带班领导"))
    officers = contacts.search(demo_db, contacts.Query(text="值班员"))
    assert len(on_duty) >= 6 and len(officers) >= 8
    assert org.is_demo(demo_db)


def test_people_and_numbers_are_invented():
    people = json.loads((demo_dir() / "people.json").read_text(encoding="utf-8"))
    units = json.loads((demo_dir() / "organizations.json").read_text(encoding="utf-8"))
    seeds = project_root().parent / "shared" / "seeds"
    if not seeds.is_dir():  # CI and the team's machines have shared/ beside the checkout
        pytest.skip("the source plans (../shared/seeds) are not beside this checkout")
    seed_text = "".join(p.read_text(encoding="utf-8") for p in sorted(seeds.glob("*.txt")))
    seed_text = re.sub(r"\s+", "", seed_text)
    for person in people:
        assert person["name"] not in seed_text, person["name"]
        assert re.fullmatch(r"1390000\d{4}", person["mobile"])
        assert person["office_phone"] is None or re.fullmatch(r"0751-555\d{4}", person["office_phone"])
    for unit in units:
        assert unit.get("duty_phone") is None or re.fullmatch(r"0751-555\d{4}", unit["duty_phone"])


def test_command_body_services_validate(demo_db):
    body = org.add_command_body(demo_db, "南雄市防范化解重大风险工作领导小组", short_name="风险领导小组")
    unit = org.organizations(demo_db)[0]["id"]
    org.set_body_member(demo_db, body, unit, "牵头单位")
    org.set_body_member(demo_db, body, unit, "成员单位")          # role changed, not duplicated
    person = contacts.search(demo_db, contacts.Query(text="张建中"))[0]
    org.add_body_post(demo_db, body, person, "组长")
    created = next(b for b in org.command_bodies(demo_db) if b["id"] == body)
    assert [(m["role"]) for m in created["members"]] == ["成员单位"]
    assert [(p["name"], p["role"]) for p in created["posts"]] == [("张建中", "组长")]
    with pytest.raises(ValidationError):
        org.add_command_body(demo_db, "南雄市防范化解重大风险工作领导小组")
    with pytest.raises(ValidationError):
        org.set_body_member(demo_db, body, unit, "顾问单位")
    with pytest.raises(ValidationError):
        org.add_body_post(demo_db, body, person, "组长")
    with pytest.raises(NotFound):
        org.add_body_post(demo_db, 9999, person, "组长")


def test_the_demo_desk_is_live_on_first_start(full_demo_db):
    from datetime import timedelta

    from nxcommand import deadlines, handover, incidents

    from .conftest import NOW

    open_titles = [e["title"] for e in incidents.open_events(full_demo_db)]
    assert len(open_titles) == 3 and any("森林火灾" in t for t in open_titles)
    assert any("山洪" in t for t in open_titles)                     # the live response's event (RESP)
    pending = deadlines.pending(full_demo_db, NOW)
    assert pending and all(d.due_at > NOW for d in pending)          # clocks running, none late
    assert pending[0].name == "书面初报" and (pending[0].due_at - NOW).total_seconds() == 35 * 60
    accepted = handover.latest(full_demo_db, accepted_only=True)
    assert accepted and {i["section"] for i in accepted["items"]} >= {"在办事件", "待报信息", "领导批示"}
    overall, _ = deadlines.timeliness(full_demo_db, NOW.date() - timedelta(days=7), NOW.date(), NOW)
    assert overall.due >= 4 and overall.rate == 1.0                   # the demo desk reports on time
