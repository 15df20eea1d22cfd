"""The permission matrix as the services enforce it: every action for every role, through a
real service call on a copy of the whole demo county.

PROBES maps each action of ``permissions.ACTIONS`` to a preparation: ``prepare(db, clock)`` sets
the scene as the system (an event, a response, a draft …) and returns the one call that does the
action. The call then runs with an account holding just one role signed in: a role the matrix
allows succeeds and writes; any other is refused with PermissionDenied naming the action and
the roles that may, and nothing at all is written (every table's row count, the audit chain's
head and the connection's change counter are the same before and after).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from nxcommand import (accounts, audit, backup, contacts, deadlines, dispatch, dutylog, early_warning,
                       forward_hq, handover, ledger, orders, permissions, personal, plans,
                       releases, response, response_checklist, response_groups, roster, session,
                       teams)
from nxcommand.contacts import ContactInput
from nxcommand.permissions import ACTIONS, ROLES, PermissionDenied

from .conftest import NOW
from .respond_helpers import change, flood_event, flood_plan, holder, one, open_input, person

AGO = lambda minutes: NOW - timedelta(minutes=minutes)      # noqa: E731
SYSTEM = session.system("测试布景")
PW = "Guan-li-yuan-01"

Call = Callable[[], object]


def town(db, name="油山镇") -> int:
    return one(db, "SELECT id FROM admin_units WHERE name = ? AND level = 'town'", [name])


def org(db, name) -> int:
    return one(db, "SELECT id FROM organizations WHERE name = ?", [name])


def live_response(db) -> int:
    return one(db, "SELECT id FROM responses WHERE status = '响应中' ORDER BY id")


def new_response(db, clock) -> int:
    """A Ⅳ级 flood response of its own (decided by the 办公室主任, whom the plan allows)."""
    event = flood_event(db, clock, minutes_ago=120)
    decider = holder(db, flood_plan(db), 4, "办公室主任")
    return response.open_response(db, open_input(db, event, 4, decider, AGO(100)), clock)


def release_at(db, clock, stage: str | None) -> tuple[int, int]:
    """A release on a new response, submitted and reviewed up to (not including) ``stage``;
    None: through 终审 with the window named, ready to publish."""
    rid = new_response(db, clock)
    rel = releases.create(db, rid, "油山镇山洪情况通报", "油山镇发生山洪，已转移群众40人。", "林晓雯",
                          at=AGO(60), clock=clock)
    releases.submit(db, rel, "林晓雯", at=AGO(55), clock=clock)
    reviewers = {"初审": "曾慧敏", "复审": "韩淑芬", "终审": "张建中"}
    for n, (step, name) in enumerate(reviewers.items()):
        if step == stage:
            break
        releases.review(db, rel, step, True, person(db, name), "林晓雯", at=AGO(50 - n), clock=clock)
    if stage is None:
        releases.set_window(db, rid, person(db, "韩淑芬"), org(db, "中共南雄市委宣传部"), "张金龙",
                            at=AGO(40), clock=clock)
    return rid, rel


def reviewer_for(db, stage: str) -> int:
    return person(db, {"初审": "曾慧敏", "复审": "韩淑芬", "终审": "张建中"}[stage])


# ---- one probe per action ------------------------------------------------------------------

def p_view(db, clock) -> Call:
    return lambda: (contacts.count(db), dutylog.count(db, dutylog.LogQuery(text="山洪")),
                    response.get_response(db, live_response(db)))


def p_log(db, clock) -> Call:
    return lambda: dutylog.append(db, dutylog.LogInput(
        logged_at=AGO(5), kind="来电", summary="油山镇来电询问雨情", recorded_by="刘艳玲"), clock)


def p_handover(db, clock) -> Call:
    return lambda: handover.create(db, "刘艳玲", "聂浩宇", "滑坡现场仍有降雨", clock)


def p_roster(db, clock) -> Call:
    day = date(2026, 7, 20)
    return lambda: roster.add_shift(db, day, "加班", "2026-07-20 18:00", "2026-07-20 23:00", clock)


def p_intake(db, clock) -> Call:
    return lambda: flood_event(db, clock, minutes_ago=30)


def p_warning(db, clock) -> Call:
    data = early_warning.WarningInput(
        source=early_warning.GOVERNMENT, category_id=1, subtype_id=1, level=4, starts_at=AGO(10),
        town_ids=[town(db, "百顺镇")], matters="山区溪河水位上涨", measures="转移危险区群众",
        issued_at=AGO(10), recorded_by="张金龙",
        issuer_body_id=one(db, "SELECT id FROM command_bodies WHERE name = '南雄市三防指挥部'"))
    return lambda: early_warning.issue(db, data, clock)


def _report(db, clock, kind: str) -> Call:
    event = flood_event(db, clock, minutes_ago=90)
    data = deadlines.ReportInput(event_id=event, kind=kind, sent_at=AGO(5), channel="电话",
                                 signed_by="田子健", drafted_by="刘艳玲", recorded_by="刘艳玲",
                                 to_report="韶关市应急管理局", content="油山镇山洪，被困2人")
    return lambda: deadlines.record_report(db, data, clock)


def p_phone_report(db, clock) -> Call:
    return _report(db, clock, "电话报告")


def p_sign_report(db, clock) -> Call:
    return _report(db, clock, "书面初报")


def p_contacts(db, clock) -> Call:
    data = ContactInput(name="权限测试员", org_id=org(db, "南雄市应急管理局"), mobile="13700009876")
    return lambda: contacts.add(db, data, clock)


def p_registers(db, clock) -> Call:
    team = one(db, "SELECT id FROM teams WHERE active = 1 AND status = '待命' ORDER BY id")
    return lambda: teams.set_status(db, team, "出动", clock, note="权限测试")


def _stocked(db) -> tuple[int, int]:
    return db.execute("SELECT depot_id, item_id FROM depot_stock WHERE quantity >= 5 ORDER BY id").fetchone()


def p_ledger(db, clock) -> Call:
    depot, item = _stocked(db)
    return lambda: ledger.receive(db, depot, item, 5, reason="采购", who=ledger.Who("谢惠珍"), clock=clock)


def p_dispatch(db, clock) -> Call:
    """Supplies: dispatch moves stock through the ledger in the same call."""
    rid = live_response(db)
    depot, item = _stocked(db)
    data = dispatch.DispatchInput(town(db), person(db, "张建中"), "张金龙", task="转移安置", dispatched_at=AGO(5))
    return lambda: dispatch.dispatch_supply(db, rid, depot, item, 1, data, clock)


def p_open(db, clock) -> Call:
    event = flood_event(db, clock, minutes_ago=60)
    decider = holder(db, flood_plan(db), 4, "办公室主任")
    return lambda: response.open_response(db, open_input(db, event, 4, decider, AGO(30)), clock)


def p_level(db, clock) -> Call:
    rid = new_response(db, clock)
    decider = holder(db, flood_plan(db), 3, "副指挥长")
    return lambda: response.raise_level(db, rid, change(decider, AGO(20), level=3), clock)


def p_order(db, clock) -> Call:
    rid = live_response(db)
    data = orders.OrderInput(rid, "转移河道两侧群众", [("镇街", town(db))], AGO(5), "刘艳玲")
    return lambda: orders.issue_order(db, data, clock)


def p_groups(db, clock) -> Call:
    rid = live_response(db)
    data = response_groups.GroupInput("权限测试组", org(db, "南雄市应急管理局"))
    return lambda: response_groups.add_group(db, rid, data, "刘艳玲", clock)


def p_follow(db, clock) -> Call:
    rid = new_response(db, clock)
    item = one(db, "SELECT id FROM response_checklist WHERE response_id = ? AND done_at IS NULL ORDER BY id", [rid])
    return lambda: response_checklist.mark_item_done(db, item, AGO(5), "综合协调组", clock=clock)


def p_field(db, clock) -> Call:
    rid = new_response(db, clock)
    data = forward_hq.HQInput(town(db), "油山镇政府大院", "张金龙", established_at=AGO(10))
    return lambda: forward_hq.establish(db, rid, data, clock)


def p_people(db, clock) -> Call:
    from .test_personal import entry

    rid = live_response(db)
    return lambda: personal.add(db, rid, entry(db), clock)


def p_window(db, clock) -> Call:
    rid = new_response(db, clock)
    return lambda: releases.set_window(db, rid, person(db, "韩淑芬"), org(db, "中共南雄市委宣传部"), "张金龙",
                                       clock=clock)


def p_draft(db, clock) -> Call:
    rid = live_response(db)
    return lambda: releases.create(db, rid, "道路抢通情况", "国道323线已恢复通行。", "林晓雯", clock=clock)


def _review(db, clock, stage: str) -> Call:
    _rid, rel = release_at(db, clock, stage)
    return lambda: releases.review(db, rel, stage, True, reviewer_for(db, stage), "林晓雯", clock=clock)


def p_review(db, clock) -> Call:
    return _review(db, clock, "复审")


def p_final(db, clock) -> Call:
    return _review(db, clock, "终审")


def p_publish(db, clock) -> Call:
    _rid, rel = release_at(db, clock, None)
    return lambda: releases.publish(db, rel, ["网站"], "林晓雯", clock=clock)


def p_plans(db, clock) -> Call:
    plan = flood_plan(db)
    return lambda: plans.record_date(db, plan, "last_drill_on", "2026-06-30", clock)


def p_reference(db, clock) -> Call:
    from nxcommand import holidays

    return lambda: holidays.set_override(db, date(2026, 7, 3), "holiday", "本地假日")


def p_accounts(db, clock) -> Call:
    accounts.create_account(db, None, "first.admin", "第一任管理员", PW, ["管理员"], clock=clock)
    officer = accounts.create_account(db, SYSTEM, "zhangsan", "张三", PW, ["值班员"], clock=clock)
    return lambda: accounts.set_roles(db, None, officer, ["值班员", "带班领导"], clock=clock)


def p_backup(db, clock, folder) -> Call:
    return lambda: backup.set_backup_folder(db, folder)


def p_purge(db, clock) -> Call:
    ended = one(db, "SELECT id FROM responses WHERE status = '已解除' ORDER BY id")
    return lambda: personal.place_hold(db, ended, "调查", "事故调查组调取转移名单", "张建中", clock)


PROBES: dict[str, Callable] = {
    "查看": p_view,
    "值班记录": p_log,
    "交接班": p_handover,
    "编排值班表": p_roster,
    "接报登记": p_intake,
    "预警登记": p_warning,
    "记录报送": p_phone_report,
    "签发报告": p_sign_report,
    "维护通讯录": p_contacts,
    "管理资源登记": p_registers,
    "物资出入库": p_ledger,
    "调度派遣": p_dispatch,
    "启动响应": p_open,
    "调整响应级别": p_level,
    "下达指令": p_order,
    "响应编组": p_groups,
    "跟踪落实": p_follow,
    "前方指挥部": p_field,
    "登记人员信息": p_people,
    "指定发言人": p_window,
    "撰写发布稿": p_draft,
    "审核发布稿": p_review,
    "终审发布稿": p_final,
    "发布信息": p_publish,
    "编辑预案": p_plans,
    "管理参考数据": p_reference,
    "管理账户": p_accounts,
    "备份恢复": p_backup,
    "清除个人信息": p_purge,
}


# ---- the walk ------------------------------------------------------------------------------

def state(db) -> tuple:
    """Everything a write would change: every table's rows, the audit chain's head and the
    connection's change counter."""
    tables = [name for (name,) in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name")]
    counts = {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    return counts, audit.head(db), db.conn.total_changes


def signed_in(role: str) -> session.Actor:
    return session.Actor(f"only.{role}", f"{role}测试", frozenset({role}), account_id=900)


def prepare(action: str, db, clock, tmp_path) -> Call:
    probe = PROBES[action]
    with session.acting(db, SYSTEM):
        if probe is p_backup:
            return p_backup(db, clock, tmp_path / "备份")
        return probe(db, clock)


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch):
    """Account probes hash passwords; the matrix is not about Argon2's cost."""
    monkeypatch.setitem(accounts.HASH_PARAMS, "time_cost", 1)
    monkeypatch.setitem(accounts.HASH_PARAMS, "memory_cost", 8 * 1024)


def test_every_action_has_a_probe():
    assert set(PROBES) == set(ACTIONS)


ALLOWED = [(action, role) for action in PROBES for role in ROLES if role in ACTIONS.get(action, ())]


@pytest.mark.parametrize("action, role", ALLOWED)
def test_an_allowed_role_does_the_action(action, role, full_demo_db, clock, tmp_path):
    db = full_demo_db
    call = prepare(action, db, clock, tmp_path)
    before = state(db)
    with session.acting(db, signed_in(role)):
        call()
    if action == "查看":
        assert state(db) == before, "reading wrote something"
    else:
        assert state(db) != before, f"{action}: the probe wrote nothing"


@pytest.mark.parametrize("action", [a for a in PROBES if set(ROLES) - set(ACTIONS.get(a, ()))])
def test_every_other_role_is_refused_and_nothing_is_written(action, full_demo_db, clock, tmp_path):
    db = full_demo_db
    call = prepare(action, db, clock, tmp_path)
    refused_to = [role for role in ROLES if role not in ACTIONS[action]]
    assert refused_to
    for role in refused_to:
        before = state(db)
        with session.acting(db, signed_in(role)), pytest.raises(PermissionDenied) as refused:
            call()
        message = str(refused.value)
        assert refused.value.action == action
        assert message.startswith(f"无权{action}：此操作仅限{'、'.join(ACTIONS[action])}"), message
        assert f"角色为{role}" in message, message
        assert state(db) == before, f"{action} refused to {role} but something was written"


def test_every_role_is_walked():
    """Together the two tests above try every action with every role, each exactly once."""
    refused = [(a, r) for a in PROBES for r in ROLES if r not in ACTIONS[a]]
    assert len(ALLOWED) + len(refused) == len(ACTIONS) * len(ROLES)
    assert {r for _a, r in refused} >= {"只读"} and ("查看", "只读") in ALLOWED


@pytest.mark.parametrize("action", [a for a in PROBES if a != "查看"])
def test_nobody_signed_in_may_do_nothing(action, full_demo_db, clock, tmp_path):
    db = full_demo_db
    call = prepare(action, db, clock, tmp_path)
    session.set_fallback(None)            # as in the program: no tester behind the connection
    before = state(db)
    with pytest.raises(PermissionDenied, match=f"^请先登录后再{action}$"):
        call()
    assert state(db) == before


@pytest.mark.parametrize("action", ["值班记录", "管理账户", "终审发布稿"])
def test_a_deactivated_account_is_refused(action, full_demo_db, clock, tmp_path):
    db = full_demo_db
    call = prepare(action, db, clock, tmp_path)
    before = state(db)
    stopped = session.Actor("stopped", "停用者", frozenset(ROLES) - {"只读"}, active=False, account_id=901)
    with session.acting(db, stopped), pytest.raises(PermissionDenied, match="账户 stopped 已停用"):
        call()
    assert state(db) == before


def test_an_account_deactivated_by_the_administrator_can_do_nothing_more(full_demo_db, clock):
    """The real path: an officer's account is stopped; the actor made from it is refused."""
    db = full_demo_db
    accounts.create_account(db, None, "first.admin", "第一任管理员", PW, ["管理员"], clock=clock)
    officer = accounts.create_account(db, SYSTEM, "zhangsan", "张三", PW, ["值班员"], clock=clock)
    call = p_log(db, clock)
    with session.acting(db, session.of_account(accounts.get(db, officer))):
        call()
    accounts.deactivate(db, SYSTEM, officer, clock=clock)
    with session.acting(db, session.of_account(accounts.get(db, officer))), \
            pytest.raises(PermissionDenied, match="已停用"):
        call()


def test_the_demo_county_loads_before_anyone_signs_in(tmp_path):
    """The console creates and fills its default database before the login: the demo loaders
    act as the system (演示数据), and the audit trail says so."""
    from nxcommand import startup
    from nxcommand.clock import FixedClock

    session.set_fallback(None)
    db = startup.open_console_db(tmp_path / "default.db", is_default=True, clock=FixedClock(NOW))
    try:
        assert session.current(db) is None                      # nobody is left signed in
        actors = {who for (who,) in db.execute("SELECT DISTINCT actor FROM audit_log WHERE op != 'BASE'")}
        assert actors == {"演示数据"}
        with pytest.raises(PermissionDenied, match="请先登录后再值班记录"):
            p_log(db, FixedClock(NOW))()
    finally:
        db.close()


def test_the_matrix_is_what_the_desk_expects():
    """The decisions documented in the README, held here so a change to them is deliberate."""
    who = {action: set(roles) for action, roles in ACTIONS.items()}
    assert who["启动响应"] == who["调整响应级别"] == {"带班领导", "指挥长"}
    assert who["签发报告"] == {"带班领导"}
    assert who["审核发布稿"] == who["发布信息"] == {"新闻发布"} and who["终审发布稿"] == {"指挥长"}
    assert who["管理参考数据"] == who["管理账户"] == who["备份恢复"] == {"管理员"}
    assert permissions.actions_for({"只读"}) == ["查看"]
