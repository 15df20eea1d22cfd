"""The duty log's core: append-only in the database, corrections, validation, filters, search."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta

import pytest

from nxcommand import dutylog, org
from nxcommand.clock import FixedClock
from nxcommand.dutylog import LogInput, LogQuery
from nxcommand.errors import NotFound, ValidationError


def town(db, name: str) -> int:
    return next(t["id"] for t in org.towns(db) if t["name"] == name)


def an_event(db) -> int:
    row = db.execute("SELECT id FROM events ORDER BY id LIMIT 1").fetchone()
    if row:
        return row[0]
    with db.atomic():
        return db.execute(
            "INSERT INTO events (title, received_at, source_kind, occurred_at, town_id, category_id, "
            "grade, recorded_by, created_at) VALUES ('乌迳镇山火', '2026-07-01 10:00', '电话', "
            "'2026-07-01 09:50', ?, 1, 4, '张金龙', '2026-07-01 10:05:00')",
            [town(db, "乌迳镇")]).lastrowid


def entry(logged_at="2026-07-01 14:10", kind="来电", summary="乌迳镇新田村后山发生山火", **extra) -> LogInput:
    return LogInput(logged_at=logged_at, kind=kind, summary=summary,
                    recorded_by=extra.pop("recorded_by", "张金龙"), **extra)


def log_size(db) -> tuple[int, int]:
    return (db.execute("SELECT count(*) FROM log_entries").fetchone()[0],
            db.execute("SELECT count(*) FROM log_fts").fetchone()[0])


def ids(db, query=LogQuery(), **kw) -> list[int]:
    query = LogQuery(**{**query.__dict__, **kw})
    rows = dutylog.page(db, query, limit=10_000)
    assert dutylog.count(db, query) == len(rows)
    return [r["id"] for r in rows]


@pytest.fixture
def db(demo_db):
    return demo_db


def test_an_entry_is_stored_with_every_element(db, clock):
    event_id = an_event(db)
    entry_id = dutylog.append(db, entry(
        source="乌迳镇 梁少华 13900001111", actions="已通知森林消防大队", reported_to="带班领导张建中",
        reported_at="２０２６-07-01 14:15", town_id=town(db, "乌迳镇"), event_id=event_id), clock)
    row = dutylog.get(db, entry_id)
    assert (row["logged_at"], row["kind"], row["town"], row["event_id"]) == (
        "2026-07-01 14:10", "来电", "乌迳镇", event_id)
    assert (row["reported_to"], row["reported_at"]) == ("带班领导张建中", "2026-07-01 14:15")
    assert (row["recorded_by"], row["recorded_at"]) == ("张金龙", "2026-07-01 14:20:00")
    assert row["corrects_id"] is None and row["corrected_by"] is None


def test_the_database_refuses_to_edit_or_delete_an_entry(db, clock):
    entry_id = dutylog.append(db, entry(), clock)
    for sql in ("UPDATE log_entries SET summary = '改过' WHERE id = ?", "DELETE FROM log_entries WHERE id = ?"):
        with pytest.raises(sqlite3.IntegrityError, match="值班日志记录不能(修改|删除)；如有错误，请新增一条更正记录"):
            with db.atomic():
                db.execute(sql, [entry_id])
    assert dutylog.get(db, entry_id)["summary"] == "乌迳镇新田村后山发生山火"


def test_a_correction_is_a_new_entry_and_both_stay_visible(db, clock):
    old = dutylog.append(db, entry(summary="油山镇发生山体滑坡，无人员伤亡", town_id=town(db, "油山镇")), clock)
    clock.advance(minutes=20)
    fixed = entry(summary="油山镇发生山体滑坡，1人轻伤", town_id=town(db, "油山镇"), recorded_by="肖文静")
    new = dutylog.correct(db, old, fixed, "核实后伤亡情况有变", clock)
    assert ids(db) == [new, old]                       # same minute: the later entry first
    before, after = dutylog.get(db, old), dutylog.get(db, new)
    assert before["summary"] == "油山镇发生山体滑坡，无人员伤亡" and before["corrected_by"] == new
    assert (after["corrects_id"], after["reason"], after["kind"]) == (old, "核实后伤亡情况有变", "来电")
    assert after["recorded_at"] == "2026-07-01 14:40:00"
    # Found under its own kind and under 更正; the words of both versions are found.
    assert ids(db, kind="来电") == [new, old] and ids(db, kind="更正") == [new]
    assert ids(db, text="轻伤") == [new] and ids(db, text="无人员伤亡") == [old]


def test_corrections_are_refused_when_they_cannot_be_right(db, clock):
    old = dutylog.append(db, entry(), clock)
    size = log_size(db)
    with pytest.raises(ValidationError, match="请填写更正原因") as exc:
        dutylog.correct(db, old, entry(summary="改正后的内容"), "  ", clock)
    assert exc.value.field == "更正原因"
    with pytest.raises(ValidationError, match="更正内容与原记录相同"):
        dutylog.correct(db, old, entry(), "笔误", clock)
    with pytest.raises(NotFound):
        dutylog.correct(db, 9999, entry(summary="改正后的内容"), "笔误", clock)
    with pytest.raises(ValidationError, match="更正请选中原记录"):
        dutylog.append(db, entry(kind="更正"), clock)
    assert log_size(db) == size
    new = dutylog.correct(db, old, entry(summary="改正后的内容"), "笔误", clock)
    with pytest.raises(ValidationError, match=f"#{old} 已由 #{new} 更正"):
        dutylog.correct(db, old, entry(summary="再改一次"), "笔误", clock)
    third = dutylog.correct(db, new, entry(summary="再改一次"), "仍有笔误", clock)   # a chain is fine
    assert dutylog.get(db, new)["corrected_by"] == third


@pytest.mark.parametrize("changes, field, message", [
    ({"summary": "  "}, "摘要", "请填写摘要"),
    ({"summary": "火" * 2001}, "摘要", "摘要不能超过 2000 个字"),
    ({"source": "来电\x07"}, "来源", "来源含有不可见的控制字符"),
    ({"recorded_by": ""}, "记录人", "请填写记录人"),
    ({"logged_at": ""}, "记录时间", "请填写记录时间"),
    ({"logged_at": "2026-07-01 25:00"}, "记录时间", "应为“2026-07-01 14:20”的格式"),
    ({"logged_at": "7月1日"}, "记录时间", "应为“2026-07-01 14:20”的格式"),
    ({"logged_at": "2026-07-01 14:26"}, "记录时间", "晚于当前时间（2026-07-01 14:20）"),
    ({"logged_at": "1999-12-31 23:59"}, "记录时间", "不能早于 2000 年"),
    ({"kind": "闲聊"}, "类别", "未知的记录类别：闲聊"),
    ({"kind": ""}, "类别", "请选择记录类别"),
    ({"town_id": 99999}, "镇（街道）", "所选镇（街道）不存在"),
    ({"event_id": 99999}, "关联事件", "所选事件不存在"),
    ({"reported_to": "张建中"}, "报告时间", "请同时填写报告时间"),
    ({"reported_at": "2026-07-01 14:15"}, "报告对象", "请同时填写报告对象"),
    ({"reported_to": "张建中", "reported_at": "2026-07-01 14:00"}, "报告时间", "报告时间不能早于记录时间"),
    ({"reported_to": "张建中", "reported_at": "2026-07-01 15:00"}, "报告时间", "晚于当前时间"),
])
def test_bad_input_is_refused_in_chinese_and_writes_nothing(db, clock, changes, field, message):
    size = log_size(db)
    with pytest.raises(ValidationError, match=message) as exc:
        dutylog.append(db, entry(**changes), clock)
    assert exc.value.field == field
    assert log_size(db) == size


def test_a_village_is_not_a_town(db, clock):
    village = org.villages(db, town(db, "乌迳镇"))[0]["id"]
    with pytest.raises(ValidationError, match="所选镇（街道）不存在"):
        dutylog.append(db, entry(town_id=village), clock)


def test_input_is_normalised_and_a_few_minutes_ahead_is_accepted(db, clock):
    entry_id = dutylog.append(db, entry(
        logged_at="２０２６-０７-０１ １４:２４", summary="\n 第一行  情况 \n\n第二行\n", source="  Ｇ３２３ 国道 "), clock)
    row = dutylog.get(db, entry_id)
    assert (row["logged_at"], row["summary"], row["source"]) == (
        "2026-07-01 14:24", "第一行 情况\n\n第二行", "G323 国道")


@pytest.fixture
def searchable(db, clock):
    """A small log covering the search cases; returns {name: id}."""
    clock.set(datetime(2026, 7, 1, 14, 20))
    made = {}
    for name, logged, kind, summary, where in [
        ("fire", "2026-06-28 09:00", "来电", "乌迳镇新田村后山发生山火，火势较大", "乌迳镇"),
        ("forest", "2026-06-29 10:00", "来电", "帽子峰镇发生森林火灾。已组织扑救", "帽子峰镇"),
        ("road", "2026-06-30 11:00", "来电", "澜河镇G323国道发生道路交通事故，车牌粤F12345", "澜河镇"),
        ("slide", "2026-06-30 23:59", "处置", "油山镇村民来电（13900001234）：山体滑坡", "油山镇"),
        ("warn", "2026-07-01 00:00", "预警", "气象局发布暴雨预警。内涝风险高，注意防火", None),
        ("alone", "2026-07-01 08:30", "交接班", "火", None),
    ]:
        made[name] = dutylog.append(db, entry(logged_at=logged, kind=kind, summary=summary,
                                              town_id=town(db, where) if where else None), clock)
    return made


@pytest.mark.parametrize("text, expected", [
    ("火", ["alone", "warn", "forest", "fire"]),     # alone, at the end of a run, mid-run
    ("山火", ["fire"]), ("森林火", ["forest"]), ("森林火灾", ["forest"]),
    ("滑坡", ["slide"]), ("乌迳", ["fire"]), ("火势", ["fire"]), ("防火", ["warn"]),
    ("山火火势", []), ("火灾已组织", []),              # not across punctuation
    ("G323", ["road"]), ("g323国道", ["road"]), ("323", ["road"]), ("粤F12345", ["road"]),
    ("13900001234", ["slide"]), ("１３９０００", ["slide"]), ("1234", ["slide", "road"]),
    ("来电 滑坡", ["slide"]), ("发生 火", ["forest", "fire"]), ("山火 滑坡", []),
    ("张金龙", ["alone", "warn", "slide", "road", "forest", "fire"]),   # the recorder is searchable
])
def test_text_search_finds_words_of_one_to_four_characters(db, searchable, text, expected):
    assert ids(db, text=text) == [searchable[n] for n in expected]


def test_filters_by_date_kind_town_and_event_combine(db, searchable, clock):
    s = searchable
    assert ids(db) == [s[n] for n in ("alone", "warn", "slide", "road", "forest", "fire")]
    assert ids(db, date_from=date(2026, 6, 30), date_to=date(2026, 6, 30)) == [s["slide"], s["road"]]
    assert ids(db, date_from=date(2026, 7, 1)) == [s["alone"], s["warn"]]
    assert ids(db, date_to=date(2026, 6, 28)) == [s["fire"]]
    assert ids(db, date_from=date(2026, 7, 2), date_to=date(2026, 7, 1)) == []
    assert ids(db, kind="来电") == [s["road"], s["forest"], s["fire"]]
    assert ids(db, town_id=town(db, "油山镇")) == [s["slide"]]
    assert ids(db, kind="来电", text="火", date_from=date(2026, 6, 29)) == [s["forest"]]
    assert ids(db, kind="来电", town_id=town(db, "油山镇")) == []
    event_id = an_event(db)
    linked = dutylog.append(db, entry(summary="续报已发送", event_id=event_id, kind="报告"), clock)
    assert ids(db, event_id=event_id) == [linked]
    assert ids(db, event_id=event_id, text="续报") == [linked]


def test_a_back_filled_entry_takes_its_place_in_time(db, searchable, clock):
    late = dutylog.append(db, entry(logged_at="2026-06-29 12:00", summary="补录：帽子峰镇火场已扑灭"), clock)
    assert ids(db)[4:6] == [late, searchable["forest"]]


def test_pages_follow_each_other_without_gaps_or_repeats(db, clock):
    with db.atomic():
        for i in range(57):
            moment = datetime(2026, 6, 1, 8, 0) + timedelta(minutes=37 * i)
            dutylog.append(db, entry(logged_at=moment, summary=f"第{i}条 巡查记录"), clock)
    seen, after = [], None
    while True:
        rows = dutylog.page(db, LogQuery(text="巡查"), after=after, limit=10)
        if not rows:
            break
        seen += rows
        after = rows[-1]["sort_key"]
    assert len(seen) == 57 == dutylog.count(db, LogQuery(text="巡查"))
    times = [r["logged_at"] for r in seen]
    assert times == sorted(times, reverse=True) and len({r["id"] for r in seen}) == 57
    plain = dutylog.page(db, LogQuery(), after=seen[9]["sort_key"], limit=5)
    assert [r["id"] for r in plain] == [r["id"] for r in seen[10:15]]


def test_the_search_index_can_be_rebuilt(db, searchable):
    before = {q: ids(db, text=q) for q in ("火", "山火", "G323", "滑坡 来电")}
    assert dutylog.rebuild_search_index(db) == len(searchable)
    assert {q: ids(db, text=q) for q in before} == before


def test_kinds_and_recorders(db):
    assert dutylog.kinds(db)[:4] == ["来电", "来文", "预警", "领导批示"]
    assert "更正" in dutylog.kinds(db) and "更正" not in dutylog.kinds(db, for_entry=True)
    assert {"张金龙", "肖文静"} <= set(dutylog.recorders(db))


def test_the_demo_log_is_realistic_and_uses_demo_people(db):
    now = datetime(2026, 7, 1, 14, 20)
    dutylog.load_demo_log(db, date(2026, 6, 1), 31, FixedClock(now))
    rows = dutylog.page(db, LogQuery(), limit=10_000)
    assert 150 <= len(rows) <= 600
    officers = set(r[0] for r in db.execute(
        "SELECT p.name FROM people p JOIN organizations o ON o.id = p.org_id "
        "JOIN person_roles pr ON pr.person_id = p.id JOIN role_tags t ON t.id = pr.role_tag_id "
        "WHERE o.name = '南雄市应急管理局' AND t.name = '值班员'"))
    assert {r["recorded_by"] for r in rows} <= officers
    assert max(r["logged_at"] for r in rows) <= "2026-07-01 14:20"
    assert {r["kind"] for r in rows} >= {"来电", "预警", "领导批示", "处置", "交接班", "报告"}
    corrections = [r for r in rows if r["corrects_id"]]
    assert len(corrections) == 2 and all(r["reason"] for r in corrections)
    for word in ("山火", "森林火灾", "滑坡", "道路交通事故", "内涝", "气象局", "G323"):
        assert dutylog.count(db, LogQuery(text=word)) > 0, word


def test_entries_of_one_minute_keep_their_order_up_to_the_limit(db, clock):
    first = dutylog.append(db, entry(summary="第一条"), clock)
    second = dutylog.append(db, entry(summary="第二条"), clock)
    assert ids(db) == [second, first]
    base = dutylog.sort_key_of(datetime(2026, 7, 1, 9, 0))
    with db.atomic():
        db.execute("""
            WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 1023)
            INSERT INTO log_entries (logged_at, kind_id, summary, recorded_by, recorded_at, sort_key)
            SELECT '2026-07-01 09:00', 1, '批量导入', '张金龙', '2026-07-01 09:00:00', ? + i FROM n""",
                   [base])
    with pytest.raises(ValidationError, match="这一分钟的记录已达 1024 条上限"):
        dutylog.append(db, entry(logged_at="2026-07-01 09:00"), clock)
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):   # a key outside its minute
        with db.atomic():
            db.execute("INSERT INTO log_entries (logged_at, kind_id, summary, recorded_by, recorded_at, "
                       "sort_key) VALUES ('2026-07-01 09:01', 1, '错位', '张金龙', '2026-07-01', ?)",
                       [base + 60 * 1024])     # the key of 10:00 on an entry of 09:01
