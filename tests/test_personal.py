"""Name lists of a response and their purge (突发事件应对法 第八十五条): entries validated (the
身份证号's check digit, sex and age against it, phone, lengths, control characters), a
conflicting edit refused, 作废 instead of delete; the retention setting; nothing purged before
the retention has passed or while a 延期保存 is in force; the purge blanks every personal value
(in the database file's bytes too, and in the audit trail's images), keeps the statistics,
records itself, and is idempotent; the scheduled run acts as the system."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from nxcommand import audit, id_numbers, personal, response, session
from nxcommand.clock import FixedClock
from nxcommand.errors import ValidationError
from nxcommand.permissions import PermissionDenied
from nxcommand.personal import PersonInput
from nxcommand.personal_demo import demo_id
from nxcommand.store import open_db

from .respond_helpers import change, count, flood_event, flood_plan, holder, one, open_input

ID = demo_id("19650312", 217)           # 男, 61 on 2026-07-01
OTHER_ID = demo_id("19720830", 428)     # 女


def actor(*roles: str) -> session.Actor:
    return session.Actor("someone", "某人", frozenset(roles))


@pytest.fixture
def rid(demo_db, clock):
    event = flood_event(demo_db, clock, minutes_ago=180)
    plan = flood_plan(demo_db)
    return response.open_response(demo_db, open_input(demo_db, event, 4, holder(demo_db, plan, 4, "办公室主任"),
                                                      clock.now() - timedelta(minutes=150)), clock)


def town(db, name: str = "油山镇") -> int:
    return one(db, "SELECT id FROM admin_units WHERE name = ? AND level = 'town'", [name])


def village(db, name: str = "上朔村") -> int:
    return one(db, "SELECT id FROM admin_units WHERE name = ? AND level = 'village'", [name])


def entry(db, **change) -> PersonInput:
    data = dict(kind="被困", name="黄石生", id_number=ID, phone="139 0060 0101", town_id=town(db),
                village_id=village(db), address="3组12号", status="已救出",
                next_of_kin="黄冬梅（女儿）13900600102", notes="冲锋舟救出")
    data.update(change)
    return PersonInput(**data)


def end(db, rid: int, clock: FixedClock, at=None) -> str:
    decider = holder(db, flood_plan(db), 4, "办公室主任")
    at = at or clock.now()
    response.end_response(db, rid, change(decider, at, reason="险情解除"), clock)
    return response.get_response(db, rid)["ended_at"]


# ------------------------------------------------------------------ entries

def test_an_entry_takes_sex_and_age_from_the_id_number_and_counts_by_kind(demo_db, clock, rid):
    pid = personal.add(demo_db, rid, entry(demo_db), clock)
    personal.add(demo_db, rid, entry(demo_db, kind="转移安置", name="何凤娇", id_number=OTHER_ID, phone="",
                                     shelter_id=one(demo_db, "SELECT id FROM shelters WHERE name = '油山镇文化站避难点'")),
                 clock)
    got = personal.get(demo_db, pid)
    assert (got["sex"], got["age"], got["phone"], got["id_number"]) == ("男", 61, "13900600101", ID)
    assert got["id_masked"] == ID[:6] + "********" + ID[-4:] and got["phone_masked"] == "139****0101"
    assert got["place"] == "油山镇上朔村3组12号" and got["event_id"] is not None
    assert personal.counts(demo_db, rid) == {"受伤": 0, "死亡": 0, "失联": 0, "被困": 1, "转移安置": 1}
    listed = personal.people(demo_db, rid)
    assert [p["name"] for p in listed] == ["黄石生", "何凤娇"] and listed[1]["care"] == "油山镇文化站避难点"
    assert [p["name"] for p in personal.people(demo_db, rid, kind="转移安置")] == ["何凤娇"]
    # a lower-case x check character is accepted as X
    first = "44028219800101103"
    assert id_numbers.check_char(first) == "X"
    pid = personal.add(demo_db, rid, entry(demo_db, name="叶金华", id_number=first + "x", phone=""), clock)
    assert personal.get(demo_db, pid)["id_number"] == first + "X"


def test_nothing_personal_is_written_to_the_duty_log(demo_db, clock, rid):
    log = count(demo_db, "log_entries")
    personal.add(demo_db, rid, entry(demo_db), clock)
    assert count(demo_db, "log_entries") == log


BAD_ID = ID[:17] + ("0" if ID[17] != "0" else "1")

REFUSED = [
    (dict(id_number=BAD_ID), "身份证号", f"第 18 位应为 {ID[17]}，填写的是 {BAD_ID[17]}"),
    (dict(id_number=ID[:17]), "身份证号", "应为 18 位，填写的是 17 位"),
    (dict(id_number=ID[:8] + "A" + ID[9:]), "身份证号", "前 17 位应为数字"),
    (dict(id_number="44028219991332" + "0012"), "身份证号", "“19991332”不是有效日期"),
    (dict(id_number="000000" + ID[6:]), "身份证号", "行政区划代码"),
    (dict(id_number=demo_id("20300101", 111)), "身份证号", "出生日期 2030-01-01 不合理"),
    (dict(id_number=b"440282196503122171"), "身份证号", "应为文字"),
    (dict(sex="女"), "性别", "身份证号第 17 位表示男性"),
    (dict(age=40), "年龄", "现年 61 岁"),
    (dict(age=131, id_number=""), "年龄", "0–130"),
    (dict(age=-1, id_number=""), "年龄", "0–130"),
    (dict(age="六十", id_number=""), "年龄", "整数"),
    (dict(age=2.5, id_number=""), "年龄", "整数"),
    (dict(age=True, id_number=""), "年龄", "整数"),
    (dict(age="9" * 10_000_000, id_number=""), "年龄", "不能超过"),
    (dict(phone="5551"), "联系电话", "格式不对"),
    (dict(phone="1390060010"), "联系电话", "不是有效的手机号码"),
    (dict(name=""), "姓名", "请填写姓名"),
    (dict(name="黄" * 10_000_000), "姓名", "不能超过 32 个字"),
    (dict(name="黄石\x07生"), "姓名", "控制字符"),
    (dict(name="黄石\u202e生"), "姓名", "控制字符"),
    (dict(notes="水" * 10_000_000), "备注", "不能超过 500 个字"),
    (dict(notes="救出\x00"), "备注", "控制字符"),
    (dict(next_of_kin="亲" * 61), "亲属联系人", "不能超过 60 个字"),
    (dict(hospital="\x1b[31m"), "救治医院", "控制字符"),
    (dict(kind="轻伤"), "人员类别", "受伤、死亡、失联、被困、转移安置"),
    (dict(kind=None), "人员类别", "受伤、死亡"),
    (dict(town_id=[1]), "镇（街道）", "无效"),
    (dict(town_id=2 ** 70), "镇（街道）", "无效"),
    (dict(town_id=999_999), "镇（街道）", "不存在"),
    (dict(shelter_id=999_999), "安置场所", "不存在"),
]


@pytest.mark.parametrize("change,field,message", REFUSED, ids=[f"case{i}" for i in range(len(REFUSED))])
def test_bad_entries_are_refused_naming_the_field_and_nothing_is_written(demo_db, clock, rid, change, field, message):
    before = count(demo_db, "response_people"), audit.head(demo_db)
    with pytest.raises(ValidationError) as refused:
        personal.add(demo_db, rid, entry(demo_db, **change), clock)
    assert message in str(refused.value) and refused.value.field == field
    assert (count(demo_db, "response_people"), audit.head(demo_db)) == before


def test_a_village_outside_the_town_is_refused(demo_db, clock, rid):
    with pytest.raises(ValidationError, match="不属于所选镇"):
        personal.add(demo_db, rid, entry(demo_db, village_id=village(demo_db, "松木塘村")), clock)


def test_a_conflicting_edit_is_refused_and_the_first_stays(demo_db, clock, rid):
    pid = personal.add(demo_db, rid, entry(demo_db), clock)
    mine = theirs = personal.get(demo_db, pid)["version"]
    personal.update(demo_db, pid, entry(demo_db, status="已送医", hospital="南雄市人民医院"),
                    expected_version=theirs, clock=clock)
    with pytest.raises(ValidationError, match="该人员信息已被他人修改"):
        personal.update(demo_db, pid, entry(demo_db, status="已返家"), expected_version=mine, clock=clock)
    got = personal.get(demo_db, pid)
    assert (got["status"], got["hospital"], got["version"]) == ("已送医", "南雄市人民医院", mine + 1)


def test_an_entry_in_error_is_voided_not_deleted(demo_db, clock, rid):
    pid = personal.add(demo_db, rid, entry(demo_db), clock)
    with pytest.raises(ValidationError, match="请填写作废原因"):
        personal.void(demo_db, pid, " ", clock=clock)
    personal.void(demo_db, pid, "重复登记", expected_version=1, clock=clock)
    assert personal.counts(demo_db, rid)["被困"] == 0 and personal.people(demo_db, rid) == []
    assert personal.people(demo_db, rid, include_void=True)[0]["voided"]
    with pytest.raises(ValidationError, match="已作废"):
        personal.update(demo_db, pid, entry(demo_db), clock=clock)
    with pytest.raises(Exception, match="不能删除"):
        demo_db.execute("DELETE FROM response_people WHERE id = ?", [pid])


def test_who_may_register_and_who_may_purge(demo_db, clock, rid):
    for role in ("只读", "新闻发布", "管理员"):
        with session.acting(demo_db, actor(role)), pytest.raises(PermissionDenied, match="无权登记人员信息"):
            personal.add(demo_db, rid, entry(demo_db), clock)
    for role in ("值班员", "带班领导", "指挥长"):
        with session.acting(demo_db, actor(role)):
            personal.add(demo_db, rid, entry(demo_db), clock)
    end(demo_db, rid, clock)
    for role in ("值班员", "带班领导", "指挥长", "只读"):
        with session.acting(demo_db, actor(role)):
            with pytest.raises(PermissionDenied, match="无权清除个人信息"):
                personal.purge(demo_db, rid, clock)
            with pytest.raises(PermissionDenied, match="无权清除个人信息"):
                personal.place_hold(demo_db, rid, "调查", "事故调查", "县长", clock)
            with pytest.raises(PermissionDenied, match="无权管理参考数据"):
                personal.set_retention_days(demo_db, 7)
    assert personal.pending(demo_db, rid) == 3
    with session.acting(demo_db, actor("管理员")):
        assert personal.purge(demo_db, rid, clock).rows == 3


def test_the_retention_setting(demo_db):
    assert personal.retention_days(demo_db) == 30
    assert personal.set_retention_days(demo_db, "７") == 7 and personal.retention_days(demo_db) == 7
    assert personal.set_retention_days(demo_db, 0) == 0 and personal.retention_days(demo_db) == 0
    for bad in (-1, 3651, "一个月", 1.5, True, "9" * 10_000_000, None):
        with pytest.raises(ValidationError, match="保存天数"):
            personal.set_retention_days(demo_db, bad)
    assert personal.retention_days(demo_db) == 0


# ------------------------------------------------------------------ the purge

def test_nothing_is_purged_before_the_retention_passes_then_everything_personal_is(demo_db, clock, rid):
    ids = [personal.add(demo_db, rid, entry(demo_db), clock),
           personal.add(demo_db, rid, entry(demo_db, kind="受伤", name="何凤娇", id_number=OTHER_ID, phone="13900600102",
                                            age=53, hospital="南雄市人民医院"), clock)]
    with pytest.raises(ValidationError, match="尚未解除"):
        personal.purge(demo_db, rid, clock)
    assert personal.schedule(demo_db, rid, clock.now()).text == "响应结束后 30 天清除（突发事件应对法第八十五条）"
    ended = end(demo_db, rid, clock)
    assert personal.schedule(demo_db, rid, clock.now()).text == "响应结束后 30 天清除，预计 2026-07-31 14:20"
    clock.advance(days=29, hours=23)
    assert personal.due(demo_db, clock.now()) == [] and personal.purge_due(demo_db, clock) == []
    assert personal.pending(demo_db, rid) == 2
    clock.advance(hours=1)
    assert [d["response_id"] for d in personal.due(demo_db, clock.now())] == [rid]
    assert personal.schedule(demo_db, rid, clock.now()).state == "已到期"
    results = personal.purge_due(demo_db, clock)
    assert [(r.response_id, r.rows) for r in results] == [(rid, 2)]

    first, second = (personal.get(demo_db, i) for i in ids)
    for got in (first, second):
        assert got["name"] == "（已清除）" and got["purged"]
        assert got["id_number"] is None and got["phone"] is None and got["next_of_kin"] is None
        assert got["village_id"] is None and got["address"] == "" and got["notes"] == "" and got["age"] is None
    # the statistics survive
    assert (first["kind"], first["sex"], first["age_band"], first["town"], first["status"]) == \
        ("被困", "男", "60–69岁", "油山镇", "已救出")
    assert (second["kind"], second["sex"], second["age_text"], second["hospital"]) == ("受伤", "女", "50–59岁", "南雄市人民医院")
    assert personal.counts(demo_db, rid)["被困"] == 1 and personal.counts(demo_db, rid)["受伤"] == 1
    # the purge is recorded, by the scheduled actor, and audited
    purge = personal.last_purge(demo_db, rid)
    assert (purge["rows_purged"], purge["retention_days"], purge["purged_by"]) == (2, 30, "个人信息定期清除")
    logged = audit.entries(demo_db, table="personal_purges")
    assert logged[0]["actor"] == "个人信息定期清除" and ("rows_purged", None, 2) in logged[0]["changes"]
    records = audit.entries(demo_db, table="response_people")
    assert records and all(r["redacted"] and r["changes"] == [] for r in records)
    assert audit.verify(demo_db) == []
    assert personal.schedule(demo_db, rid, clock.now()).text.startswith("已于 2026-07-31 14:20 清除（2 人")
    assert ended == "2026-07-01 14:20"
    # idempotent: nothing left, nothing written
    head = audit.head(demo_db)
    assert personal.purge_due(demo_db, clock) == [] and personal.purge(demo_db, rid, clock).rows == 0
    assert audit.head(demo_db) == head and count(demo_db, "personal_purges") == 1
    # a purged response takes no new entries and its rows are frozen
    with pytest.raises(ValidationError, match="已于 2026-07-31 14:20 清除，不能再登记"):
        personal.add(demo_db, rid, entry(demo_db), clock)
    with pytest.raises(ValidationError, match="已于 2026-07-31 14:20 清除，不能再修改"):
        personal.update(demo_db, ids[0], entry(demo_db), clock=clock)
    with pytest.raises(Exception, match="已清除"):
        demo_db.execute("UPDATE response_people SET name = '黄石生' WHERE id = ?", [ids[0]])


def test_the_purge_record_is_append_only(demo_db, clock, rid):
    personal.add(demo_db, rid, entry(demo_db), clock)
    end(demo_db, rid, clock)
    personal.purge(demo_db, rid, clock)
    with pytest.raises(Exception, match="不可修改"):
        demo_db.execute("UPDATE personal_purges SET rows_purged = 9")
    with pytest.raises(Exception, match="不可删除"):
        demo_db.execute("DELETE FROM personal_purges")
    assert personal.last_purge(demo_db, rid)["note"] == "未满保存期限，立即清除"


def test_a_held_response_is_not_purged_until_the_hold_is_lifted(demo_db, clock, rid):
    personal.add(demo_db, rid, entry(demo_db), clock)
    end(demo_db, rid, clock)
    with pytest.raises(ValidationError, match="请填写延期保存原因"):
        personal.place_hold(demo_db, rid, "调查", "", "县长", clock)
    with pytest.raises(ValidationError, match="请填写批准人"):
        personal.place_hold(demo_db, rid, "调查", "事故调查组调阅", " ", clock)
    with pytest.raises(ValidationError, match="依法作证、调查、评估"):
        personal.place_hold(demo_db, rid, "好奇", "事故调查组调阅", "县长", clock)
    personal.place_hold(demo_db, rid, "调查", "山洪灾害调查评估组调阅伤亡人员名单", "副县长李某", clock)
    with pytest.raises(ValidationError, match="已在延期保存中"):
        personal.place_hold(demo_db, rid, "评估", "再次", "县长", clock)
    text = personal.schedule(demo_db, rid, clock.now()).text
    assert text.startswith("延期保存（调查）：山洪灾害调查评估组调阅伤亡人员名单——副县长李某批准")
    clock.advance(days=90)
    assert personal.due(demo_db, clock.now()) == [] and personal.purge_due(demo_db, clock) == []
    with pytest.raises(ValidationError, match="正在延期保存"):
        personal.purge(demo_db, rid, clock)
    assert personal.get(demo_db, personal.people(demo_db, rid)[0]["id"])["name"] == "黄石生"
    with pytest.raises(ValidationError, match="请填写解除原因"):
        personal.lift_hold(demo_db, rid, "", clock)
    personal.lift_hold(demo_db, rid, "调查评估已结束", clock)
    with pytest.raises(ValidationError, match="没有延期保存"):
        personal.lift_hold(demo_db, rid, "再次", clock)
    assert [(h["purpose"], h["lift_reason"]) for h in personal.holds(demo_db, rid)] == [("调查", "调查评估已结束")]
    assert [r.rows for r in personal.purge_due(demo_db, clock)] == [1]
    with pytest.raises(ValidationError, match="已清除，无需延期保存"):
        personal.place_hold(demo_db, rid, "调查", "晚了", "县长", clock)


def test_retention_zero_purges_at_the_next_run_and_drills_follow_the_same_rule(demo_db, clock):
    event = flood_event(demo_db, clock, drill=True, minutes_ago=120)
    plan = flood_plan(demo_db)
    drill = response.open_response(demo_db, open_input(demo_db, event, 4, holder(demo_db, plan, 4, "办公室主任"),
                                                       clock.now() - timedelta(minutes=100), drill=True), clock)
    personal.add(demo_db, drill, entry(demo_db), clock)
    end(demo_db, drill, clock)
    assert personal.due(demo_db, clock.now()) == []
    personal.set_retention_days(demo_db, 0)
    assert personal.schedule(demo_db, drill, clock.now()).state == "已到期"
    assert [r.response_id for r in personal.purge_due(demo_db, clock)] == [drill]
    assert personal.last_purge(demo_db, drill)["retention_days"] == 0


def test_the_scheduled_purge_acts_as_the_system_whoever_is_signed_in(demo_db, clock, rid):
    personal.add(demo_db, rid, entry(demo_db), clock)
    end(demo_db, rid, clock)
    clock.advance(days=31)
    session.sign_in(demo_db, actor("值班员"))
    try:
        assert [r.rows for r in personal.purge_due(demo_db, clock)] == [1]
        assert session.current(demo_db).roles == frozenset({"值班员"})
    finally:
        session.sign_out(demo_db)
    assert personal.last_purge(demo_db, rid)["purged_by"] == "个人信息定期清除"


def test_after_the_purge_no_personal_value_remains_in_the_database_file(demo_path, clock):
    db = open_db(demo_path)
    db.execute("PRAGMA secure_delete = 0")   # as SQLite builds without SQLITE_SECURE_DELETE have it
    event = flood_event(db, clock, minutes_ago=180)
    plan = flood_plan(db)
    rid = response.open_response(db, open_input(db, event, 4, holder(db, plan, 4, "办公室主任"),
                                                 clock.now() - timedelta(minutes=150)), clock)
    secrets = []
    for n in range(60):                      # enough rows to spread over several pages
        number, phone, name = demo_id(f"19{50 + n % 40:02d}0{1 + n % 9}1{n % 9}", 100 + n), f"139006{n:05d}", f"测试员{n:03d}号"
        pid = personal.add(db, rid, entry(db, name=name, id_number=number, phone=phone, next_of_kin=f"亲属{n:03d}甲",
                                          notes=f"备注{n:03d}乙" * 20), clock)
        secrets += [name, number, phone, f"亲属{n:03d}甲", f"备注{n:03d}乙"]
        if n % 3 == 0:                      # an edit leaves an older version behind
            renamed = f"改名{n:03d}丙"
            personal.update(db, pid, entry(db, name=renamed, id_number=number, phone=phone), clock=clock)
            secrets.append(renamed)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def found() -> list[str]:
        data = b"".join(p.read_bytes() for p in Path(demo_path).parent.glob(Path(demo_path).name + "*"))
        return [s for s in secrets if s.encode() in data]

    assert len(found()) == len(secrets)      # the data is really in the file before
    end(db, rid, clock)
    assert personal.purge(db, rid, clock).rows == 60
    assert found() == []
    assert audit.verify(db) == []
    db.close()
    # and it stays sound when opened again
    db = open_db(demo_path)
    assert audit.verify(db) == [] and personal.counts(db, rid)["被困"] == 60
    db.close()


def test_the_demo_holds_name_lists_with_valid_numbers(full_demo_db, clock):
    rows = {r["id"]: r for r in response.list_responses(full_demo_db)}
    live = next(r for r in rows.values() if r["live"])
    ended = next(r for r in rows.values() if not r["live"])
    assert personal.counts(full_demo_db, live["id"]) == {"受伤": 1, "死亡": 0, "失联": 1, "被困": 3, "转移安置": 5}
    for p in personal.people(full_demo_db, live["id"]) + personal.people(full_demo_db, ended["id"]):
        assert id_numbers.check_id_number(p["id_number"], clock.now().date()) == p["id_number"]
    assert personal.schedule(full_demo_db, ended["id"], clock.now()).text.startswith("响应结束后 30 天清除，预计 2026-07-31")
    assert audit.verify(full_demo_db) == []
