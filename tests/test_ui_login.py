"""Signing in, driven as the desk would: the first administrator, the login, the lockout, the
forced password change, 切换用户/注销 and a restart through ui.app.run, and who sees 系统管理."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import QSettings, QTimer

from nxcommand import accounts, session
from nxcommand.permissions import ROLES
from nxcommand.store import db_path, open_db
from ui import app as console
from ui.app import make_app
from ui.login_dialog import ChangePasswordDialog, FirstAdminDialog, LoginDialog, sign_in
from ui.main_window import ADMIN_TITLE, MainWindow

ADMIN_PW = "Admin-pass-2026"
OFFICER_PW = "Officer-pass-2026"
TEMP_PW = "Temp-pass-0701"


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):
    """Argon2id with small costs: these tests are about the dialogs, not the hash."""
    monkeypatch.setitem(accounts.HASH_PARAMS, "memory_cost", 1024)
    monkeypatch.setitem(accounts.HASH_PARAMS, "time_cost", 1)


@pytest.fixture
def qt(qapp):
    make_app()
    yield qapp
    qapp.setQuitOnLastWindowClosed(True)


def add_admin(db, clock, login="admin", name="王建国") -> accounts.Account:
    account_id = accounts.create_account(db, None, login, name, ADMIN_PW, ["管理员", "带班领导"], clock=clock)
    return accounts.get(db, account_id)


def add_officer(db, clock, admin) -> accounts.Account:
    """李明, 值班员, with the initial password the administrator gave (to be changed)."""
    account_id = accounts.create_account(db, admin, "liming", "李明", TEMP_PW, ["值班员"], clock=clock)
    return accounts.get(db, account_id)


def rail(window) -> list[str]:
    return [window.rail.item(i).text() for i in range(window.rail.count())]


class Script:
    """Answers the dialogs run() opens, in order: each step fills a dialog and says whether
    to accept it (which must then succeed) or cancel it."""

    def __init__(self, *steps):
        self.steps = list(steps)

    def __call__(self, dialog) -> bool:
        expected, fill = self.steps.pop(0)
        assert type(dialog).__name__ == expected, f"{type(dialog).__name__} shown, {expected} expected"
        dialog.show()
        if not fill(dialog):
            dialog.reject()
            return False
        dialog.accept()
        accepted = dialog.result() == dialog.DialogCode.Accepted
        assert accepted, dialog.error.text()
        return accepted


def login_as(login, password):
    def fill(dialog):
        dialog.login.setText(login)
        dialog.password.setText(password)
        return True
    return fill


def cancel(_dialog):
    return False


# ---- first start ------------------------------------------------------------------------------

def test_first_start_creates_the_administrator_and_signs_in(qt, qtbot, demo_db, clock):
    assert accounts.needs_bootstrap(demo_db)
    dialog = FirstAdminDialog(demo_db, clock)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.windowTitle() == "首次使用：创建管理员账户"
    # the demo database: every role but 只读 ticked, and why
    assert [r for r, box in dialog.roles.items() if box.isChecked()] == [r for r in ROLES if r != "只读"]
    assert "只读" not in dialog.roles
    assert dialog.demo_note.isVisibleTo(dialog) and "演示数据库" in dialog.demo_note.text()
    assert dialog.roles["管理员"].isChecked() and not dialog.roles["管理员"].isEnabled()

    dialog.login.setText("admin")
    dialog.name.setText("王建国")
    dialog.password.setText(ADMIN_PW)
    dialog.password2.setText(ADMIN_PW + "!")
    dialog.accept()
    assert dialog.isVisible() and "两次输入的密码不一致" in dialog.error.text()
    assert dialog.focusWidget() is dialog.password2
    dialog.password.setText("12345678901")
    dialog.password2.setText("12345678901")
    dialog.accept()
    assert dialog.isVisible() and dialog.error.text() == "密码不能全是数字，请加入字母或符号"
    assert dialog.focusWidget() is dialog.password
    assert accounts.needs_bootstrap(demo_db)                 # nothing written
    assert dialog.name.text() == "王建国"                     # what was typed is kept

    dialog.password.setText(ADMIN_PW)
    dialog.password2.setText(ADMIN_PW)
    dialog.roles["新闻发布"].setChecked(False)
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    account = dialog.account
    assert account.login == "admin" and not account.must_change_password
    assert account.roles == {"值班员", "带班领导", "指挥长", "管理员"}
    assert accounts.authenticate(demo_db, "ADMIN", ADMIN_PW, clock).id == account.id


def test_first_start_on_a_real_database_offers_only_the_administrator(qt, qtbot, empty_db, clock):
    dialog = FirstAdminDialog(empty_db, clock)
    qtbot.addWidget(dialog)
    assert [r for r, box in dialog.roles.items() if box.isChecked()] == ["管理员"]
    assert not dialog.demo_note.isVisibleTo(dialog)


def test_run_signs_in_switches_user_and_signs_out(qt, demo_path, clock, tmp_path, monkeypatch):
    monkeypatch.setattr(console, "_quit_on_signals", lambda app: None)
    shown: list[tuple[str, list[str]]] = []
    actors: list[str] = []

    def run_window(window: MainWindow) -> int:
        assert window.isVisible()
        shown.append((window.user_button.text(), rail(window)))
        actors.append(session.who(window.db))
        if len(shown) == 1:
            # the administrator creates the officer's account, then hands over the desk
            db = window.db
            accounts.create_account(db, session.current(db), "liming", "李明", TEMP_PW, ["值班员"])
            window.switch_user()
        else:
            window.sign_out()
        assert not window.isVisible()
        return 0

    def first_admin(dialog):
        dialog.login.setText("admin")
        dialog.name.setText("王建国")
        dialog.password.setText(ADMIN_PW)
        dialog.password2.setText(ADMIN_PW)
        return True

    def new_password(dialog):
        assert dialog.old.isHidden()                 # the temporary password was just typed
        dialog.new.setText(OFFICER_PW)
        dialog.new2.setText(OFFICER_PW)
        return True

    script = Script(("FirstAdminDialog", first_admin),
                    ("LoginDialog", login_as("liming", TEMP_PW)),
                    ("ChangePasswordDialog", new_password),
                    ("LoginDialog", cancel))          # after 注销 nobody logs in: the console ends
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    code = console.run(demo_path, False, run_dialog=script, run_window=run_window, settings=settings)
    assert code == 0 and script.steps == []
    assert shown[0] == ("王建国（值班员、带班领导、指挥长、新闻发布、管理员）", shown[0][1])
    assert shown[0][1][-1] == ADMIN_TITLE
    assert shown[1][0] == "李明（值班员）" and ADMIN_TITLE not in shown[1][1]
    assert actors == ["王建国（admin）", "李明（liming）"]
    db = open_db(demo_path)
    try:
        # the officer's one login (the administrator created at first start needed none)
        assert [(e["login"], e["result"]) for e in accounts.login_events(db)] == [("liming", "成功")]
        assert accounts.authenticate(db, "liming", OFFICER_PW, clock).must_change_password is False
    finally:
        db.close()


def test_switch_user_cancelled_returns_to_the_same_user(qt, demo_path, clock, tmp_path, monkeypatch):
    monkeypatch.setattr(console, "_quit_on_signals", lambda app: None)
    db = open_db(demo_path)
    add_admin(db, clock)
    db.close()
    seen: list[str] = []

    def run_window(window):
        seen.append(session.who(window.db))
        (window.switch_user if len(seen) == 1 else window.close)()
        return 0

    def cancel_button_says_cancel(dialog):
        assert sorted(b.text() for b in dialog.buttons.buttons()) == sorted(["登录", "取消"])
        return False

    script = Script(("LoginDialog", login_as("admin", ADMIN_PW)), ("LoginDialog", cancel_button_says_cancel))
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    assert console.run(demo_path, False, run_dialog=script, run_window=run_window, settings=settings) == 0
    assert seen == ["王建国（admin）", "王建国（admin）"]


def test_restart_closes_the_database_runs_the_action_and_asks_for_a_login(qt, demo_path, clock, tmp_path,
                                                                       monkeypatch):
    monkeypatch.setattr(console, "_quit_on_signals", lambda app: None)
    db = open_db(demo_path)
    add_admin(db, clock)
    db.close()
    opened: list[object] = []
    done: list[str] = []

    def action():
        # the console's connection is closed: the file can be replaced (here: a marker written
        # by a connection of our own, seen after the reopen)
        assert opened[0].conn is not None
        with pytest.raises(Exception):
            opened[0].execute("SELECT 1")
        other = open_db(demo_path)
        with session.acting(other, session.system("恢复")):
            from nxcommand import org
            org.set_meta(other, "restored_marker", "1")
        other.close()
        done.append("action")

    def run_window(window):
        opened.append(window.db)
        if len(opened) == 1:
            window.request_restart(action)
            assert window.restart_requested
        else:
            from nxcommand import org
            assert org.meta(window.db, "restored_marker") == "1"
            assert window.db is not opened[0] and db_path(window.db) == str(demo_path)
            window.close()
        return 0

    script = Script(("LoginDialog", login_as("admin", ADMIN_PW)), ("LoginDialog", login_as("admin", ADMIN_PW)))
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    assert console.run(demo_path, False, run_dialog=script, run_window=run_window, settings=settings) == 0
    assert done == ["action"] and len(opened) == 2 and script.steps == []


def test_sigterm_while_the_login_dialog_waits_ends_the_console(qt, demo_path, clock, tmp_path, monkeypatch):
    monkeypatch.setattr(console, "_quit_on_signals", lambda app: None)
    db = open_db(demo_path)
    add_admin(db, clock)
    db.close()
    QTimer.singleShot(200, lambda: console.stop(qt))       # what the SIGTERM handler calls
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    assert console.run(demo_path, False, settings=settings) == 0   # the real, modal login dialog
    assert qt.activeModalWidget() is None


# ---- the login dialog -------------------------------------------------------------------------

@pytest.fixture
def with_accounts(demo_db, clock):
    admin = add_admin(demo_db, clock)
    officer = add_officer(demo_db, clock, admin)
    return admin, officer


def login_dialog(qtbot, db, clock) -> LoginDialog:
    dialog = LoginDialog(db, clock)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_wrong_password_is_refused_and_the_login_kept(qt, qtbot, demo_db, clock, with_accounts):
    dialog = login_dialog(qtbot, demo_db, clock)
    assert "南雄市（演示数据）" in dialog.note.text()
    assert [b.text() for b in dialog.buttons.buttons()] == ["登录", "退出"]
    qtbot.keyClicks(dialog.login, "admin")
    qtbot.keyClicks(dialog.password, "wrong-password")
    dialog.accept()
    assert dialog.isVisible() and dialog.result() != dialog.DialogCode.Accepted
    assert dialog.error.text() == "用户名或密码不正确"
    assert dialog.login.text() == "admin" and dialog.password.text() == ""
    assert dialog.focusWidget() is dialog.password
    dialog.login.setText("nobody")
    dialog.password.setText(ADMIN_PW)
    dialog.accept()
    assert dialog.error.text() == "用户名或密码不正确"        # same words for an unknown login
    dialog.login.setText("admin")
    dialog.password.setText(ADMIN_PW)
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted and dialog.account.login == "admin"


def test_five_failures_lock_the_account(qt, qtbot, demo_db, clock, with_accounts):
    dialog = login_dialog(qtbot, demo_db, clock)
    dialog.login.setText("admin")
    for _ in range(5):
        dialog.password.setText("wrong-password")
        dialog.accept()
    dialog.password.setText(ADMIN_PW)                  # even the right password
    dialog.accept()
    assert dialog.isVisible()
    until = (clock.now() + timedelta(minutes=15)).strftime("%H:%M")
    assert dialog.error.text() == f"密码连续输错次数过多，账户已锁定至 {until}，请稍后再试或请管理员重置密码"
    clock.advance(minutes=16)
    dialog.password.setText(ADMIN_PW)
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted


def test_a_stopped_account_cannot_sign_in(qt, qtbot, demo_db, clock, with_accounts):
    admin, officer = with_accounts
    accounts.deactivate(demo_db, admin, officer.id, clock=clock)
    dialog = login_dialog(qtbot, demo_db, clock)
    dialog.login.setText("liming")
    dialog.password.setText(TEMP_PW)
    dialog.accept()
    assert dialog.error.text() == "该账户已停用，请联系管理员"


def test_a_reset_password_must_be_changed_before_the_console_opens(qt, demo_db, clock, with_accounts):
    _admin, officer = with_accounts
    temp = TEMP_PW

    def mismatch_then_weak_then_cancel(dialog: ChangePasswordDialog):
        assert dialog.windowTitle() == "修改密码" and "临时密码" in dialog.note.text()
        assert [b.text() for b in dialog.buttons.buttons()] == ["确定", "返回登录"]
        dialog.new.setText(OFFICER_PW)
        dialog.new2.setText(OFFICER_PW + "?")
        dialog.accept()
        assert dialog.isVisible() and "两次输入的密码不一致" in dialog.error.text()
        assert dialog.focusWidget() is dialog.new2
        dialog.new.setText(temp)
        dialog.new2.setText(temp)
        dialog.accept()
        assert dialog.error.text() == "新密码不能与原密码相同"
        return False                                          # 返回登录

    def good(dialog):
        dialog.new.setText(OFFICER_PW)
        dialog.new2.setText(OFFICER_PW)
        return True

    def prefilled(dialog):
        assert dialog.login.text() == "liming"        # back at the login, the login kept
        dialog.password.setText(temp)
        return True

    script = Script(("LoginDialog", login_as("liming", temp)),
                    ("ChangePasswordDialog", mismatch_then_weak_then_cancel),
                    ("LoginDialog", prefilled), ("ChangePasswordDialog", good))
    account = sign_in(demo_db, clock, run_dialog=script)
    assert script.steps == []
    assert account.id == officer.id and not account.must_change_password
    with pytest.raises(accounts.AuthError):
        accounts.authenticate(demo_db, "liming", temp, clock)
    assert accounts.authenticate(demo_db, "liming", OFFICER_PW, clock).id == officer.id


def test_cancelling_the_login_ends_the_console(qt, demo_db, clock, with_accounts):
    assert sign_in(demo_db, clock, run_dialog=Script(("LoginDialog", cancel))) is None


# ---- the main window --------------------------------------------------------------------------

def window_as(qtbot, db, clock, tmp_path, actor) -> MainWindow:
    session.sign_in(db, actor)
    win = MainWindow(db, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat), clock)
    qtbot.addWidget(win)
    win.show()
    return win


def test_a_read_only_user_does_not_see_system_administration(qt, qtbot, demo_db, clock, tmp_path, with_accounts):
    admin, _officer = with_accounts
    viewer_id = accounts.create_account(demo_db, admin, "guest", "赵敏", OFFICER_PW, ["只读"], clock=clock)
    win = window_as(qtbot, demo_db, clock, tmp_path, session.of_account(accounts.get(demo_db, viewer_id)))
    try:
        assert ADMIN_TITLE not in rail(win) and win.admin is None
        assert win.user_button.text() == "赵敏（只读）"
    finally:
        win.close()
    win = window_as(qtbot, demo_db, clock, tmp_path, session.of_account(admin))
    try:
        assert rail(win)[-1] == ADMIN_TITLE and win.admin is not None
        assert win.user_button.text() == "王建国（带班领导、管理员）"
        assert [a.text() for a in win.user_button.menu().actions()] == ["修改密码…", "切换用户…", "注销"]
    finally:
        win.close()


def test_change_password_from_the_window(qt, qtbot, demo_db, clock, tmp_path, with_accounts):
    admin, _officer = with_accounts
    win = window_as(qtbot, demo_db, clock, tmp_path, session.of_account(admin))
    messages: list[str] = []
    win.notify = messages.append

    def fill(dialog: ChangePasswordDialog):
        assert dialog.old.isVisibleTo(dialog)
        dialog.old.setText("not-my-password")
        dialog.new.setText("New-admin-pass-9")
        dialog.new2.setText("New-admin-pass-9")
        dialog.accept()
        assert dialog.error.text() == "原密码不正确"
        dialog.old.setText(ADMIN_PW)
        dialog.accept()
        return dialog.result() == dialog.DialogCode.Accepted

    win.run_dialog = fill
    try:
        win.password_action.trigger()
        assert messages == ["密码已修改，下次登录请使用新密码"]
        assert accounts.authenticate(demo_db, "admin", "New-admin-pass-9", clock).id == admin.id
    finally:
        win.close()


def test_a_system_actor_cannot_change_a_password(qt, qtbot, demo_db, clock, tmp_path):
    win = window_as(qtbot, demo_db, clock, tmp_path, session.system("截图"))
    try:
        assert win.user_button.text().startswith("截图（")
        assert not win.password_action.isEnabled()
    finally:
        win.close()
