"""The release window: spokesperson and unit, versions, 三审 in order, 先审后发, channels,
release clocks from the rule table, drills kept out of the real count."""

from __future__ import annotations

from datetime import timedelta

import pytest

from nxcommand import incidents, releases, timeline
from nxcommand.clock import fmt_minute
from nxcommand.errors import ValidationError
from tests.conftest import NOW


def one(db, sql, params=()):
    return db.execute(sql, list(params)).fetchone()[0]


def person(db, name):
    return one(db, "SELECT id FROM people WHERE name = ?", [name])


def ago(hours: float = 0, minutes: float = 0) -> str:
    return fmt_minute(NOW - timedelta(hours=hours, minutes=minutes))


def make_response(db, clock, *, drill=False, grade=2, hours_ago=6.0) -> int:
    """An event in 油山镇 and a live response to it (written directly: the response services
    belong to another part of the console)."""
    event_id = incidents.create_event(db, incidents.EventInput(
        received_at=ago(hours_ago + 0.5), source_kind="电话", occurred_at=ago(hours_ago + 1),
        town_id=one(db, "SELECT id FROM admin_units WHERE name = '油山镇'"), category_id=1,
        subtype_id=1, grade=grade, cause="山洪冲毁河堤", recorded_by="张金龙", caller_unit="油山镇政府",
        caller_name="梁国栋", caller_phone="13800000000", is_drill=drill), clock)
    now = clock.stamp()
    return db.execute(
        "INSERT INTO responses (event_id, plan_id, level, is_drill, matter, measures, started_at, started_by, "
        "recorded_by, created_at, updated_at) VALUES (?, 2, 4, ?, '油山镇山洪', '转移群众', ?, ?, '张金龙', ?, ?)",
        [event_id, int(drill), ago(hours_ago), person(db, "张建中"), now, now]).lastrowid


def counts(db):
    return tuple(one(db, f"SELECT count(*) FROM {t}") for t in (
        "releases", "release_versions", "release_submissions", "release_reviews", "release_channels",
        "release_windows", "log_entries"))


@pytest.fixture
def rid(demo_db, clock):
    return make_response(demo_db, clock)


def window(db, rid, clock):
    releases.set_window(db, rid, person(db, "韩淑芬"), one(db, "SELECT id FROM organizations WHERE name = '中共南雄市委宣传部'"),
                        "张金龙", at=ago(5), clock=clock)


def draft(db, rid, clock, at=None):
    return releases.create(db, rid, "油山镇山洪灾害情况通报", "油山镇发生山洪。\n已转移群众200人。", "林晓雯",
                           at=at or ago(4, 30), clock=clock)


def three_reviews(db, release_id, clock, start=4.0):
    for n, (stage, name) in enumerate(zip(releases.STAGES, ("曾慧敏", "韩淑芬", "张建中"))):
        releases.review(db, release_id, stage, True, person(db, name), "林晓雯",
                        at=ago(start - n * 0.1), clock=clock)


def test_a_release_through_three_reviews_is_published(demo_db, rid, clock):
    window(demo_db, rid, clock)
    r = draft(demo_db, rid, clock)
    assert releases.get(demo_db, r)["state"] == "草稿"
    releases.submit(demo_db, r, "林晓雯", at=ago(4, 10), clock=clock)
    assert releases.get(demo_db, r)["next_stage"] == "初审"
    releases.review(demo_db, r, "初审", True, person(demo_db, "曾慧敏"), "林晓雯", at=ago(4), clock=clock)
    got = releases.get(demo_db, r)
    assert (got["state"], got["next_stage"]) == ("审核中", "复审")
    releases.review(demo_db, r, "复审", True, person(demo_db, "韩淑芬"), "林晓雯", at=ago(3, 50), clock=clock)
    releases.review(demo_db, r, "终审", True, person(demo_db, "张建中"), "林晓雯", at=ago(3, 40), clock=clock)
    assert releases.get(demo_db, r)["state"] == "已通过"
    releases.publish(demo_db, r, ["网站", "发布会", "微信公众号"], "林晓雯", at=ago(3, 30), clock=clock)
    got = releases.get(demo_db, r)
    assert (got["state"], got["published_at"], got["spokesperson"], got["org"]) == (
        "已发布", ago(3, 30), "韩淑芬", "中共南雄市委宣传部")
    assert got["channels"] == ["发布会", "网站", "微信公众号"]
    assert [(s["step"], s["result"], s["by"]) for s in releases.trail(demo_db, r)] == [
        ("送审", "", "林晓雯"), ("初审", "通过", "曾慧敏"), ("复审", "通过", "韩淑芬"), ("终审", "通过", "张建中")]
    log = one(demo_db, "SELECT summary FROM log_entries ORDER BY id DESC LIMIT 1")
    assert log.startswith("信息发布：《油山镇山洪灾害情况通报》") and "发言人韩淑芬" in log
    assert one(demo_db, "SELECT event_id FROM log_entries ORDER BY id DESC LIMIT 1") == one(
        demo_db, "SELECT event_id FROM responses WHERE id = ?", [rid])


