"""The directory's core: phone formats, validation, search, retire, edit conflicts."""

from __future__ import annotations

import pytest

from nxcommand import contacts, org
from nxcommand.contacts import ContactInput, Query
from nxcommand.errors import ValidationError
from nxcommand.phones import normalize_phone


@pytest.mark.parametrize("typed, stored", [
    ("13900001234", "13900001234"),
    ("１３９００００１２３４", "13900001234"),          # full-width digits
    ("139 0000 1234", "13900001234"),
    ("+86 139-0000-1234", "13900001234"),
    ("0751-5551234", "0751-5551234"),
    ("（０７５１）５５５１２３４", "0751-5551234"),
    ("07515551234", "0751-5551234"),
    ("5551234", "0751-5551234"),                      # the county's area code is added
    ("0751-5551234转801", "0751-5551234-801"),
    ("010-12345678", "010-12345678"),
    ("", None),
])
def test_phone_numbers_are_normalised(typed, stored):
    assert normalize_phone(typed, "电话", "0751") == stored


@pytest.mark.parametrize("typed", ["1390000123", "139000012345", "12900001234", "0751-555",
                                   "5551234x", "电话", "0751-0551234"])
def test_bad_phone_numbers_are_refused(typed):
    with pytest.raises(ValidationError):
        normalize_phone(typed, "手机", "0751")


def _org_id(db, name="南雄市应急管理局"):
    return next(o["id"] for o in org.organizations(db) if o["name"] == name)


def test_add_finds_the_contact_by_every_key(demo_db, clock):
    pid = contacts.add(demo_db, ContactInput(
        name="欧阳晓岚", org_id=_org_id(demo_db), post="应急指挥中心副主任",
        mobile="１３７００００８８８８", office_phone="5559999", roles=["值班员"]), clock)
    for text in ("欧阳", "oyxl", "ouyangxiaolan", "指挥中心副主任", "值班员 oyxl",
                 "8888", "1370000", "0751-5559999", "5559999", "应急管理局 欧阳"):
        assert pid in contacts.search(demo_db, Query(text=text)), text
    row = contacts.get(demo_db, pid)
    assert row["mobile"] == "13700008888" and row["office_phone"] == "0751-5559999"
    assert row["role_list"] == ["值班员"]


def test_initials_search_puts_the_name_match_first(demo_db):
    ids = contacts.search(demo_db, Query(text="zjz"))
    assert contacts.rows(demo_db, ids[:1])[ids[0]]["name"] == "张建中"


def test_all_terms_must_match(demo_db):
    both = contacts.search(demo_db, Query(text="应急管理局 值班员"))
    rows = contacts.rows(demo_db, both).values()
    assert rows and all(r["org"] == "市应急管理局" and "值班员" in r["roles"] for r in rows)


def test_like_wildcards_are_literal(demo_db):
    assert contacts.search(demo_db, Query(text="%")) == []
    assert contacts.search(demo_db, Query(text="_")) == []


def test_filters_by_unit_town_and_command_body(demo_db):
    town = next(t for t in org.towns(demo_db) if t["name"] == "乌迳镇")
    in_town = contacts.rows(demo_db, contacts.search(demo_db, Query(town_id=town["id"]))).values()
    assert in_town and all(r["town"] == "乌迳镇" for r in in_town)
    unit = _org_id(demo_db)
    in_unit = contacts.rows(demo_db, contacts.search(demo_db, Query(org_id=unit))).values()
    assert in_unit and all(r["org_id"] == unit for r in in_unit)
    body = next(b for b in org.command_bodies(demo_db) if "安全生产" in b["name"])
    members = contacts.search(demo_db, Query(body_id=body["id"]))
    assert {p["person_id"] for p in body["posts"]} <= set(members)
    assert len(members) < contacts.count(demo_db)


@pytest.mark.parametrize("change, field", [
    ({"name": ""}, "姓名"),
    ({"name": "张三3"}, "姓名"),
    ({"name": "张" * 40}, "姓名"),
    ({"name": "张\x07三"}, "姓名"),
    ({"org_id": None}, "单位"),
    ({"org_id": 999999}, "单位"),
    ({"mobile": "1390000"}, "手机"),
    ({"mobile": "", "office_phone": ""}, "手机"),
    ({"office_phone": "0751-55"}, "办公电话"),
    ({"roles": ["司令"]}, "角色"),
    ({"mobile": "13900000001"}, "手机"),      # already 张建中's number
])
def test_bad_input_is_refused_and_nothing_written(demo_db, clock, change, field):
    before = contacts.count(demo_db, include_retired=True)
    data = dict(name="李四", org_id=_org_id(demo_db), post="科员", mobile="13700001111",
                office_phone="", roles=[], note="")
    data.update(change)
    with pytest.raises(ValidationError) as err:
        contacts.add(demo_db, ContactInput(**data), clock)
    assert err.value.field == field
    assert contacts.count(demo_db, include_retired=True) == before


def test_retire_hides_and_reinstate_restores(demo_db, clock):
    pid = contacts.search(demo_db, Query(text="张建中"))[0]
    with pytest.raises(ValidationError):
        contacts.retire(demo_db, pid, "  ", clock)
    contacts.retire(demo_db, pid, "调离", clock)
    assert contacts.search(demo_db, Query(text="张建中")) == []
    assert contacts.search(demo_db, Query(text="张建中", include_retired=True)) == [pid]
    assert contacts.get(demo_db, pid)["retired_reason"] == "调离"
    contacts.reinstate(demo_db, pid, clock)
    assert contacts.search(demo_db, Query(text="张建中")) == [pid]


def test_conflicting_edit_is_refused_not_overwritten(demo_db, clock):
    pid = contacts.search(demo_db, Query(text="张建中"))[0]
    opened = contacts.get(demo_db, pid)                 # two officers open the same record
    base = ContactInput(name="张建中", org_id=opened["org_id"], post=opened["post"],
                        mobile=opened["mobile"], office_phone=opened["office_phone"] or "")
    contacts.update(demo_db, pid, ContactInput(**{**base.__dict__, "post": "局长（兼）"}),
                    expected_version=opened["version"], clock=clock)
    with pytest.raises(ValidationError, match="已被他人修改"):
        contacts.update(demo_db, pid, ContactInput(**{**base.__dict__, "post": "副局长"}),
                        expected_version=opened["version"], clock=clock)
    assert contacts.get(demo_db, pid)["post"] == "局长（兼）"


def test_renamed_post_is_searchable(demo_db, clock):
    pid = contacts.search(demo_db, Query(text="张建中"))[0]
    row = contacts.get(demo_db, pid)
    contacts.update(demo_db, pid, ContactInput(name=row["name"], org_id=row["org_id"], post="党组书记",
                                               mobile=row["mobile"], roles=row["role_list"]), clock=clock)
    assert pid in contacts.search(demo_db, Query(text="党组书记"))
