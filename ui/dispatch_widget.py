"""The board's dispatch area: what was sent to the response (teams, equipment, supplies), from
where to where, dispatched / arrived / returned, coloured by status, with the actions 派出队伍… /
派出装备… / 调拨物资出库… / 到达 / 返回. The core validates; a refused dispatch (a supply beyond
the depot's stock) keeps its dialog open with the ledger's message."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import ClassVar

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from sqlite_utils import Database

from nxcommand import contacts, dispatch, roster, session, supplies
from nxcommand.clock import SYSTEM_CLOCK, Clock, parse_minute
from nxcommand.dispatch import DispatchInput
from nxcommand.errors import ValidationError

from .desk_models import DictTableModel
from .guard import note
from .forms import (
    ServiceForm,
    record_table,
    searchable_combo,
    text_box,
    time_edit,
    time_text,
)
from .register_tab import combo_value, town_combo

STATUS_COLOURS = {"已派出": "#e65100", "在途": "#e65100", "在场": "#2e7d32", "已送达": "#2e7d32",
                  "已返回": "#8a8f98"}
OVERDUE_BACKGROUND = QColor("#fde2e1")
DISPATCH = "调度派遣"            # permissions.ACTIONS: the services refuse it to others


# ------------------------------------------------------------------ pieces shared with the forward-HQ tab

def recorder_combo(db: Database, clock: Clock) -> QComboBox:
    """记录人: the duty officers, the current shift's first; a name may be typed."""
    combo = QComboBox(objectName="recorderBox", editable=True)
    combo.addItems([p["name"] for p in contacts.with_role(db, "值班员")])
    shift = roster.current_shift(db, clock.now())
    if shift and shift.officers:
        combo.setCurrentText(shift.officers[0].name)
    return combo


def people_combo(db: Database) -> QComboBox:
    ids = contacts.search(db, contacts.Query())
    rows = contacts.rows(db, ids)
    combo = searchable_combo([(f"{rows[i]['name']}（{rows[i]['org']}{rows[i]['post'] and ' ' + rows[i]['post']}）", i)
                              for i in ids])
    combo.setCurrentIndex(-1)
    return combo


class OptionalTime(QWidget):
    """A tick box and a time: the time only counts when ticked (e.g. 预计到达)."""

    def __init__(self, label: str, moment) -> None:
        super().__init__()
        self.check = QCheckBox(label)
        self.edit = time_edit(moment)
        self.edit.setEnabled(False)
        self.check.toggled.connect(self.edit.setEnabled)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.check)
        layout.addWidget(self.edit, 1)

    def value(self) -> str | None:
        return time_text(self.edit) if self.check.isChecked() else None


# ------------------------------------------------------------------ dialogs

