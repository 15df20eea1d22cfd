"""一套工作机制: the response's working groups (lead unit, leader, contact, members, duties,
tasks) and its 会商 meetings with their decisions and orders; the 续报 rhythm on top."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)
from sqlite_utils import Database

from nxcommand import deadlines, meetings, response, response_groups
from nxcommand.clock import SYSTEM_CLOCK, Clock

from .command_board import board_table, panel
from .desk_models import DictTableModel
from .order_dialogs import MeetingDialog
from .response_dialogs import ResponseGroupDialog
from .response_models import GREY, RED, short


class GroupsModel(DictTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__([("name", "工作组"), ("lead_org", "牵头单位"), (lambda g: g["leader"] or "未定", "组长"),
                          ("contact_phone", "联系电话"), ("members_text", "成员单位"),
                          (lambda g: f"{g['open_items']}/{g['items']}" + (f"，指令{g['orders']}" if g["orders"] else ""),
                           "未完成/清单")], parent)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if index.isValid() and role == Qt.ItemDataRole.ForegroundRole and index.column() == 2 \
                and not self.rows[index.row()]["leader"]:
            return QBrush(RED)
        return super().data(index, role)


class TasksModel(DictTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__([("kind", "类别"), ("text", "任务"), (lambda t: short(t["due_at"]) or "—", "时限"),
                          (lambda t: f"已完成 {short(t['done_at'])}" if t["done_at"] else "未完成", "状态")], parent)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if index.isValid() and role == Qt.ItemDataRole.ForegroundRole and self.rows[index.row()]["done_at"]:
            return QBrush(GREY)
        return super().data(index, role)


class MeetingsModel(DictTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__([(lambda m: short(m["held_at"]), "时间"), ("chair", "主持"), ("decisions", "会商决定"),
                          ("order_count", "指令")], parent)


class MechanismTab(QWidget):
    def __init__(self, db: Database, clock: Clock = SYSTEM_CLOCK, notify: Callable[[str], None] | None = None,
                 officer: Callable[[], str] | None = None, parent=None) -> None:
        super().__init__(parent)
        self.db, self.clock = db, clock
        self.notify = notify or (lambda message: None)
        self.officer = officer or (lambda: "值班员")
        self.response_id: int | None = None
        self.live = False
        self.run_dialog: Callable[[QDialog], bool] = lambda d: d.exec() == QDialog.DialogCode.Accepted
        self.warn: Callable[[str, str], None] = lambda title, text: QMessageBox.warning(self, title, text)

        self.rhythm = QLabel(objectName="rhythmLabel")
        self.rhythm.setStyleSheet("background: #eef3fa; border: 1px solid #c9d6e8; padding: 6px; font-weight: bold;")
        self.groups_model, self.tasks_model, self.meetings_model = GroupsModel(self), TasksModel(self), MeetingsModel(self)
        self.groups_view = board_table(self.groups_model, "groupsTable", 4, {0: 90, 1: 110, 2: 64, 3: 104, 5: 96})
        self.tasks_view = board_table(self.tasks_model, "tasksTable", 1, {0: 44, 2: 84, 3: 130})
        self.meetings_view = board_table(self.meetings_model, "meetingsTable", 2, {0: 84, 1: 64, 3: 40})
        self.duties = QLabel(objectName="groupDuties", wordWrap=True)
        self.minutes = QPlainTextEdit(objectName="meetingMinutes", readOnly=True)
        self.buttons: dict[str, QPushButton] = {}
        group_buttons = [self._button(t, s) for t, s in (("编辑工作组…", self.edit_group), ("增设工作组…", self.add_group))]
        meeting_buttons = [self._button("记录会商…", self.add_meeting)]
        self.buttons["记录会商…"].setObjectName("primaryButton")
        # 打印会商纪要: the main window opens the 简报 panel on the selected meeting
        self.open_report: Callable[[str, str], None] | None = None
        self.print_minutes = QPushButton("打印会商纪要…", objectName="printMinutes")
        self.print_minutes.clicked.connect(self._print_minutes)
        meeting_buttons.insert(0, self.print_minutes)
        self.groups_view.selectionModel().currentRowChanged.connect(lambda *_: self._show_group())
        self.meetings_view.selectionModel().currentRowChanged.connect(lambda *_: self._show_meeting())

        detail = QWidget()
        col = QVBoxLayout(detail)
        col.setContentsMargins(0, 0, 0, 0)
        col.addWidget(self.duties)
        col.addWidget(self.tasks_view, 1)
        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(panel("工作组", self.groups_view, group_buttons))
        left.addWidget(panel("职责与任务", detail))
        left.setSizes([420, 300])
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(panel("会商", self.meetings_view, meeting_buttons))
        right.addWidget(panel("会商纪要", self.minutes))
        right.setSizes([300, 420])
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setSizes([820, 580])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.rhythm)
        layout.addWidget(self.splitter, 1)
        self.set_response(None)

    def _button(self, text: str, slot) -> QPushButton:
        button = QPushButton(text)
        button.clicked.connect(slot)
        self.buttons[text] = button
        return button

    def set_response(self, response_id: int | None) -> None:
        self.response_id = response_id
        self.refresh()

    def refresh(self) -> None:
        rid = self.response_id
        if rid is None:
            self.live = False
            self.groups_model.set_rows([])
            self.meetings_model.set_rows([])
            self.rhythm.setText("未选择应急响应")
        else:
            r = response.get_response(self.db, rid)
            self.live = r["live"]
            self.groups_model.set_rows(response_groups.groups(self.db, rid))
            self.meetings_model.set_rows(meetings.meetings(self.db, rid))
            rhythm = response.report_rhythm(self.db, rid)
            upcoming = ""
            if r["event_id"] is not None and r["live"]:
                due = [d for d in deadlines.for_event_id(self.db, r["event_id"], self.clock.now())
                       if d.kind == "续报" and d.met_at is None]
                if due:
                    upcoming = f"　　下一次：{due[0].name}，{due[0].due_at:%m-%d %H:%M} 前"
            state = "" if r["live"] else f"　　（响应已于 {r['ended_at']} 解除）"
            self.rhythm.setText(f"续报节奏　{rhythm}{upcoming}{state}")
            if self.groups_model.rows and not self.groups_view.currentIndex().isValid():
                self.groups_view.selectRow(0)
            if self.meetings_model.rows and not self.meetings_view.currentIndex().isValid():
                self.meetings_view.selectRow(0)
        self._show_group()
        self._show_meeting()
        for button in self.buttons.values():
            button.setEnabled(rid is not None and self.live)

    def _current(self, view, model):
        index = view.currentIndex()
        return model.row(index.row()) if index.isValid() else None

    def _show_group(self) -> None:
        g = self._current(self.groups_view, self.groups_model)
        self.duties.setText(f"{g['name']}职责：{g['duties'] or '（未填写）'}" if g else "")
        self.tasks_model.set_rows(response_groups.tasks(self.db, g["id"]) if g else [])

    def _print_minutes(self) -> None:
        m = self._current(self.meetings_view, self.meetings_model)
        if m is not None and self.open_report is not None:
            self.open_report("meeting", str(m["id"]))

    def _show_meeting(self) -> None:
        m = self._current(self.meetings_view, self.meetings_model)
        self.print_minutes.setEnabled(m is not None and self.open_report is not None)
        if m is None:
            self.minutes.setPlainText("")
            return
        full = meetings.meeting(self.db, m["id"])
        lines = [f"时间：{full['held_at']}　地点：{full['place'] or '—'}　主持：{full['chair'] or '—'}",
                 f"参会：{full['participants']}", "", f"会商研判：{full['assessment']}", "", f"会商决定：{full['decisions']}"]
        if full["orders"]:
            lines += ["", "形成指令："]
            lines += [f"　→ {o['recipient']}：{o['content']}（{o['state']}）" for o in full["orders"]]
        self.minutes.setPlainText("\n".join(lines))

    def _open(self, dialog: QDialog, done: str) -> None:
        if self.run_dialog(dialog):
            self.refresh()
            self.notify(done)

    def edit_group(self) -> None:
        g = self._current(self.groups_view, self.groups_model)
        if g is None:
            self.notify("请先选择一个工作组")
            return
        self._open(ResponseGroupDialog(self.db, self.clock, self.officer(), self.response_id, g, self), "工作组已保存")

    def add_group(self) -> None:
        self._open(ResponseGroupDialog(self.db, self.clock, self.officer(), self.response_id, parent=self), "已增设工作组")

    def add_meeting(self) -> None:
        self._open(MeetingDialog(self.db, self.clock, self.officer(), self.response_id, self), "会商记录已保存")
