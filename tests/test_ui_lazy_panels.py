"""The main window paints with only 值班台 built; every other panel is built the first time
its rail entry is chosen or code asks for it, and then behaves as if it had always been there."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from ui.app import make_app
from ui.main_window import ADMIN_TITLE, MainWindow

ALL = ["值班台", "接报与事件", "预警", "应急响应", "通讯录", "值班表", "值班日志", "资源", "预案", "简报",
       ADMIN_TITLE]


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def open_window(qtbot, db, settings, clock) -> MainWindow:
    make_app()
    win = MainWindow(db, settings, clock)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


@pytest.fixture
def window(qtbot, demo_db, clock, settings):
    win = open_window(qtbot, demo_db, settings, clock)
    yield win
    win.close()


def choose(window: MainWindow, title: str):
    window.rail.setCurrentRow([window.rail.item(i).text() for i in range(window.rail.count())].index(title))
    return window.stack.currentWidget()


def test_only_the_desk_is_built_when_the_window_first_shows(window):
    assert window.built_panels() == ["值班台"]
    assert [window.rail.item(i).text() for i in range(window.rail.count())] == ALL
    assert window.stack.count() == len(ALL)
    assert window.stack.currentWidget() is window.desk and window.desk.isVisible()


def test_choosing_an_entry_builds_it_and_shows_it_laid_out_with_its_data(window, qtbot):
    panel = choose(window, "通讯录")
    assert window.built_panels() == ["值班台", "通讯录"]
    assert panel is window.directory                   # the attribute is the panel shown
    qtbot.waitUntil(panel.table.isVisible)
    assert panel.isVisible() and not window.desk.isVisible()
    assert panel.geometry() == window.stack.rect()     # fills the page, not a 0×0 corner
    assert panel.model.rowCount() > 10
    assert panel.table.viewport().height() > 100

    resources = choose(window, "资源")
    qtbot.waitUntil(resources.tabs.isVisible)
    assert resources.isVisible() and not panel.isVisible()
    assert resources.geometry() == window.stack.rect()
    assert window.built_panels() == ["值班台", "通讯录", "资源"]

    assert choose(window, "通讯录") is panel              # built once, kept
    assert panel.isVisible()

    admin = choose(window, ADMIN_TITLE)
    qtbot.waitUntil(admin.tabs.isVisible)
    assert admin is window.admin and admin.accounts.isVisible()


def test_code_asking_for_a_panel_builds_it_wired_as_before(qtbot, full_demo_db, clock, settings):
    window = open_window(qtbot, full_demo_db, settings, clock)    # a county with a response
    response = window.response
    assert "应急响应" in window.built_panels() and "简报" not in window.built_panels()
    assert not response.isVisible()                     # built, not chosen
    assert window.stack.indexOf(response) == ALL.index("应急响应")
    assert response.open_report == window.open_report == response.mechanism.open_report
    assert window.warnings.start_response == window.start_response_from_warning
    assert window.stack.widget(ALL.index("值班日志")) is window.log     # asking the stack too

    with qtbot.waitSignal(window.reports.builder.built, timeout=20000):
        response.print_brief.click()                   # 打印情况汇报 opens 简报, built meanwhile
    assert window.stack.currentWidget() is window.reports and window.reports.isVisible()
    assert window.rail.currentRow() == ALL.index("简报")
    assert window.reports.preview.page_count > 1
    window.close()


def test_closing_builds_nothing_and_keeps_the_directory_state_it_never_loaded(qtbot, demo_db, clock, settings):
    settings.setValue("directory/columns", b"kept as it was")
    window = open_window(qtbot, demo_db, settings, clock)
    window.close()
    assert window.built_panels() == ["值班台"]
    assert settings.value("directory/columns") == b"kept as it was"
    assert settings.value("main/geometry") is not None


def test_directory_header_state_round_trips_through_a_window_that_never_opened_it(
        qtbot, demo_db, clock, settings):
    first = open_window(qtbot, demo_db, settings, clock)
    header = first.directory.table.horizontalHeader()
    choose(first, "通讯录")
    header.resizeSection(0, 233)
    first.close()

    second = open_window(qtbot, demo_db, settings, clock)   # the directory is never opened
    second.close()
    assert "通讯录" not in second.built_panels()

    third = open_window(qtbot, demo_db, settings, clock)
    choose(third, "通讯录")
    assert third.directory.table.horizontalHeader().sectionSize(0) == 233
    third.close()
