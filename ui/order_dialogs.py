"""Dialogs for orders (指令) and 会商: an order to towns, units and groups (multi-select),
签收, 反馈完成, and a meeting whose orders are saved with it."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlite_utils import Database

from nxcommand import meetings, orders, response
from nxcommand.clock import Clock
from nxcommand.meetings import MeetingInput, OrderDraft
from nxcommand.orders import OrderInput

from .forms import ServiceForm, text_box, time_edit, time_text


def leader_combo(db: Database, plan_id: int, level: int, current: int | None = None) -> QComboBox:
    combo = QComboBox(objectName="issuerBox")
    combo.addItem("（未指定）", None)
    for c in response.decider_candidates(db, plan_id, level):
        combo.addItem(c["label"], c["id"])
    combo.setCurrentIndex(max(0, combo.findData(current)))
    return combo


class RecipientPicker(QTabWidget):
    """Tabs 镇街 / 单位 / 工作组, each a checkable list; ``chosen()`` gives (kind, id) pairs."""

    def __init__(self, db: Database, response_id: int) -> None:
        super().__init__(objectName="recipientPicker")
        self.lists: dict[str, QListWidget] = {}
        for kind, items in orders.recipient_choices(db, response_id).items():
            box = QListWidget(objectName=f"recipients_{kind}")
            for name, rid in items:
                item = QListWidgetItem(name)
                item.setData(Qt.ItemDataRole.UserRole, rid)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
                box.addItem(item)
            box.itemChanged.connect(self._count)
            self.lists[kind] = box
            self.addTab(box, kind)
        self.setFixedHeight(170)

    def _count(self) -> None:
        for index, (kind, box) in enumerate(self.lists.items()):
            n = sum(box.item(i).checkState() == Qt.CheckState.Checked for i in range(box.count()))
            self.setTabText(index, f"{kind}（{n}）" if n else kind)

    def check(self, kind: str, name: str) -> None:
        box = self.lists[kind]
        for i in range(box.count()):
            if box.item(i).text() == name:
                box.item(i).setCheckState(Qt.CheckState.Checked)

    def chosen(self) -> list[tuple[str, int]]:
        return [(kind, box.item(i).data(Qt.ItemDataRole.UserRole)) for kind, box in self.lists.items()
                for i in range(box.count()) if box.item(i).checkState() == Qt.CheckState.Checked]

    def names(self) -> list[str]:
        return [box.item(i).text() for box in self.lists.values()
                for i in range(box.count()) if box.item(i).checkState() == Qt.CheckState.Checked]


class OrderDialog(ServiceForm):
    """下达指令. With ``draft=True`` (inside a 会商) it only collects an OrderDraft."""

    save_text = "下达"

    def __init__(self, db: Database, clock: Clock, recorder: str, response_id: int, draft: bool = False,
                 parent=None) -> None:
        super().__init__("会商形成的指令" if draft else "下达指令", parent)
        self.db, self.clock, self.recorder, self.response_id, self.draft = db, clock, recorder, response_id, draft
        self.setMinimumWidth(560)
        r = response.get_response(db, response_id)
        self.content = text_box(72)
        self.recipients = RecipientPicker(db, response_id)
        self.has_due = QCheckBox("限时完成", checked=True, objectName="hasDue")
        self.due = time_edit(clock.now() + timedelta(hours=2))
        self.has_due.toggled.connect(self.due.setEnabled)
        due_row = QWidget()
        row = QHBoxLayout(due_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.has_due)
        row.addWidget(self.due, 1)
        self.add_row("指令内容 *", self.content)
        self.add_row("接收方 *", self.recipients, "接收单位")
        self.add_row("完成时限", due_row)
        if not draft:
            self.issued_at = time_edit(clock.now())
            self.issuer = leader_combo(db, r["plan_id"], r["level"])
            self.add_row("下达时间", self.issued_at)
            self.add_row("下达领导", self.issuer, "下达人")
        self.draft_order: OrderDraft | None = None

    def submit(self) -> int | None:
        due = time_text(self.due) if self.has_due.isChecked() else None
        if self.draft:
            from nxcommand.errors import ValidationError
            from nxcommand.text import clean

            clean(self.content.toPlainText(), "指令内容", orders.CONTENT_MAX, required=True, multiline=True)
            if not self.recipients.chosen():
                raise ValidationError("请至少选择一个接收方（镇街、单位或工作组），指令不能没有接收方", "接收单位")
            self.draft_order = OrderDraft(self.content.toPlainText(), self.recipients.chosen(), due)
            return None
        return orders.issue_order(self.db, OrderInput(
            self.response_id, self.content.toPlainText(), self.recipients.chosen(), time_text(self.issued_at),
            self.recorder, due, self.issuer.currentData()), self.clock)


class AckDialog(ServiceForm):
    save_text = "登记签收"

    def __init__(self, db: Database, clock: Clock, row: dict, parent=None) -> None:
        super().__init__(f"签收：{row['recipient']}", parent)
        self.db, self.clock, self.row = db, clock, row
        self.at = time_edit(clock.now())
        self.by = QLineEdit(objectName="ackBy")
        self.by.setPlaceholderText(f"如 {row['recipient']}值班员 姓名")
        self.add_row("指令", QLabel(row["content"], wordWrap=True))
        self.add_row("签收时间", self.at)
        self.add_row("签收人 *", self.by, "签收人")

    def submit(self) -> int:
        orders.acknowledge(self.db, self.row["id"], time_text(self.at), self.by.text(), self.clock)
        return self.row["id"]


class DoneDialog(ServiceForm):
    save_text = "反馈完成"

    def __init__(self, db: Database, clock: Clock, recorder: str, row: dict, parent=None) -> None:
        super().__init__(f"反馈完成：{row['recipient']}", parent)
        self.db, self.clock, self.recorder, self.row = db, clock, recorder, row
        self.at = time_edit(clock.now())
        self.feedback = text_box(80)
        self.add_row("指令", QLabel(row["content"], wordWrap=True))
        self.add_row("完成时间", self.at)
        self.add_row("反馈情况 *", self.feedback)
        if not row["acknowledged_at"]:
            self.add_row("", QLabel("尚未签收：保存时一并记为签收", objectName="statusMuted"))

    def submit(self) -> int:
        orders.complete(self.db, self.row["id"], time_text(self.at), self.feedback.toPlainText(), self.recorder,
                        clock=self.clock)
        return self.row["id"]


class MeetingDialog(ServiceForm):
    """记录会商: time, place, chair, participants, assessment, decisions, resulting orders."""

    save_text = "保存会商"

    def __init__(self, db: Database, clock: Clock, recorder: str, response_id: int, parent=None) -> None:
        super().__init__("记录会商", parent)
        self.db, self.clock, self.recorder, self.response_id = db, clock, recorder, response_id
        self.setMinimumWidth(620)
        r = response.get_response(db, response_id)
        self.held_at = time_edit(clock.now())
        self.place = QLineEdit("市应急指挥中心", objectName="meetingPlace")
        self.chair = leader_combo(db, r["plan_id"], r["level"])
        self.participants = text_box(48)
        self.assessment = text_box(72)
        self.decisions = text_box(72)
        self.drafts: list[OrderDraft] = []
        self.draft_list = QListWidget(objectName="draftList")
        self.draft_list.setFixedHeight(90)
        # Replaceable in tests: run the order sub-dialog, True when accepted.
        self.run_dialog = lambda d: d.exec() == d.DialogCode.Accepted
        add = QPushButton("添加指令…", objectName="addDraft")
        remove = QPushButton("移除")
        add.clicked.connect(self.add_draft)
        remove.clicked.connect(self.remove_draft)
        box = QWidget()
        col = QVBoxLayout(box)
        col.setContentsMargins(0, 0, 0, 0)
        col.addWidget(self.draft_list)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(add)
        buttons.addWidget(remove)
        col.addLayout(buttons)
        self.add_row("会商时间", self.held_at)
        self.add_row("地点", self.place)
        self.add_row("主持人", self.chair, "主持人")
        self.add_row("参会人员 *", self.participants)
        self.add_row("会商研判 *", self.assessment)
        self.add_row("会商决定 *", self.decisions)
        self.add_row("形成指令", box, "指令")

    def add_draft(self) -> None:
        dialog = OrderDialog(self.db, self.clock, self.recorder, self.response_id, draft=True, parent=self)
        if self.run_dialog(dialog) and dialog.draft_order is not None:
            self.drafts.append(dialog.draft_order)
            self.draft_list.addItem(f"→ {'、'.join(dialog.recipients.names())}：{dialog.draft_order.content}")

    def remove_draft(self) -> None:
        row = self.draft_list.currentRow()
        if row >= 0:
            self.draft_list.takeItem(row)
            del self.drafts[row]

    def submit(self) -> int:
        return meetings.hold_meeting(self.db, MeetingInput(
            self.response_id, time_text(self.held_at), self.participants.toPlainText(),
            self.assessment.toPlainText(), self.decisions.toPlainText(), self.recorder, self.place.text(),
            self.chair.currentData(), list(self.drafts)), self.clock)
