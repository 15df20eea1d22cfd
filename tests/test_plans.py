"""The plan library: validation, levels and deciders, checklists, groups, deadline alerts."""

from __future__ import annotations

from datetime import date

import pytest

from nxcommand import holidays, plan_checks, plans
from nxcommand.errors import NotFound, ValidationError

SANFANG = "南雄市防汛防旱防风应急预案"


def plan_id(db, name: str) -> int:
    return db.execute("SELECT id FROM plans WHERE name = ?", [name]).fetchone()[0]


def person(db, name: str) -> int:
    return db.execute("SELECT id FROM people WHERE name = ?", [name]).fetchone()[0]


def subtype(db, name: str) -> int:
    return db.execute("SELECT id FROM event_subtypes WHERE name = ?", [name]).fetchone()[0]


def body(db, short: str) -> int:
    return db.execute("SELECT id FROM command_bodies WHERE short_name = ?", [short]).fetchone()[0]


def count(db, table: str) -> int:
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


# ------------------------------------------------------------------ the demo county

def test_demo_plans_for_the_main_hazards(demo_db):
    names = {p["name"] for p in plans.list_plans(demo_db)}
    for name in ("南雄市突发事件总体应急预案", SANFANG, "南雄市森林火灾应急预案", "南雄市地质灾害应急预案",
                 "南雄市危险化学品事故应急预案", "南雄市地震应急预案"):
        assert name in names
        p = plans.plan(demo_db, plan_id(demo_db, name))
        assert [lv["roman"] for lv in p["levels"]] == ["Ⅳ级", "Ⅲ级", "Ⅱ级", "Ⅰ级"]
        assert 7 <= len(p["groups"]) <= 10
        for lv in p["levels"]:
            assert 5 <= len(lv["actions"]) <= 10, (name, lv["roman"])
            assert lv["deciders"] and all(d["people"] for d in lv["deciders"])
        assert "韶关" in p["levels"][-1]["escalation"]          # Ⅰ级 报请上级
    kinds = {p["kind"] for p in plans.list_plans(demo_db)}
    assert {"总体", "专项", "乡镇（街道）", "应急工作手册"} <= kinds


def test_demo_alerts_on_both_reference_days(demo_db):
    july = {(a.kind, a.subject): a for a in plan_checks.alerts(demo_db, date(2026, 7, 1))}
    assert july[("预案备案", "南雄市危险化学品事故应急预案")].days_left == 13      # 端午 skipped
    assert july[("预案演练", "南雄市地震应急预案")].overdue
    assert 0 <= july[("预案评估", "南雄市森林火灾应急预案")].days_left <= 30
    november = plan_checks.alerts(demo_db, date(2026, 11, 23))
    assert any(a.kind == "预案评估" and not a.overdue for a in november)
    assert {a.kind for a in november} == {"预案备案", "预案演练", "预案评估"}
    assert all(a.ref[0] == "plan" for a in november)


# ------------------------------------------------------------------ plans

def test_doc_number_brackets_are_normalised():
    for typed in ("雄府办[2024]12号", "雄府办(2024)12号", "雄府办【2024】12号", "雄府办（2024）012号",
                  "雄府办 〔2024〕 12号", "雄府办［２０２４］１２号"):
        assert plans.normalize_doc_number(typed) == "雄府办〔2024〕12号", typed
    assert plans.normalize_doc_number("  ") == ""
    for bad in ("雄府办2024年12号", "〔2024〕12号", "雄府办〔24〕12号", "雄府办〔2024〕号"):
        with pytest.raises(ValidationError, match="文号"):
            plans.normalize_doc_number(bad)


def new_plan(db, **changes) -> plans.PlanInput:
    data = plans.PlanInput(name="南雄市城市内涝应急预案", kind="专项", subtype_id=subtype(db, "防汛"),
                           body_id=body(db, "市三防指挥部"), lead_org_id=plans.resolve_unit(db, "市住建局"),
                           approver="南雄市人民政府", doc_number="雄府办[2026]20号", issued_on="2026/6/30")
    for key, value in changes.items():
        setattr(data, key, value)
    return data


