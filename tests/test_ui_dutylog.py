"""The 值班日志 panel, driven as a duty officer would (offscreen)."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from nxcommand import dutylog
from nxcommand.dutylog import LogInput, LogQuery
from ui.app import make_app
from ui.log_model import SUMMARY_COLUMN, LogTableModel
from ui.log_panel import DutyLogPanel
from ui.main_window import MainWindow


def type_ime(widget, text: str) -> None:
    """Commit text the way a Chinese input method does (QTest can only type ASCII)."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


@pytest.fixture
def app(qapp):
    return make_app()


@pytest.fixture
def log_db(demo_db, clock):
    dutylog.load_demo_log(demo_db, date(2026, 6, 1), 31, clock)
    return demo_db


@pytest.fixture
def panel(app, qtbot, log_db, clock):
    widget = DutyLogPanel(log_db, clock)
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def when_dialog_opens(callback) -> None:
    """Run ``callback(dialog)`` once the modal dialog is up; never leave it open."""
    def run():
        dialog = QApplication.activeModalWidget()
        try:
            dialog.activateWindow()              # shortcuts such as Ctrl+Enter need it
            for _ in range(100):                 # activation arrives asynchronously
                if QApplication.activeWindow() is dialog:
                    break
                QTest.qWait(10)
            callback(dialog)
        finally:
            if dialog.isVisible():
                dialog.reject()
    QTimer.singleShot(0, run)


def summaries(panel) -> list[str]:
    return [panel.model.record(r)["summary"] for r in range(panel.model.rowCount())]


def test_the_panel_is_on_the_rail(app, qtbot, log_db, clock, tmp_path):
    window = MainWindow(log_db, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat), clock)
    qtbot.addWidget(window)
    titles = [window.rail.item(i).text() for i in range(window.rail.count())]
    window.rail.setCurrentRow(titles.index("值班日志"))
    assert isinstance(window.stack.currentWidget(), DutyLogPanel)
    window.close()                  # stops the window's clocks before the database closes


def test_opens_on_the_newest_entries_with_a_count(panel, log_db):
    total = dutylog.count(log_db)
    assert panel.count_label.text() == f"共 {total} 条记录"
    times = [panel.model.record(r)["logged_at"] for r in range(panel.model.rowCount())]
    assert times == sorted(times, reverse=True) and times[0] <= "2026-07-01 14:20"
    assert panel.current_record()["id"] == panel.model.record(0)["id"]
    assert panel.model.headerData(SUMMARY_COLUMN, Qt.Orientation.Horizontal) == "摘要"


def test_typing_chinese_filters_as_you_type(panel, qtbot, log_db):
    type_ime(panel.search, "滑坡")
    qtbot.waitUntil(lambda: summaries(panel) and all("滑坡" in s for s in summaries(panel)))
    qtbot.keyClick(panel.search, Qt.Key.Key_Down)               # on to the list, keyboard only
    assert panel.table.hasFocus()
    assert panel.count_label.text() == f"共 {dutylog.count(log_db, LogQuery(text='滑坡'))} 条记录"
    panel.town.setCurrentIndex(panel.town.findText("乌迳镇"))
    assert all(panel.model.record(r)["town"] == "乌迳镇" for r in range(panel.model.rowCount()))
    panel.search.clear()
    type_ime(panel.search, "没有这回事")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 0)
    assert panel.count_label.text() == "没有符合条件的记录"
    assert "没有选中的记录" in panel.detail.toPlainText() and not panel.correct_button.isEnabled()
    panel.reset_filters()
    assert panel.model.total == dutylog.count(log_db)


def test_kind_and_date_filters(panel):
    panel.kind.setCurrentIndex(panel.kind.findText("预警"))
    assert {panel.model.record(r)["kind"] for r in range(panel.model.rowCount())} == {"预警"}
    panel.kind.setCurrentIndex(0)
    panel.range.setCurrentIndex(panel.range.findText("今天"))
    assert {panel.model.record(r)["logged_at"][:10] for r in range(panel.model.rowCount())} == {"2026-07-01"}
    assert not panel.date_from.isEnabled()
    panel.range.setCurrentIndex(panel.range.findText("指定日期"))
    assert panel.date_from.isEnabled()
    panel.date_from.setDate(panel.date_to.date().addDays(1))
    assert panel.count_label.text() == "开始日期晚于结束日期，请调整日期范围"


