"""应急物资: the category browser (GB/T 38565 codes), the stock table with its filters, the
movement buttons (入库 / 出库 / 调拨 / 盘点) and the selected line's ledger history.

Below-minimum lines are red; expiry or rotation dates within the alert window are amber,
past ones red. Stock changes only through the movement dialogs (the ledger)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QAbstractTableModel, QItemSelectionModel, QModelIndex, Qt, QTimer
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QCheckBox, QDialog, QHBoxLayout, QLabel, QLineEdit, QMessageBox,
                               QPushButton, QSplitter, QTreeWidget, QTreeWidgetItem, QVBoxLayout,
                               QWidget)
from sqlite_utils import Database

from nxcommand import ledger, supplies
from nxcommand.alerts import window_days
from nxcommand.clock import SYSTEM_CLOCK, Clock
from nxcommand.supplies_excel import DEPOTS, SUPPLIES

from .excel_io import ExcelBar
from .forms import record_table, searchable_combo
from .supplies_dialogs import DepotDialog, ItemDialog, MovementDialog, StockTermsDialog

RED, AMBER_TEXT = QColor("#c62828"), QColor("#8a4b00")
PALE_RED, PALE_AMBER = QColor("#fde2e1"), QColor("#fff1cc")
SEARCH_DELAY_MS = 150
ALL = "全部物资"

STOCK_COLUMNS = (("code", "编码"), ("name", "物资名称"), ("spec", "规格型号"), ("unit", "单位"),
                 ("depot", "储备库"), ("quantity", "数量"), ("minimum", "最低库存"),
                 ("expiry_date", "有效期至"), ("rotation_date", "轮换日期"))
HISTORY_HEADERS = ("时间", "类型", "变动", "结存", "经办人", "事由", "对方/去向")


class StockModel(QAbstractTableModel):
    """Stock lines of the current filter (a county holds hundreds, so rows are kept)."""

    def __init__(self, today: Callable[[], date], window: int, parent=None) -> None:
        super().__init__(parent)
        self.today, self.window = today, window
        self.rows: list[dict] = []

    def set_rows(self, rows: list[dict]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def record(self, row: int) -> dict | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def row_of(self, stock_id: int) -> int:
        return next((n for n, r in enumerate(self.rows) if r["id"] == stock_id), -1)

    def date_state(self, value: str | None) -> str:
        """'' / 'soon' (within the alert window) / 'past'."""
        if not value:
            return ""
        days = (date.fromisoformat(value) - self.today()).days
        return "past" if days < 0 else "soon" if days <= self.window else ""

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(STOCK_COLUMNS)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        rec = self.record(index.row()) if index.isValid() else None
        if rec is None:
            return None
        key = STOCK_COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            value = rec[key]
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.ToolTipRole:
            notes = []
            if rec["below"]:
                notes.append(f"低于最低库存 {rec['minimum']}{rec['unit']}")
            for field, label in (("expiry_date", "有效期"), ("rotation_date", "轮换日期")):
                state = self.date_state(rec[field])
                if state:
                    notes.append(f"{label}{'已过' if state == 'past' else '临近'}：{rec[field]}")
            return "；".join(notes) or None
        if role == Qt.ItemDataRole.TextAlignmentRole and key in ("quantity", "minimum"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            colour = self._colours(rec, key)
            chosen = colour[0] if role == Qt.ItemDataRole.ForegroundRole else colour[1]
            return QBrush(chosen) if chosen is not None else None
        return None

    def _colours(self, rec: dict, key: str) -> tuple[QColor | None, QColor | None]:
        if key in ("expiry_date", "rotation_date"):
            state = self.date_state(rec[key])
            return {"past": (RED, PALE_RED), "soon": (AMBER_TEXT, PALE_AMBER)}.get(state, (None, None))
        if rec["below"]:
            return (RED, PALE_RED) if key in ("quantity", "minimum") else (None, PALE_RED)
        return None, None

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return STOCK_COLUMNS[section][1]
        return None


class HistoryModel(QAbstractTableModel):
    """One stock line's movements, newest first: ids, rows fetched as shown."""

    def __init__(self, db: Database, parent=None) -> None:
        super().__init__(parent)
        self.db = db
        self.depot_id: int | None = None
        self._ids: list[int] = []
        self._cache: OrderedDict[int, dict] = OrderedDict()

    def set_stock(self, stock: dict | None) -> None:
        self.beginResetModel()
        self.depot_id = stock["depot_id"] if stock else None
        self._ids = ledger.history_ids(self.db, stock_id=stock["id"]) if stock else []
        self._cache.clear()
        self.endResetModel()

    def record(self, row: int) -> dict | None:
        if not 0 <= row < len(self._ids):
            return None
        mid = self._ids[row]
        if mid not in self._cache:
            self._cache.update(ledger.movement_rows(self.db, [i for i in self._ids[row:row + 200]
                                                              if i not in self._cache]))
        return self._cache.get(mid)

    def cells(self, m: dict) -> tuple:
        incoming = m["kind"] == "调拨" and m["to_depot_id"] == self.depot_id
        if incoming:
            change, after, other = f"+{m['quantity']}", m["to_balance_after"], f"由 {m['depot']} 调入"
        elif m["kind"] == "盘点":
            change = f"{m['quantity']:+d}" if m["quantity"] else "±0"
            after, other = m["balance_after"], f"账面 {m['book_quantity']}，实盘 {m['counted_quantity']}"
        else:
            sign = "+" if m["kind"] == "入库" else "-"
            change, after = f"{sign}{m['quantity']}", m["balance_after"]
            other = f"调往 {m['to_depot']}" if m["kind"] == "调拨" else m["ref"]
        kind = "调入" if incoming else "调出" if m["kind"] == "调拨" else m["kind"]
        return (m["moved_at"], kind, change, after, m["actor_name"], m["reason"], other)

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(HISTORY_HEADERS)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole) or not index.isValid():
            return None
        rec = self.record(index.row())
        return None if rec is None else str(self.cells(rec)[index.column()])

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HISTORY_HEADERS[section]
        return None


