"""打印情况汇报 on the response and 打印会商纪要 on a 会商 open the 简报 panel and build that
document, off the GUI thread, into the preview."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from ui.app import make_app
from ui.main_window import MainWindow


@pytest.fixture
def window(qapp, qtbot, full_demo_db, clock, tmp_path):
    make_app()
    win = MainWindow(full_demo_db, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat), clock)
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    yield win
    win.close()


def test_print_brief_from_the_response(window, qtbot):
    panel = window.response
    rid = panel.current_id()
    assert rid is not None and panel.print_brief.isEnabled()
    with qtbot.waitSignal(window.reports.builder.built, timeout=20000) as built:
        panel.print_brief.click()
    assert window.stack.currentWidget() is window.reports
    assert "情况汇报" in built.args[0].title
    assert window.reports.preview.page_count == built.args[0].pages > 1


def test_print_minutes_from_the_selected_meeting(window, qtbot):
    tab = window.response.mechanism
    tab.meetings_view.selectRow(1)
    chosen = tab.meetings_model.row(1)
    assert tab.print_minutes.isEnabled()
    with qtbot.waitSignal(window.reports.builder.built, timeout=20000) as built:
        tab.print_minutes.click()
    assert window.reports.item_key() == str(chosen["id"])
    assert "会商纪要" in built.args[0].title