@pytest.mark.parametrize("steps", [0, 1, 2])
def test_nothing_publishes_unreviewed(demo_db, rid, clock, steps):
    window(demo_db, rid, clock)
    r = draft(demo_db, rid, clock)
    if steps:
        releases.submit(demo_db, r, "林晓雯", at=ago(4, 10), clock=clock)
    for stage, name in list(zip(releases.STAGES, ("曾慧敏", "韩淑芬")))[:max(0, steps - 1)]:
        releases.review(demo_db, r, stage, True, person(demo_db, name), "林晓雯", at=ago(4), clock=clock)
    before, state = counts(demo_db), releases.get(demo_db, r)["state"]
    with pytest.raises(ValidationError) as err:
        releases.publish(demo_db, r, ["网站"], "林晓雯", clock=clock)
    assert "先审后发" in str(err.value) and "终审" in str(err.value)
    assert counts(demo_db) == before and releases.get(demo_db, r)["state"] == state


def test_reviews_go_in_order_by_different_people_and_a_return_needs_a_comment(demo_db, rid, clock):
    r = draft(demo_db, rid, clock)
    with pytest.raises(ValidationError, match="没有待审核"):
        releases.review(demo_db, r, "初审", True, person(demo_db, "曾慧敏"), "林晓雯", clock=clock)
    releases.submit(demo_db, r, "林晓雯", at=ago(4, 10), clock=clock)
    before = counts(demo_db)
    with pytest.raises(ValidationError, match="当前应进行初审，不能进行终审"):
        releases.review(demo_db, r, "终审", True, person(demo_db, "张建中"), "林晓雯", clock=clock)
    with pytest.raises(ValidationError, match="审核意见"):
        releases.review(demo_db, r, "初审", False, person(demo_db, "曾慧敏"), "林晓雯", clock=clock)
    with pytest.raises(ValidationError, match="不能早于上一环节"):
        releases.review(demo_db, r, "初审", True, person(demo_db, "曾慧敏"), "林晓雯", at=ago(5), clock=clock)
    assert counts(demo_db) == before
    releases.review(demo_db, r, "初审", True, person(demo_db, "曾慧敏"), "林晓雯", at=ago(4), clock=clock)
    with pytest.raises(ValidationError, match="不同人员"):
        releases.review(demo_db, r, "复审", True, person(demo_db, "曾慧敏"), "林晓雯", clock=clock)


def test_a_returned_release_is_edited_into_a_new_version_and_reviewed_again(demo_db, rid, clock):
    window(demo_db, rid, clock)
    r = draft(demo_db, rid, clock)
    releases.submit(demo_db, r, "林晓雯", at=ago(4, 10), clock=clock)
    releases.review(demo_db, r, "初审", True, person(demo_db, "曾慧敏"), "林晓雯", at=ago(4), clock=clock)
    releases.review(demo_db, r, "复审", False, person(demo_db, "韩淑芬"), "林晓雯", "转移人数请核实",
                    at=ago(3, 55), clock=clock)
    assert releases.get(demo_db, r)["state"] == "已退回"
    with pytest.raises(ValidationError, match="修改后再送审"):
        releases.submit(demo_db, r, "林晓雯", clock=clock)
    number = releases.edit(demo_db, r, "油山镇山洪灾害情况通报", "油山镇发生山洪。\n已转移群众412人。",
                           "林晓雯", "核实转移人数", at=ago(3, 50), clock=clock)
    got = releases.get(demo_db, r)
    assert (number, got["state"], got["reviews"], got["number"]) == (2, "草稿", [], 2)
    assert [v["number"] for v in releases.versions(demo_db, r)] == [1, 2]
    changed = [line for line in releases.diff(demo_db, r, 1, 2) if line[0] in "+-"]
    assert changed == ["-已转移群众200人。", "+已转移群众412人。"]
    releases.submit(demo_db, r, "林晓雯", at=ago(3, 45), clock=clock)
    three_reviews(demo_db, r, clock, start=3.5)
    releases.publish(demo_db, r, ["微博"], "林晓雯", clock=clock)
    steps = [(s["step"], s["result"], s["number"]) for s in releases.trail(demo_db, r)]
    assert steps == [("送审", "", 1), ("初审", "通过", 1), ("复审", "退回", 1),
                     ("送审", "", 2), ("初审", "通过", 2), ("复审", "通过", 2), ("终审", "通过", 2)]


