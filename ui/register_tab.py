"""What the resource tabs (队伍, 专家, 装备, 避难场所, 特殊群体) share: a lazy table model over a
register's ids, the tab frame (filter bar, table, count, buttons, Excel), and form helpers
for town/village pickers and for naming a person in the directory."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

from PySide6.QtCore import QAbstractTableModel, QItemSelectionModel, QModelIndex, Qt, QTimer
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QComboBox, QDialog, QHBoxLayout, QHeaderView, QInputDialog, QLabel, QLineEdit,
                               QMessageBox, QPushButton, QVBoxLayout, QWidget)
from sqlite_utils import Database

from nxcommand import org
from nxcommand.clock import SYSTEM_CLOCK, Clock
from nxcommand.errors import UserError

from .forms import record_table, searchable_combo
from .guard import guard

PAGE = 200
CACHE_LIMIT = 5000
SEARCH_DELAY_MS = 150

RED, ORANGE, GREEN, BLUE, GREY = (QColor(c) for c in ("#c62828", "#e65100", "#2e7d32", "#1565c0", "#8a8f98"))
PALE_RED, PALE_AMBER = QColor("#fde2e1"), QColor("#fff1cc")

Column = tuple[str | Callable[[dict], object], str]        # (row key or function, header)


def cell(record: dict, key) -> str:
    value = key(record) if callable(key) else record.get(key)
    return "" if value is None else str(value)


class RecordModel(QAbstractTableModel):
    """Ids of a register's query; rows fetched a page at a time through ``fetch(ids)``.
    ``style(record, column) -> (foreground, background)`` colours cells."""

    def __init__(self, fetch: Callable[[list[int]], dict[int, dict]], columns: list[Column],
                 style: Callable[[dict, int], tuple[QColor | None, QColor | None]] | None = None,
                 parent=None) -> None:
        super().__init__(parent)
        self.fetch, self.columns, self.style = fetch, columns, style
        self._ids: list[int] = []
        self._cache: OrderedDict[int, dict] = OrderedDict()

    def set_ids(self, ids: list[int]) -> None:
        self.beginResetModel()
        self._ids = list(ids)
        self._cache.clear()
        self.endResetModel()

    def row_id(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, record_id: int) -> int:
        try:
            return self._ids.index(record_id)
        except ValueError:
            return -1

    def record(self, row: int) -> dict | None:
        record_id = self.row_id(row)
        if record_id is None:
            return None
        if record_id not in self._cache:
            start = max(0, row - PAGE // 4)
            self._cache.update(self.fetch([i for i in self._ids[start:start + PAGE] if i not in self._cache]))
            while len(self._cache) > CACHE_LIMIT:
                self._cache.popitem(last=False)
        return self._cache.get(record_id)

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            rec = self.record(index.row())
            return None if rec is None else cell(rec, self.columns[index.column()][0])
        if role in (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.BackgroundRole) and self.style:
            rec = self.record(index.row())
            if rec is None:
                return None
            colours = self.style(rec, index.column())
            colour = colours[0] if role == Qt.ItemDataRole.ForegroundRole else colours[1]
            return QBrush(colour) if colour is not None else None
        return None

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.columns[section][1]
        return None


def combo_value(combo: QComboBox):
    """The chosen item's data, or None when the typed text matches no item."""
    index = combo.currentIndex()
    if index < 0 or combo.itemText(index) != combo.currentText().strip():
        return None
    return combo.itemData(index)


def choice_combo(items, everything: str | None = None) -> QComboBox:
    """A plain drop-down of texts (data = the text); ``everything`` adds a first 全部 item."""
    combo = QComboBox()
    if everything:
        combo.addItem(everything, None)
    for item in items:
        combo.addItem(item, item)
    return combo


def town_combo(db: Database, everything: str | None = None) -> QComboBox:
    return searchable_combo(([(everything, None)] if everything else []) + [
        (t["name"], t["id"]) for t in org.towns(db)])


class TownVillage:
    """A town picker and a village picker that follows it (village optional)."""

    def __init__(self, db: Database, village_label: str = "（不指定村）") -> None:
        self.db, self.none_label = db, village_label
        self.town = town_combo(db)
        self.town.setCurrentIndex(-1)
        self.village = QComboBox()
        self.town.currentIndexChanged.connect(lambda _i: self._fill())
        self._fill()

    def _fill(self) -> None:
        self.village.clear()
        if self.none_label:
            self.village.addItem(self.none_label, None)
        town_id = combo_value(self.town)
        if town_id is not None:
            for v in org.villages(self.db, town_id):
                self.village.addItem(v["name"], v["id"])

    def set(self, town_id: int | None, village_id: int | None) -> None:
        self.town.setCurrentIndex(self.town.findData(town_id))
        self.village.setCurrentIndex(max(0, self.village.findData(village_id)))

    def town_id(self):
        return combo_value(self.town)

    def village_id(self):
        return self.village.currentData()


def person_fields(name_hint: str = "姓名") -> tuple[QLineEdit, QLineEdit]:
    """Name and phone of a person the register names: found in the directory by name and
    phone, or added there when new."""
    name = QLineEdit(placeholderText=f"{name_hint}（通讯录中已有则自动关联，否则新建联系人）")
    phone = QLineEdit(placeholderText="手机 11 位，或含区号的固定电话")
    return name, phone


