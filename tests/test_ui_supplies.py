"""The 应急物资 tab driven as a storekeeper would (offscreen)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester

from nxcommand import ledger, supplies
from ui.app import make_app
from ui.supplies_dialogs import DepotDialog, ItemDialog, MovementDialog, StockTermsDialog
from ui.supplies_tab import SuppliesTab


@pytest.fixture
def tab(qapp, qtbot, demo_db, clock):
    make_app()
    messages: list[str] = []
    widget = SuppliesTab(demo_db, clock, messages.append)
    widget.messages = messages
    qtbot.addWidget(widget)
    widget.resize(1300, 800)
    widget.show()
    return widget


def drive(tab, fill, attempts: list | None = None):
    """Make the tab's next dialog run ``fill(dialog)`` and press save (as often as ``fill``
    asks by returning True); returns the dialog."""
    seen = {}

    def run(dialog):
        seen["dialog"] = dialog
        again = True
        while again:
            again = bool(fill(dialog))
            dialog.accept()
            if attempts is not None:
                attempts.append("" if dialog.error.isHidden() or dialog.result() else dialog.error.text())
        return dialog.result() == dialog.DialogCode.Accepted

    tab.run_dialog = run
    return seen


def select(tab, depot: str, name: str) -> dict:
    row = next(n for n, r in enumerate(tab.model.rows) if r["depot"] == depot and r["name"] == name)
    tab.select_row(row)
    return tab.current_record()


def shown(tab, row: int, column: int, role=Qt.ItemDataRole.DisplayRole):
    return tab.model.data(tab.model.index(row, column), role)


def test_models_pass_the_model_tester(tab, qtbot):
    ModelTester(qtbot).check(tab.model)
    select(tab, "珠玑镇应急物资储备点", "救生衣")
    ModelTester(qtbot).check(tab.history)


def test_the_table_highlights_shortages_and_dates(tab):
    assert tab.count_label.text() == "共 54 条库存记录，3 条低于最低库存"
    record = select(tab, "帽子峰镇应急物资储备点", "风力灭火机")
    row = tab.table.currentIndex().row()
    assert (shown(tab, row, 5), shown(tab, row, 6)) == ("16", "20")
    assert shown(tab, row, 5, Qt.ItemDataRole.ForegroundRole).color().name() == "#c62828"
    assert "低于最低库存 20台" in shown(tab, row, 0, Qt.ItemDataRole.ToolTipRole)
    select(tab, "雄兴百货超市代储点", "瓶装饮用水")
    row = tab.table.currentIndex().row()
    assert shown(tab, row, 7, Qt.ItemDataRole.BackgroundRole).color().name() == "#fff1cc"   # due in 19 days
    assert shown(tab, row, 8, Qt.ItemDataRole.BackgroundRole).color().name() == "#fde2e1"   # rotation past
    assert shown(tab, row, 5, Qt.ItemDataRole.BackgroundRole) is None
    assert record["below"]


def test_filters_tree_depot_shortage_and_expiry(tab, qtbot):
    tab.select_code("2030000")
    assert {r["name"] for r in tab.model.rows} == {"风力灭火机", "二号工具"}
    assert tab.tree.currentItem().text(1) == "5"
    tab.depot_filter.setCurrentIndex(tab.depot_filter.findText("帽子峰镇应急物资储备点"))
    assert [r["name"] for r in tab.model.rows] == ["风力灭火机", "二号工具"]
    tab.select_code("")          # 全部物资
    tab.below_only.setChecked(True)
    assert [r["name"] for r in tab.model.rows] == ["风力灭火机"]
    tab.below_only.setChecked(False)
    tab.depot_filter.setCurrentIndex(0)
    tab.expiring.setChecked(True)
    assert sorted(r["name"] for r in tab.model.rows) == ["救生衣", "瓶装饮用水"]
    tab.expiring.setChecked(False)
    qtbot.keyClicks(tab.search, "jiu")     # no pinyin search here: nothing
    qtbot.waitUntil(lambda: tab.count_label.text() == "没有符合条件的库存记录")
    tab.search.clear()
    tab.search.insert("编织袋")
    qtbot.waitUntil(lambda: len(tab.model.rows) == 5)


def test_refused_issue_keeps_the_dialog_open_then_a_valid_one_is_recorded(tab):
    select(tab, "珠玑镇应急物资储备点", "救生衣")
    attempts: list[str] = []

    def fill(dialog: MovementDialog):
        if not attempts:
            assert dialog.book.text() == "70 件"
            assert dialog.who.currentText().startswith("朱文斌")      # the depot's keeper
            dialog.quantity.setValue(100)
            dialog.reason.setText("灵潭村二次转移")
            dialog.ref.setText("珠玑镇强降雨转移")
            return True                          # save, then fix and save again
        dialog.quantity.setValue(20)
        return False

    seen = drive(tab, fill, attempts)
    tab.buttons["出库"].click()
    assert attempts[0] == ("出库被拒绝：珠玑镇应急物资储备点的“救生衣（成人 浮力≥150N）”账面库存 70件，"
                           "本次出库 100件，库存不能为负数")
    assert seen["dialog"].fields["数量"] is seen["dialog"].quantity
    assert attempts[1] == ""
    record = tab.current_record()
    assert (record["depot"], record["name"], record["quantity"]) == ("珠玑镇应急物资储备点", "救生衣", 50)
    assert tab.history.rowCount() == 4
    assert tab.history.cells(tab.history.record(0))[1:4] == ("出库", "-20", 50)
    assert tab.messages[-1] == "已登记出库：珠玑镇应急物资储备点 救生衣，结存 50件"
    assert ledger.verify(tab.db) == []


def test_reason_is_required(tab):
    select(tab, "南雄市应急物资储备库", "棉被")
    attempts: list[str] = []
    drive(tab, lambda d: (d.quantity.setValue(10), len(attempts) == 0)[1], attempts)
    tab.buttons["入库"].click()
    assert attempts[0] == "请填写事由"
    assert attempts[-1] == "请填写事由"      # still refused: the dialog stays open
    assert len(attempts) == 2


def test_transfer_moves_both_balances(tab):
    select(tab, "南雄市应急物资储备库", "编织袋")

    def fill(dialog: MovementDialog):
        dialog.to_depot.setCurrentIndex(dialog.to_depot.findText("松木塘村应急物资储备点"))
        dialog.quantity.setValue(500)
        dialog.reason.setText("汛前补充村储备点")

    drive(tab, fill)
    tab.buttons["调拨"].click()
    assert tab.current_record()["quantity"] == 41500
    village = select(tab, "松木塘村应急物资储备点", "编织袋")
    assert village["quantity"] == 1500
    assert tab.history.cells(tab.history.record(0))[1:] == (
        "调入", "+500", 1500, "谢惠珍", "汛前补充村储备点", "由 南雄市应急物资储备库 调入")


def test_stocktake_records_the_difference(tab):
    select(tab, "岭背村应急物资储备点", "雨靴")

    def fill(dialog: MovementDialog):
        assert dialog.quantity.value() == 30              # starts at the book quantity
        dialog.quantity.setValue(27)
        dialog.reason.setText("盘亏 3 双（老化破损）")

    drive(tab, fill)
    tab.buttons["盘点"].click()
    assert tab.current_record()["quantity"] == 27
    assert tab.history.cells(tab.history.record(0))[1:4] == ("盘点", "-3", 27)
    assert tab.history.cells(tab.history.record(0))[6] == "账面 30，实盘 27"


def test_register_an_item_then_receive_it(tab):
    def fill_item(dialog: ItemDialog):
        dialog.code.setText("2040303")
        assert dialog.path.text() == "应急装备及配套物资 › 动力照明装备 › 照明设备 › 头灯手电"
        dialog.name.setText("头灯")
        dialog.spec.setText("锂电")
        dialog.unit.setCurrentText("只")

    drive(tab, fill_item)
    tab.item_button.click()
    assert supplies.find_item(tab.db, "2040303", "头灯", "锂电")

    def fill_move(dialog: MovementDialog):
        dialog.depot.setCurrentIndex(dialog.depot.findText("乌迳镇应急物资储备点"))
        dialog.item.setCurrentIndex(dialog.item.findText("头灯（锂电）  [2040303·只]"))
        dialog.quantity.setValue(40)
        dialog.reason.setText("政府采购")

    tab.table.clearSelection()
    drive(tab, fill_move)
    tab.buttons["入库"].click()
    record = tab.current_record()
    assert (record["name"], record["depot"], record["quantity"]) == ("头灯", "乌迳镇应急物资储备点", 40)


def test_item_dialog_explains_a_bad_code(tab, qtbot):
    dialog = ItemDialog(tab.db, tab.clock, tab)
    qtbot.addWidget(dialog)
    dialog.code.setText("1010100")
    assert "须为第4级" in dialog.path.text()
    dialog.name.setText("帐篷")
    dialog.unit.setCurrentText("顶")
    dialog.accept()
    assert not dialog.error.isHidden() and "须为第4级" in dialog.error.text()


def test_stock_settings_change_minimum_and_dates_not_quantity(tab):
    select(tab, "帽子峰镇应急物资储备点", "风力灭火机")

    def fill(dialog: StockTermsDialog):
        dialog.minimum.setValue(15)
        dialog.has_expiry.setChecked(True)

    drive(tab, fill)
    tab.terms_button.click()
    record = tab.current_record()
    assert (record["quantity"], record["minimum"], record["below"], record["expiry_date"]) == (16, 15, 0, "2027-01-01")
    assert tab.count_label.text() == "共 54 条库存记录，2 条低于最低库存"


def test_add_a_depot(tab):
    def fill(dialog: DepotDialog):
        dialog.name.setText("界址镇应急物资储备点")
        dialog.level.setCurrentText("乡镇级")
        dialog.accept()
        assert "乡镇级储备库须选择所在镇" in dialog.error.text()
        dialog.town.setCurrentIndex(dialog.town.findText("界址镇"))

    drive(tab, fill)
    tab.depot_button.click()
    assert tab.depot_filter.findText("界址镇应急物资储备点") > 0
    depot = supplies.get_depot(tab.db, supplies.find_depot(tab.db, "界址镇应急物资储备点"))
    assert (depot["level"], depot["town"]) == ("乡镇级", "界址镇")


def test_the_tree_opens_with_level_two_in_view(tab):
    level1 = tab.tree.topLevelItem(0).child(1)
    assert level1.text(0) == "2000000 应急装备及配套物资" and level1.isExpanded()
    assert level1.child(2).text(0) == "2030000 森林灭火装备"
    assert not level1.child(2).isExpanded()
