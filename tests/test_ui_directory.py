"""The main window and the directory panel, driven as a duty officer would (offscreen)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QFontInfo, QFontMetrics, QGuiApplication, QInputMethodEvent
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel, QPushButton

from nxcommand import contacts
from nxcommand.store import open_db
from ui.app import make_app
from ui.contact_dialog import ContactDialog
from ui.contact_model import CACHE_LIMIT, ContactTableModel
from ui.fonts import register_fonts
from ui.main_window import MainWindow


@pytest.fixture
def app(qapp):
    return make_app()


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(app, qtbot, demo_db, clock, settings):
    win = MainWindow(demo_db, settings, clock)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()                     # stops its clocks before the database fixture closes


def type_ime(widget, text: str) -> None:
    """Commit text the way a Chinese input method does (QTest can only type ASCII)."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def names(panel) -> list[str]:
    return [panel.model.record(r)["name"] for r in range(panel.model.rowCount())]


def test_title_and_status_bar(window):
    assert "南雄市（演示数据）" in window.windowTitle()
    assert window.clock_label.text() == "2026-07-01 14:20:00 星期三"
    assert window.shift_label.text() == "当前时段没有排班"     # the test county has no roster
    assert "演示" in window.db_label.text() and "演示数据" in window.db_label.toolTip()
    assert [window.rail.item(i).text() for i in range(window.rail.count())] == [
        "值班台", "接报与事件", "预警", "应急响应", "通讯录", "值班表", "值班日志", "资源", "预案", "简报",
        "系统管理"]                                       # the tests' actor holds 管理员


def test_typing_initials_finds_the_person(window, qtbot):
    panel = window.directory
    qtbot.keyClicks(panel.search, "zjz")
    qtbot.waitUntil(lambda: names(panel)[:1] == ["张建中"])
    assert panel.card.name.text() == "张建中"
    assert panel.card.mobile.text() == "13900000001"
    QGuiApplication.clipboard().clear()
    duty_key, duty_label, duty_button = panel.card.numbers[2]
    duty_button.click()                                     # the unit's duty phone, one click
    assert QGuiApplication.clipboard().text() == duty_label.text() == "0751-5550001"
    assert panel.count_label.text() == f"共 {panel.model.rowCount()} 人"


def test_enter_copies_the_number(window, qtbot):
    panel = window.directory
    type_ime(panel.search, "张建中")
    qtbot.keyClick(panel.search, Qt.Key.Key_Down)
    assert panel.table.hasFocus()
    QGuiApplication.clipboard().clear()
    qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    assert QGuiApplication.clipboard().text() == "13900000001"
    assert "已复制 张建中 的手机：13900000001" in window.statusBar().currentMessage()
    qtbot.keyClick(panel.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "13900000001"


def test_phone_digits_and_no_match(window, qtbot):
    panel = window.directory
    type_ime(panel.search, "０７５１－５５５１００１")   # typed in full width
    qtbot.waitUntil(lambda: names(panel) == ["张建中"])
    panel.search.clear()
    type_ime(panel.search, "查无此人")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 0)
    assert panel.count_label.text() == "没有找到匹配的联系人"
    assert panel.card.name.text() == "未选择联系人" and not panel.copy_button.isEnabled()


def test_town_and_unit_filters(window):
    panel = window.directory
    panel.town_filter.setCurrentIndex(panel.town_filter.findText("乌迳镇"))
    towns = {panel.model.record(r)["town"] for r in range(panel.model.rowCount())}
    assert towns == {"乌迳镇"}
    panel.town_filter.setCurrentIndex(0)
    panel.org_filter.setCurrentIndex(panel.org_filter.findText("南雄市应急管理局"))
    orgs = {panel.model.record(r)["org"] for r in range(panel.model.rowCount())}
    assert orgs == {"市应急管理局"}


def _fill(dialog, *, name, org, mobile):
    dialog.name.setText(name)
    dialog.org.setCurrentIndex(dialog.org.findText(org))
    dialog.mobile.setText(mobile)


def test_contact_form_refuses_bad_input_and_keeps_it(app, qtbot, demo_db, clock):
    before = contacts.count(demo_db)
    dialog = ContactDialog(demo_db, None, clock)
    qtbot.addWidget(dialog)
    _fill(dialog, name="陈小兵", org="南雄市应急管理局", mobile="1390000")
    dialog.roles.item(1).setCheckState(Qt.CheckState.Checked)
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save).click()
    assert dialog.error.isVisibleTo(dialog) and "不是有效的手机号码" in dialog.error.text()
    assert dialog.result() == 0 and contacts.count(demo_db) == before
    assert dialog.name.text() == "陈小兵"                      # nothing the officer typed is lost
    dialog.mobile.setText("139 0000 7777")
    dialog.accept()
    assert dialog.result() == 1
    saved = contacts.get(demo_db, dialog.saved_id)
    assert saved["mobile"] == "13900007777" and saved["roles"] == "值班员"


