"""A lazy table model over the duty log: pages fetched newest first from a keyset cursor.

It never asks for all ids: ``set_query`` reads the count and the first page, and the view's
``fetchMore`` (called as the officer scrolls down) reads the next page after the last row.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from sqlite_utils import Database

from nxcommand import dutylog

HEADERS = ("编号", "时间", "类别", "镇（街道）", "来源", "摘要", "处置情况", "报告", "记录人")
SUMMARY_COLUMN = HEADERS.index("摘要")
COUNT_LIMIT = 50_000    # a filter matching more shows 超过 50000 条 (an exact count costs up to 100 ms)
MUTED = QColor("#8a8f98")
CORRECTION = QColor("#a0461b")


def mark(row: dict) -> str:
    """The correction mark shown before the summary: 已更正，见#123 / 更正#120."""
    if row["corrected_by"]:
        return f"〔已更正，见#{row['corrected_by']}〕"
    if row["corrects_id"]:
        return f"〔更正#{row['corrects_id']}〕"
    return ""


def one_line(text: str) -> str:
    return " ".join(text.split())


def cell(row: dict, column: int) -> str:
    if column == 0:
        return f"#{row['id']}"
    if column == 1:
        return row["logged_at"]
    if column == 2:
        return row["kind"]
    if column == 3:
        return row["town"]
    if column == 4:
        return row["source"]
    if column == SUMMARY_COLUMN:
        return mark(row) + one_line(row["summary"])
    if column == 6:
        return one_line(row["actions"])
    if column == 7:
        if not row["reported_to"]:
            return ""
        same_day = row["reported_at"][:10] == row["logged_at"][:10]
        return f"{row['reported_at'][11:] if same_day else row['reported_at'][5:]} {row['reported_to']}"
    return row["recorded_by"]


class LogTableModel(QAbstractTableModel):
    def __init__(self, db: Database, parent=None, page_size: int = dutylog.PAGE_SIZE) -> None:
        super().__init__(parent)
        self.db = db
        self.page_size = page_size
        self.query = dutylog.LogQuery()
        self.total = 0
        self._rows: list[dict] = []
        self._exhausted = True

    # -- loading
    def set_query(self, query: dutylog.LogQuery) -> None:
        self.beginResetModel()
        self.query = query
        self.total = dutylog.count(self.db, query, at_most=COUNT_LIMIT + 1)
        self._rows = dutylog.page(self.db, query, limit=self.page_size)
        self._exhausted = len(self._rows) < self.page_size
        self.endResetModel()

    def total_text(self) -> str:
        """共 1234 条记录 / 超过 50000 条记录 / 没有符合条件的记录."""
        if self.total > COUNT_LIMIT and (self.query.text or self.query.kind or self.query.town_id is not None
                                         or self.query.event_id is not None or self.query.date_from
                                         or self.query.date_to):
            return f"超过 {COUNT_LIMIT} 条记录，可缩小日期范围或增加关键词"
        return f"共 {self.total} 条记录" if self.total else "没有符合条件的记录"

    def reload(self) -> None:
        self.set_query(self.query)

    def canFetchMore(self, parent=QModelIndex()) -> bool:  # noqa: N802 - Qt API
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent=QModelIndex()) -> None:  # noqa: N802 - Qt API
        if parent.isValid() or self._exhausted:
            return
        after = self._rows[-1]["sort_key"] if self._rows else None
        more = dutylog.page(self.db, self.query, after=after, limit=self.page_size)
        self._exhausted = len(more) < self.page_size
        if more:
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(more) - 1)
            self._rows.extend(more)
            self.endInsertRows()

    def record(self, row: int) -> dict | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, entry_id: int) -> int:
        return next((i for i, r in enumerate(self._rows) if r["id"] == entry_id), -1)

    def loaded(self) -> int:
        return len(self._rows)

    # -- Qt model API
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(HEADERS)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return cell(row, index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            if index.column() == SUMMARY_COLUMN:
                tip = mark(row) + row["summary"]
                return tip + (f"\n更正原因：{row['reason']}" if row["reason"] else "")
            return cell(row, index.column()) or None
        if role == Qt.ItemDataRole.ForegroundRole:
            if row["corrected_by"]:
                return QBrush(MUTED)
            if row["corrects_id"] and index.column() in (0, SUMMARY_COLUMN):
                return QBrush(CORRECTION)
        return None

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return None
