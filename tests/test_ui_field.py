"""The board's dispatch widget and the 一个前方指挥部 tab, driven as the duty officer would
(offscreen)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester

from nxcommand import dispatch, field_demo, forward_hq, ledger, teams
from ui.app import make_app
from ui.dispatch_widget import DispatchDialog, DispatchWidget, MomentDialog

from .test_dispatch import ago, counts, depot_item, make_response, team
from .test_forward_hq import add_groups


def drive(widget, fill, attempts: list | None = None):
    """The widget's next dialog runs ``fill(dialog)`` and presses save, again while ``fill``
    returns True; ``attempts`` collects the error shown after each press ('' when saved)."""
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

    widget.run_dialog = run
    return seen


def pick(combo, starts: str) -> None:
    index = next(i for i in range(combo.count()) if combo.itemText(i).startswith(starts))
    combo.setCurrentIndex(index)


@pytest.fixture
def response(demo_db, clock):
    return make_response(demo_db, clock)


@pytest.fixture
def board(qapp, qtbot, demo_db, clock, response):
    make_app()
    messages: list[str] = []
    widget = DispatchWidget(demo_db, clock, messages.append)
    widget.messages = messages
    qtbot.addWidget(widget)
    widget.resize(1300, 500)
    widget.show()
    widget.set_response(response)
    return widget


def fill_order(dialog, place="大兰坑村"):
    dialog.place.setText(place)
    pick(dialog.ordered_by, "张建中")


def test_without_a_response_the_actions_are_off(board):
    board.set_response(None)
    assert board.model.rowCount() == 0 and board.summary.text() == "未选择应急响应"
    assert not any(b.isEnabled() for b in board.buttons.values())


def test_send_a_team_then_it_arrives_and_returns(board, clock):
    db = board.db

    def send(dialog: DispatchDialog):
        pick(dialog.thing, "南雄市三防抢险队")
        dialog.headcount.setValue(30)
        fill_order(dialog)
        assert dialog.town.currentText() == "油山镇"          # the event's town by default
        dialog.expected.check.setChecked(True)

    attempts: list[str] = []
    drive(board, send, attempts)
    board.buttons["派出队伍"].click()
    assert attempts == [""]
    assert board.messages[-1] == "已派出队伍：南雄市三防抢险队 30人 → 油山镇 大兰坑村"
    assert board.model.rowCount() == 1
    row = board.current()
    assert (row["name"], row["status"]) == ("南雄市三防抢险队", "已派出")
    assert board.model.data(board.model.index(0, board.model.STATUS), Qt.ItemDataRole.ForegroundRole).color().name() \
        == "#e65100"
    assert "途中 1 支" in board.summary.text() and "在外 30 人" in board.summary.text()
    assert board.buttons["返回"].isEnabled()           # a recall is allowed before arrival
    assert row["expected_arrival"] == ago(-1)

    clock.advance(minutes=50)
    drive(board, lambda d: None)
    board.buttons["到达"].click()
    assert board.current()["status"] == "在场"
    assert board.model.data(board.model.index(0, board.model.STATUS), Qt.ItemDataRole.ForegroundRole).color().name() \
        == "#2e7d32"
    assert not board.buttons["到达"].isEnabled()
    assert teams.get(db, team(db, "南雄市三防抢险队"))["status"] == "在场"

    clock.advance(hours=2)
    drive(board, lambda d: None)
    board.buttons["返回"].click()
    assert board.current()["status"] == "已返回" and board.messages[-1] == "已登记返回：南雄市三防抢险队"
    assert teams.get(db, team(db, "南雄市三防抢险队"))["status"] == "待命"
    assert not board.buttons["返回"].isEnabled() and not board.buttons["到达"].isEnabled()


def test_a_late_arrival_stands_out(board, clock):
    db = board.db
    dispatch.dispatch_team(db, board.response_id, team(db, "南雄市水上搜救队"),
                           dispatch.DispatchInput(town_id=dispatch.response_row(db, board.response_id)["event_town_id"],
                                                  ordered_by=1, recorded_by="张金龙", dispatched_at=ago(3),
                                                  expected_arrival=ago(1)), clock)
    board.refresh()
    index = board.model.index(0, 1)
    assert board.model.data(index, Qt.ItemDataRole.BackgroundRole).color().name() == "#fde2e1"
    assert board.model.data(index, Qt.ItemDataRole.ToolTipRole) == f"预计 {ago(1)} 到达，尚未到达"


def test_a_supply_beyond_the_stock_keeps_the_dialog_open_with_the_ledgers_message(board):
    db = board.db
    depot, jacket = depot_item(db, "南雄市应急物资储备库", "救生衣")
    book = ledger.stock_balance(db, depot, jacket)
    before = counts(db)
    attempts: list[str] = []

    def fill(dialog: DispatchDialog):
        if not attempts:
            pick(dialog.depot, "南雄市应急物资储备库")
            pick(dialog.thing, "救生衣")
            assert dialog.book.text() == f"{book} 件"
            dialog.quantity.setValue(book + 100)
            fill_order(dialog, "大兰坑村")
            return True
        assert counts(db) == before                       # the refusal wrote nothing
        dialog.quantity.setValue(120)
        return False

    seen = drive(board, fill, attempts)
    board.buttons["调拨物资出库"].click()
    assert attempts[0] == (f"出库被拒绝：南雄市应急物资储备库的“救生衣（成人 浮力≥150N）”账面库存 {book}件，"
                           f"本次出库 {book + 100}件，库存不能为负数")
    assert seen["dialog"].quantity.hasFocus() or seen["dialog"].fields["数量"] is seen["dialog"].quantity
    assert attempts[1] == ""
    assert ledger.stock_balance(db, depot, jacket) == book - 120
    assert board.current()["status"] == "在途"
    assert board.messages[-1] == "已调拨物资出库：救生衣 120件 → 油山镇 大兰坑村"
    assert not board.buttons["返回"].isEnabled()


def test_equipment_and_the_dialog_explains_a_missing_choice(board):
    attempts: list[str] = []

    def fill(dialog: DispatchDialog):
        if not attempts:
            fill_order(dialog)
            return True
        pick(dialog.thing, "冲锋舟")
        return False

    drive(board, fill, attempts)
    board.buttons["派出装备"].click()
    assert attempts == ["请选择装备", ""]
    assert board.current()["name"] == "冲锋舟（南雄市三防抢险队）"


def test_an_ended_response_takes_no_new_dispatch(board, response):
    board.db.execute("UPDATE responses SET status = '已解除', ended_at = ? WHERE id = ?", [ago(0, 5), response])
    board.set_response(response)
    assert not board.buttons["派出队伍"].isEnabled() and not board.buttons["调拨物资出库"].isEnabled()


def test_the_model_passes_the_model_tester(board, clock, qtbot):
    add_groups(board.db, board.response_id, "综合协调组")
    field_demo.load_demo_field(board.db, clock)
    board.refresh()
    assert board.model.rowCount() == 17
    ModelTester(qtbot).check(board.model, force_py=True)
    board.kind_filter.setCurrentIndex(board.kind_filter.findData("物资"))
    assert board.model.rowCount() == 7 and {r["kind"] for r in board.model.rows} == {"物资"}


def test_moment_dialog_refuses_a_time_before_the_dispatch(board, clock):
    db = board.db
    did = dispatch.dispatch_team(db, board.response_id, team(db, "油山镇应急救援队"), dispatch.DispatchInput(
        town_id=dispatch.response_row(db, board.response_id)["event_town_id"], ordered_by=1, recorded_by="张金龙",
        dispatched_at=ago(1)), clock)
    dialog = MomentDialog(db, dispatch.get(db, did), "到达", clock)
    dialog.when.setDateTime(dialog.when.dateTime().addSecs(-2 * 3600))
    dialog.accept()
    assert dialog.error.text() == f"到达时间须晚于派出时间（{ago(1)}）" and not dialog.result()
    forward_hq.hq_id_of(db, board.response_id)      # no HQ needed for dispatch