def test_add_edit_and_retire_from_the_panel(window, qtbot):
    panel = window.directory

    def fill_and_save():
        dialog = QApplication.activeModalWidget()
        _fill(dialog, name="黎明远", org="南雄市水务局", mobile="13900006666")
        dialog.accept()

    QTimer.singleShot(0, fill_and_save)
    panel.add_contact()
    assert panel.current_record()["name"] == "黎明远"

    def change_post():
        dialog = QApplication.activeModalWidget()
        dialog.post.setText("防汛值守员")
        dialog.accept()

    QTimer.singleShot(0, change_post)
    panel.edit_selected()
    assert panel.current_record()["post"] == "防汛值守员"

    panel.ask_retire_reason = lambda name: "调离"
    panel.retire_button.click()
    panel.search.setText("黎明远")
    panel.run_query()
    assert panel.model.rowCount() == 0
    panel.retired.setChecked(True)
    assert panel.model.rowCount() == 1
    assert panel.model.data(panel.model.index(0, 0)) == "黎明远（已停用）"
    assert panel.retire_button.text() == "恢复"


def test_geometry_is_remembered(app, qtbot, demo_db, clock, settings):
    first = MainWindow(demo_db, settings, clock)
    qtbot.addWidget(first)
    first.show()
    size = (first.minimumSizeHint().width() + 4, 610)   # fits the 800 x 800 offscreen screen
    assert size[0] < 800
    first.resize(*size)
    first.close()
    second = MainWindow(demo_db, settings, clock)
    qtbot.addWidget(second)
    second.show()
    assert (second.width(), second.height()) == size


def test_model_passes_qt_model_tester(app, demo_db, qtmodeltester):
    model = ContactTableModel(demo_db)
    model.set_query(contacts.Query(text="应急"))
    qtmodeltester.check(model)


def test_model_stays_lazy_with_100000_contacts(app, qtbot, tmp_path):
    db = open_db(tmp_path / "big.db", create=True)
    db.execute("INSERT INTO organizations (id, name, kind) VALUES (1, '测试单位', '政府部门')")
    with db.atomic():
        db.execute("""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
            INSERT INTO people (name, org_id, post, mobile, sort_key, search_key, created_at, updated_at)
            SELECT '测试' || i, 1, '科员', printf('137%08d', i), printf('ceshi%06d', i),
                   '测试 ceshi cs|' || printf('137%08d', i), '2026-01-01', '2026-01-01' FROM n""")
    model = ContactTableModel(db)
    model.set_query(contacts.Query())
    assert model.rowCount() == 100_000
    assert model.record(99_999)["mobile"] == "13700100000"
    for row in range(0, 100_000, 997):                       # a long scroll through the list
        model.data(model.index(row, 0))
    assert len(model._cache) <= CACHE_LIMIT
    model.set_query(contacts.Query(text="13700012345"))
    assert model.rowCount() == 1
    db.close()


def test_window_text_is_drawn_with_the_shipped_font(window, app):
    families = register_fonts()
    assert QFontInfo(app.font()).family() == families.sans
    metrics = QFontMetrics(app.font())
    texts = [window.windowTitle(), window.directory.search.placeholderText()]
    texts += [w.text() for w in window.findChildren(QLabel) + window.findChildren(QPushButton)]
    texts += [window.rail.item(i).text() for i in range(window.rail.count())]
    model = window.directory.model
    texts += [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    chars = {ch for text in texts for ch in text if ord(ch) > 0x7E}
    assert len(chars) > 50
    assert [ch for ch in sorted(chars) if not metrics.inFontUcs4(ord(ch))] == []


def test_directory_excel_import_shows_the_dry_run_first(window, tmp_path):
    """导入Excel…: a file with a bad row is shown, 导入 stays disabled and nothing changes;
    a clean file is imported after review and the list refreshes."""
    from .test_xlsx import GOOD, bureau_sheet

    panel = window.directory
    reviewed = []

    def review(report):
        reviewed.append(report)
        return True                          # the officer presses 导入 (only possible when ok)

    bar = panel.excel
    bar.review = review
    before = panel.model.rowCount()
    bar.choose_open = lambda: str(bureau_sheet(tmp_path / "bad.xlsx", GOOD + [("王五", "无此单位", "", "13907519999", "")]))
    bar.import_file()
    assert reviewed[-1].errors and str(reviewed[-1].errors[0]).startswith("第 6 行：找不到单位")
    assert panel.model.rowCount() == before
    bar.choose_open = lambda: str(bureau_sheet(tmp_path / "good.xlsx", GOOD))
    bar.import_file()
    assert reviewed[-1].ok
    assert panel.model.rowCount() == before + 2
    out = tmp_path / "导出.xlsx"
    bar.choose_save = lambda name: str(out)
    bar.export_file()
    assert out.exists()
