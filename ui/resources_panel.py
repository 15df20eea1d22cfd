"""The 资源 panel ("一张图" of resources, seed 000:L302): one tab per register, the charts
and the map, under a strip of the registers' warnings (insurance, expiry, stock below
minimum). Tabs are built the first time they are shown, so pyqtgraph loads only when a
chart or the map is opened."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QPushButton, QTabWidget,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)
from sqlite_utils import Database

from nxcommand import alert_board, alerts
from nxcommand.clock import SYSTEM_CLOCK, Clock

AREAS = ("resources", "supplies")
TAB_FOR_REF = {"team": "队伍", "stock": "应急物资"}


def _tabs() -> list[tuple[str, Callable]]:
    from .charts import ChartsTab
    from .equipment_tab import EquipmentTab
    from .experts_tab import ExpertsTab
    from .shelters_tab import SheltersTab
    from .supplies_tab import SuppliesTab
    from .teams_tab import TeamsTab
    from .vulnerable_tab import VulnerableTab

    def map_tab(db, clock, notify):
        from .map_view import MapTab     # pyqtgraph: only when the map is first shown
        return MapTab(db, clock, notify)

    return [("队伍", TeamsTab), ("专家", ExpertsTab), ("装备", EquipmentTab), ("应急物资", SuppliesTab),
            ("避难场所", SheltersTab), ("特殊群体", VulnerableTab), ("图表", ChartsTab), ("一张图", map_tab)]


class AlertsDialog(QDialog):
    """The warnings in one list; double-click one to go to its register."""

    def __init__(self, found: list[alerts.Alert], parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("资源期限提醒")
        self.setMinimumSize(720, 420)
        self.chosen: alerts.Alert | None = None
        self.found = found
        self.table = QTableWidget(len(found), 4)
        self.table.setHorizontalHeaderLabels(["类别", "对象", "期限", "说明"])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        for row, a in enumerate(found):
            due = a.due.isoformat() if a.due else "—"
            for col, text in enumerate((a.kind, a.subject, due, a.message)):
                item = QTableWidgetItem(text)
                if a.overdue or a.due is None:
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.table.setItem(row, col, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.cellDoubleClicked.connect(self._choose)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("双击一项可转到相应登记表。"))
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)

    def _choose(self, row: int, _column: int) -> None:
        self.chosen = self.found[row]
        self.accept()


class ResourcesPanel(QWidget):
    def __init__(self, db: Database, clock: Clock = SYSTEM_CLOCK,
                 notify: Callable[[str], None] | None = None) -> None:
        super().__init__()
        self.db, self.clock = db, clock
        self.notify = notify or (lambda message: None)
        self.run_dialog: Callable[[QDialog], bool] = lambda d: d.exec() == QDialog.DialogCode.Accepted
        self.alert_label = QLabel(objectName="resourceAlerts", wordWrap=True)
        self.alert_button = QPushButton("查看提醒…")
        self.alert_button.clicked.connect(self.show_alerts)
        strip = QHBoxLayout()
        strip.addWidget(self.alert_label, 1)
        strip.addWidget(self.alert_button)
        self.tabs = QTabWidget(objectName="resourceTabs")
        self.factories = _tabs()
        self.built: dict[str, QWidget] = {}
        for title, _factory in self.factories:
            holder = QWidget()
            QVBoxLayout(holder).setContentsMargins(0, 0, 0, 0)
            self.tabs.addTab(holder, title)
        self.tabs.currentChanged.connect(self._show_tab)
        layout = QVBoxLayout(self)
        layout.addLayout(strip)
        layout.addWidget(self.tabs, 1)
        self._show_tab(0)
        self.refresh_alerts()

    def tab(self, title: str) -> QWidget:
        """The register tab called ``title``, built if it has not been shown yet."""
        index = next(i for i, (t, _f) in enumerate(self.factories) if t == title)
        self._build(index)
        return self.built[title]

    def _build(self, index: int) -> None:
        title, factory = self.factories[index]
        if title not in self.built:
            widget = factory(self.db, self.clock, self.notify)
            self.tabs.widget(index).layout().addWidget(widget)
            widget.show()          # a child added to a shown parent stays hidden otherwise
            self.built[title] = widget

    def _show_tab(self, index: int) -> None:
        if index < 0:
            return
        self._build(index)
        self.refresh_alerts()

    def refresh_alerts(self) -> None:
        self.found = alert_board.collect(self.db, self.clock.now().date(), AREAS)
        if not self.found:
            self.alert_label.setText("资源期限提醒：无")
            self.alert_label.setStyleSheet("")
            self.alert_button.setEnabled(False)
            return
        by_kind: dict[str, list[alerts.Alert]] = {}
        for a in self.found:
            by_kind.setdefault(a.kind, []).append(a)
        parts = []
        for kind, items in by_kind.items():
            late = sum(1 for a in items if a.overdue)
            parts.append(f"{kind} {len(items)} 项" + (f"（{late} 项已过期）" if late else ""))
        self.alert_label.setText("资源期限提醒：" + "；".join(parts))
        self.alert_label.setStyleSheet("color: #B71C1C;" if any(a.overdue or a.due is None for a in self.found)
                                       else "color: #8D6E00;")
        self.alert_button.setEnabled(True)

    def show_alerts(self) -> None:
        dialog = AlertsDialog(self.found, self)
        self.run_dialog(dialog)
        if dialog.chosen is not None:
            title = TAB_FOR_REF.get(dialog.chosen.ref[0])
            if title:
                self.tabs.setCurrentIndex(next(i for i, (t, _f) in enumerate(self.factories) if t == title))
