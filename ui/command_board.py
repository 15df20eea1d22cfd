"""一个指挥中心: the command board of one response — orders (unacknowledged ones stand out),
the checklist (overdue red), the clocks (reports, releases, relief targets, orders, items),
casualties and evacuees (latest and history), the timeline, and FIELD's dispatch list."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlite_utils import Database

from nxcommand import incidents, orders, response, session, timeline
from nxcommand.clock import SYSTEM_CLOCK, Clock

from .dispatch_widget import DispatchWidget
from .desk_dialogs import FiguresDialog
from .desk_models import DictTableModel
from .forms import record_table
from .guard import note
from .order_dialogs import AckDialog, DoneDialog, OrderDialog
from .response_dialogs import ItemDoneDialog, TargetMetDialog
from .response_models import (
    FIGURE_COLUMNS,
    ChecklistModel,
    ClocksModel,
    OrdersModel,
    TimelineModel,
)

REFRESH_MS = 30_000
FIGURES = (("deaths", "死亡"), ("injured", "受伤"), ("missing", "失联"), ("trapped", "被困"), ("evacuated", "转移群众"))


def board_table(model, name: str, stretch: int, widths: dict[int, int] | tuple = ()) -> QTableView:
    """A board list: the ``stretch`` column takes the spare width, the others get the given
    widths (or fit their contents); long texts show whole in the tooltip."""
    view = record_table(model, name)
    header = view.horizontalHeader()
    header.setStretchLastSection(False)
    widths = widths if isinstance(widths, dict) else {}
    for column in range(model.columnCount()):
        if column in widths:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, widths[column])
        else:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    view.verticalHeader().setDefaultSectionSize(24)
    return view


BUTTON_ACTIONS = {"下达指令…": "下达指令", "签收…": "跟踪落实", "反馈完成…": "跟踪落实",
                  "标记完成…": "跟踪落实", "目标达成…": "跟踪落实", "更新伤亡…": "接报登记"}


def panel(title: str, body: QWidget, buttons: list[QPushButton] = (), extra: QWidget | None = None) -> QGroupBox:
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(6, 6, 6, 6)
    if extra is not None:
        layout.addWidget(extra)
    layout.addWidget(body, 1)
    if buttons:
        row = QHBoxLayout()
        row.addStretch(1)
        for button in buttons:
            row.addWidget(button)
        layout.addLayout(row)
    return box


def figure_card(caption: str) -> tuple[QFrame, QLabel]:
    card = QFrame(objectName="figureCard")
    card.setFrameShape(QFrame.Shape.StyledPanel)
    card.setStyleSheet("#figureCard { background: #f6f8fb; border: 1px solid #d5dbe3; border-radius: 4px; }")
    layout = QVBoxLayout(card)
    layout.setContentsMargins(6, 2, 6, 2)
    value = QLabel("0", alignment=Qt.AlignmentFlag.AlignCenter)
    value.setStyleSheet("font-size: 20pt; font-weight: bold; color: #1f2d3d;")
    name = QLabel(caption, alignment=Qt.AlignmentFlag.AlignCenter)
    name.setStyleSheet("color: #5b6675;")
    layout.addWidget(value)
    layout.addWidget(name)
    return card, value


class CommandBoard(QWidget):
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

        now = clock.now
        self.orders_model, self.checklist_model = OrdersModel(now, self), ChecklistModel(now, self)
        self.clocks_model, self.timeline_model = ClocksModel(now, self), TimelineModel(now, self)
        self.figures_model = DictTableModel(FIGURE_COLUMNS, self)
        self.orders_view = board_table(self.orders_model, "ordersTable", 2, {0: 50, 1: 100, 3: 50, 4: 118})
        self.checklist_view = board_table(self.checklist_model, "checklistTable", 1, {0: 44, 2: 92, 3: 50, 4: 104})
        self.clocks_view = board_table(self.clocks_model, "clocksTable", 1, {0: 40, 2: 84, 3: 108})
        self.timeline_view = board_table(self.timeline_model, "timelineTable", 2, {0: 50, 1: 64, 3: 88})
        self.figures_view = board_table(self.figures_model, "figuresTable", 0, {i: 40 for i in range(1, 6)} | {6: 64})

        self.buttons: dict[str, QPushButton] = {}
        order_buttons = [self._button(t, s) for t, s in (("下达指令…", self.issue_order), ("签收…", self.acknowledge),
                                                          ("反馈完成…", self.complete))]
        self.buttons["下达指令…"].setObjectName("primaryButton")
        item_buttons = [self._button("标记完成…", self.item_done)]
        clock_buttons = [self._button("目标达成…", self.target_met)]
        figure_buttons = [self._button("更新伤亡…", self.update_figures)]
        # what each button's service requires; a button the account may not use stays grey
        self.may = {text: session.allowed(db, BUTTON_ACTIONS[text]) for text in self.buttons}
        for text, button in self.buttons.items():
            note(button, self.may[text], BUTTON_ACTIONS[text])
        self.orders_summary = QLabel(objectName="ordersSummary")
        self.checklist_summary = QLabel(objectName="checklistSummary")

        cards = QWidget()
        grid = QGridLayout(cards)
        grid.setContentsMargins(0, 0, 0, 0)
        self.figure_values: dict[str, QLabel] = {}
        for column, (key, caption) in enumerate(FIGURES):
            card, value = figure_card(caption)
            self.figure_values[key] = value
            grid.addWidget(card, 0, column)
        self.figures_as_of = QLabel(objectName="statusMuted")
        figures_box = QWidget()
        fcol = QVBoxLayout(figures_box)
        fcol.setContentsMargins(0, 0, 0, 0)
        fcol.addWidget(cards)
        fcol.addWidget(self.figures_as_of)
        fcol.addWidget(self.figures_view, 1)

        self.dispatch = DispatchWidget(db, clock, self.notify)

        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(panel("指令", self.orders_view, order_buttons, self.orders_summary))
        left.addWidget(panel("处置清单", self.checklist_view, item_buttons, self.checklist_summary))
        middle = QSplitter(Qt.Orientation.Vertical)
        middle.addWidget(panel("时限与救助目标", self.clocks_view, clock_buttons))
        middle.addWidget(panel("时间线", self.timeline_view))
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(panel("伤亡与转移", figures_box, figure_buttons))
        right.addWidget(panel("力量调度与在场资源", self.dispatch))
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        for column in (left, middle, right):
            column.setChildrenCollapsible(False)
            self.splitter.addWidget(column)
        self.splitter.setSizes([600, 440, 360])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.splitter)

        self._ticker = QTimer(self, interval=1000, timeout=self._tick)
        self._ticker.start()
        self._refresher = QTimer(self, interval=REFRESH_MS, timeout=self.refresh)
        self._refresher.start()
        self.set_response(None)

    def _button(self, text: str, slot) -> QPushButton:
        button = QPushButton(text)
        button.clicked.connect(slot)
        self.buttons[text] = button
        return button

    def stop(self) -> None:
        self._ticker.stop()
        self._refresher.stop()

    def _tick(self) -> None:
        for model in (self.clocks_model, self.orders_model):
            model.tick()

    # -- data
    def set_response(self, response_id: int | None) -> None:
        self.response_id = response_id
        self.dispatch.set_response(response_id)
        self.refresh()

    def refresh(self) -> None:
        rid, now = self.response_id, self.clock.now()
        if rid is None:
            for model in (self.orders_model, self.checklist_model, self.clocks_model, self.timeline_model,
                          self.figures_model):
                model.set_rows([])
            self.live = False
            self.orders_summary.setText("")
            self.checklist_summary.setText("")
            self.figures_as_of.setText("")
            self._enable()
            return
        r = response.get_response(self.db, rid)
        self.live = r["live"]
        rows = orders.orders_for(self.db, rid)
        self.orders_model.set_rows(rows)
        unack = sum(o["acknowledged_at"] is None for o in rows)
        late = sum(self.orders_model.overdue(o) for o in rows)
        self.orders_summary.setText(f"共 {len(rows)} 条（按接收方）　未签收 {unack}　超时未完成 {late}　"
                                    f"已完成 {sum(o['done_at'] is not None for o in rows)}")
        self.orders_summary.setStyleSheet("color: #c62828; font-weight: bold;" if unack or late else "")
        items = response.checklist(self.db, rid)
        self.checklist_model.set_rows(items)
        overdue = sum(self.checklist_model.overdue(c) for c in items)
        self.checklist_summary.setText(f"共 {len(items)} 项　已完成 {sum(c['done_at'] is not None for c in items)}　"
                                       f"超时 {overdue}")
        self.checklist_summary.setStyleSheet("color: #c62828; font-weight: bold;" if overdue else "")
        self.clocks_model.set_rows(timeline.clocks(self.db, rid, now))
        self.timeline_model.set_rows(list(reversed(timeline.timeline(self.db, rid))))
        history = incidents.figures_history(self.db, r["event_id"]) if r["event_id"] else []
        self.figures_model.set_rows(list(reversed(history)))
        latest = history[-1] if history else {}
        for key, value in self.figure_values.items():
            value.setText(str(latest.get(key, 0)))
            value.setStyleSheet("font-size: 20pt; font-weight: bold; color: %s;" % (
                "#c62828" if key in ("deaths", "missing", "trapped") and latest.get(key) else "#1f2d3d"))
        self.figures_as_of.setText(f"截至 {latest['as_of']}（{latest['recorded_by']}）" if latest else "暂无统计")
        self._enable()

    def _enable(self) -> None:
        for text, button in self.buttons.items():
            button.setEnabled(self.may[text] and self.response_id is not None
                              and (self.live or text == "更新伤亡…"))

    def _selected(self, view: QTableView, model):
        index = view.currentIndex()
        return model.row(index.row()) if index.isValid() else None

    def _open(self, dialog: QDialog, done: str) -> bool:
        if self.run_dialog(dialog):
            self.refresh()
            self.notify(done)
            return True
        return False

    # -- actions
    def issue_order(self) -> None:
        if self.response_id is not None:
            self._open(OrderDialog(self.db, self.clock, self.officer(), self.response_id, parent=self), "指令已下达")

    def acknowledge(self) -> None:
        row = self._selected(self.orders_view, self.orders_model)
        if row is None:
            self.notify("请先选择一条指令")
        elif row["acknowledged_at"]:
            self.warn("已签收", f"{row['recipient']}已于{row['acknowledged_at']}签收")
        else:
            self._open(AckDialog(self.db, self.clock, row, self), f"{row['recipient']}已签收")

    def complete(self) -> None:
        row = self._selected(self.orders_view, self.orders_model)
        if row is None:
            self.notify("请先选择一条指令")
        elif row["done_at"]:
            self.warn("已完成", f"{row['recipient']}已于{row['done_at']}反馈完成")
        else:
            self._open(DoneDialog(self.db, self.clock, self.officer(), row, self), f"{row['recipient']}已反馈完成")

    def item_done(self) -> None:
        item = self._selected(self.checklist_view, self.checklist_model)
        if item is None:
            self.notify("请先选择一项处置事项")
        elif item["done_at"]:
            self.warn("已完成", f"该事项已于{item['done_at']}完成")
        else:
            self._open(ItemDoneDialog(self.db, self.clock, item, self), "处置事项已完成")

    def target_met(self) -> None:
        d = self._selected(self.clocks_view, self.clocks_model)
        if d is None or d.kind != "救助":
            self.notify("请先在时限列表中选择一项救助目标")
            return
        target = next(t for t in response.targets(self.db, self.response_id) if t["id"] == d.ref[1])
        if target["met_at"]:
            self.warn("已达成", f"该目标已于{target['met_at']}记录达成")
            return
        self._open(TargetMetDialog(self.db, self.clock, self.officer(), self.response_id, target, self), "已记录目标达成")

    def update_figures(self) -> None:
        if self.response_id is None:
            return
        r = response.get_response(self.db, self.response_id)
        if r["event_id"] is None:
            self.notify("该响应未关联事件")
            return
        self._open(FiguresDialog(self.db, r["event_id"], self.officer(), self.clock, self), "已更新伤亡情况")
