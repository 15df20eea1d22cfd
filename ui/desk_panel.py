"""值班台: the screen the duty officer lives in. Reporting clocks with live countdowns, open
events, leaders' instructions, reminders; intake, reports, handover and roll-call from here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QComboBox, QDialog, QGroupBox, QHBoxLayout,
                               QHeaderView, QLabel, QMessageBox, QPushButton, QSizePolicy, QSplitter,
                               QTableView, QVBoxLayout, QWidget)
from sqlite_utils import Database

from nxcommand import contacts, deadlines, incidents, roster
from nxcommand.clock import SYSTEM_CLOCK, Clock
from nxcommand.errors import UserError

from .desk_dialogs import (DailyReportDialog, FiguresDialog, FollowUpDialog, InstructionDialog, ReminderDialog,
                           ReportDialog, RollcallDialog)
from .desk_models import DeadlineModel, DictTableModel
from .forms import record_table
from .guard import guard
from .handover_dialog import HandoverDialog
from .intake_dialog import IntakeDialog

REFRESH_MS = 30_000


def shift_text(shift: roster.Shift | None, phones: bool = True) -> str:
    """带班：张建中 13900000001　值班：郭俊杰、刘艳玲 — or a plain statement of the gap."""
    if shift is None:
        return "当前时段没有排班"
    leader = "未排" if shift.leader is None else (
        f"{shift.leader.name} {shift.leader.phone}" if phones else shift.leader.name)
    officers = "、".join(p.name for p in shift.officers) or "未排"
    return f"带班：{leader}　值班：{officers}"


def table(model) -> QTableView:
    """A short record list whose first column takes the spare width."""
    view = record_table(model)
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    return view


def group(title: str, view: QWidget, buttons: list[QPushButton]) -> QGroupBox:
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    layout.addWidget(view, 1)
    row = QHBoxLayout()
    row.addStretch(1)
    for button in buttons:
        row.addWidget(button)
    layout.addLayout(row)
    return box


# The desk's write buttons and the action each one's service requires.
DESK_ACTIONS = {"接报登记 (F3)": "接报登记", "更新伤亡": "接报登记", "结束事件": "接报登记",
                "登记批示": "接报登记", "落实情况": "接报登记", "交接班": "交接班",
                "视频点名": "值班记录", "新增备忘": "值班记录", "完成": "值班记录"}


class DeskPanel(QWidget):
    def __init__(self, db: Database, clock: Clock = SYSTEM_CLOCK,
                 notify: Callable[[str], None] | None = None) -> None:
        super().__init__()
        self.db, self.clock = db, clock
        self.notify = notify or (lambda message: None)
        # Replaceable in tests: run a dialog, True when it was accepted.
        self.run_dialog: Callable[[QDialog], bool] = lambda d: d.exec() == QDialog.DialogCode.Accepted
        self.confirm: Callable[[str, str], bool] = self._confirm

        self.shift_label = QLabel(objectName="shiftLabel")
        self.recorder = QComboBox(objectName="recorderBox")
        self.recorder.addItems([p["name"] for p in contacts.with_role(db, "值班员")])
        shift = roster.current_shift(db, clock.now())
        if shift and shift.officers:                  # the officer on the roster records
            self.recorder.setCurrentText(shift.officers[0].name)
        self.recorder.setToolTip("本班记录人：接报、报送、批示等记录署此人姓名")
        self.timeliness = QLabel(objectName="timelinessLabel")
        self.timeliness.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        intake_button = QPushButton("接报登记 (F3)", objectName="primaryButton")
        handover_button = QPushButton("交接班")
        rollcall_button = QPushButton("视频点名")
        intake_button.clicked.connect(self.intake)
        handover_button.clicked.connect(self.handover)
        rollcall_button.clicked.connect(self.rollcall)
        QShortcut(QKeySequence("F3"), self, activated=self.intake)

        self.deadline_model = DeadlineModel(clock.now, self)
        self.deadline_view = table(self.deadline_model)
        for column in range(1, 4):
            self.deadline_view.horizontalHeader().setSectionResizeMode(
                column, QHeaderView.ResizeMode.ResizeToContents)
        self.events_model = DictTableModel([
            (lambda e: ("【演练】" if e["is_drill"] else "") + e["title"], "事件"),
            ("grade_name", "级别"), ("received_at", "接报时间")], self)
        self.events_view = table(self.events_model)
        self.instructions_model = DictTableModel([
            ("content", "批示内容"), ("leader", "领导"), ("status", "状态"), ("last_note", "最新进展")], self)
        self.instructions_view = table(self.instructions_model)
        self.reminders_model = DictTableModel([("text", "事项"), ("kind", "类型"), ("due_at", "提醒时间")], self)
        self.reminders_view = table(self.reminders_model)

        report_button = QPushButton("记录报送")
        report_button.clicked.connect(self.report_selected_deadline)
        self.deadline_view.doubleClicked.connect(lambda _i: self.report_selected_deadline())
        event_buttons = [QPushButton(t) for t in ("记录报送", "更新伤亡", "结束事件")]
        for button, slot in zip(event_buttons, (self.report_selected_event, self.figures, self.close_event)):
            button.clicked.connect(slot)
        ins_buttons = [QPushButton(t) for t in ("登记批示", "落实情况")]
        for button, slot in zip(ins_buttons, (self.add_instruction, self.follow_up)):
            button.clicked.connect(slot)
        rem_buttons = [QPushButton(t) for t in ("新增备忘", "完成")]
        for button, slot in zip(rem_buttons, (self.add_reminder, self.finish_reminder)):
            button.clicked.connect(slot)
        # Grey out what the account may not do (记录报送 is left to its own dialog).
        self.intake_button = intake_button
        self.guarded = {"接报登记 (F3)": intake_button, "交接班": handover_button, "视频点名": rollcall_button,
                        "更新伤亡": event_buttons[1], "结束事件": event_buttons[2],
                        "登记批示": ins_buttons[0], "落实情况": ins_buttons[1],
                        "新增备忘": rem_buttons[0], "完成": rem_buttons[1]}
        for text, button in self.guarded.items():
            guard(button, db, DESK_ACTIONS[text])

        top = QHBoxLayout()
        top.addWidget(self.shift_label)
        top.addWidget(QLabel("本班记录人"))
        top.addWidget(self.recorder)
        top.addWidget(self.timeliness, 1)
        for button in (intake_button, handover_button, rollcall_button):
            top.addWidget(button)
        lists = QSplitter()
        lists.addWidget(group("在办事件", self.events_view, event_buttons))
        lists.addWidget(group("领导批示", self.instructions_view, ins_buttons))
        lists.addWidget(group("备忘与设备通信", self.reminders_view, rem_buttons))
        self.splitter = QSplitter()
        self.splitter.setOrientation(self.splitter.orientation().Vertical)
        self.splitter.addWidget(group("报送时限", self.deadline_view, [report_button]))
        self.splitter.addWidget(lists)
        self.splitter.setSizes([260, 420])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)

        self._ticker = QTimer(self, interval=1000, timeout=self.deadline_model.tick)
        self._ticker.start()
        self._refresher = QTimer(self, interval=REFRESH_MS, timeout=self.refresh)
        self._refresher.start()
        self.refresh()

    def stop(self) -> None:
        """Stop the clocks (the window is closing): no more ticks against the database."""
        self._ticker.stop()
        self._refresher.stop()

    # -- data
    def officer(self) -> str:
        return self.recorder.currentText()

    def refresh(self) -> None:
        now = self.clock.now()
        self.shift_label.setText(shift_text(roster.current_shift(self.db, now)))
        self.deadline_model.set_rows(deadlines.pending(self.db, now))
        self.events_model.set_rows(incidents.open_events(self.db))
        self.instructions_model.set_rows(incidents.open_instructions(self.db))
        self.reminders_model.set_rows(incidents.open_reminders(self.db))
        first = date(now.year, now.month, 1)
        overall, _ = deadlines.timeliness(self.db, first, now.date(), now)
        self.timeliness.setText(f"本月上报及时率：{overall.text()}")

    def _selected(self, view: QTableView, model: DictTableModel):
        index = view.currentIndex()
        return model.row(index.row()) if index.isValid() else None

    def _open(self, dialog: QDialog, done: str) -> bool:
        if self.run_dialog(dialog):
            self.refresh()
            self.notify(done)
            return True
        return False

    def _need(self, item, what: str) -> bool:
        if item is None:
            self.notify(f"请先选择{what}")
            return False
        return True

    # -- actions
    def intake(self) -> None:
        self._open(IntakeDialog(self.db, self.officer(), self.clock, self), "已登记接报并生成事件")

    def report_selected_deadline(self) -> None:
        deadline = self._selected(self.deadline_view, self.deadline_model)
        if not self._need(deadline, "一条报送时限"):
            return
        if deadline.event_id is None:                 # the daily duty report / 零报告
            shift = roster.current_shift(self.db, self.clock.now())
            signer = shift.leader.name if shift and shift.leader else ""
            self._open(DailyReportDialog(self.db, deadline.due_at.date(), self.officer(), self.clock,
                                         signer, self), "已记录值班信息日报")
            return
        self._open(ReportDialog(self.db, deadline.event_id, self.officer(), self.clock,
                                kind=deadline.kind, parent=self), f"已记录{deadline.name}")

    def report_selected_event(self) -> None:
        event = self._selected(self.events_view, self.events_model)
        if self._need(event, "一个事件"):
            self._open(ReportDialog(self.db, event["id"], self.officer(), self.clock, parent=self), "已记录报送")

    def figures(self) -> None:
        event = self._selected(self.events_view, self.events_model)
        if self._need(event, "一个事件"):
            self._open(FiguresDialog(self.db, event["id"], self.officer(), self.clock, self), "已更新伤亡情况")

    def close_event(self) -> None:
        event = self._selected(self.events_view, self.events_model)
        if not self._need(event, "一个事件"):
            return
        due = [d.name for d in deadlines.pending(self.db, self.clock.now()) if d.event_id == event["id"]]
        warning = f"\n尚有未报：{'、'.join(due)}。通常应以终报结束事件。" if due else ""
        if not self.confirm("结束事件", f"确定结束“{event['title']}”？结束后不再计算报送时限。{warning}"):
            return
        try:
            incidents.close_event(self.db, event["id"], self.clock.now(), self.officer(), self.clock)
        except UserError as exc:
            QMessageBox.warning(self, "无法结束事件", str(exc))
            return
        self.refresh()
        self.notify("事件已结束")

    def add_instruction(self) -> None:
        event = self._selected(self.events_view, self.events_model)
        self._open(InstructionDialog(self.db, self.officer(), self.clock, event and event["id"], self),
                   "已登记领导批示")

    def follow_up(self) -> None:
        ins = self._selected(self.instructions_view, self.instructions_model)
        if self._need(ins, "一条批示"):
            self._open(FollowUpDialog(self.db, ins, self.officer(), self.clock, self), "已记录落实情况")

    def add_reminder(self) -> None:
        self._open(ReminderDialog(self.db, self.officer(), self.clock, self), "已新增备忘")

    def finish_reminder(self) -> None:
        rem = self._selected(self.reminders_view, self.reminders_model)
        if self._need(rem, "一条备忘"):
            incidents.finish_reminder(self.db, rem["id"], self.clock)
            self.refresh()
            self.notify("备忘已完成")

    def handover(self) -> None:
        self._open(HandoverDialog(self.db, self.officer(), self.clock, self), "交接班记录已保存")

    def rollcall(self) -> None:
        self._open(RollcallDialog(self.db, self.officer(), self.clock, self), "已保存视频点名记录")

    def _confirm(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self, title, text)
        return answer == QMessageBox.StandardButton.Yes