class RegisterTab(QWidget):
    """The frame of a register tab. Subclasses set up filters, columns and actions, and
    implement ``query_ids()``, ``fetch(ids)``, ``dialog(record)`` and ``get(id)``."""

    noun = "条"

    def __init__(self, db: Database, clock: Clock = SYSTEM_CLOCK,
                 notify: Callable[[str], None] | None = None) -> None:
        super().__init__()
        self.db, self.clock = db, clock
        self.notify = notify or (lambda message: None)
        # Replaceable in tests: run a dialog (True when accepted), ask yes/no, warn.
        self.run_dialog: Callable[[QDialog], bool] = lambda d: d.exec() == QDialog.DialogCode.Accepted
        self.confirm: Callable[[str, str], bool] = self._confirm
        self.warn: Callable[[str], None] = lambda text: QMessageBox.warning(self, "无法完成", text)
        self.ask_text: Callable[[str, str], str | None] = self._ask_text
        self.search = QLineEdit(objectName="searchBox", clearButtonEnabled=True)
        self.count_label = QLabel(objectName="countLabel")
        self.filters = QHBoxLayout()
        self.filters.addWidget(self.search, 3)
        self.actions = QHBoxLayout()
        self.actions.addWidget(self.count_label)
        self.actions.addStretch(1)
        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS, timeout=self.run_query)
        self.search.textChanged.connect(lambda _t: self._timer.start())

    def build(self, columns: list[Column], style=None, widths: tuple[int, ...] = (), above: QWidget | None = None) -> None:
        """Lay out the tab once the subclass has added its filters and buttons."""
        self.model = RecordModel(self.fetch, columns, style, self)
        self.table = record_table(self.model, "registerTable", row_height=28)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate(widths):
            header.resizeSection(column, width)
        self.table.doubleClicked.connect(lambda _i: self.edit_selected())
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self.selection_changed())
        layout = QVBoxLayout(self)
        layout.addLayout(self.filters)
        if above is not None:
            layout.addWidget(above)
        layout.addWidget(self.table, 1)
        layout.addLayout(self.actions)
        self.run_query()

    def button(self, text: str, slot, primary: bool = False) -> QPushButton:
        button = QPushButton(text, objectName="primaryButton" if primary else "")
        button.clicked.connect(lambda _=False: slot())
        self.actions.addWidget(button)
        if slot == self.add_record:     # 新增…: always enabled, so greyed once for who may not
            guard(button, self.db, "管理资源登记")
        return button

    def watch(self, *widgets) -> None:
        """Re-run the query when a filter widget changes."""
        for widget in widgets:
            if isinstance(widget, QComboBox):
                widget.currentIndexChanged.connect(lambda _i: self.run_query())
            else:
                widget.toggled.connect(lambda _on: self.run_query())
            self.filters.addWidget(widget, 1)

    # -- to implement
    def query_ids(self) -> list[int]:
        raise NotImplementedError

    def fetch(self, ids: list[int]) -> dict[int, dict]:
        raise NotImplementedError

    def dialog(self, record: dict | None) -> QDialog:
        raise NotImplementedError

    def get(self, record_id: int) -> dict:
        raise NotImplementedError

    # -- shared behaviour
    def run_query(self) -> None:
        self._timer.stop()
        current = self.current_record()
        self.model.set_ids(self.query_ids())
        rows = self.model.rowCount()
        self.count_label.setText(f"共 {rows} {self.noun}" if rows else "没有符合条件的记录")
        row = self.model.row_of(current["id"]) if current else -1
        if rows:
            self.select_row(max(row, 0))
        self.selection_changed()

    def select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)

    def select_id(self, record_id: int) -> None:
        row = self.model.row_of(record_id)
        if row >= 0:
            self.select_row(row)

    def current_record(self) -> dict | None:
        if not hasattr(self, "table"):
            return None
        index = self.table.currentIndex()
        return self.model.record(index.row()) if index.isValid() else None

    def selection_changed(self) -> None:
        """Enable actions that need a selected row (subclasses extend)."""

    def add_record(self) -> None:
        dialog = self.dialog(None)
        if self.run_dialog(dialog) and dialog.saved_id:
            self.run_query()
            self.select_id(dialog.saved_id)
            self.notify(f"已新增：{self.get(dialog.saved_id)['name']}")

    def edit_selected(self) -> None:
        record = self.current_record()
        if record is None:
            return
        dialog = self.dialog(self.get(record["id"]))
        if self.run_dialog(dialog):
            self.run_query()
            self.select_id(record["id"])
            self.notify(f"已保存：{record['name']}")

    def remove_with(self, title: str, question: Callable[[dict], str],
                    remove: Callable[[Database, int], None], done: Callable[[dict], str]) -> None:
        """Ask ``question(record)``; if confirmed, remove the selected record through the
        service, refresh and say ``done(record)``. A refusal is shown and changes nothing."""
        record = self.current_record()
        if record is None or not self.confirm(title, question(record)):
            return
        try:
            remove(self.db, record["id"])
        except UserError as exc:
            self.warn(str(exc))
            return
        self.run_query()
        self.notify(done(record))

    def _ask_text(self, title: str, text: str) -> str | None:
        value, ok = QInputDialog.getText(self, title, text)
        return value if ok else None

    def _confirm(self, title: str, text: str) -> bool:
        return QMessageBox.question(self, title, text) == QMessageBox.StandardButton.Yes