def test_editing_after_approval_restarts_review_and_published_text_is_frozen(demo_db, rid, clock):
    window(demo_db, rid, clock)
    r = draft(demo_db, rid, clock)
    releases.submit(demo_db, r, "林晓雯", at=ago(4, 10), clock=clock)
    three_reviews(demo_db, r, clock)
    releases.edit(demo_db, r, "油山镇山洪灾害情况通报（更新）", "油山镇发生山洪。", "林晓雯", clock=clock)
    got = releases.get(demo_db, r)
    assert got["state"] == "草稿" and "重新送审" in releases.versions(demo_db, r)[-1]["note"]
    with pytest.raises(ValidationError, match="先审后发"):
        releases.publish(demo_db, r, ["网站"], "林晓雯", clock=clock)
    with pytest.raises(ValidationError, match="没有改动"):
        releases.edit(demo_db, r, got["title"], got["body"], "林晓雯", clock=clock)
    releases.submit(demo_db, r, "林晓雯", clock=clock)
    for stage, name in zip(releases.STAGES, ("曾慧敏", "韩淑芬", "张建中")):
        releases.review(demo_db, r, stage, True, person(demo_db, name), "林晓雯", clock=clock)
    releases.publish(demo_db, r, ["网站"], "林晓雯", clock=clock)
    before = counts(demo_db)
    with pytest.raises(ValidationError, match="已发布的稿件不能修改"):
        releases.edit(demo_db, r, "改", "改", "林晓雯", clock=clock)
    with pytest.raises(ValidationError, match="已于"):
        releases.publish(demo_db, r, ["微博"], "林晓雯", clock=clock)
    assert counts(demo_db) == before


def test_publishing_needs_a_window_and_a_channel(demo_db, rid, clock):
    r = draft(demo_db, rid, clock)
    releases.submit(demo_db, r, "林晓雯", at=ago(4, 10), clock=clock)
    three_reviews(demo_db, r, clock)
    before = counts(demo_db)
    with pytest.raises(ValidationError, match="新闻发言人和发布单位"):
        releases.publish(demo_db, r, ["网站"], "林晓雯", clock=clock)
    window(demo_db, rid, clock)
    before = counts(demo_db)
    with pytest.raises(ValidationError, match="至少选择一个发布渠道"):
        releases.publish(demo_db, r, [], "林晓雯", clock=clock)
    with pytest.raises(ValidationError, match="未知的发布渠道"):
        releases.publish(demo_db, r, ["抖音"], "林晓雯", clock=clock)
    with pytest.raises(ValidationError, match="不能早于终审时间"):
        releases.publish(demo_db, r, ["网站"], "林晓雯", at=ago(5), clock=clock)
    assert counts(demo_db) == before