class DispatchDialog(ServiceForm):
    """派出队伍 / 派出装备 / 调拨物资出库 for one response; ``kind`` is 队伍, 装备 or 物资."""

    TITLES: ClassVar[dict[str, str]] = {"队伍": "派出队伍", "装备": "派出装备", "物资": "调拨物资出库"}

    def __init__(self, db: Database, response_id: int, kind: str, clock: Clock = SYSTEM_CLOCK, parent=None) -> None:
        super().__init__(self.TITLES[kind], parent)
        self.db, self.response_id, self.kind, self.clock = db, response_id, kind, clock
        self.buttons.button(self.buttons.StandardButton.Save).setText("确认" + self.TITLES[kind][:2])
        response = dispatch.response_row(db, response_id)
        if kind == "队伍":
            self.thing = searchable_combo([(f"{t['name']}（{t['town']}，{t['headcount']}人，{t['status']}）", t["id"])
                                           for t in dispatch.available_teams(db)])
            self.headcount = QSpinBox(minimum=0, maximum=100_000, specialValueText="全队")
            self.add_row("队伍 *", self.thing, "队伍")
            self.add_row("派出人数", self.headcount, "派出人数")
        elif kind == "装备":
            self.thing = searchable_combo([(f"{e['name']}（{e['holder']}，{e['quantity']}{e['unit']}）", e["id"])
                                           for e in dispatch.available_equipment(db)])
            self.add_row("装备 *", self.thing, "装备")
        else:
            self.depot = searchable_combo([(d["name"], d["id"]) for d in supplies.depots(db)])
            self.thing = QComboBox(objectName="itemBox")
            self.book = QLabel("—", objectName="bookLabel")
            self.quantity = QSpinBox(minimum=1, maximum=1_000_000_000)
            self.add_row("储备库 *", self.depot, "储备库")
            self.add_row("物资 *", self.thing, "物资")
            self.add_row("账面库存", self.book)
            self.add_row("出库数量 *", self.quantity, "数量")
            self.depot.currentIndexChanged.connect(lambda _i: self.fill_items())
            self.thing.currentIndexChanged.connect(lambda _i: self.show_book())
            self.fill_items()
        self.thing.setCurrentIndex(-1 if kind != "物资" else self.thing.currentIndex())
        self.town = town_combo(db)
        self.town.setCurrentIndex(self.town.findData(response["event_town_id"]))
        self.place = QLineEdit(placeholderText="村、安置点或现场位置，如：大兰坑村")
        self.task = text_box(52)
        self.ordered_by = people_combo(db)
        self.when = time_edit(clock.now())
        self.expected = OptionalTime("预计到达", clock.now() + timedelta(hours=1))
        self.recorder = recorder_combo(db, clock)
        self.add_row("目的地（镇/街道） *", self.town, "目的地（镇/街道）")
        self.add_row("具体地点", self.place, "具体地点")
        self.add_row("任务", self.task, "任务")
        self.add_row("下令人 *", self.ordered_by, "下令人")
        self.add_row("派出时间 *", self.when, "派出时间")
        if kind != "物资":
            self.add_row("", self.expected, "预计到达时间")
        self.add_row("记录人 *", self.recorder, "记录人")

    def fill_items(self) -> None:
        self.thing.clear()
        depot_id = combo_value(self.depot)
        for line in dispatch.stock_choices(self.db, depot_id) if depot_id else []:
            spec = f"（{line['spec']}）" if line["spec"] else ""
            self.thing.addItem(f"{line['name']}{spec}", line["item_id"])
            self.thing.setItemData(self.thing.count() - 1, f"{line['quantity']} {line['unit']}", Qt.ItemDataRole.UserRole + 1)
        self.show_book()

    def show_book(self) -> None:
        text = self.thing.currentData(Qt.ItemDataRole.UserRole + 1)
        self.book.setText(text or "—")

    def data(self) -> DispatchInput:
        return DispatchInput(
            town_id=combo_value(self.town), ordered_by=combo_value(self.ordered_by),
            recorded_by=self.recorder.currentText(), place=self.place.text(), task=self.task.toPlainText(),
            dispatched_at=time_text(self.when), expected_arrival=self.expected.value() if self.kind != "物资" else None,
            headcount=(self.headcount.value() or None) if self.kind == "队伍" else None)

    def submit(self) -> int:
        if self.kind == "物资":
            depot_id, item_id = combo_value(self.depot), self.thing.currentData()
            if depot_id is None:
                raise ValidationError("请选择储备库", "储备库")
            if item_id is None:
                raise ValidationError("请选择物资（该储备库没有库存的物资不能出库）", "物资")
            return dispatch.dispatch_supply(self.db, self.response_id, depot_id, item_id, self.quantity.value(),
                                            self.data(), self.clock)
        thing = combo_value(self.thing)
        if thing is None:
            raise ValidationError(f"请选择{self.kind}", self.kind)
        send = dispatch.dispatch_team if self.kind == "队伍" else dispatch.dispatch_equipment
        return send(self.db, self.response_id, thing, self.data(), self.clock)


