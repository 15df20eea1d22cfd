"""The duty log entry form: a new entry, or a correction of an existing one (with a reason).

Keyboard first: the form opens on the summary with the time set to now; Tab moves through
the fields, Ctrl+Enter saves. Validation is the core's; the form shows its message, focuses
the field at fault and keeps everything typed.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QLineEdit, QWidget
from sqlite_utils import Database

from nxcommand import dutylog, org
from nxcommand.clock import SYSTEM_CLOCK, Clock
from nxcommand.errors import ValidationError

from .forms import ServiceForm, searchable_combo, text_box, time_edit, time_text


class LogEntryDialog(ServiceForm):
    """New entry (``correcting`` None) or correction of the row ``correcting``."""

    def __init__(self, db: Database, clock: Clock = SYSTEM_CLOCK, parent=None, *,
                 correcting: dict | None = None, recorder: str = "") -> None:
        self.correcting = correcting
        super().__init__(f"更正记录 #{correcting['id']}" if correcting else "新增值班日志记录", parent)
        self.setMinimumWidth(560)
        self.db, self.clock = db, clock
        now = clock.now()

        self.reason = QLineEdit(placeholderText="如：来电人电话记录有误")
        self.logged_at = time_edit(now)
        self.kind = QComboBox()
        self.kind.addItems(dutylog.kinds(db, for_entry=True))
        self.source = QLineEdit(placeholderText="来电人、单位、电话或来文单位")
        self.summary = text_box(90)
        self.summary.setPlaceholderText("事由、时间、地点、经过等要素")
        self.actions = text_box(64)
        self.reported_to = QLineEdit(placeholderText="如：带班领导张建中")
        self.reported = QCheckBox("已报告")
        self.reported_at = time_edit(now)
        self.reported_at.setEnabled(False)
        self.reported.toggled.connect(self.reported_at.setEnabled)
        report_row = QWidget()
        row = QHBoxLayout(report_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.reported_to, 1)
        row.addWidget(self.reported)
        row.addWidget(self.reported_at)
        self.town = searchable_combo([("（无）", None)] + [(t["name"], t["id"]) for t in org.towns(db)])
        self.event = QComboBox()
        self.event.addItem("（无）", None)
        for e in dutylog.event_choices(db):
            self.event.addItem(f"{e['received_at'][5:]} {e['title']}（{e['status']}）", e["id"])
        self.recorder = QComboBox()
        self.recorder.setEditable(True)
        self.recorder.addItems(dutylog.recorders(db))
        self.recorder.setCurrentText(recorder or self.recorder.itemText(0))

        if correcting:
            note = QLabel(f"原记录 #{correcting['id']} 保留不变，本更正作为新记录保存并与之关联。"
                          "请修改需要更正的内容，并填写更正原因。", wordWrap=True)
            note.setObjectName("formNote")
            self.body.insertWidget(0, note)
            self.add_row("更正原因 *", self.reason)
        self.add_row("时间 *", self.logged_at, "记录时间")
        self.add_row("类别 *", self.kind)
        self.add_row("来源", self.source)
        self.add_row("摘要 *", self.summary)
        self.add_row("处置情况", self.actions)
        self.add_row("报告对象", report_row)
        self.fields["报告对象"] = self.reported_to
        self.fields["报告时间"] = self.reported_at
        self.add_row("镇（街道）", self.town)
        self.add_row("关联事件", self.event)
        self.add_row("记录人 *", self.recorder)
        if correcting:
            self._load(correcting)
            self.reason.setFocus()
        else:
            self.kind.setCurrentText("来电")
            self.summary.setFocus()

    def _load(self, row: dict) -> None:
        self.logged_at.setDateTime(_qdt(row["logged_at"]))
        self.kind.setCurrentText(row["kind"] if row["kind"] != dutylog.CORRECTION_KIND else "其他")
        self.source.setText(row["source"])
        self.summary.setPlainText(row["summary"])
        self.actions.setPlainText(row["actions"])
        self.reported_to.setText(row["reported_to"])
        if row["reported_at"]:
            self.reported.setChecked(True)
            self.reported_at.setDateTime(_qdt(row["reported_at"]))
        self.town.setCurrentIndex(max(0, self.town.findData(row["town_id"])))
        self.event.setCurrentIndex(max(0, self.event.findData(row["event_id"])))

    def form_input(self) -> dutylog.LogInput:
        index = self.town.findText(self.town.currentText().strip())
        if index < 0:
            raise ValidationError("请从列表中选择镇（街道）", "镇（街道）")
        town_id = self.town.itemData(index)
        return dutylog.LogInput(
            logged_at=time_text(self.logged_at), kind=self.kind.currentText(),
            summary=self.summary.toPlainText(), recorded_by=self.recorder.currentText(),
            source=self.source.text(), actions=self.actions.toPlainText(),
            reported_to=self.reported_to.text(),
            reported_at=time_text(self.reported_at) if self.reported.isChecked() else "",
            town_id=town_id, event_id=self.event.currentData())

    def submit(self) -> int:
        if self.correcting:
            return dutylog.correct(self.db, self.correcting["id"], self.form_input(),
                                   self.reason.text(), self.clock)
        return dutylog.append(self.db, self.form_input(), self.clock)


def _qdt(text: str) -> QDateTime:
    moment = datetime.strptime(text, dutylog.MINUTE_FORMAT)
    return QDateTime(moment.year, moment.month, moment.day, moment.hour, moment.minute, 0)
