"""系统管理 driven as the administrator would: accounts (new, temporary password, roles,
停用/启用, the last administrator kept), reference data and the lockout, the audit trail.
A non-administrator is refused by the services themselves."""

from __future__ import annotations

import pytest

from nxcommand import accounts, audit, refdata, refdata_admin, session
from nxcommand.permissions import PermissionDenied
from ui.admin_accounts import AccountDialog, ResetPasswordDialog, RolesDialog
from ui.admin_panel import AdminPanel
from ui.admin_ref_dialogs import ColourDialog, RuleDialog, SubtypeDialog, ThresholdDialog
from ui.app import make_app

ADMIN_PW = "Admin-pass-2026"
TEMP_PW = "Temp-pass-0701"


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):
    """Argon2id with small costs: these tests are about the screens, not the hash."""
    monkeypatch.setitem(accounts.HASH_PARAMS, "memory_cost", 1024)
    monkeypatch.setitem(accounts.HASH_PARAMS, "time_cost", 1)


@pytest.fixture
def admin(demo_db, clock) -> accounts.Account:
    """王建国, the only administrator, signed in on the database."""
    account_id = accounts.create_account(demo_db, None, "admin", "王建国", ADMIN_PW, ["管理员"], clock=clock)
    account = accounts.get(demo_db, account_id)
    session.sign_in(demo_db, session.of_account(account))
    return account


@pytest.fixture
def panel(qapp, qtbot, demo_db, clock, admin):
    make_app()
    messages: list[str] = []
    widget = AdminPanel(demo_db, clock, notify=messages.append)
    widget.messages = messages
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    return widget


def answer(fill):
    """Stands in for a modal dialog's exec: fill it (which may itself try and check refusals),
    then accept; True when it closed accepted."""
    def run(dialog):
        dialog.show()
        fill(dialog)
        if dialog.isVisible():
            dialog.accept()
        return dialog.result() == dialog.DialogCode.Accepted
    return run


def refused(dialog, message: str) -> None:
    dialog.accept()
    assert dialog.isVisible() and dialog.result() != dialog.DialogCode.Accepted
    assert dialog.error.text() == message


def cells(model, row) -> list[str]:
    return [model.cell(row, c) for c in range(len(model.columns))]


# ---- 账户 ----------------------------------------------------------------------------------------

def make_officer(tab, login="liming", name="李明", roles=("值班员",)) -> None:
    def fill(dialog: AccountDialog):
        dialog.login.setText(login)
        dialog.name.setText(name)
        for role, box in dialog.roles.items():
            box.setChecked(role in roles)
        dialog.password.setText(TEMP_PW)
        dialog.password2.setText(TEMP_PW)
    tab.run_dialog = answer(fill)
    tab.new_account()


def test_create_an_account(panel, demo_db, clock):
    tab = panel.accounts
    assert [panel.tabs.tabText(i) for i in range(panel.tabs.count())] == ["账户", "参考数据", "审计记录"]

    def bad_then_good(dialog: AccountDialog):
        assert [r for r, box in dialog.roles.items() if box.isChecked()] == ["值班员"]
        dialog.login.setText("李明")
        dialog.name.setText("李明")
        dialog.password.setText(TEMP_PW)
        dialog.password2.setText(TEMP_PW)
        refused(dialog, "用户名只能由英文字母、数字和 . _ - 组成，长度 3–32 个字符")
        assert dialog.focusWidget() is dialog.login
        dialog.login.setText("liming")
        dialog.password.setText("short")
        dialog.password2.setText("short")
        refused(dialog, "密码至少需要 10 个字符")
        assert dialog.focusWidget() is dialog.password
        dialog.password.setText(TEMP_PW)
        dialog.password2.setText(TEMP_PW)
        dialog.roles["只读"].setChecked(True)
        refused(dialog, "“只读”不能与其他角色同时授予")
        assert len(accounts.all_accounts(demo_db)) == 1          # nothing written meanwhile
        dialog.roles["只读"].setChecked(False)
        dialog.roles["带班领导"].setChecked(True)

    tab.run_dialog = answer(bad_then_good)
    tab.new_account()
    assert panel.messages[-1] == "已新建账户 liming，首次登录须修改密码"
    row = tab.current()
    assert row.login == "liming"
    assert cells(tab.model, row) == ["liming", "李明", "值班员、带班领导", "在用", "", "是", ""]
    assert tab.count_label.text() == "共 2 个账户，在用管理员 1 个"
    created = accounts.by_login(demo_db, "liming")
    assert created.must_change_password and created.roles == {"值班员", "带班领导"}
    # the officer signs in: the login record under the selected account
    accounts.authenticate(demo_db, "liming", TEMP_PW, clock)
    tab.refresh()
    assert tab.event_box.title() == "登录记录：李明（liming）"
    assert [(e["login"], e["result"]) for e in tab.event_model.rows] == [("liming", "成功")]
    assert tab.model.cell(tab.current(), 6) == "2026-07-01 14:20"