class MomentDialog(ServiceForm):
    """到达 / 返回 of one dispatch: the time (now unless changed) and who records it."""

    def __init__(self, db: Database, row: dict, action: str, clock: Clock = SYSTEM_CLOCK, parent=None) -> None:
        verb = "送达" if action == "到达" and row["kind"] == "物资" else action
        super().__init__(f"登记{verb}：{row['name']}", parent)
        self.db, self.row, self.action, self.clock = db, row, action, clock
        self.buttons.button(self.buttons.StandardButton.Save).setText(f"确认{verb}")
        self.when = time_edit(clock.now())
        self.recorder = recorder_combo(db, clock)
        self.add_row("派出", QLabel(f"{row['dispatched_at']} → {row['destination']}"))
        if row["arrived_at"]:
            self.add_row("到达", QLabel(row["arrived_at"]))
        self.add_row(f"{verb}时间 *", self.when, f"{action}时间")
        self.add_row("记录人 *", self.recorder, "记录人")

    def submit(self) -> int:
        mark = dispatch.mark_arrived if self.action == "到达" else dispatch.mark_returned
        mark(self.db, self.row["id"], time_text(self.when), recorded_by=self.recorder.currentText(),
             expected_version=self.row["version"], clock=self.clock)
        return self.row["id"]


# ------------------------------------------------------------------ the list

def _times(row: dict, key: str) -> str:
    value = row[key]
    return value[5:] if value else ""


class DispatchModel(DictTableModel):
    """Dispatch rows; the status column coloured; an arrival overdue against its expected time
    on a pale red background."""

    STATUS = 9

    def __init__(self, now: Callable, parent=None) -> None:
        super().__init__([
            ("kind", "类别"), ("name", "名称"), ("amount", "数量"), ("source", "出发地/来源"), ("destination", "目的地"),
            (lambda r: _times(r, "dispatched_at"), "派出"), (lambda r: _times(r, "expected_arrival"), "预计到达"),
            (lambda r: _times(r, "arrived_at"), "到达"), (lambda r: _times(r, "returned_at"), "返回"),
            ("status", "状态"), ("ordered_by_name", "下令人"), ("task", "任务")], parent)
        self.now = now

    def late(self, row: dict) -> bool:
        return bool(row["expected_arrival"] and not row["arrived_at"] and not row["returned_at"]
                    and parse_minute(row["expected_arrival"], "") < self.now())

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == self.STATUS:
            return QBrush(QColor(STATUS_COLOURS[row["status"]]))
        if role == Qt.ItemDataRole.BackgroundRole and self.late(row):
            return QBrush(OVERDUE_BACKGROUND)
        if role == Qt.ItemDataRole.ToolTipRole and self.late(row):
            return f"预计 {row['expected_arrival']} 到达，尚未到达"
        return super().data(index, role)


