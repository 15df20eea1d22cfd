"""The board's dispatch widget and the 一个前方指挥部 tab, driven as the duty officer would
(offscreen)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester

from nxcommand import dispatch, field_demo, forward_hq, ledger, teams
from ui.app import make_app
from ui.dispatch_widget import DispatchDialog, DispatchWidget, MomentDialog
from ui.forward_hq_tab import ForwardHQTab

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


# ------------------------------------------------------------------ the forward-HQ tab

@pytest.fixture
def hq_tab(qapp, qtbot, demo_db, clock, response):
    make_app()
    messages: list[str] = []
    widget = ForwardHQTab(demo_db, clock, messages.append)
    widget.messages = messages
    qtbot.addWidget(widget)
    widget.resize(1300, 860)
    widget.show()
    widget.set_response(response)
    return widget


def test_set_up_the_hq_then_it_shows_with_the_acting_commander(hq_tab, clock):
    tab = hq_tab
    db = tab.db
    assert tab.stack.currentIndex() == 0 and tab.buttons["开设前方指挥部"].isEnabled()
    assert tab.setup_text.text() == "该响应尚未开设前方指挥部。每个响应只设一个前方指挥部。"
    attempts: list[str] = []

    def fill(dialog):
        w = dialog.widgets
        if not attempts:
            assert w["所在镇（街道）"].currentText() == "油山镇"
            w["具体地点"].setText("油山镇政府大院")
            w["经度"].setValue(113.2)
            w["纬度"].setValue(24.95)
            return True
        w["经度"].setValue(114.386)
        return False

    drive(tab, fill, attempts)
    tab.buttons["开设前方指挥部"].click()
    assert attempts[0].startswith("坐标（113.2, 24.95）离油山镇") and attempts[1] == ""
    assert tab.stack.currentIndex() == 1
    assert "油山镇 油山镇政府大院（114.3860, 24.9500）" in tab.location.text()
    assert tab.messages[-1] == "已开设前方指挥部：油山镇 油山镇政府大院"
    assert "未任命" in tab.commander.text()
    assert tab.link_badge.text() == "与指挥中心：未建立"
    assert [tab.tiles.itemAt(i).widget().property("status") for i in range(4)] == ["无"] * 4

    did = dispatch.dispatch_team(db, tab.response_id, team(db, "油山镇应急救援队"), dispatch.DispatchInput(
        town_id=dispatch.response_row(db, tab.response_id)["event_town_id"], ordered_by=1, recorded_by="张金龙",
        dispatched_at=ago(2)), clock)
    dispatch.mark_arrived(db, did, ago(1), recorded_by="张金龙", clock=clock)
    tab.refresh()
    assert "现场指挥官（代行）" in tab.commander.text() and "首个到场单位油山镇应急救援队负责人代行" in tab.commander.text()
    assert tab.scene_model.rowCount() == 1

    drive(tab, lambda d: pick(d.widgets["现场指挥官"], "田立新"))
    tab.buttons["任命现场指挥官"].click()
    assert "现场指挥官：<b>田立新</b>" in tab.commander.text() and "代行" not in tab.commander.text()


@pytest.fixture
def live_tab(hq_tab, clock):
    add_groups(hq_tab.db, hq_tab.response_id, "综合协调组", "抢险救援组", "转移安置组", "新闻宣传组")
    field_demo.load_demo_field(hq_tab.db, clock)
    hq_tab.refresh()
    return hq_tab


def test_the_demo_hq_as_a_console(live_tab):
    tab = live_tab
    assert [tab.tiles.itemAt(i).widget().property("status") for i in range(4)] == ["在线", "在线", "在线", "故障"]
    assert tab.link_badge.text().startswith("与指挥中心：连通")
    assert [r["side"] for r in tab.deputy_model.rows] == ["解放军", "武警", "地方"]
    assert [tab.group_model.cell(r, 3) for r in tab.group_model.rows] == [
        tab.group_model.rows[0]["present"][5:], tab.group_model.rows[1]["present"][5:],
        tab.group_model.rows[2]["present"][5:], "未进驻"]
    assert tab.link_model.data(tab.link_model.index(1, 0), Qt.ItemDataRole.ForegroundRole).color().name() == "#c62828"
    assert tab.scene_model.rowCount() == 8            # five teams and three equipment items on scene
    assert not tab.buttons["链路恢复"].isEnabled() and tab.buttons["链路中断"].isEnabled()
    for model in (tab.deputy_model, tab.group_model, tab.scene_model, tab.link_model):
        assert model.rowCount() > 0


def test_link_down_a_second_deputy_refused_and_a_kit_fault(live_tab, clock):
    tab = live_tab
    clock.advance(minutes=5)
    drive(tab, lambda d: d.widgets["说明"].setText("前指断电"))
    tab.buttons["链路中断"].click()
    assert tab.link_badge.text() == "与指挥中心：中断（自 07-01 14:25）"
    assert tab.buttons["链路恢复"].isEnabled() and not tab.buttons["链路中断"].isEnabled()
    assert tab.messages[-1] == "已登记与指挥中心链路中断"

    attempts: list[str] = []

    def deputy(dialog):
        if not attempts:
            dialog.widgets["所属方面"].setCurrentText("武警")
            pick(dialog.widgets["副指挥"], "李晓军")
            return True
        return False

    drive(tab, deputy, attempts)
    tab.buttons["增加副指挥"].click()
    assert attempts[0] == "武警方面已有副指挥（薛焕章），武警只可派一名副指挥"
    assert len(tab.deputy_model.rows) == 3

    def fault(dialog):
        item = dialog.widgets["装备"]
        item.setCurrentIndex(next(i for i in range(item.count()) if "雄应急卫星01" in item.itemText(i)))
        dialog.widgets["状态"].setCurrentText("故障")
        dialog.widgets["说明"].setText("天线受损")

    drive(tab, fault)
    tab.buttons["更新装备状态"].click()
    assert tab.tiles.itemAt(0).widget().property("status") == "故障"


def test_withdraw_asks_first(live_tab):
    tab = live_tab
    tab.confirm = lambda title, text: False
    tab.buttons["撤收前方指挥部"].click()
    assert not tab.hq["withdrawn_at"]
    tab.confirm = lambda title, text: True
    drive(tab, lambda d: None)
    tab.buttons["撤收前方指挥部"].click()
    assert tab.hq["withdrawn_at"] and "撤收" in tab.location.text()
    assert not tab.buttons["调入装备"].isEnabled()