def test_add_an_entry_from_the_keyboard(panel, qtbot, log_db, clock):
    before = dutylog.count(log_db)
    seen = {}

    def fill_and_save(dialog):
        seen["time"] = dialog.logged_at.dateTime().toString("yyyy-MM-dd HH:mm")
        seen["focus"] = dialog.focusWidget() is dialog.summary
        qtbot.keyClick(dialog.summary, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        seen["error"] = dialog.error.text()                    # empty: refused, still open
        type_ime(dialog.summary, "珠玑镇灵潭村报告：村道塌方，已设置警示标志")
        dialog.town.setCurrentIndex(dialog.town.findText("珠玑镇"))
        qtbot.keyClick(dialog.summary, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    when_dialog_opens(fill_and_save)
    panel.add_entry()
    assert seen == {"time": "2026-07-01 14:20", "focus": True, "error": "请填写摘要"}
    assert dutylog.count(log_db) == before + 1
    row = panel.current_record()
    assert (row["summary"], row["town"], row["kind"], row["logged_at"]) == (
        "珠玑镇灵潭村报告：村道塌方，已设置警示标志", "珠玑镇", "来电", "2026-07-01 14:20")
    assert row["recorded_by"] == dutylog.recorders(log_db)[0]
    assert panel.count_label.text() == f"共 {before + 1} 条记录"


def test_correct_an_entry_and_see_both(panel, qtbot, log_db):
    panel.kind.setCurrentIndex(panel.kind.findText("来电"))
    old = next(panel.model.record(r) for r in range(panel.model.rowCount())
               if not panel.model.record(r)["corrected_by"] and not panel.model.record(r)["corrects_id"])
    panel.select_entry(old["id"])
    seen = {}

    def change_and_save(dialog):
        seen["prefilled"] = dialog.summary.toPlainText()
        seen["focus"] = dialog.focusWidget() is dialog.reason
        dialog.summary.setPlainText(old["summary"] + "（更正：来电人电话为13900005678）")
        dialog.accept()                                        # no reason yet: refused
        seen["error"] = dialog.error.text()
        type_ime(dialog.reason, "来电人电话记录有误")
        dialog.accept()

    when_dialog_opens(change_and_save)
    panel.correct_selected()
    assert seen == {"prefilled": old["summary"], "focus": True, "error": "请填写更正原因"}
    new = panel.current_record()
    assert new["corrects_id"] == old["id"] and new["reason"] == "来电人电话记录有误"
    texts = {panel.model.record(r)["id"]: panel.model.data(panel.model.index(r, SUMMARY_COLUMN))
             for r in range(panel.model.rowCount())}
    assert texts[new["id"]].startswith(f"〔更正#{old['id']}〕")
    assert texts[old["id"]].startswith(f"〔已更正，见#{new['id']}〕")       # both stay visible
    assert f"原记录 #{old['id']}（已更正）" in panel.detail.toPlainText()
    panel.select_entry(old["id"])
    assert f"已更正，见#{new['id']}" in panel.detail.toPlainText()
    panel.correct_selected()                       # a corrected entry leads to its correction
    assert panel.current_record()["id"] == new["id"]


def test_scrolling_down_fetches_more_rows(panel, qtbot, log_db):
    total = dutylog.count(log_db)
    assert total > 2 * dutylog.PAGE_SIZE
    assert panel.model.rowCount() == dutylog.PAGE_SIZE and panel.model.canFetchMore()
    bar = panel.table.verticalScrollBar()
    for _ in range(10):
        bar.setValue(bar.maximum())
        qtbot.wait(10)
    assert panel.model.rowCount() == total and not panel.model.canFetchMore()
    ids = [panel.model.record(r)["id"] for r in range(total)]
    assert len(set(ids)) == total


def test_model_passes_qt_model_tester(app, log_db, qtmodeltester):
    model = LogTableModel(log_db, page_size=20)
    model.set_query(LogQuery(text="火"))
    qtmodeltester.check(model)
    model.fetchMore()
    qtmodeltester.check(model)


def test_model_loads_pages_not_everything(app, log_db, clock):
    with log_db.atomic():
        for i in range(300):
            dutylog.append(log_db, LogInput("2026-06-15 10:00", "备忘", f"巡查记录{i}", "张金龙"), clock)
    model = LogTableModel(log_db, page_size=50)
    model.set_query(LogQuery(text="巡查记录"))
    assert (model.total, model.rowCount()) == (300, 50)
    model.fetchMore()
    assert model.rowCount() == 100
