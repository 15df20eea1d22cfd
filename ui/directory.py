"""通讯录: the duty officer's most used screen. Search as you type, filter, copy a number."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QItemSelectionModel, QSettings, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (QCheckBox, QDialog, QFrame, QGridLayout,
                               QHBoxLayout, QInputDialog, QLabel, QLineEdit,
                               QMessageBox, QPushButton, QSplitter, QVBoxLayout,
                               QWidget)
from sqlite_utils import Database

from nxcommand import contacts, org
from nxcommand.clock import SYSTEM_CLOCK, Clock
from nxcommand.contacts_excel import CONTACTS
from nxcommand.errors import UserError

from .contact_dialog import ContactDialog
from .contact_model import ContactTableModel
from .excel_io import ExcelBar
from .forms import record_table, searchable_combo
from .guard import guard, note

SEARCH_DELAY_MS = 120


class DirectoryPanel(QWidget):
    def __init__(self, db: Database, clock: Clock = SYSTEM_CLOCK,
                 notify: Callable[[str], None] | None = None) -> None:
        super().__init__()
        self.db, self.clock = db, clock
        self.notify = notify or (lambda message: None)
        # Replaceable in tests: ask for the reason a contact is retired (None = cancelled).
        self.ask_retire_reason: Callable[[str], str | None] = self._ask_retire_reason

        self.search = QLineEdit(objectName="searchBox", clearButtonEnabled=True)
        self.search.setPlaceholderText("搜索：姓名、拼音首字母（如 zjz）、单位、职务、角色、电话号码…  Ctrl+F")
        self.org_filter = searchable_combo([("全部单位", None)] + [
            (o["name"], o["id"]) for o in org.organizations(db)])
        self.town_filter = searchable_combo([("全部镇（街道）", None)] + [
            (t["name"], t["id"]) for t in org.towns(db)])
        self.body_filter = searchable_combo([("全部指挥机构", None)] + [
            (b["short_name"] or b["name"], b["id"]) for b in org.command_bodies(db)])
        self.retired = QCheckBox("含已停用")
        self.count_label = QLabel(objectName="countLabel")

        self.model = ContactTableModel(db, self)
        self.table = record_table(self.model, "contactTable", row_height=30)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        for column, width in enumerate((84, 130, 150, 112, 118, 130)):
            header.resizeSection(column, width)
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())

        self.add_button = QPushButton("新增 (Ctrl+N)")
        self.edit_button = QPushButton("编辑 (F2)")
        self.retire_button = QPushButton("停用…")
        self.copy_button = QPushButton("复制号码 (Enter)", objectName="primaryButton")
        self.add_button.clicked.connect(self.add_contact)
        self.edit_button.clicked.connect(self.edit_selected)
        self.retire_button.clicked.connect(self.retire_or_reinstate_selected)
        self.copy_button.clicked.connect(self.copy_selected)
        self.can_edit = guard(self.add_button, db, "维护通讯录")
        note(self.edit_button, self.can_edit, "维护通讯录")
        note(self.retire_button, self.can_edit, "维护通讯录")

        self.card = ContactCard(self.copy_number)

        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        for widget in (self.org_filter, self.town_filter, self.body_filter):
            filters.addWidget(widget, 1)
        filters.addWidget(self.retired)
        self.excel = ExcelBar(db, CONTACTS, clock, self.notify, self.run_query)
        actions = QHBoxLayout()
        actions.addWidget(self.count_label)
        actions.addWidget(self.excel)
        actions.addStretch(1)
        for button in (self.add_button, self.edit_button, self.retire_button, self.copy_button):
            actions.addWidget(button)
        self.splitter = QSplitter()
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.card)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([880, 300])
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(actions)

        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS, timeout=self.run_query)
        self.search.textChanged.connect(lambda _text: self._timer.start())
        for combo in (self.org_filter, self.town_filter, self.body_filter):
            combo.currentIndexChanged.connect(lambda _i: self.run_query())
        self.retired.toggled.connect(lambda _on: self.run_query())
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_current())
        self.search.installEventFilter(self)
        self.table.installEventFilter(self)
        for keys, slot in (("Ctrl+F", self.focus_search), ("Ctrl+N", self.add_contact),
                           ("F2", self.edit_selected)):
            QShortcut(QKeySequence(keys), self, activated=slot)
        self.run_query()

    # -- querying
    def current_query(self) -> contacts.Query:
        return contacts.Query(
            text=self.search.text(), org_id=self.org_filter.currentData(),
            town_id=self.town_filter.currentData(), body_id=self.body_filter.currentData(),
            include_retired=self.retired.isChecked())

    def run_query(self) -> None:
        self._timer.stop()
        self.model.set_query(self.current_query())
        rows = self.model.rowCount()
        self.count_label.setText(f"共 {rows} 人" if rows else "没有找到匹配的联系人")
        if rows:
            self.select_row(0)
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
        self.card.show_record(record)
        self.edit_button.setEnabled(record is not None and self.can_edit)
        self.retire_button.setEnabled(record is not None and self.can_edit)
        self.copy_button.setEnabled(record is not None)
        if record is not None:
            self.retire_button.setText("停用…" if record["active"] else "恢复")

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # -- keys: Down/Enter from the search box go to the list; Enter or Ctrl+C copies
    def eventFilter(self, watched, event) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if watched is self.search and key in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if self._timer.isActive():
                    self.run_query()
                self.table.setFocus()
                return True
            if watched is self.table:
                if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) or event.matches(QKeySequence.StandardKey.Copy):
                    self.copy_selected()
                    return True
        return super().eventFilter(watched, event)

    # -- actions
    def copy_selected(self) -> None:
        record = self.current_record()
        if record is None:
            return
        number = record["mobile"] or record["office_phone"]
        self.copy_number(record["name"], "手机" if record["mobile"] else "办公电话", number)

    def copy_number(self, name: str, label: str, number: str | None) -> None:
        if not number:
            return
        QGuiApplication.clipboard().setText(number)
        self.notify(f"已复制 {name} 的{label}：{number}")

    def _reselect(self, person_id: int) -> None:
        self.run_query()
        row = self.model.row_of(person_id)
        if row >= 0:
            self.select_row(row)

    def add_contact(self) -> None:
        dialog = ContactDialog(self.db, None, self.clock, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.saved_id:
            self._reselect(dialog.saved_id)
            self.notify("已新增联系人")

    def edit_selected(self) -> None:
        record = self.current_record()
        if record is None or not self.can_edit:
            return
        dialog = ContactDialog(self.db, contacts.get(self.db, record["id"]), self.clock, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.model.refresh_ids([record["id"]])
            self._reselect(record["id"])
            self.notify("已保存修改")

    def retire_or_reinstate_selected(self) -> None:
        record = self.current_record()
        if record is None:
            return
        try:
            if record["active"]:
                reason = self.ask_retire_reason(record["name"])
                if reason is None:
                    return
                contacts.retire(self.db, record["id"], reason, self.clock)
                self.notify(f"已停用 {record['name']}（记录保留，勾选“含已停用”可查看和恢复）")
            else:
                contacts.reinstate(self.db, record["id"], self.clock)
                self.notify(f"已恢复 {record['name']}")
        except UserError as exc:
            QMessageBox.warning(self, "无法完成", str(exc))
            return
        self.model.refresh_ids([record["id"]])
        self.run_query()

    def _ask_retire_reason(self, name: str) -> str | None:
        reason, ok = QInputDialog.getText(
            self, "停用联系人",
            f"停用后“{name}”不再出现在通讯录中（记录保留，可恢复）。\n请填写停用原因（如 调离、退休）：")
        return reason if ok else None

    # -- state
    def save_state(self, settings: QSettings) -> None:
        settings.setValue("directory/splitter", self.splitter.saveState())
        settings.setValue("directory/columns", self.table.horizontalHeader().saveState())

    def restore_state(self, settings: QSettings) -> None:
        for key, target in (("directory/splitter", self.splitter),
                            ("directory/columns", self.table.horizontalHeader())):
            value = settings.value(key)
            if value is not None:
                target.restoreState(value)


class ContactCard(QFrame):
    """The selected contact in large type, with one-click copy for each number."""

    def __init__(self, copy: Callable[[str, str, str | None], None]) -> None:
        super().__init__(objectName="contactCard")
        self._copy = copy
        self._record: dict | None = None
        self.name = QLabel(objectName="cardName")
        self.unit = QLabel(wordWrap=True)
        self.roles = QLabel(objectName="cardRoles", wordWrap=True)
        self.note = QLabel(wordWrap=True, objectName="cardNote")
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        grid = QGridLayout(self)
        grid.addWidget(self.name, 0, 0, 1, 3)
        grid.addWidget(self.unit, 1, 0, 1, 3)
        grid.addWidget(self.roles, 2, 0, 1, 3)
        # (field, caption, label, copy button) for each number the card offers
        self.numbers = []
        for row, (key, caption) in enumerate((("mobile", "手机"), ("office_phone", "办公电话"),
                                              ("org_duty_phone", "单位值班电话")), start=3):
            label = QLabel(objectName="cardPhone")
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            button = QPushButton("复制")
            button.clicked.connect(lambda _=False, k=key, c=caption: self._copy_field(k, c))
            grid.addWidget(QLabel(caption), row, 0)
            grid.addWidget(label, row, 1)
            grid.addWidget(button, row, 2)
            self.numbers.append((key, label, button))
        self.mobile, self.office = self.numbers[0][1], self.numbers[1][1]
        grid.addWidget(self.note, 6, 0, 1, 3)
        grid.setRowStretch(7, 1)
        grid.setColumnStretch(1, 1)
        self.show_record(None)

    def _copy_field(self, key: str, label: str) -> None:
        if self._record:
            self._copy(self._record["name"], label, self._record[key])

    def show_record(self, record: dict | None) -> None:
        self._record = record
        for key, label, button in self.numbers:
            label.setText((record or {}).get(key) or "—")
            button.setEnabled(bool(record and record[key]))
        if record is None:
            for label in (self.unit, self.roles, self.note):
                label.clear()
            self.name.setText("未选择联系人")
            return
        self.name.setText(record["name"])
        town = f"（{record['town']}）" if record["town"] else ""
        self.unit.setText(f"{record['org']}{town}  {record['post'] or ''}".strip())
        self.roles.setText(record["roles"])
        note = record["note"] or ""
        if not record["active"]:
            note = f"已停用：{record['retired_reason'] or ''}\n{note}".strip()
        self.note.setText(note)
