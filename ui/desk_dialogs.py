"""The watch desk's small forms: report sent, figures, instruction, follow-up, reminder,
roll-call. Each saves through one core service and shows its Chinese message on refusal."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QDoubleSpinBox, QGridLayout, QLabel, QLineEdit,
                               QSpinBox, QTableWidget, QTableWidgetItem, QWidget)
from sqlite_utils import Database

from nxcommand import deadlines, incidents, org, rollcall
from nxcommand.clock import Clock
from nxcommand.deadlines import ReportInput
from nxcommand.incidents import Figures
from nxcommand.refdata import REPORT_KINDS
from nxcommand.rollcall import UnitAnswer

from .forms import ServiceForm, text_box, time_edit, time_text

CHANNELS = ("电话", "传真", "应急管理信息系统", "政务微信", "电子邮件", "专人送达")


class ReportDialog(ServiceForm):
    """Record a report sent up (电话报告, 书面初报, 续报, 核报, 终报); it clears its deadline."""

    def __init__(self, db: Database, event_id: int, recorder: str, clock: Clock,
                 kind: str = "书面初报", signer: str = "", parent=None) -> None:
        event = incidents.get_event(db, event_id)
        super().__init__(f"记录报送：{event['title']}", parent)
        self.db, self.event_id, self.recorder, self.clock = db, event_id, recorder, clock
        self.kind = QComboBox()
        self.kind.addItems(REPORT_KINDS)
        self.kind.setCurrentText(kind)
        self.serial_label = QLabel()
        self.sent_at = time_edit(clock.now())
        self.channel = QComboBox(editable=True)
        self.channel.addItems(CHANNELS)
        self.to_report = QLineEdit("韶关市应急管理局")
        self.to_send = QLineEdit(placeholderText="如：市委办、市政府办")
        self.to_copy = QLineEdit()
        self.signed_by = QLineEdit(signer)
        self.checked_by = QLineEdit()
        self.drafted_by = QLineEdit(recorder)
        self.content = text_box(90)
        for label, widget in (("报告种类", self.kind), ("报告", self.serial_label), ("报送时间", self.sent_at),
                              ("报送方式", self.channel), ("报", self.to_report), ("送", self.to_send),
                              ("抄", self.to_copy), ("签发", self.signed_by), ("核稿", self.checked_by),
                              ("拟稿", self.drafted_by), ("报告内容", self.content)):
            self.add_row(label, widget)
        self.kind.currentTextChanged.connect(self._show_serial)
        self._show_serial()

    def _show_serial(self) -> None:
        serial = deadlines.next_serial(self.db, self.event_id, self.kind.currentText())
        self.serial_label.setText(deadlines.serial_name(self.kind.currentText(), serial))

    def submit(self) -> int:
        return deadlines.record_report(self.db, ReportInput(
            event_id=self.event_id, kind=self.kind.currentText(), sent_at=time_text(self.sent_at),
            channel=self.channel.currentText(), signed_by=self.signed_by.text(),
            drafted_by=self.drafted_by.text(), recorded_by=self.recorder,
            checked_by=self.checked_by.text(), to_report=self.to_report.text(),
            to_send=self.to_send.text(), to_copy=self.to_copy.text(),
            content=self.content.toPlainText()), self.clock)


class DailyReportDialog(ServiceForm):
    """The day's duty report (值班信息日报), or 零报告 when there is nothing to report."""

    def __init__(self, db: Database, duty_date, recorder: str, clock: Clock, signer: str = "",
                 parent=None) -> None:
        super().__init__(f"报送{duty_date.month}月{duty_date.day}日值班信息日报", parent)
        self.db, self.duty_date, self.recorder, self.clock = db, duty_date, recorder, clock
        self.zero = QComboBox()
        self.zero.addItems(("零报告（无突发事件信息）", "有情况报告"))
        self.sent_at = time_edit(clock.now())
        self.channel = QComboBox(editable=True)
        self.channel.addItems(CHANNELS)
        self.channel.setCurrentText("应急管理信息系统")
        self.to_report = QLineEdit("韶关市应急管理局")
        self.signed_by = QLineEdit(signer)
        self.content = text_box(90)
        for label, widget in (("报告类型", self.zero), ("报送时间", self.sent_at), ("报送方式", self.channel),
                              ("报", self.to_report), ("签发", self.signed_by), ("报告内容", self.content)):
            self.add_row(label, widget)

    def submit(self) -> int:
        return deadlines.record_daily_report(
            self.db, self.duty_date, time_text(self.sent_at), self.zero.currentIndex() == 0,
            self.channel.currentText(), self.to_report.text(), self.signed_by.text(), self.recorder,
            self.content.toPlainText(), self.clock)


class FiguresDialog(ServiceForm):
    """New casualty and loss figures for an event; the old ones stay as history."""

    def __init__(self, db: Database, event_id: int, recorder: str, clock: Clock, parent=None) -> None:
        event = incidents.get_event(db, event_id)
        super().__init__(f"更新伤亡情况：{event['title']}", parent)
        self.db, self.event_id, self.recorder, self.clock = db, event_id, recorder, clock
        current = event["figures"]
        self.as_of = time_edit(clock.now())
        self.add_row("统计时间", self.as_of)
        self.boxes = {}
        for key, label in incidents.FIGURES:
            box = QSpinBox(maximum=1_000_000, value=getattr(current, key))
            self.boxes[key] = box
            self.add_row(label, box)
        self.loss = QDoubleSpinBox(maximum=10_000_000, decimals=1, suffix=" 万元",
                                   value=current.direct_loss_yuan / 10_000)
        self.add_row("直接经济损失", self.loss)

    def submit(self) -> int:
        figures = Figures(**{key: box.value() for key, box in self.boxes.items()},
                          direct_loss_yuan=round(self.loss.value() * 10_000))
        return incidents.update_figures(self.db, self.event_id, figures, time_text(self.as_of),
                                        self.recorder, self.clock)