def test_reset_password_makes_the_user_change_it(panel, demo_db, clock):
    tab = panel.accounts
    make_officer(tab)
    officer = accounts.by_login(demo_db, "liming")
    accounts.change_password(demo_db, officer.id, TEMP_PW, "Own-pass-2026", clock)
    for _ in range(5):                                              # and then locks himself out
        with pytest.raises(accounts.AuthError):
            accounts.authenticate(demo_db, "liming", "forgotten-pass", clock)
    tab.refresh()
    assert tab.model.cell(tab.current(), 4) == "2026-07-01 14:35"      # 锁定至
    assert tab.model.cell(tab.current(), 5) == ""

    def fill(dialog: ResetPasswordDialog):
        assert dialog.windowTitle() == "重置密码：李明（liming）"
        dialog.password.setText("liming")
        dialog.password2.setText("liming")
        refused(dialog, "新密码至少需要 10 个字符")
        dialog.password.setText("New-temp-0702")
        dialog.password2.setText("New-temp-0702")

    tab.run_dialog = answer(fill)
    tab.reset_password()
    assert panel.messages[-1] == "已重置 liming 的密码，下次登录须修改"
    assert cells(tab.model, tab.current())[4:6] == ["", "是"]             # unlocked, must change
    signed = accounts.authenticate(demo_db, "liming", "New-temp-0702", clock)
    assert signed.must_change_password


def test_set_roles(panel, demo_db):
    tab = panel.accounts
    make_officer(tab)

    def fill(dialog: RolesDialog):
        assert [r for r, box in dialog.roles.items() if box.isChecked()] == ["值班员"]
        for box in dialog.roles.values():
            box.setChecked(False)
        refused(dialog, "请至少选择一个角色")
        dialog.roles["指挥长"].setChecked(True)
        dialog.roles["新闻发布"].setChecked(True)

    tab.run_dialog = answer(fill)
    tab.set_roles()
    assert tab.model.cell(tab.current(), 2) == "指挥长、新闻发布"
    assert accounts.by_login(demo_db, "liming").roles == {"指挥长", "新闻发布"}


def test_the_last_administrator_is_kept(panel, demo_db, admin):
    tab = panel.accounts
    tab.select_login("admin")
    before = accounts.get(demo_db, admin.id)
    warnings: list[tuple[str, str]] = []
    tab.warn = lambda title, text: warnings.append((title, text))
    tab.confirm = lambda title, text: True
    assert tab.active_button.text() == "停用"
    tab.toggle_active()
    assert warnings == [("无法完成", "不能停用最后一个在用的管理员账户")]
    assert accounts.get(demo_db, admin.id) == before                    # nothing written

    def drop_admin(dialog: RolesDialog):
        dialog.roles["管理员"].setChecked(False)
        dialog.roles["值班员"].setChecked(True)
        refused(dialog, "至少要保留一个在用的管理员账户")
        dialog.reject()

    tab.run_dialog = answer(drop_admin)
    tab.set_roles()
    assert accounts.get(demo_db, admin.id) == before


def test_stop_and_restart_an_account(panel, demo_db, clock):
    tab = panel.accounts
    make_officer(tab)
    asked: list[str] = []
    tab.confirm = lambda title, text: asked.append(text) or True
    tab.toggle_active()
    assert "停用 李明（liming）后该账户不能再登录" in asked[0]
    assert tab.model.cell(tab.current(), 3) == "已停用" and tab.active_button.text() == "启用"
    with pytest.raises(accounts.AuthError, match="已停用"):
        accounts.authenticate(demo_db, "liming", TEMP_PW, clock)
    tab.toggle_active()
    assert tab.model.cell(tab.current(), 3) == "在用" and panel.messages[-1] == "已启用账户 liming"
    assert accounts.authenticate(demo_db, "liming", TEMP_PW, clock).active


