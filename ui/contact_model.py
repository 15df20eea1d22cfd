"""A lazy table model over the directory: it holds ids and fetches rows a page at a time."""

from __future__ import annotations

from collections import OrderedDict

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from sqlite_utils import Database

from nxcommand import contacts

HEADERS = ("姓名", "单位", "职务", "手机", "办公电话", "角色", "镇（街道）")
FIELDS = ("name", "org", "post", "mobile", "office_phone", "roles", "town")
PAGE = 200
CACHE_LIMIT = 5000


class ContactTableModel(QAbstractTableModel):
    def __init__(self, db: Database, parent=None) -> None:
        super().__init__(parent)
        self.db = db
        self._ids: list[int] = []
        self._cache: OrderedDict[int, dict] = OrderedDict()

    # -- loading
    def set_query(self, query: contacts.Query) -> None:
        self.beginResetModel()
        self._ids = contacts.search(self.db, query)
        self._cache.clear()
        self.endResetModel()

    def refresh_ids(self, ids: list[int]) -> None:
        """Drop cached rows after an edit so they are read again."""
        for person_id in ids:
            self._cache.pop(person_id, None)
        if self._ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._ids) - 1, len(FIELDS) - 1))

    def person_id(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, person_id: int) -> int:
        try:
            return self._ids.index(person_id)
        except ValueError:
            return -1

    def record(self, row: int) -> dict | None:
        person_id = self.person_id(row)
        if person_id is None:
            return None
        if person_id not in self._cache:
            start = max(0, row - PAGE // 4)
            page = [i for i in self._ids[start:start + PAGE] if i not in self._cache]
            self._cache.update(contacts.rows(self.db, page))
            while len(self._cache) > CACHE_LIMIT:
                self._cache.popitem(last=False)
        return self._cache.get(person_id)

    # -- Qt model API
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(FIELDS)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            rec = self.record(index.row())
            if rec is None:
                return None
            value = rec[FIELDS[index.column()]] or ""
            if role == Qt.ItemDataRole.DisplayRole and index.column() == 0 and not rec["active"]:
                return f"{value}（已停用）"
            return value
        if role == Qt.ItemDataRole.ForegroundRole:
            rec = self.record(index.row())
            if rec is not None and not rec["active"]:
                return QBrush(QColor("#8a8f98"))
        return None

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return None