def test_add_and_update_a_plan(demo_db, clock):
    pid = plans.add_plan(demo_db, new_plan(demo_db), clock)
    row = plans.plan(demo_db, pid)
    assert (row["doc_number"], row["issued_on"], row["status"]) == ("雄府办〔2026〕20号", "2026-06-30", "现行")
    assert [p["name"] for p in plans.list_plans(demo_db, plans.PlanQuery(text="内涝"))] == [row["name"]]
    plans.update_plan(demo_db, pid, new_plan(demo_db, filed_on="2026年7月1日"),
                      expected_version=row["version"], clock=clock)
    assert plans.plan(demo_db, pid)["filed_on"] == "2026-07-01"
    with pytest.raises(ValidationError, match="已被他人修改"):     # the form's stale version
        plans.update_plan(demo_db, pid, new_plan(demo_db, note="x"), expected_version=row["version"], clock=clock)
    assert plans.plan(demo_db, pid)["note"] == ""


@pytest.mark.parametrize("changes, message", [
    ({"issued_on": "2026-13-01"}, "印发日期“2026-13-01”不是有效日期"),
    ({"issued_on": "去年"}, "不是有效日期"),
    ({"issued_on": ""}, "现行预案须填写印发日期"),
    ({"issued_on": "2026-07-02"}, "印发日期不能晚于今天"),
    ({"filed_on": "2026-06-01"}, "备案日期不能早于印发日期"),
    ({"kind": "计划"}, "预案类型须为"),
    ({"name": " "}, "请填写预案名称"),
    ({"name": SANFANG}, "已有名为"),
    ({"doc_number": "第12号"}, "文号"),
])
def test_bad_plan_is_refused_and_nothing_written(demo_db, clock, changes, message):
    before = count(demo_db, "plans")
    with pytest.raises(ValidationError, match=message):
        plans.add_plan(demo_db, new_plan(demo_db, **changes), clock)
    assert count(demo_db, "plans") == before


def test_list_filters(demo_db):
    fire = plans.list_plans(demo_db, plans.PlanQuery(subtype_id=subtype(demo_db, "森林火灾")))
    assert {p["kind"] for p in fire} == {"专项", "应急工作手册"}
    assert [p["name"] for p in plans.list_plans(demo_db, plans.PlanQuery(status="废止"))] == ["南雄市三防应急预案（2019年版）"]
    assert all(p["kind"] == "总体" for p in plans.list_plans(demo_db, plans.PlanQuery(kind="总体")))
    assert plans.list_plans(demo_db, plans.PlanQuery(text="雄府办〔2021〕27号"))[0]["name"] == "南雄市地震应急预案"
    assert plans.list_plans(demo_db, plans.PlanQuery(text="森林 手册"))[0]["kind"] == "应急工作手册"


def test_plans_for_subtype_offers_the_hazard_plans_then_the_general_plan(demo_db):
    offered = [p["name"] for p in plans.plans_for_subtype(demo_db, subtype(demo_db, "防汛"))]
    assert offered[0] == SANFANG
    assert "帽子峰镇三防应急预案" in offered
    assert offered[-1] == "南雄市突发事件总体应急预案"
    assert "南雄市三防应急预案（2019年版）" not in offered          # 废止


# ------------------------------------------------------------------ levels and deciders

def test_who_may_start_each_level(demo_db):
    pid = plan_id(demo_db, SANFANG)
    assert [p["name"] for p in plan_checks.allowed_deciders(demo_db, pid, 1)] == ["王磊"]
    assert plan_checks.may_start(demo_db, pid, 3, person(demo_db, "田子健"))
    assert not plan_checks.may_start(demo_db, pid, 1, person(demo_db, "田子健"))
    assert plan_checks.may_start(demo_db, pid, 4, person(demo_db, "钟国平"))        # 三防办主任
    plan_checks.require_decider(demo_db, pid, 2, person(demo_db, "王磊"))
    with pytest.raises(ValidationError) as refused:
        plan_checks.require_decider(demo_db, pid, 1, person(demo_db, "田子健"))
    assert str(refused.value) == ("田子健无权启动《南雄市防汛防旱防风应急预案》Ⅰ级响应；"
                                  "应由南雄市三防指挥部指挥长（王磊）决定启动")
    town = plan_id(demo_db, "帽子峰镇三防应急预案")
    with pytest.raises(NotFound, match="未设Ⅰ级响应"):
        plan_checks.require_decider(demo_db, town, 1, person(demo_db, "王磊"))
    assert not plan_checks.may_start(demo_db, town, 1, person(demo_db, "王磊"))