# ---- 参考数据 ------------------------------------------------------------------------------------

def select(page, match) -> None:
    page.select(match)
    assert page.current() is not None


def test_administrator_edits_the_grading_thresholds(panel, demo_db):
    ref = panel.refdata
    assert [ref.tabs.tabText(i) for i in range(ref.tabs.count())] == [
        "事件子类", "生产安全事故分级", "级别颜色", "报送时限规则", "账户锁定"]
    assert cells(ref.thresholds.model, ref.thresholds.model.rows[2]) == ["较大", "3", "10", "1000"]
    select(ref.thresholds, lambda t: t.grade == 3)

    def fill(dialog: ThresholdDialog):
        dialog.deaths.setValue(10)                      # not below 重大's 10
        refused(dialog, "分级标准必须逐级递减：高一级的每项标准都要大于低一级")
        dialog.deaths.setValue(0)
        refused(dialog, "死亡人数标准必须大于0")
        assert dialog.focusWidget() is dialog.deaths
        dialog.deaths.setValue(5)
        dialog.loss.setValue(2000)

    ref.run_dialog = answer(fill)
    ref.edit_threshold()
    assert refdata.thresholds(demo_db)[2] == refdata.Threshold(3, 5, 10, 20_000_000)
    assert cells(ref.thresholds.model, ref.thresholds.current()) == ["较大", "5", "10", "2000"]
    assert panel.messages[-1] == "已修改生产安全事故分级标准"
    record = audit.entries(demo_db, limit=1)[0]
    assert record["actor"] == "王建国（admin）" and record["op_title"] == "修改"


def test_subtypes_colours_rules_and_lockout(panel, demo_db):
    ref = panel.refdata

    def new_subtype(dialog: SubtypeDialog):
        dialog.category.setCurrentIndex(dialog.category.findText("事故灾难"))
        dialog.name.setText("道路交通")
        refused(dialog, "该类别下已有子类“道路交通”")
        dialog.name.setText("  城市内涝  ")
        dialog.category.setCurrentIndex(dialog.category.findText("自然灾害"))

    ref.run_dialog = answer(new_subtype)
    ref.add_subtype()
    assert cells(ref.subtypes.model, ref.subtypes.current()) == ["自然灾害", "城市内涝", "按专项预案选择"]

    def rename(dialog: SubtypeDialog):
        assert not dialog.category.isEnabled()
        dialog.name.setText("城市内涝（渍涝）")

    ref.run_dialog = answer(rename)
    ref.edit_subtype()
    assert "城市内涝（渍涝）" in [s["name"] for c in refdata.categories(demo_db) for s in c["subtypes"]]

    select(ref.colours, lambda r: r["table"] == "warning_levels" and r["id"] == 4)

    def colour(dialog: ColourDialog):
        dialog.hex.setText("blue")
        refused(dialog, "颜色须为 #RRGGBB 形式的十六进制值")
        dialog.hex.setText("#0055aa")

    ref.run_dialog = answer(colour)
    ref.edit_colour()
    assert refdata.levels(demo_db, "warning_levels")[3]["color_hex"] == "#0055AA"

    def rule(dialog: RuleDialog):
        dialog.name.setText("本地规定：燃气事故电话报告")
        dialog.category.setCurrentIndex(dialog.category.findText("事故灾难"))
        dialog.subtype.setCurrentIndex(dialog.subtype.findText("燃气"))
        dialog.kind.setCurrentIndex(dialog.kind.findText("电话报告"))
        refused(dialog, "请填写时限（接报后多少分钟）或每日报送时刻")
        dialog.daily.setText("9点")
        refused(dialog, "每日报送时刻须为 HH:MM，例如 09:00")
        assert dialog.focusWidget() is dialog.daily
        dialog.daily.clear()
        dialog.due.setValue(20)

    ref.run_dialog = answer(rule)
    ref.add_rule()
    made = ref.rules.current()
    assert (made["name"], made["scope"], made["due_minutes"]) == ("本地规定：燃气事故电话报告", "燃气", 20)
    assert made["category_id"] is not None and made["active"] == 1
    ref.toggle_rule()
    assert ref.rules.current()["active"] == 0 and ref.rule_active.text() == "启用"
    assert made["id"] not in [r["id"] for r in refdata.deadline_rules(demo_db)]

    ref.max_failures.setValue(3)
    ref.lock_minutes.setValue(30)
    ref.save_lockout()
    assert accounts.lockout_settings(demo_db) == (3, 30)