class SuppliesTab(QWidget):
    def __init__(self, db: Database, clock: Clock = SYSTEM_CLOCK,
                 notify: Callable[[str], None] | None = None) -> None:
        super().__init__()
        self.db, self.clock = db, clock
        self.notify = notify or (lambda message: None)
        # Replaceable in tests: run a dialog (True when accepted).
        self.run_dialog: Callable[[QDialog], bool] = lambda d: d.exec() == QDialog.DialogCode.Accepted
        self.warn: Callable[[str], None] = lambda text: QMessageBox.warning(self, "无法完成", text)
        self.window = window_days(db)

        self.tree = QTreeWidget(objectName="categoryTree")
        self.tree.setHeaderLabels(["物资分类（GB/T 38565）", "库存条目"])
        self.tree.setColumnWidth(0, 268)
        self.tree.setColumnWidth(1, 56)
        self.search = QLineEdit(objectName="searchBox", clearButtonEnabled=True)
        self.search.setPlaceholderText("搜索：物资名称、规格、编码、储备库…")
        self.depot_filter = searchable_combo([])
        self.below_only = QCheckBox("仅低于最低库存")
        self.expiring = QCheckBox(f"{self.window} 天内到期或轮换")
        self.count_label = QLabel(objectName="countLabel")

        self.model = StockModel(lambda: self.clock.now().date(), self.window, self)
        self.table = record_table(self.model, "stockTable", row_height=28)
        header = self.table.horizontalHeader()
        for column, width in enumerate((74, 110, 130, 46, 170, 70, 70, 92)):
            header.resizeSection(column, width)
        header.setStretchLastSection(True)
        self.history = HistoryModel(db, self)
        self.history_table = record_table(self.history, "historyTable", row_height=26)
        for column, width in enumerate((126, 50, 70, 70, 70, 180)):
            self.history_table.horizontalHeader().resizeSection(column, width)
        self.history_table.horizontalHeader().setStretchLastSection(True)
        self.history_label = QLabel("出入库记录", objectName="historyLabel")

        self.buttons: dict[str, QPushButton] = {}
        for kind in ledger.KINDS:
            button = QPushButton(kind, objectName="primaryButton" if kind in ("入库", "出库") else "")
            button.clicked.connect(lambda _=False, k=kind: self.move(k))
            self.buttons[kind] = button
        self.terms_button = QPushButton("库存设置…")
        self.terms_button.clicked.connect(self.edit_terms)
        self.item_button = QPushButton("登记物资…")
        self.item_button.clicked.connect(self.add_item)
        self.depot_button = QPushButton("储备库…")
        self.depot_button.clicked.connect(self.edit_depot)
        self.excel = ExcelBar(db, SUPPLIES, clock, self.notify, self.refresh)
        self.depot_excel = ExcelBar(db, DEPOTS, clock, self.notify, self.refresh)
        self.depot_excel.button.setText("储备库Excel")

        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        filters.addWidget(self.depot_filter, 2)
        filters.addWidget(self.below_only)
        filters.addWidget(self.expiring)
        actions = QHBoxLayout()
        actions.addWidget(self.count_label)
        actions.addStretch(1)
        for widget in (*self.buttons.values(), self.terms_button, self.item_button, self.depot_button,
                       self.excel, self.depot_excel):
            actions.addWidget(widget)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addLayout(filters)
        self.vertical = QSplitter(Qt.Orientation.Vertical)
        self.vertical.addWidget(self.table)
        below = QWidget()
        below_layout = QVBoxLayout(below)
        below_layout.setContentsMargins(0, 4, 0, 0)
        below_layout.addWidget(self.history_label)
        below_layout.addWidget(self.history_table)
        self.vertical.addWidget(below)
        self.vertical.setSizes([480, 220])
        right_layout.addWidget(self.vertical, 1)
        right_layout.addLayout(actions)
        self.splitter = QSplitter()
        self.splitter.addWidget(self.tree)
        self.splitter.addWidget(right)
        self.splitter.setSizes([300, 900])
        self.tree.setMinimumWidth(220)     # category names stay readable
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)

        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS, timeout=self.run_query)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.depot_filter.currentIndexChanged.connect(lambda _i: self.run_query())
        self.below_only.toggled.connect(lambda _on: self.run_query())
        self.expiring.toggled.connect(lambda _on: self.run_query())
        self.tree.currentItemChanged.connect(lambda *_: self.run_query())
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_current())
        self.refresh()

    # -- filling
    def refresh(self) -> None:
        """Reload depots and the category tree (keeping the choices), then the stock."""
        code, depot_id = self.current_code(), self.depot_filter.currentData()
        for widget in (self.tree, self.depot_filter):
            widget.blockSignals(True)
        self.depot_filter.clear()
        self.depot_filter.addItem("全部储备库", None)
        for d in supplies.depots(self.db):
            self.depot_filter.addItem(d["name"], d["id"])
        self.depot_filter.setCurrentIndex(max(0, self.depot_filter.findData(depot_id)))
        self._fill_tree(code)
        for widget in (self.tree, self.depot_filter):
            widget.blockSignals(False)
        self.run_query()

    def _fill_tree(self, selected: str | None) -> None:
        self.tree.clear()
        root = QTreeWidgetItem([ALL, ""])
        root.setData(0, Qt.ItemDataRole.UserRole, "")
        self.tree.addTopLevelItem(root)
        nodes: dict[str, QTreeWidgetItem] = {}
        chosen = root
        for c in supplies.category_tree(self.db):
            node = QTreeWidgetItem([f"{c['code']} {c['name']}", str(c["stock_lines"] or "")])
            node.setData(0, Qt.ItemDataRole.UserRole, c["code"])
            node.setToolTip(0, f"{c['code']} {c['name']}（第{c['level']}级）")
            parent = nodes.get(c["parent_code"], root)
            parent.addChild(node)
            nodes[c["code"]] = node
            if c["code"] == selected:
                chosen = node
        root.setExpanded(True)
        for n in range(root.childCount()):             # level 1 open: level 2 in view
            root.child(n).setExpanded(True)
        self.tree.setCurrentItem(chosen)

    def current_code(self) -> str:
        item = self.tree.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item is not None else ""

    def select_code(self, code: str) -> None:
        found = self.tree.findItems(code, Qt.MatchFlag.MatchStartsWith | Qt.MatchFlag.MatchRecursive)
        if found:
            self.tree.setCurrentItem(found[0])

    def current_query(self) -> supplies.StockQuery:
        return supplies.StockQuery(
            depot_id=self.depot_filter.currentData(), code_prefix=self.current_code(),
            text=self.search.text(), below_minimum=self.below_only.isChecked(),
            expiring_days=self.window if self.expiring.isChecked() else None,
            today=self.clock.now().date())

    def run_query(self, keep: int | None = None) -> None:
        self._timer.stop()
        keep = keep if keep is not None else (self.current_record() or {}).get("id")
        self.model.set_rows(supplies.stock_list(self.db, self.current_query()))
        rows = self.model.rows
        below = sum(1 for r in rows if r["below"])
        self.count_label.setText(f"共 {len(rows)} 条库存记录，{below} 条低于最低库存" if rows
                                 else "没有符合条件的库存记录")
        row = self.model.row_of(keep) if keep is not None else -1
        if rows:
            self.select_row(max(row, 0))
        else:
            self._show_current()

    def select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)

    def current_record(self) -> dict | None:
        index = self.table.currentIndex()
        return self.model.record(index.row()) if index.isValid() else None

    def _show_current(self) -> None:
        record = self.current_record()
        self.history.set_stock(record)
        self.terms_button.setEnabled(record is not None)
        self.buttons["出库"].setEnabled(record is None or record["quantity"] > 0)
        if record is None:
            self.history_label.setText("出入库记录（请选择一条库存）")
        else:
            spec = f"（{record['spec']}）" if record["spec"] else ""
            self.history_label.setText(f"出入库记录：{record['depot']} {record['name']}{spec}，"
                                       f"共 {self.history.rowCount()} 笔")

    # -- actions
    def move(self, kind: str) -> None:
        dialog = MovementDialog(self.db, kind, self.current_record(), self.clock, self)
        if self.run_dialog(dialog) and dialog.saved_id:
            m = ledger.movement_rows(self.db, [dialog.saved_id])[dialog.saved_id]
            stock = supplies.stock_id(self.db, m["depot_id"], m["item_id"])
            self.refresh_counts()
            self.run_query(keep=stock)
            self.notify(f"已登记{kind}：{m['depot']} {m['item']}，结存 {m['balance_after']}{m['unit']}")

    def refresh_counts(self) -> None:
        code = self.current_code()
        self.tree.blockSignals(True)
        self._fill_tree(code)
        self.tree.blockSignals(False)

    def edit_terms(self) -> None:
        record = self.current_record()
        if record is None:
            return
        dialog = StockTermsDialog(self.db, record, self.clock, self)
        if self.run_dialog(dialog):
            self.run_query(keep=record["id"])
            self.notify(f"已保存 {record['depot']} {record['name']} 的库存设置")

    def add_item(self) -> None:
        code = self.current_code()
        dialog = ItemDialog(self.db, self.clock, self, code if code and supplies.code_level(code) == 4 else "")
        if self.run_dialog(dialog):
            self.notify("已登记物资，可以通过“入库”登记库存")

    def edit_depot(self) -> None:
        depot_id = self.depot_filter.currentData()
        depot = supplies.get_depot(self.db, depot_id) if depot_id is not None else None
        dialog = DepotDialog(self.db, depot, self.clock, self)
        if self.run_dialog(dialog) and dialog.saved_id:
            self.refresh()
            self.notify("已保存储备库")
