"""The 应急响应 panel driven as a commander would: open a response (a forbidden decider keeps
the dialog open), raise it, give and follow orders, hold a 会商, edit a group, tick the
checklist, update the figures, end it; drills only when asked; the demo board's highlights."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt

from nxcommand import orders, response, response_groups
from ui.app import make_app
from ui.order_dialogs import AckDialog, DoneDialog, MeetingDialog, OrderDialog
from ui.response_dialogs import (
    LevelChangeDialog,
    OpenResponseDialog,
    ResponseGroupDialog,
)
from ui.response_panel import ResponsePanel

from .respond_helpers import flood_event, flood_plan, holder, open_input


@pytest.fixture
def panel(qapp, qtbot, demo_db, clock):
    make_app()
    widget = ResponsePanel(demo_db, clock)
    qtbot.addWidget(widget)
    yield widget
    widget.stop()


@pytest.fixture
def demo_panel(qapp, qtbot, full_demo_db, clock):
    make_app()
    widget = ResponsePanel(full_demo_db, clock)
    qtbot.addWidget(widget)
    yield widget
    widget.stop()


def run_with(fill, seen: list | None = None):
    """A run_dialog hook: fill the dialog, press Save; records (dialog, accepted)."""
    def run(dialog):
        fill(dialog)
        dialog.accept()
        accepted = dialog.result() == dialog.DialogCode.Accepted
        if seen is not None:
            seen.append((dialog, accepted))
        return accepted
    return run


def pick(combo, text: str) -> None:
    index = next(i for i in range(combo.count()) if text in combo.itemText(i))
    combo.setCurrentIndex(index)


def check_recipient(dialog, kind: str, name: str) -> None:
    picker = dialog.recipients
    picker.check(kind, name)


def opened(panel, demo_db, clock, level: int = 4) -> int:
    event = flood_event(demo_db, clock, minutes_ago=120)
    rid = response.open_response(demo_db, open_input(demo_db, event, level, holder(demo_db, flood_plan(demo_db), 3, "副指挥长"),
                                                     clock.now() - timedelta(minutes=60)), clock)
    panel.reload(select=rid)
    return rid


def test_opening_refuses_a_forbidden_decider_and_keeps_the_dialog_open(panel, demo_db, clock):
    assert panel.title.text() == "当前没有应急响应" and not panel.actions["提级…"].isEnabled()
    flood_event(demo_db, clock, minutes_ago=30)
    seen = []

    def fill(d: OpenResponseDialog):
        pick(d.plan, "防汛防旱防风")
        d.level.setCurrentIndex(d.level.findData(3))
        assert "暴雨黄色预警" in d.criteria.text() and "副指挥长" in d.deciders_text.text()
        assert "生成处置清单 15 项" in d.summary.text()
        pick(d.decider, "钟国平")                      # 办公室主任: may start Ⅳ only
        d.decided_at.setDateTime(d.decided_at.dateTime().addSecs(-600))
        d.measures.setPlainText("转移群众，搜救被困人员")
    panel.run_dialog = run_with(fill, seen)
    panel.open_response()
    dialog, accepted = seen[0]
    assert not accepted and not dialog.error.isHidden() and "无权启动" in dialog.error.text()
    assert response.list_responses(demo_db) == []

    pick(dialog.decider, "田子健")                    # the commander picks an allowed decider
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    panel.reload(select=dialog.saved_id)
    assert panel.badge.text() == "Ⅲ级响应" and "#F9C80E" in panel.badge.styleSheet()
    assert "田子健决定" in panel.facts.text() and "防汛防旱防风" in panel.selector.currentText()
    assert panel.board.checklist_model.rowCount() == 15
    assert panel.mechanism.groups_model.rowCount() == 10


def test_raise_adds_the_higher_levels_items_and_the_timeline_shows_it(panel, demo_db, clock):
    opened(panel, demo_db, clock, level=4)
    before = panel.board.checklist_model.rowCount()

    def fill(d: LevelChangeDialog):
        assert d.level.currentData() == 3 and "新增 8 项" in d.summary.text()
        pick(d.decider, "田子健")
        d.reason.setPlainText("失联人员增加，水位持续上涨")
    panel.run_dialog = run_with(fill)
    panel.change("提级")
    assert panel.badge.text() == "Ⅲ级响应"
    assert panel.board.checklist_model.rowCount() == before + 8
    assert any(e.kind == "提级" for e in panel.board.timeline_model.rows)


def test_an_order_needs_a_recipient_then_is_acknowledged_and_reported_back(panel, demo_db, clock):
    rid = opened(panel, demo_db, clock)
    board = panel.board
    seen = []

    def fill(d: OrderDialog):
        d.content.setPlainText("组织沿河群众转移")
    board.run_dialog = run_with(fill, seen)
    board.issue_order()
    dialog, accepted = seen[0]
    assert not accepted and "至少选择一个接收方" in dialog.error.text() and orders.orders_for(demo_db, rid) == []
    check_recipient(dialog, "镇街", "油山镇")
    check_recipient(dialog, "工作组", "转移安置组")
    assert dialog.recipients.tabText(0) == "镇街（1）"
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    board.refresh()
    model = board.orders_model
    assert model.rowCount() == 2
    row = next(i for i in range(2) if model.row(i)["recipient"] == "油山镇")
    state = model.index(row, 4)
    assert model.data(state).startswith("未签收") and model.data(state, Qt.ItemDataRole.FontRole).bold()
    assert model.data(state, Qt.ItemDataRole.ForegroundRole).color().name() == "#c62828"
    assert "未签收 2" in board.orders_summary.text()

    board.orders_view.selectRow(row)
    board.run_dialog = run_with(lambda d: d.by.setText("油山镇值班员王"))
    board.acknowledge()
    row = next(i for i in range(2) if model.row(i)["recipient"] == "油山镇")
    assert model.data(model.index(row, 4)).startswith("已签收")
    assert model.data(model.index(row, 4), Qt.ItemDataRole.FontRole) is None
    board.orders_view.selectRow(row)
    board.run_dialog = run_with(lambda d: d.feedback.setPlainText("已转移86人"))
    board.complete()
    row = next(i for i in range(2) if model.row(i)["recipient"] == "油山镇")
    assert model.data(model.index(row, 4)).startswith("已完成")
    assert "已转移86人" in model.data(model.index(row, 2), Qt.ItemDataRole.ToolTipRole)


def test_ack_and_done_dialogs_refuse_bad_times(panel, demo_db, clock):
    rid = opened(panel, demo_db, clock)
    group = response_groups.groups(demo_db, rid)[0]["id"]
    orders.issue_order(demo_db, orders.OrderInput(rid, "报送雨情", [("工作组", group)], clock.now(), "刘艳玲"), clock)
    row = orders.orders_for(demo_db, rid)[0]
    ack = AckDialog(demo_db, clock, row)
    ack.accept()
    assert "请填写签收人" in ack.error.text()
    done = DoneDialog(demo_db, clock, "刘艳玲", row)
    done.at.setDateTime(done.at.dateTime().addSecs(-3600))
    done.feedback.setPlainText("完成")
    done.accept()
    assert "早于下达时间" in done.error.text() and orders.orders_for(demo_db, rid)[0]["done_at"] is None


def test_a_meeting_with_its_orders_from_the_mechanism_tab(panel, demo_db, clock):
    rid = opened(panel, demo_db, clock)
    tab = panel.mechanism
    assert "应急响应Ⅳ级：每日09:00前续报" in tab.rhythm.text()

    def fill(d: MeetingDialog):
        d.participants.setPlainText("市应急管理局、市水务局、油山镇")
        d.assessment.setPlainText("强降雨持续")
        d.decisions.setPlainText("全力转移群众")

        def order(o: OrderDialog):
            o.content.setPlainText("开放避护场所")
            check_recipient(o, "工作组", "转移安置组")
        d.run_dialog = run_with(order)
        d.add_draft()
        assert d.draft_list.count() == 1 and "转移安置组" in d.draft_list.item(0).text()
    tab.run_dialog = run_with(fill)
    tab.add_meeting()
    assert tab.meetings_model.rowCount() == 1
    tab.meetings_view.selectRow(0)
    assert "→ 转移安置组：开放避护场所（未签收）" in tab.minutes.toPlainText()
    assert [o["content"] for o in orders.orders_for(demo_db, rid)] == ["开放避护场所"]


def test_a_group_is_edited_and_its_tasks_show(panel, demo_db, clock):
    rid = opened(panel, demo_db, clock)
    tab = panel.mechanism
    row = next(i for i in range(tab.groups_model.rowCount()) if tab.groups_model.row(i)["name"] == "抢险救援组")
    tab.groups_view.selectRow(row)
    assert "三防抢险队伍" in tab.tasks_model.row(0)["text"]
    assert tab.groups_model.data(tab.groups_model.index(row, 2)) == "未定"

    def fill(d: ResponseGroupDialog):
        pick(d.leader, "薛秀英")
        d.members.setPlainText("市消防救援大队、武警南雄中队")
    tab.run_dialog = run_with(fill)
    tab.edit_group()
    g = next(x for x in response_groups.groups(demo_db, rid) if x["name"] == "抢险救援组")
    assert g["leader"] == "薛秀英" and g["members_text"] == "市消防救援大队、武警南雄中队" and g["contact_phone"]


def test_checklist_item_done_and_figures_from_the_board(panel, demo_db, clock):
    opened(panel, demo_db, clock)
    board = panel.board
    model = board.checklist_model
    overdue = next(i for i in range(model.rowCount()) if model.overdue(model.row(i)))
    assert model.data(model.index(overdue, 1), Qt.ItemDataRole.BackgroundRole).color().name() == "#fde2e1"
    board.checklist_view.selectRow(overdue)
    board.run_dialog = run_with(lambda d: None)
    board.item_done()
    assert model.row(overdue)["done_at"] and model.data(model.index(overdue, 4)).startswith("已完成")

    def figures(d):
        d.boxes["evacuated"].setValue(150)
    board.run_dialog = run_with(figures)
    board.update_figures()
    assert board.figure_values["evacuated"].text() == "150" and board.figures_model.rowCount() == 2


def test_ending_lists_what_is_still_open_and_closes_nothing(panel, demo_db, clock):
    rid = opened(panel, demo_db, clock)
    open_before = len(response.open_items(demo_db, rid)["checklist"])

    def fill(d: LevelChangeDialog):
        assert d.open_items.toPlainText().count("清单（") == open_before
        assert "未完成的事项不会被关闭" in d.summary.text()
        pick(d.decider, "田子健")
        d.reason.setPlainText("险情解除，群众已妥善安置")
    panel.run_dialog = run_with(fill)
    panel.change("解除")
    assert "已于" in panel.facts.text() and not panel.actions["解除响应…"].isEnabled()
    assert len(response.open_items(demo_db, rid)["checklist"]) == open_before
    assert not panel.board.buttons["下达指令…"].isEnabled()


def test_drills_are_listed_only_when_asked(panel, demo_db, clock):
    event = flood_event(demo_db, clock, drill=True)
    plan = flood_plan(demo_db)
    response.open_response(demo_db, open_input(demo_db, event, 2, holder(demo_db, plan, 2, "指挥长"), clock.now(),
                                               drill=True), clock)
    panel.reload()
    assert panel.selector.count() == 0
    panel.drills.setChecked(True)
    assert panel.selector.count() == 1 and panel.selector.currentText().startswith("【演练】")
    assert panel.badge.text() == "演练 Ⅱ级响应"


def test_the_demo_board_makes_the_unacknowledged_and_overdue_stand_out(demo_panel, clock):
    board = demo_panel.board
    assert demo_panel.badge.text() == "Ⅲ级响应" and "已持续 5小时30分" in demo_panel.facts.text()
    model = board.orders_model
    unack = [i for i in range(model.rowCount()) if model.row(i)["acknowledged_at"] is None]
    assert len(unack) == 1 and model.data(model.index(unack[0], 4)).startswith("未签收 2小时40分·超时")
    assert model.data(model.index(unack[0], 0), Qt.ItemDataRole.BackgroundRole).color().name() == "#fde2e1"
    clocks = board.clocks_model
    overdue = [clocks.row(i) for i in range(clocks.rowCount()) if clocks.row(i).overdue(clock.now())]
    assert {d.kind for d in overdue} == {"清单", "指令"}
    assert clocks.data(clocks.index(0, 3)).startswith("超时")
    assert board.figure_values["evacuated"].text() == "486"
    assert "续报二" in demo_panel.mechanism.rhythm.text()
    assert demo_panel.tabs.tabText(0) == "一个指挥中心" and demo_panel.tabs.count() == 5
    titles = [demo_panel.selector.itemText(i) for i in range(demo_panel.selector.count())]
    assert "响应中" in titles[0] and any("已解除" in t for t in titles[1:])
