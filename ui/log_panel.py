"""值班日志: the duty log, newest first, with filters, search as you type, new entries and
corrections. Entries are never edited: 更正 adds a new entry and both stay visible."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from html import escape

from PySide6.QtCore import QDate, QEvent, QItemSelectionModel, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QComboBox, QDateEdit, QDialog, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QPushButton, QSplitter, QTextBrowser, QVBoxLayout, QWidget)
from sqlite_utils import Database

from nxcommand import dutylog, org
from nxcommand.clock import SYSTEM_CLOCK, Clock

from .forms import record_table, searchable_combo
from .guard import guard, note
from .log_dialogs import LogEntryDialog
from .log_model import SUMMARY_COLUMN, LogTableModel, mark

SEARCH_DELAY_MS = 150
RANGES = (("全部日期", None), ("今天", 0), ("近 3 天", 2), ("近 7 天", 6), ("近 30 天", 29),
          ("指定日期", -1))
COLUMN_WIDTHS = (60, 124, 72, 84, 150, 0, 180, 150, 64)   # the summary takes the rest


def _date_edit(day: date) -> QDateEdit:
    edit = QDateEdit(QDate(day.year, day.month, day.day))
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setCalendarPopup(True)
    return edit


def entry_html(row: dict, other: dict | None) -> str:
    """The selected entry in full; ``other`` is its correction or the entry it corrects."""
    title = f"#{row['id']} {escape(row['kind'])} {row['logged_at']}"
    parts = [f"<h3>{title}</h3>"]
    if mark(row):
        parts.append(f"<p style='color:#a0461b'><b>{escape(mark(row).strip('〔〕'))}</b></p>")
    items = [("来源", row["source"]), ("摘要", row["summary"]), ("处置情况", row["actions"]),
             ("报告", f"{row['reported_to']} {row['reported_at'] or ''}".strip()),
             ("镇（街道）", row["town"]), ("关联事件", row["event"]), ("更正原因", row["reason"]),
             ("记录人", f"{row['recorded_by']}（录入于 {row['recorded_at']}）")]
    parts.append("<table cellspacing='0' cellpadding='3'>")
    for label, value in items:
        if value:
            text = escape(value).replace("\n", "<br>")
            parts.append(f"<tr><td valign='top' width='80'><b>{label}</b></td><td>{text}</td></tr>")
    parts.append("</table>")
    if other is not None:
        heading = (f"更正后的记录 #{other['id']}" if other.get("corrects_id") == row["id"]
                   else f"原记录 #{other['id']}（已更正）")
        parts.append(f"<h4>{heading}</h4><p>{other['logged_at']} {escape(other['kind'])}<br>"
                     f"{escape(other['summary']).replace(chr(10), '<br>')}</p>")
    return "".join(parts)


class DutyLogPanel(QWidget):
    def __init__(self, db: Database, clock: Clock = SYSTEM_CLOCK,
                 notify: Callable[[str], None] | None = None) -> None:
        super().__init__()
        self.db, self.clock = db, clock
        self.notify = notify or (lambda message: None)
        self.recorder = ""            # the last recorder named, offered again in the next form
        self.event_id: int | None = None
        today = clock.now().date()

        self.range = QComboBox()
        for text, days in RANGES:
            self.range.addItem(text, days)
        self.date_from = _date_edit(today - timedelta(days=6))
        self.date_to = _date_edit(today)
        self.kind = QComboBox()
        self.kind.addItem("全部类别", None)
        for name in dutylog.kinds(db):
            self.kind.addItem(name, name)
        self.town = searchable_combo([("全部镇（街道）", None)] + [(t["name"], t["id"]) for t in org.towns(db)])
        self.town.setMinimumContentsLength(9)
        self.search = QLineEdit(objectName="searchBox", clearButtonEnabled=True)
        self.search.setPlaceholderText("搜索记录内容：如 山火、滑坡 乌迳、G323、电话号码…  Ctrl+F")
        self.count_label = QLabel(objectName="countLabel")

        self.model = LogTableModel(db, self)
        self.table = record_table(self.model, "logTable", row_height=30)
        header = self.table.horizontalHeader()
        header.setMinimumSectionSize(48)
        for column, width in enumerate(COLUMN_WIDTHS):
            if width:
                header.resizeSection(column, width)
        header.setSectionResizeMode(SUMMARY_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.detail = QTextBrowser(objectName="logDetail")

        self.add_button = QPushButton("新增记录 (Ctrl+N)", objectName="primaryButton")
        self.correct_button = QPushButton("更正… (F2)")
        self.reset_button = QPushButton("清除筛选")
        self.add_button.clicked.connect(self.add_entry)
        self.correct_button.clicked.connect(self.correct_selected)
        self.reset_button.clicked.connect(self.reset_filters)
        self.can_write = guard(self.add_button, db, "值班记录")
        note(self.correct_button, self.can_write, "值班记录")

        filters = QHBoxLayout()
        for widget, stretch in ((self.range, 0), (self.date_from, 0), (QLabel("至"), 0),
                                (self.date_to, 0), (self.kind, 0), (self.town, 0), (self.search, 1)):
            filters.addWidget(widget, stretch)
        actions = QHBoxLayout()
        actions.addWidget(self.count_label)
        actions.addStretch(1)
        for button in (self.reset_button, self.correct_button, self.add_button):
            actions.addWidget(button)
        # Rows are wide, so the selected entry is shown in full below the table.
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 4)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([560, 180])
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(actions)

        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS, timeout=self.run_query)
        self.search.textChanged.connect(lambda _text: self._timer.start())
        self.range.currentIndexChanged.connect(self._range_changed)
        for signal in (self.date_from.dateChanged, self.date_to.dateChanged):
            signal.connect(lambda _d: self.run_query())
        for combo in (self.kind, self.town):
            combo.currentIndexChanged.connect(lambda _i: self.run_query())
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_current())
        self.table.doubleClicked.connect(lambda _index: self.correct_selected())
        self.search.installEventFilter(self)
        for keys, slot in (("Ctrl+F", self.focus_search), ("Ctrl+N", self.add_entry),
                           ("F2", self.correct_selected)):
            QShortcut(QKeySequence(keys), self, activated=slot)
        self._range_changed()

    # -- querying
    def _range_changed(self) -> None:
        days = self.range.currentData()
        custom = days == -1
        self.date_from.setEnabled(custom)
        self.date_to.setEnabled(custom)
        if days is not None and days >= 0:
            today = self.clock.now().date()
            for edit, day in ((self.date_from, today - timedelta(days=days)), (self.date_to, today)):
                edit.blockSignals(True)
                edit.setDate(QDate(day.year, day.month, day.day))
                edit.blockSignals(False)
        self.run_query()

    def current_query(self) -> dutylog.LogQuery:
        dated = self.range.currentData() is not None
        return dutylog.LogQuery(
            text=self.search.text(), kind=self.kind.currentData(), town_id=self.town.currentData(),
            event_id=self.event_id,
            date_from=self.date_from.date().toPython() if dated else None,
            date_to=self.date_to.date().toPython() if dated else None)

    def run_query(self) -> None:
        """Read the log again for the filters; the selected entry stays selected if shown."""
        self._timer.stop()
        query = self.current_query()
        current = self.current_record()
        self.model.set_query(query)
        if query.date_from and query.date_to and query.date_from > query.date_to:
            self.count_label.setText("开始日期晚于结束日期，请调整日期范围")
        else:
            self.count_label.setText(self.model.total_text())
        if not (current and self.select_entry(current["id"])) and self.model.rowCount():
            self.select_row(0)
        self._show_current()

    def show_event(self, event_id: int | None) -> None:
        """Show only the entries linked to one event (None: all), e.g. from the desk."""
        self.event_id = event_id
        self.run_query()

    def reset_filters(self) -> None:
        for widget in (self.range, self.kind, self.town, self.search):
            widget.blockSignals(True)
        self.range.setCurrentIndex(0)
        self.kind.setCurrentIndex(0)
        self.town.setCurrentIndex(0)
        self.search.clear()
        for widget in (self.range, self.kind, self.town, self.search):
            widget.blockSignals(False)
        self.event_id = None
        self._range_changed()

    def select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)

    def select_entry(self, entry_id: int) -> bool:
        row = self.model.row_of(entry_id)
        if row >= 0:
            self.select_row(row)
        return row >= 0

    def current_record(self) -> dict | None:
        index = self.table.currentIndex()
        return self.model.record(index.row()) if index.isValid() else None

    def _show_current(self) -> None:
        row = self.current_record()
        self.correct_button.setEnabled(row is not None and self.can_write)
        if row is None:
            self.detail.setHtml("<p>没有选中的记录</p>")
            return
        linked = row["corrected_by"] or row["corrects_id"]
        self.detail.setHtml(entry_html(row, dutylog.get(self.db, linked) if linked else None))

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Down/Enter: on to the list
        if (watched is self.search and event.type() == QEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter)):
            if self._timer.isActive():
                self.run_query()
            self.table.setFocus()
            return True
        return super().eventFilter(watched, event)

    # -- actions
    def _open(self, dialog: LogEntryDialog, done: str) -> None:
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.saved_id:
            self.recorder = dialog.recorder.currentText()
            self.run_query()
            if not self.select_entry(dialog.saved_id):
                done += "（不符合当前筛选条件，清除筛选后可见）"
            self.notify(done)

    def add_entry(self) -> None:
        self._open(LogEntryDialog(self.db, self.clock, self, recorder=self.recorder), "已新增值班日志记录")

    def correct_selected(self) -> None:
        row = self.current_record()
        if row is None:
            return
        if row["corrected_by"]:
            self.notify(f"#{row['id']} 已由 #{row['corrected_by']} 更正，如需再次更正，请选中 #{row['corrected_by']}")
            self.select_entry(row["corrected_by"])
            return
        self._open(LogEntryDialog(self.db, self.clock, self, correcting=row, recorder=self.recorder),
                   f"已更正 #{row['id']}，原记录保留")

    def showEvent(self, event) -> None:  # noqa: N802 - show entries added elsewhere (desk, intake)
        super().showEvent(event)
        self.run_query()