def test_reference_data_refused_to_a_non_administrator(panel, demo_db, clock, admin):
    officer_id = accounts.create_account(demo_db, admin, "liming", "李明", TEMP_PW, ["值班员", "带班领导"],
                                         clock=clock)
    officer = session.of_account(accounts.get(demo_db, officer_id))
    before = refdata.thresholds(demo_db)
    with session.acting(demo_db, officer):
        for call in (lambda: refdata_admin.set_threshold(demo_db, refdata.Threshold(3, 5, 10, 10**7)),
                     lambda: refdata_admin.set_level_colour(demo_db, "warning_levels", 4, "#0055AA"),
                     lambda: refdata_admin.add_subtype(demo_db, 1, "城市内涝"),
                     lambda: refdata_admin.save_deadline_rule(demo_db, {"name": "x", "report_kind": "续报",
                                                                      "due_minutes": 10}),
                     lambda: refdata_admin.set_lockout(demo_db, 3, 30)):
            with pytest.raises(PermissionDenied, match="无权管理参考数据：此操作仅限管理员"):
                call()
        # a form left open by someone whose roles are no longer enough is refused as well
        ref = panel.refdata
        select(ref.thresholds, lambda t: t.grade == 3)

        def fill(dialog: ThresholdDialog):
            dialog.deaths.setValue(5)
            refused(dialog, "无权管理参考数据：此操作仅限管理员，当前账户 liming 的角色为值班员、带班领导")
            dialog.reject()

        ref.run_dialog = answer(fill)
        ref.edit_threshold()
    assert refdata.thresholds(demo_db) == before
    assert accounts.lockout_settings(demo_db) == (5, 15)


def test_lockout_settings_are_checked_by_the_service(admin, demo_db):
    with pytest.raises(refdata_admin.ValidationError, match="连续输错次数须在 3–20 次之间"):
        refdata_admin.set_lockout(demo_db, 1, 15)
    with pytest.raises(refdata_admin.ValidationError, match="锁定时长必须是整数"):
        refdata_admin.set_lockout(demo_db, 5, "15")
    assert accounts.lockout_settings(demo_db) == (5, 15)


# ---- 审计记录 ------------------------------------------------------------------------------------

def test_audit_trail_lists_who_changed_what(panel, demo_db, qtbot):
    make_officer(panel.accounts)
    tab = panel.audit
    panel.show_tab("审计记录")
    assert tab.loaded
    titles = [tab.model.cell(r, 2) for r in tab.model.rows]
    assert "账户" in titles and "账户角色" in titles
    tab.table.setCurrentIndex(tab.table.findData("accounts"))
    first = tab.model.rows[0]
    assert (first["actor"], first["op_title"], first["table_title"]) == ("王建国（admin）", "新增", "账户")
    assert ("login", None, "liming") in tab.change_model.rows
    assert "password_hash" in [c[0] for c in tab.change_model.rows]
    assert TEMP_PW not in str(tab.change_model.rows)
    shown = [tab.change_model.cell(r, 0) for r in tab.change_model.rows]
    assert "用户名" in shown and "密码（摘要）" in shown           # fields named in Chinese
    tab.actor.setText("没有这个人")                             # typing filters after a pause
    qtbot.waitUntil(lambda: tab.model.rows == [], timeout=3000)
    assert tab.count_label.text() == "共 0 条"
    tab.actor.setText("王建国")
    qtbot.waitUntil(lambda: len(tab.model.rows) > 0, timeout=3000)
    assert {r["actor"] for r in tab.model.rows} == {"王建国（admin）"}


def test_add_tab(panel):
    from PySide6.QtWidgets import QLabel
    index = panel.add_tab(QLabel("备份"), "备份与恢复")
    assert index == 3 and panel.tabs.tabText(3) == "备份与恢复"