class InstructionDialog(ServiceForm):
    """A leader's instruction (领导批示), tied to an event or not."""

    def __init__(self, db: Database, recorder: str, clock: Clock, event_id: int | None = None,
                 parent=None) -> None:
        super().__init__("登记领导批示", parent)
        self.db, self.recorder, self.clock = db, recorder, clock
        self.event = QComboBox()
        self.event.addItem("（不针对具体事件）", None)
        for event in incidents.open_events(db):
            self.event.addItem(event["title"], event["id"])
        self.event.setCurrentIndex(max(0, self.event.findData(event_id)))
        self.leader = QLineEdit()
        self.given_at = time_edit(clock.now())
        self.content = text_box(100)
        self.add_row("事件", self.event)
        self.add_row("批示领导 *", self.leader)
        self.add_row("批示时间", self.given_at)
        self.add_row("批示内容 *", self.content)

    def submit(self) -> int:
        return incidents.add_instruction(self.db, self.leader.text(), self.content.toPlainText(),
                                         time_text(self.given_at), self.recorder,
                                         self.event.currentData(), self.clock)


class FollowUpDialog(ServiceForm):
    """How an instruction is being carried out; 已落实 closes it."""

    def __init__(self, db: Database, instruction: dict, recorder: str, clock: Clock, parent=None) -> None:
        super().__init__(f"批示落实：{instruction['leader']}", parent)
        self.db, self.instruction, self.recorder, self.clock = db, instruction, recorder, clock
        self.add_row("批示内容", QLabel(instruction["content"], wordWrap=True))
        self.status = QComboBox()
        self.status.addItems(("落实中", "已落实"))
        self.at = time_edit(clock.now())
        self.note = text_box(80)
        self.add_row("落实状态", self.status)
        self.add_row("时间", self.at)
        self.add_row("落实情况 *", self.note)

    def submit(self) -> None:
        incidents.follow_up(self.db, self.instruction["id"], self.note.toPlainText(),
                            self.status.currentText(), self.recorder, time_text(self.at), self.clock)


class ReminderDialog(ServiceForm):
    def __init__(self, db: Database, recorder: str, clock: Clock, parent=None) -> None:
        super().__init__("新增备忘", parent)
        self.db, self.recorder, self.clock = db, recorder, clock
        self.kind = QComboBox()
        self.kind.addItems(("备忘", "设备", "通信"))
        self.text = QLineEdit()
        self.due = time_edit(clock.now())
        self.has_due = QComboBox()
        self.has_due.addItems(("不设提醒时间", "设提醒时间"))
        self.add_row("类型", self.kind)
        self.add_row("备忘内容 *", self.text)
        self.add_row("提醒", self.has_due)
        self.add_row("提醒时间", self.due)

    def submit(self) -> int:
        due = time_text(self.due) if self.has_due.currentIndex() == 1 else None
        return incidents.add_reminder(self.db, self.text.text(), self.recorder, self.kind.currentText(),
                                      due, self.clock)


class RollcallDialog(ServiceForm):
    """Video roll-call: tick the answer of each unit called."""

    def __init__(self, db: Database, checker: str, clock: Clock, parent=None) -> None:
        super().__init__("视频点名", parent)
        self.db, self.clock = db, clock
        self.resize(640, 620)
        self.called_at = time_edit(clock.now())
        self.checker = QLineEdit(checker)
        self.note = QLineEdit()
        self.add_row("点名时间", self.called_at)
        self.add_row("点名人 *", self.checker)
        self.add_row("备注", self.note)
        self.units = [u for u in org.organizations(db) if u["kind"] == "乡镇政府"]
        self.table = QTableWidget(len(self.units), 4)
        self.table.setHorizontalHeaderLabels(["单位", "结果", "应答人", "应答时间"])
        self.table.verticalHeader().hide()
        for row, unit in enumerate(self.units):
            item = QTableWidgetItem(unit["short_name"] or unit["name"])
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.table.setItem(row, 0, item)
            result = QComboBox()
            result.addItems(("不点名",) + rollcall.RESULTS)
            self.table.setCellWidget(row, 1, result)
            self.table.setCellWidget(row, 2, QLineEdit())
            self.table.setCellWidget(row, 3, time_edit(clock.now()))
        self.table.resizeColumnsToContents()
        self.body.insertWidget(2, self.table, 1)

    def answer_widgets(self, row: int) -> tuple[QComboBox, QLineEdit, QWidget]:
        return self.table.cellWidget(row, 1), self.table.cellWidget(row, 2), self.table.cellWidget(row, 3)

    def submit(self) -> int:
        answers = []
        for row, unit in enumerate(self.units):
            result, who, when = self.answer_widgets(row)
            if result.currentIndex() == 0:
                continue
            answered = time_text(when) if result.currentText() in ("在岗", "迟到应答") else None
            answers.append(UnitAnswer(unit["id"], result.currentText(), who.text(), answered))
        return rollcall.record(self.db, time_text(self.called_at), self.checker.text(), answers,
                               self.note.text(), self.clock)


def figures_grid(figures: Figures) -> QGridLayout:
    """A compact read-only grid of the current figures, for event details."""
    grid = QGridLayout()
    for n, (key, label) in enumerate(incidents.FIGURES):
        grid.addWidget(QLabel(f"{label}：{getattr(figures, key)}"), n // 3, n % 3)
    return grid