def test_set_level_replaces_criteria_deciders_and_checklist(demo_db, clock):
    pid = plans.add_plan(demo_db, new_plan(demo_db), clock)
    plans.add_group(demo_db, pid, plans.GroupInput("综合协调组", plans.resolve_unit(demo_db, "市应急管理局"),
                                                   "市住建局、市水务局", "统筹协调"), clock)
    items = plans.parse_actions("启动响应，通知成员单位｜综合协调组｜30\n\n排查易涝点|市城管局|120\n报告市政府")
    plans.set_level(demo_db, pid, plans.LevelInput(4, "城区1小时降雨超过50毫米", [(body(demo_db, "市三防指挥部"), "副指挥长")],
                                                   items), clock=clock)
    lv = plans.level(demo_db, pid, 4)
    assert [(a["seq"], a["owner"], a["due_minutes"]) for a in lv["actions"]] == [
        (1, "综合协调组", 30), (2, "市城管局", 120), (3, "", None)]
    assert plans.actions_text(lv["actions"]).splitlines()[0] == "启动响应，通知成员单位｜综合协调组｜30"
    assert plan_checks.may_start(demo_db, pid, 4, person(demo_db, "张建中"))

    plans.set_level(demo_db, pid, plans.LevelInput(4, "城区1小时降雨超过60毫米", [(body(demo_db, "市三防指挥部"), "指挥长")],
                                                   items[:1]), expected_version=lv["version"], clock=clock)
    again = plans.level(demo_db, pid, 4)
    assert again["criteria"] == "城区1小时降雨超过60毫米" and len(again["actions"]) == 1
    assert not plan_checks.may_start(demo_db, pid, 4, person(demo_db, "张建中"))
    with pytest.raises(ValidationError, match="已被他人修改"):
        plans.set_level(demo_db, pid, plans.LevelInput(4, "x", []), expected_version=lv["version"], clock=clock)


@pytest.mark.parametrize("level, message", [
    (plans.LevelInput(4, " "), "请填写启动条件"),
    (plans.LevelInput(5, "x"), "Ⅰ级至Ⅳ级"),
    (plans.LevelInput(4, "x", actions=[plans.ActionInput("通知", "不存在的组")]), "第 1 项的责任方“不存在的组”"),
    (plans.LevelInput(4, "x", actions=[plans.ActionInput("通知", "", "半小时")]), "时限“半小时”应为分钟数"),
    (plans.LevelInput(4, "x", actions=[plans.ActionInput("通知", "", 0)]), "时限应在"),
    (plans.LevelInput(4, "x", actions=[plans.ActionInput("", "综合协调组")]), "缺少事项内容"),
])
def test_bad_level_is_refused(demo_db, clock, level, message):
    pid = plan_id(demo_db, "南雄市森林火灾应急响应工作手册")
    with pytest.raises(ValidationError, match=message):
        plans.set_level(demo_db, pid, level, clock=clock)
    assert plans.level(demo_db, pid, 4) is None


def test_decider_post_must_exist(demo_db, clock):
    pid = plan_id(demo_db, "南雄市森林火灾应急响应工作手册")
    with pytest.raises(ValidationError, match="没有“局长”这一职务"):
        plans.set_level(demo_db, pid, plans.LevelInput(4, "x", [(body(demo_db, "市森防指"), "局长")]), clock=clock)


def test_parse_actions_rejects_extra_separators():
    with pytest.raises(ValidationError, match="第 2 行"):
        plans.parse_actions("a｜b\na｜b｜1｜2")
    assert plans.parse_actions("a\tb\t30分钟")[0] == plans.ActionInput("a", "b", "30分钟")


# ------------------------------------------------------------------ groups

