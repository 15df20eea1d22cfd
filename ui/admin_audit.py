"""系统管理 · 审计记录: who wrote what and when, read-only, newest first, with each record's
changes (field, before, after). Filters: table, part of the actor's name, time span."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton,
                               QSplitter, QVBoxLayout, QWidget)
from sqlite_utils import Database

from nxcommand import audit
from nxcommand.clock import SYSTEM_CLOCK, Clock

from .desk_models import DictTableModel
from .forms import record_table

SPANS = (("全部时间", None), ("今天", 0), ("最近 7 天", 7), ("最近 30 天", 30))
LIMITS = (200, 500, 2000)
SEARCH_DELAY_MS = 300


def _value(value: object) -> str:
    return "（空）" if value is None or value == "" else str(value)


def summary(entry: dict) -> str:
    if entry["redacted"]:
        return "（个人信息已按规定清除）"
    if entry["op"] != "UPDATE":
        return f"{len(entry['changes'])} 项"
    return "；".join(f"{audit.field_title(column)}：{_value(before)} → {_value(after)}"
                    for column, before, after in entry["changes"])


class AuditTab(QWidget):
    def __init__(self, db: Database, clock: Clock = SYSTEM_CLOCK) -> None:
        super().__init__()
        self.db, self.clock = db, clock
        self.loaded = False
        self.table = QComboBox(objectName="auditTable")
        self.actor = QLineEdit(objectName="auditActor", clearButtonEnabled=True)
        self.actor.setPlaceholderText("操作人（姓名或用户名的一部分）")
        self.span = QComboBox(objectName="auditSpan")
        for text, days in SPANS:
            self.span.addItem(text, days)
        self.limit = QComboBox()
        for n in LIMITS:
            self.limit.addItem(f"最多 {n} 条", n)
        self.limit.setCurrentIndex(1)
        refresh = QPushButton("刷新")
        refresh.clicked.connect(self.reload)
        self._search = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS, timeout=self.run_query)
        self.actor.textChanged.connect(lambda _: self._search.start())
        for combo in (self.table, self.span, self.limit):
            combo.currentIndexChanged.connect(lambda _: self.run_query())

        self.model = DictTableModel([("at", "时间"), ("actor", "操作人"), ("table_title", "对象"),
                                     ("row_id", "记录号"), ("op_title", "操作"), (summary, "变更")], self)
        self.view = record_table(self.model, "auditEntries", row_height=24)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self._selected())
        self.change_model = DictTableModel([(lambda c: audit.field_title(c[0]), "字段"), (lambda c: _value(c[1]), "修改前"),
                                            (lambda c: _value(c[2]), "修改后")], self)
        self.change_view = record_table(self.change_model, "auditChanges")
        self.change_view.setWordWrap(True)
        self.change_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.count_label = QLabel(objectName="countLabel")

        filters = QHBoxLayout()
        filters.addWidget(self.table)
        filters.addWidget(self.actor, 1)
        filters.addWidget(self.span)
        filters.addWidget(self.limit)
        filters.addWidget(refresh)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.view)
        splitter.addWidget(self.change_view)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.count_label)
        layout.addWidget(splitter, 1)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if not self.loaded:          # read the trail when first looked at, not at every login
            self.reload()

    def reload(self) -> None:
        """The table list again (new tables appear once written) and the entries."""
        chosen = self.table.currentData()
        self.table.blockSignals(True)
        self.table.clear()
        self.table.addItem("全部对象", None)
        for name, title in sorted(audit.tables(self.db), key=lambda t: t[1]):
            self.table.addItem(title, name)
        self.table.setCurrentIndex(max(self.table.findData(chosen), 0))
        self.table.blockSignals(False)
        self.run_query()

    def run_query(self) -> None:
        self._search.stop()              # a search typed meanwhile is answered now
        self.loaded = True
        days = self.span.currentData()
        since = None
        if days is not None:
            since = (self.clock.now() - timedelta(days=days)).strftime("%Y-%m-%d")
        limit = self.limit.currentData()
        rows = audit.entries(self.db, table=self.table.currentData(), actor=self.actor.text().strip() or None,
                             since=since, limit=limit)
        self.model.set_rows(rows)
        more = "（已达上限，请缩小范围）" if len(rows) >= limit else ""
        self.count_label.setText(f"共 {len(rows)} 条{more}")
        if rows:
            self.view.selectRow(0)
        self._selected()

    def _selected(self) -> None:
        index = self.view.currentIndex()
        entry = self.model.row(index.row()) if index.isValid() else None
        self.change_model.set_rows(entry["changes"] if entry else [])
