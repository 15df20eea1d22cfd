"""Table models for the desk's short lists (open events, instructions, reminders) and the
reporting clocks with their live countdown."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from nxcommand.deadlines import Deadline

OVERDUE = QColor("#c62828")
SOON = QColor("#e65100")


def countdown(delta: timedelta) -> str:
    """还剩 14分32秒 / 还剩 2小时05分 / 超时 5分12秒."""
    seconds = int(delta.total_seconds())
    prefix = "还剩" if seconds >= 0 else "超时"
    seconds = abs(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours >= 1:
        return f"{prefix} {hours}小时{minutes:02d}分"
    return f"{prefix} {minutes}分{secs:02d}秒"


class DictTableModel(QAbstractTableModel):
    """Rows of plain dicts shown in fixed columns: [(key or callable, header)]."""

    def __init__(self, columns: list[tuple[str | Callable[[dict], str], str]], parent=None) -> None:
        super().__init__(parent)
        self.columns = columns
        self.rows: list = []

    def set_rows(self, rows: list) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row(self, index: int):
        return self.rows[index] if 0 <= index < len(self.rows) else None

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.columns)

    def cell(self, row, column: int) -> str:
        key = self.columns[column][0]
        value = key(row) if callable(key) else row[key]
        return "" if value is None else str(value)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.cell(self.rows[index.row()], index.column())
        return None

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.columns[section][1]
        return None


class DeadlineModel(DictTableModel):
    """Pending reporting deadlines; the countdown column moves with the clock."""

    COUNTDOWN = 3

    def __init__(self, now: Callable[[], datetime], parent=None) -> None:
        super().__init__([
            (lambda d: d.event_title, "事件"),
            (lambda d: d.name, "应报"),
            (lambda d: d.due_at.strftime("%m-%d %H:%M"), "时限"),
            (lambda d: countdown(d.remaining(self.now())), "剩余时间"),
            (lambda d: d.rule, "依据"),
        ], parent)
        self.now = now

    def tick(self) -> None:
        if self.rows:
            top, bottom = self.index(0, self.COUNTDOWN), self.index(len(self.rows) - 1, self.COUNTDOWN)
            self.dataChanged.emit(top, bottom, [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole])

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if index.isValid() and role == Qt.ItemDataRole.ForegroundRole:
            deadline: Deadline = self.rows[index.row()]
            left = deadline.remaining(self.now()).total_seconds()
            if left < 0:
                return QBrush(OVERDUE)
            if left < 15 * 60:
                return QBrush(SOON)
        if index.isValid() and role == Qt.ItemDataRole.FontRole and index.column() == self.COUNTDOWN:
            font = QFont()
            font.setBold(True)
            return font
        return super().data(index, role)
