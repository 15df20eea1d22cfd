"""The 预警 panel: warnings in force as cards in their level's colour, the history of every
version, the selected warning's elements and version chain; issue, relay a signal, adjust,
lift; and "据此启动预案…", which hands the warning to the response panel's open dialog."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QComboBox, QDialog, QFrame, QGridLayout, QGroupBox, QHBoxLayout,
                               QHeaderView, QLabel, QMessageBox, QPushButton, QScrollArea,
                               QSplitter, QVBoxLayout, QWidget)
from sqlite_utils import Database

from nxcommand import early_warning as ew
from nxcommand import session
from nxcommand.clock import SYSTEM_CLOCK, Clock

from .desk_models import DictTableModel
from .forms import record_table
from .guard import guard, note
from .public_dialogs import LiftDialog, WarningDialog, current_officer


def text_colour(hex_colour: str) -> str:
    """Dark text on yellow, white text on the other level colours."""
    c = QColor(hex_colour)
    return "#1b1b1b" if (0.299 * c.red() + 0.587 * c.green() + 0.114 * c.blue()) > 170 else "#ffffff"


class WarningCard(QFrame):
    """One warning in force: a level-coloured band with title, issuer, scope and times."""

    clicked = Signal(int)

    def __init__(self, warning: dict, parent=None) -> None:
        super().__init__(parent)
        self.warning_id = warning["id"]
        self.setObjectName("warningCard")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setMinimumWidth(260)
        colour, fg = warning["color_hex"], text_colour(warning["color_hex"])
        band = QLabel(f"{warning['color_name']}\n{'预警' if warning['source'] == ew.GOVERNMENT else '气象信号'}",
                      objectName="cardBand", alignment=Qt.AlignmentFlag.AlignCenter)
        band.setFixedWidth(64)
        band.setStyleSheet(f"background: {colour}; color: {fg}; font-weight: bold; border-radius: 4px;")
        title = QLabel(warning["title"], objectName="cardTitle", wordWrap=True)
        title.setStyleSheet("font-size: 16px; font-weight: bold; color: #0b1f33;")
        source = ("发布：" + warning["issuer"] if warning["source"] == ew.GOVERNMENT
                  else f"{warning['issuer']}发布，{warning['relayed_by']}转发")
        facts = QLabel(f"{source}\n发布 {warning['issued_at']}　起始 {warning['starts_at']}"
                       f"\n影响：{'、'.join(warning['towns'])}", objectName="cardFacts", wordWrap=True)
        facts.setStyleSheet("color: #3d4b5c;")
        body = QVBoxLayout()
        body.setSpacing(2)
        body.addWidget(title)
        body.addWidget(facts)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 6, 8, 6)
        layout.addWidget(band)
        layout.addLayout(body, 1)
        self.colour = colour
        self.set_selected(False)

    def set_selected(self, on: bool) -> None:
        width = 3 if on else 1
        border = "#14314f" if on else self.colour
        self.setStyleSheet(f"#warningCard {{ background: #ffffff; border: {width}px solid {border};"
                           f" border-radius: 6px; }}")

    def mousePressEvent(self, event) -> None:  # noqa: N802
        self.clicked.emit(self.warning_id)
        super().mousePressEvent(event)


class WarningHistoryModel(DictTableModel):
    LEVEL = 3

    def __init__(self, parent=None) -> None:
        super().__init__([
            ("issued_at", "发布时间"), ("source_label", "来源"), ("title", "预警"),
            (lambda w: f"{w['color_name']}", "级别"), (lambda w: "、".join(w["towns"]), "影响范围"),
            ("issuer", "发布单位"), (lambda w: w["status"] + (f" {w['lifted_at']}" if w["lifted_at"] else ""), "状态"),
            (lambda w: f"第{w['revision']}版", "版本")], parent)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if index.isValid() and index.column() == self.LEVEL:
            row = self.rows[index.row()]
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(QColor(row["color_hex"]))
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(QColor(text_colour(row["color_hex"])))
        if index.isValid() and role == Qt.ItemDataRole.ForegroundRole and self.rows[index.row()]["status"] != ew.IN_FORCE:
            return QBrush(QColor("#6b7685"))
        return super().data(index, role)


class WarningsPanel(QWidget):
    """The rail entry 预警. ``start_response(warning_id)`` is the hook the main window wires to
    the response panel's open dialog; ``startResponseRequested`` is emitted too."""

    startResponseRequested = Signal(int)

    def __init__(self, db: Database, clock: Clock = SYSTEM_CLOCK,
                 notify: Callable[[str], None] | None = None) -> None:
        super().__init__()
        self.db, self.clock = db, clock
        self.notify = notify or (lambda message: None)
        self.run_dialog: Callable[[QDialog], bool] = lambda d: d.exec() == QDialog.DialogCode.Accepted
        self.confirm: Callable[[str, str], bool] = self._confirm
        self.warn: Callable[[str, str], None] = lambda title, text: QMessageBox.warning(self, title, text)
        self.start_response: Callable[[int], None] | None = None
        self.selected_id: int | None = None
        self.cards: list[WarningCard] = []

        heading = QLabel("预警", objectName="panelTitle")
        heading.setStyleSheet("font-size: 20px; font-weight: bold; color: #14314f;")
        self.count_label = QLabel(objectName="countLabel")
        self.buttons: dict[str, QPushButton] = {}
        top = QHBoxLayout()
        top.addWidget(heading)
        top.addWidget(self.count_label, 1)
        for key, text, slot in (("issue", "发布预警…", self.issue), ("relay", "转发气象信号…", self.relay),
                                ("adjust", "调整…", self.adjust), ("lift", "解除…", self.lift),
                                ("start", "据此启动预案…", self.request_start)):
            button = QPushButton(text, objectName="primaryButton" if key == "start" else f"{key}Button")
            button.clicked.connect(slot)
            self.buttons[key] = button
            top.addWidget(button)
        self.can_record = guard(self.buttons["issue"], db, "预警登记")
        guard(self.buttons["relay"], db, "预警登记")
        note(self.buttons["adjust"], self.can_record, "预警登记")
        note(self.buttons["lift"], self.can_record, "预警登记")
        self.can_start = session.allowed(db, "启动响应")
        note(self.buttons["start"], self.can_start, "启动响应")

        self.card_box = QWidget(objectName="cardBox")
        self.card_grid = QGridLayout(self.card_box)
        self.card_grid.setContentsMargins(4, 4, 4, 4)
        self.empty = QLabel("当前没有生效的预警", objectName="noWarnings")
        self.empty.setStyleSheet("color: #6b7685; padding: 12px;")
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.card_box)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        live = QGroupBox("生效中的预警")
        live_layout = QVBoxLayout(live)
        live_layout.addWidget(scroll)

        self.source_filter = QComboBox(objectName="sourceFilter")
        self.source_filter.addItem("全部来源", None)
        for source in ew.SOURCES:
            self.source_filter.addItem(ew.SOURCE_LABELS[source], source)
        self.town_filter = QComboBox(objectName="townFilter")
        self.town_filter.addItem("全部镇街", None)
        for name, town_id in ew.towns(db):
            self.town_filter.addItem(name, town_id)
        self.source_filter.currentIndexChanged.connect(self.refresh_history)
        self.town_filter.currentIndexChanged.connect(self.refresh_history)
        self.history_model = WarningHistoryModel(self)
        self.history_view = record_table(self.history_model, "warningHistory")
        header = self.history_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.history_view.selectionModel().currentRowChanged.connect(self._history_selected)
        history = QGroupBox("预警记录（含调整、解除的各版本）")
        history_layout = QVBoxLayout(history)
        filters = QHBoxLayout()
        filters.addWidget(self.source_filter)
        filters.addWidget(self.town_filter)
        filters.addStretch(1)
        history_layout.addLayout(filters)
        history_layout.addWidget(self.history_view)

        self.detail = QLabel(objectName="warningDetail", wordWrap=True,
                             textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        detail_scroll = QScrollArea()
        detail_scroll.setWidgetResizable(True)
        detail_scroll.setWidget(self.detail)
        detail_scroll.setFrameShape(QFrame.Shape.NoFrame)
        detail = QGroupBox("预警要素")
        detail_layout = QVBoxLayout(detail)
        detail_layout.addWidget(detail_scroll)

        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(live)
        left.addWidget(history)
        left.setSizes([260, 500])
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(detail)
        split.setSizes([900, 420])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        self.refresh()

    # ------------------------------------------------------------ data

    def refresh(self) -> None:
        live = ew.current(self.db)
        for card in self.cards:
            card.setParent(None)
            card.deleteLater()
        self.cards = []
        self.empty.setParent(None)
        if not live:
            self.card_grid.addWidget(self.empty, 0, 0)
        for n, w in enumerate(live):
            card = WarningCard(w)
            card.clicked.connect(self.select)
            self.card_grid.addWidget(card, n // 2, n % 2)
            self.cards.append(card)
        self.card_grid.setRowStretch(self.card_grid.rowCount(), 1)
        reds = sum(1 for w in live if w["level"] <= 2)
        self.count_label.setText(f"生效 {len(live)} 条" + (f"，其中红色/橙色 {reds} 条" if reds else ""))
        self.refresh_history()
        if self.selected_id is None and live:
            self.selected_id = live[0]["id"]
        self.select(self.selected_id)

    def refresh_history(self) -> None:
        self.history_model.set_rows(ew.history(self.db, source=self.source_filter.currentData(),
                                               town_id=self.town_filter.currentData()))

    def _history_selected(self, current, _previous) -> None:
        row = self.history_model.row(current.row())
        if row is not None and row["id"] != self.selected_id:
            self.select(row["id"])

    def select(self, warning_id: int | None) -> None:
        self.selected_id = warning_id
        for card in self.cards:
            card.set_selected(card.warning_id == warning_id)
        w = ew.get(self.db, warning_id) if warning_id is not None else None
        live = bool(w and w["status"] == ew.IN_FORCE)
        for key in ("adjust", "lift"):
            self.buttons[key].setEnabled(live and self.can_record)
        self.buttons["start"].setEnabled(live and self.can_start)
        self.detail.setText(self._detail_html(w) if w else "选择一条预警查看全部要素")

    def selected(self) -> dict | None:
        return ew.get(self.db, self.selected_id) if self.selected_id is not None else None

    def _detail_html(self, w: dict) -> str:
        fg = text_colour(w["color_hex"])
        rows = [("来源", w["source_label"]), ("类别", f"{w['category']} / {w['subtype']}"),
                ("级别", f"{w['level_name']}（{w['color_name']}）")]
        if w["signal_name"]:
            rows.append(("信号名称", w["signal_name"]))
        rows += [("发布单位", w["issuer"]), ("发布时间", w["issued_at"]), ("起始时间", w["starts_at"])]
        if w["relayed_by"]:
            rows.append(("转发", f"{w['relayed_by']} {w['relayed_at']}"))
        rows += [("影响范围", "、".join(w["towns"])), ("警示事项", w["matters"]), ("防范措施", w["measures"]),
                 ("状态", w["status"])]
        if w["adjust_reason"]:
            rows.append(("调整原因", w["adjust_reason"]))
        if w["lifted_at"]:
            rows.append(("解除", f"{w['lifted_at']} {w['lifted_by']} {w['lift_reason']}"))
        table = "".join(f"<tr><td style='color:#5b6675; padding:3px 10px 3px 0; white-space:nowrap'>{k}</td>"
                        f"<td style='padding:3px 0'>{_esc(v)}</td></tr>" for k, v in rows)
        chain = ew.chain(self.db, w["id"])
        versions = "<br>".join(
            f"{'▶ ' if v['id'] == w['id'] else ''}第{v['revision']}版 {v['issued_at']} {v['color_name']} "
            f"{_esc(v['title'])}（{v['status']}）" for v in chain)
        return (f"<div style='background:{w['color_hex']}; color:{fg}; padding:6px; font-size:16px;"
                f" font-weight:bold'>{_esc(w['title'])}</div><table>{table}</table>"
                f"<p style='color:#14314f; font-weight:bold'>版本</p><p>{versions}</p>")

    # ------------------------------------------------------------ actions

    def _confirm(self, title: str, text: str) -> bool:
        return QMessageBox.question(self, title, text) == QMessageBox.StandardButton.Yes

    def _open(self, dialog: QDialog, done: str) -> None:
        if self.run_dialog(dialog):
            self.selected_id = dialog.saved_id
            self.refresh()
            self.notify(done)

    def issue(self) -> None:
        self._open(WarningDialog(self.db, self.clock, current_officer(self.db, self.clock), ew.GOVERNMENT,
                                 parent=self), "预警已发布，并记入值班日志")

    def relay(self) -> None:
        self._open(WarningDialog(self.db, self.clock, current_officer(self.db, self.clock), ew.SIGNAL,
                                 parent=self), "气象预警信号已转发登记，并记入值班日志")

    def _live_selected(self, what: str) -> dict | None:
        w = self.selected()
        if w is None or w["status"] != ew.IN_FORCE:
            self.notify(f"请先选择一条生效中的预警再{what}")
            return None
        return w

    def adjust(self) -> None:
        w = self._live_selected("调整")
        if w:
            self._open(WarningDialog(self.db, self.clock, current_officer(self.db, self.clock), w["source"],
                                     adjust_of=w["id"], parent=self), "预警已调整（原预警标记为已调整）")

    def lift(self) -> None:
        w = self._live_selected("解除")
        if not w:
            return
        if not self.confirm("解除预警", f"确定解除“{w['title']}”？解除后预警期结束，该预警不再显示为生效。"):
            return
        dialog = LiftDialog(self.db, self.clock, current_officer(self.db, self.clock), w["id"], self)
        if self.run_dialog(dialog):
            self.refresh()
            self.notify("预警已解除，并记入值班日志")

    def request_start(self) -> None:
        w = self._live_selected("启动预案")
        if not w:
            return
        plans = ew.plans_for_warning(self.db, w["id"])
        if not plans:
            self.warn("据此启动预案", f"没有适用于“{w['subtype']}”的现行预案")
            return
        self.startResponseRequested.emit(w["id"])
        if self.start_response is not None:
            self.start_response(w["id"])
        else:
            self.notify("可据此启动：" + "、".join(p["name"] for p in plans[:3]))


def _esc(text: str) -> str:
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\n", "<br>"))