def test_groups_members_order_and_removal(demo_db, clock):
    pid = plan_id(demo_db, SANFANG)
    groups = plans.groups(demo_db, pid)
    assert groups[0]["name"] == "综合协调组" and groups[0]["lead_org"] == "市应急管理局"
    gid = plans.add_group(demo_db, pid, plans.GroupInput("善后处理组", plans.resolve_unit(demo_db, "市民政局"),
                                                         "市财政局，市人社局、市民政局", "善后"), clock)
    added = plans.groups(demo_db, pid)[-1]
    assert added["members_text"] == "市财政局、市人社局"               # the lead is not also a member
    plans.move_group(demo_db, gid, -1)
    assert plans.groups(demo_db, pid)[-2]["id"] == gid
    with pytest.raises(ValidationError, match="已有“综合协调组”"):
        plans.update_group(demo_db, gid, plans.GroupInput("综合协调组", added["lead_org_id"]), clock=clock)
    with pytest.raises(ValidationError, match="“市气候局”不是通讯录中的单位"):
        plans.add_group(demo_db, pid, plans.GroupInput("气候组", added["lead_org_id"], "市气候局"), clock)
    plans.remove_group(demo_db, gid)
    coord = groups[0]["id"]
    with pytest.raises(ValidationError, match="仍是Ⅳ级处置清单"):
        plans.remove_group(demo_db, coord)
    assert plans.groups(demo_db, pid)[0]["id"] == coord


# ------------------------------------------------------------------ deadlines

def test_filing_counts_working_days_with_holidays_and_makeup_days(demo_db):
    # 2026-06-15 (Mon) + 20 working days, with 端午 (6-19) off: 2026-07-14.
    assert plan_checks.add_working_days(demo_db, date(2026, 6, 15), 20) == date(2026, 7, 14)
    holidays.set_override(demo_db, date(2026, 6, 27), "workday", "调休上班")   # a Saturday worked
    assert plan_checks.add_working_days(demo_db, date(2026, 6, 15), 20) == date(2026, 7, 13)
    holidays.set_override(demo_db, date(2026, 7, 1), "holiday", "本地假日")
    assert plan_checks.add_working_days(demo_db, date(2026, 6, 15), 20) == date(2026, 7, 14)


def test_recording_a_drill_clears_its_alert(demo_db, clock):
    pid = plan_id(demo_db, "南雄市地震应急预案")
    kinds = lambda: {(a.kind, a.ref[1]) for a in plan_checks.alerts(demo_db, date(2026, 7, 1))}
    assert ("预案演练", pid) in kinds()
    with pytest.raises(ValidationError, match="不能晚于今天"):
        plans.record_date(demo_db, pid, "last_drill_on", "2026-07-02", clock)
    with pytest.raises(ValidationError, match="新日期不能更早"):
        plans.record_date(demo_db, pid, "last_drill_on", "2022-05-12", clock)
    plans.record_date(demo_db, pid, "last_drill_on", date(2026, 6, 28), clock)
    assert ("预案演练", pid) not in kinds()
    chem = plan_id(demo_db, "南雄市危险化学品事故应急预案")
    plans.record_date(demo_db, chem, "filed_on", "2026-07-01", clock)
    assert ("预案备案", chem) not in kinds()


def test_deadline_numbers_come_from_the_rule_table(demo_db):
    pid = plan_id(demo_db, SANFANG)                  # last drill 2025-04-28
    day = date(2026, 7, 1)
    assert ("预案演练", pid) not in {(a.kind, a.ref[1]) for a in plan_checks.alerts(demo_db, day)}
    plan_checks.set_deadline_rule(demo_db, "预案演练", 1)
    due = {(a.kind, a.ref[1]): a for a in plan_checks.alerts(demo_db, day)}[("预案演练", pid)]
    assert due.due == date(2026, 4, 28) and "应每 1 年演练一次" in due.message
    with pytest.raises(ValidationError):
        plan_checks.set_deadline_rule(demo_db, "预案演练", 0)


def test_only_current_plans_are_watched(demo_db, clock):
    pid = plan_id(demo_db, "南雄市地震应急预案")
    row = plans.plan(demo_db, pid)
    data = plans.PlanInput(**{k: row[k] for k in (
        "name", "kind", "subtype_id", "body_id", "lead_org_id", "approver", "doc_number", "issued_on",
        "filed_on", "last_drill_on", "last_evaluation_on", "note")}, status="修订中")
    plans.update_plan(demo_db, pid, data, expected_version=row["version"], clock=clock)
    assert pid not in {a.ref[1] for a in plan_checks.alerts(demo_db, date(2026, 7, 1))}