def test_the_window_changes_only_with_a_reason_and_keeps_its_history(demo_db, rid, clock):
    window(demo_db, rid, clock)
    propaganda = one(demo_db, "SELECT id FROM organizations WHERE name = '中共南雄市委宣传部'")
    with pytest.raises(ValidationError, match="没有变化"):
        releases.set_window(demo_db, rid, person(demo_db, "韩淑芬"), propaganda, "张金龙", "x", clock=clock)
    with pytest.raises(ValidationError, match="说明原因"):
        releases.set_window(demo_db, rid, person(demo_db, "姚少红"), propaganda, "张金龙", clock=clock)
    releases.set_window(demo_db, rid, person(demo_db, "姚少红"), propaganda, "张金龙", "韩淑芬赴省汇报", clock=clock)
    assert [w["spokesperson"] for w in releases.window_history(demo_db, rid)] == ["韩淑芬", "姚少红"]
    assert releases.window(demo_db, rid)["spokesperson"] == "姚少红"
    assert "更换新闻发言人：姚少红" in one(demo_db, "SELECT summary FROM log_entries ORDER BY id DESC LIMIT 1")


def test_release_clocks_for_grave_events_met_by_publication(demo_db, rid, clock):
    start = NOW - timedelta(hours=6)
    clocks = releases.deadlines(demo_db, rid, NOW)
    assert [(d.label, d.due, d.done_at) for d in clocks] == [
        ("首次权威发布", start + timedelta(hours=5), None), ("首场新闻发布会", start + timedelta(hours=24), None)]
    assert clocks[0].overdue(NOW) and not clocks[1].overdue(NOW)
    window(demo_db, rid, clock)
    r = draft(demo_db, rid, clock)
    releases.submit(demo_db, r, "林晓雯", at=ago(4, 10), clock=clock)
    three_reviews(demo_db, r, clock)
    releases.publish(demo_db, r, ["网站"], "林晓雯", at=ago(3), clock=clock)
    first, press = releases.deadlines(demo_db, rid, NOW)
    assert first.done_at == NOW - timedelta(hours=3) and press.done_at is None
    board = timeline.clocks(demo_db, rid, NOW)
    assert any(d.label == "首次权威发布" and d.done_at for d in board)
    kinds = [e.kind for e in timeline.timeline(demo_db, rid) if e.ref[0] in ("release", "release_window")]
    assert kinds == ["发言人", "送审", "审核", "审核", "审核", "发布"]


def test_release_clocks_follow_the_rule_table(demo_db, clock):
    lesser = make_response(demo_db, clock, grade=3)
    assert releases.deadlines(demo_db, lesser, NOW) == []
    demo_db.execute("UPDATE release_deadline_rules SET max_grade = 3, minutes = 120 WHERE kind = '首次权威发布'")
    (rule,) = releases.deadlines(demo_db, lesser, NOW)
    assert rule.due == NOW - timedelta(hours=4)


def test_drill_releases_are_marked_and_never_count_as_real(demo_db, clock):
    drill = make_response(demo_db, clock, drill=True)
    window(demo_db, drill, clock)
    r = draft(demo_db, drill, clock)
    releases.submit(demo_db, r, "林晓雯", at=ago(4, 10), clock=clock)
    three_reviews(demo_db, r, clock)
    releases.publish(demo_db, r, ["网站"], "林晓雯", clock=clock)
    assert releases.get(demo_db, r)["drill"] is True
    assert releases.published(demo_db) == []
    assert [x["id"] for x in releases.published(demo_db, include_drills=True)] == [r]
    assert all(d.label.startswith("【演练】") for d in releases.deadlines(demo_db, drill, NOW))
    assert one(demo_db, "SELECT summary FROM log_entries ORDER BY id DESC LIMIT 1").startswith("【演练】信息发布")


def test_demo_releases(full_demo_db):
    rid = one(full_demo_db, "SELECT r.id FROM responses r JOIN events e ON e.id = r.event_id JOIN admin_units u "
                            "ON u.id = e.town_id WHERE u.name = '油山镇' AND r.status = '响应中' AND r.is_drill = 0")
    if rid is None:
        pytest.skip("the flash-flood response is not in the demo yet")
    rows = releases.list_for(full_demo_db, rid)
    assert [r["state"] for r in rows] == ["已发布", "已发布", "审核中"]
    start = one(full_demo_db, "SELECT started_at FROM responses WHERE id = ?", [rid])
    assert rows[0]["published_at"] <= fmt_minute(
        __import__("datetime").datetime.strptime(start, "%Y-%m-%d %H:%M") + timedelta(hours=5))
    assert rows[1]["number"] == 2 and rows[2]["next_stage"] == "复审"
    assert releases.window(full_demo_db, rid)["spokesperson"] == "韩淑芬"
