"""The console greys out the write buttons the signed-in account may not use, naming the action
and the roles that may (ui.guard); the services refuse regardless."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QPushButton

from nxcommand import permissions, session
from ui.app import make_app
from ui.guard import guard, refusal
from ui.main_window import MainWindow
from ui.register_tab import RegisterTab

READER = session.Actor("reader", "只读甲", frozenset({"只读"}), account_id=7)
OFFICER = session.Actor("duty", "值班员甲", frozenset({"值班员"}), account_id=9)


@pytest.fixture
def app():
    return make_app()


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def _window(qtbot, db, settings, clock) -> MainWindow:
    win = MainWindow(db, settings, clock)
    qtbot.addWidget(win)
    return win


def _by_text(widget, text: str) -> QPushButton:
    found = [b for b in widget.findChildren(QPushButton) if b.text() == text]
    assert found, text
    return found[0]


def primaries(win: MainWindow) -> list[tuple[str, QPushButton, str]]:
    """The always-enabled write buttons guarded once: (where, button, action)."""
    desk, log, directory = win.desk, win.panel("值班日志"), win.directory
    warnings, resp, plans = win.panel("预警"), win.response, win.panel("预案")
    rows = [(f"值班台 {text}", button, "接报登记" if text in ("接报登记 (F3)", "更新伤亡", "结束事件", "登记批示",
                                                          "落实情况")
             else "交接班" if text == "交接班" else "值班记录") for text, button in desk.guarded.items()]
    rows += [("值班日志 新增记录", log.add_button, "值班记录"),
             ("通讯录 新增", directory.add_button, "维护通讯录"),
             ("预警 发布预警", warnings.buttons["issue"], "预警登记"),
             ("预警 转发气象信号", warnings.buttons["relay"], "预警登记"),
             ("应急响应 启动响应", resp.actions["启动响应…"], "启动响应"),
             ("预案 新增预案", _by_text(plans, "新增预案"), "编辑预案"),
             ("预案 新增工作组", _by_text(plans, "新增工作组"), "编辑预案")]
    resources = win.resources
    for title, _factory in resources.factories:
        tab = resources.tab(title)
        if isinstance(tab, RegisterTab):
            adds = [b for b in tab.findChildren(QPushButton) if b.text().startswith("新增")]
            assert adds, title
            rows += [(f"资源 {title} {b.text()}", b, "管理资源登记") for b in adds]
    return rows


def by_selection(win: MainWindow) -> list[tuple[str, QPushButton, str]]:
    """Write buttons the panels enable by selection, ANDed with the permission."""
    log, directory, warnings, resp = win.panel("值班日志"), win.directory, win.panel("预警"), win.response
    plans = win.panel("预案")
    rows = [("值班日志 更正", log.correct_button, "值班记录"),
            ("通讯录 编辑", directory.edit_button, "维护通讯录"),
            ("通讯录 停用", directory.retire_button, "维护通讯录"),
            ("预警 调整", warnings.buttons["adjust"], "预警登记"),
            ("预警 解除", warnings.buttons["lift"], "预警登记"),
            ("预警 据此启动预案", warnings.buttons["start"], "启动响应")]
    rows += [(f"应急响应 {t}", resp.actions[t], "调整响应级别") for t in ("提级…", "降级…", "解除响应…")]
    rows += [(f"调度 {name}", resp.board.dispatch.buttons[name], "调度派遣")
             for name in ("派出队伍", "派出装备", "调拨物资出库", "到达", "返回")]
    rows += [("指挥看板 下达指令", resp.board.buttons["下达指令…"], "下达指令"),
             ("指挥看板 签收", resp.board.buttons["签收…"], "跟踪落实")]
    rows += [(f"预案 {b.text()}", b, "编辑预案") for b in plans.plan_buttons + plans.level_edit_buttons]
    return rows


def test_the_tooltip_names_the_action_and_who_may():
    assert refusal("启动响应") == "无权启动响应：仅限带班领导、指挥长"
    assert refusal("编辑预案") == "无权编辑预案：仅限带班领导、管理员"


def test_guard_leaves_an_allowed_button_alone(app, full_demo_db):
    button = QPushButton("x")
    assert guard(button, full_demo_db, "启动响应") is True
    assert button.isEnabled() and button.toolTip() == ""
    with session.acting(full_demo_db, OFFICER):
        assert guard(button, full_demo_db, "启动响应") is False
    assert not button.isEnabled() and button.toolTip() == refusal("启动响应")


def test_a_read_only_account_sees_every_write_button_grey(app, qtbot, full_demo_db, settings, clock):
    with session.acting(full_demo_db, READER):
        win = _window(qtbot, full_demo_db, settings, clock)
        rows = primaries(win) + by_selection(win)
        win.panel("值班日志").select_row(0)                 # a selection does not enable them
        for where, button, action in rows:
            assert not button.isEnabled(), where
            tip = button.toolTip()
            assert tip == f"无权{action}：仅限{'、'.join(permissions.roles_for(action))}", (where, tip)


def test_an_officer_records_but_does_not_start_a_response(app, qtbot, full_demo_db, settings, clock):
    with session.acting(full_demo_db, OFFICER):
        win = _window(qtbot, full_demo_db, settings, clock)
        log = win.panel("值班日志")
        assert log.add_button.isEnabled() and log.add_button.toolTip() == ""
        assert win.desk.intake_button.isEnabled()
        start = win.response.actions["启动响应…"]
        assert not start.isEnabled() and start.toolTip() == refusal("启动响应")
        assert not win.response.board.buttons["下达指令…"].isEnabled()
        assert not win.panel("预案").add_buttons[0].isEnabled()
        assert win.directory.add_button.isEnabled()


def test_the_default_tester_has_every_guarded_button(app, qtbot, full_demo_db, settings, clock):
    win = _window(qtbot, full_demo_db, settings, clock)
    for where, button, _action in primaries(win):
        assert button.isEnabled(), where
        assert not button.toolTip().startswith("无权"), where
    log = win.panel("值班日志")
    if log.model.rowCount():
        log.select_row(0)
        assert log.correct_button.isEnabled()
    assert all(win.response.board.may.values()) and win.response.can_change and win.panel("预案").can_edit