class DispatchWidget(QWidget):
    """Dispatches of one response (``set_response``), with their actions."""

    def __init__(self, db: Database, clock: Clock = SYSTEM_CLOCK, notify: Callable[[str], None] | None = None,
                 parent=None) -> None:
        super().__init__(parent)
        self.db, self.clock = db, clock
        self.notify = notify or (lambda message: None)
        self.response_id: int | None = None
        self.live = False
        # Replaceable in tests: run a dialog (True when accepted), warn.
        self.run_dialog: Callable[[QDialog], bool] = lambda d: d.exec() == QDialog.DialogCode.Accepted
        self.warn: Callable[[str], None] = lambda text: QMessageBox.warning(self, "无法完成", text)
        self.summary = QLabel(objectName="dispatchSummary", wordWrap=True)
        self.kind_filter = QComboBox(objectName="kindFilter")
        for text, value in (("全部", None), ("队伍", "队伍"), ("装备", "装备"), ("物资", "物资")):
            self.kind_filter.addItem(text, value)
        self.kind_filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.model = DispatchModel(lambda: self.clock.now(), self)
        self.table = record_table(self.model, "dispatchTable", row_height=26)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((44, 220, 60, 150, 170, 84, 84, 84, 84, 56, 60)):
            header.resizeSection(column, width)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self.update_buttons())
        self.buttons: dict[str, QPushButton] = {}
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(QLabel("类别"))
        top.addWidget(self.kind_filter)
        actions = QHBoxLayout()
        for text, slot in (("派出队伍…", lambda: self.send("队伍")), ("派出装备…", lambda: self.send("装备")),
                           ("调拨物资出库…", lambda: self.send("物资")), ("到达", lambda: self.mark("到达")),
                           ("返回", lambda: self.mark("返回"))):
            button = QPushButton(text, objectName="primaryButton" if text == "派出队伍…" else "")
            button.clicked.connect(lambda _=False, s=slot: s())
            actions.addWidget(button)
            self.buttons[text.rstrip("…")] = button
        actions.addStretch(1)
        self.can_dispatch = session.allowed(db, DISPATCH)
        for button in self.buttons.values():
            note(button, self.can_dispatch, DISPATCH)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        self.set_response(None)

    def set_response(self, response_id: int | None) -> None:
        self.response_id = response_id
        self.live = response_id is not None and dispatch.response_row(self.db, response_id)["live"]
        self.refresh()

    def refresh(self) -> None:
        current = self.current()
        if self.response_id is None:
            self.model.set_rows([])
            self.summary.setText("未选择应急响应")
        else:
            self.model.set_rows(dispatch.listing(self.db, self.response_id, self.kind_filter.currentData()))
            self.summary.setText(summary_text(dispatch.summary(self.db, self.response_id)))
        if current is not None:
            for row, record in enumerate(self.model.rows):
                if record["id"] == current["id"]:
                    self.table.selectRow(row)
        self.update_buttons()

    def current(self) -> dict | None:
        index = self.table.currentIndex()
        return self.model.row(index.row()) if index.isValid() else None

    def update_buttons(self) -> None:
        may = self.can_dispatch
        for name in ("派出队伍", "派出装备", "调拨物资出库"):
            self.buttons[name].setEnabled(self.live and may)
        row = self.current()
        self.buttons["到达"].setEnabled(bool(may and row and not row["arrived_at"] and not row["returned_at"]))
        self.buttons["返回"].setEnabled(bool(may and row and row["kind"] != "物资" and not row["returned_at"]))

    def send(self, kind: str) -> None:
        if self.response_id is None:
            return
        dialog = DispatchDialog(self.db, self.response_id, kind, self.clock, self)
        if self.run_dialog(dialog) and dialog.saved_id:
            self.refresh()
            self.select(dialog.saved_id)
            row = dispatch.get(self.db, dialog.saved_id)
            self.notify(f"已{DispatchDialog.TITLES[kind]}：{row['name']} {row['amount']} → {row['destination']}")

    def mark(self, action: str) -> None:
        row = self.current()
        if row is None:
            return
        dialog = MomentDialog(self.db, row, action, self.clock, self)
        if self.run_dialog(dialog):
            self.refresh()
            self.notify(f"已登记{action}：{row['name']}")

    def select(self, dispatch_id: int) -> None:
        for row, record in enumerate(self.model.rows):
            if record["id"] == dispatch_id:
                self.table.selectRow(row)


def summary_text(summary: dict) -> str:
    teams, kit, goods = summary["队伍"], summary["装备"], summary["物资"]
    return (f"队伍：在场 {teams['在场']} 支 · 途中 {teams['已派出']} 支 · 已返回 {teams['已返回']} 支"
            f"（在外 {teams['人数']} 人）    装备：在场 {kit['在场']} · 途中 {kit['已派出']} · 已返回 {kit['已返回']}"
            f"    物资：已送达 {goods['已送达']} 批 · 在途 {goods['在途']} 批")
