"""The 值班台 desk driven as a duty officer would: intake, clocks, reports, handover, roll-call."""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QMessageBox

from nxcommand import handover, incidents, rollcall
from ui.app import make_app
from ui.desk_dialogs import ReportDialog, RollcallDialog
from ui.desk_models import DeadlineModel, countdown
from ui.handover_dialog import HandoverDialog
from ui.intake_dialog import IntakeDialog
from ui.main_window import MainWindow


@pytest.fixture
def window(qapp, qtbot, demo_db, clock, tmp_path):
    make_app()
    clock.set(datetime(2026, 7, 1, 14, 20))
    win = MainWindow(demo_db, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat), clock)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()                     # stops its clocks before the database fixture closes


def fill_intake(dialog: IntakeDialog, town="乌迳镇") -> None:
    dialog.caller_unit.setText("乌迳镇政府")
    dialog.caller_name.setText("张锦荣")
    dialog.caller_phone.setText("13900001234")
    dialog.received.setDateTime(dialog.received.dateTime().addSecs(-15 * 60))   # 接报 14:05
    dialog.occurred.setDateTime(dialog.occurred.dateTime().addSecs(-40 * 60))
    if town:
        dialog.town.setCurrentIndex(dialog.town.findText(town))
    dialog.subtype.setCurrentIndex(dialog.subtype.findText("地质灾害"))
    dialog.grade.setCurrentIndex(dialog.grade.findData(3))
    dialog.figure_boxes["trapped"].setValue(2)
    dialog.cause.setPlainText("持续强降雨引发山体滑坡")


def accept_with(fill):
    def run(dialog):
        fill(dialog)
        dialog.accept()
        return dialog.result() == dialog.DialogCode.Accepted
    return run


def test_intake_starts_the_clocks(window, clock):
    desk = window.desk
    desk.run_dialog = accept_with(fill_intake)
    desk.intake()
    assert desk.events_model.rowCount() == 1
    assert "乌迳镇" in desk.events_model.row(0)["title"]
    rows = [(d.name, desk.deadline_model.cell(d, DeadlineModel.COUNTDOWN)) for d in desk.deadline_model.rows]
    assert rows[:2] == [("电话报告", "还剩 15分00秒"), ("书面初报", "还剩 45分00秒")]
    window._tick()
    assert window.deadline_label.text() == "下一报送时限：电话报告 14:35（还剩 15分00秒）"

    clock.set(datetime(2026, 7, 1, 14, 40))                   # the phone report is now late
    window._tick()
    index = desk.deadline_model.index(0, DeadlineModel.COUNTDOWN)
    assert desk.deadline_model.data(index) == "超时 5分00秒"
    assert desk.deadline_model.data(index, Qt.ItemDataRole.ForegroundRole).color().name() == "#c62828"
    assert window.deadline_label.property("overdue") is True


def test_bad_intake_keeps_the_form_open_and_writes_nothing(window, demo_db, qtbot):
    dialog = IntakeDialog(demo_db, "刘艳玲", window.clock)
    qtbot.addWidget(dialog)
    dialog.confirm_discard = lambda: QMessageBox.StandardButton.Yes   # for teardown's close()
    dialog.show()
    fill_intake(dialog, town=None)                            # no place
    dialog.accept()
    assert dialog.isVisible() and dialog.result() != dialog.DialogCode.Accepted
    assert dialog.error.isVisible() and "请选择事发地点" in dialog.error.text()
    assert incidents.open_events(demo_db) == []
    assert dialog.cause.toPlainText() == "持续强降雨引发山体滑坡"   # what was typed is kept
    dialog.confirm_discard = lambda: QMessageBox.StandardButton.No
    dialog.reject()                                           # a stray Esc: asked, form kept
    assert dialog.isVisible()
    dialog.confirm_discard = lambda: QMessageBox.StandardButton.Yes
    dialog.reject()
    assert not dialog.isVisible()


def test_recording_a_report_clears_its_deadline(window, clock):
    desk = window.desk
    desk.run_dialog = accept_with(fill_intake)
    desk.intake()
    desk.deadline_view.selectRow(0)

    def fill_report(dialog: ReportDialog):
        assert dialog.kind.currentText() == "电话报告"
        dialog.signed_by.setText("张建中")

    desk.run_dialog = accept_with(fill_report)
    desk.report_selected_deadline()
    assert [d.name for d in desk.deadline_model.rows][:1] == ["书面初报"]
    assert desk.timeliness.text() == "本月上报及时率：100.0%（1/1）"


def test_handover_then_acceptance(window, demo_db, clock):
    desk = window.desk
    desk.run_dialog = accept_with(fill_intake)
    desk.intake()
    desk.recorder.setCurrentText("刘艳玲")

    def hand_over(dialog: HandoverDialog):
        assert dialog.tree.topLevelItem(0).text(0) == "在办事件（1）"
        dialog.incoming.setCurrentText("聂浩宇")
        dialog.remarks.setPlainText("滑坡现场仍在降雨")

    desk.run_dialog = accept_with(hand_over)
    desk.handover()
    pending = handover.pending(demo_db)
    assert pending and pending["incoming"] == "聂浩宇"

    def take_over(dialog: HandoverDialog):
        dialog.confirm.setCurrentText("聂浩宇")

    desk.run_dialog = accept_with(take_over)
    desk.handover()
    assert handover.pending(demo_db) is None
    assert handover.latest(demo_db, accepted_only=True)["remarks"] == "滑坡现场仍在降雨"


def test_rollcall_dialog_saves_answers(window, demo_db):
    def answer(dialog: RollcallDialog):
        for row, result in ((0, "在岗"), (1, "未应答")):
            combo, who, _when = dialog.answer_widgets(row)
            combo.setCurrentText(result)
            who.setText("值班员")

    window.desk.run_dialog = accept_with(answer)
    window.desk.rollcall()
    summary = rollcall.history(demo_db)[0]
    assert (summary["called"], summary["answered"]) == (2, 1)


def test_countdown_wording():
    from datetime import timedelta

    assert countdown(timedelta(minutes=14, seconds=32)) == "还剩 14分32秒"
    assert countdown(timedelta(hours=2, minutes=5)) == "还剩 2小时05分"
    assert countdown(timedelta(minutes=-5, seconds=-12)) == "超时 5分12秒"


def test_the_daily_report_is_due_and_recorded_from_the_desk(window, demo_db, clock):
    from datetime import date

    from nxcommand import roster_checks
    from ui.desk_dialogs import DailyReportDialog

    roster_checks.add_period(demo_db, "高森林火险期", date(2026, 7, 1), date(2026, 7, 31), name="高森林火险期",
                             leader_in_post=True, daily_zero_report=True, note="", clock=clock)
    clock.set(datetime(2026, 7, 1, 8, 40))
    desk = window.desk
    desk.refresh()
    names = [d.name for d in desk.deadline_model.rows]
    assert names[0] == "日报" and desk.deadline_model.cell(desk.deadline_model.rows[0], 0).startswith("7月1日值班信息日报")
    desk.deadline_view.selectRow(0)

    def send_zero(dialog: DailyReportDialog):
        dialog.signed_by.setText("张建中")

    desk.run_dialog = accept_with(send_zero)
    desk.report_selected_deadline()
    assert [d.due_at.day for d in desk.deadline_model.rows if d.event_id is None] == [2]
