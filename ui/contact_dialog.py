"""Add or edit a contact. Validation is the core's; the form shows its message and stays open."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QCompleter, QDialog, QDialogButtonBox, QFormLayout,
                               QLabel, QLineEdit, QListWidget, QListWidgetItem, QPlainTextEdit,
                               QVBoxLayout)
from sqlite_utils import Database

from nxcommand import contacts, org, refdata
from nxcommand.clock import SYSTEM_CLOCK, Clock
from nxcommand.errors import UserError, ValidationError


def searchable_combo(items: list[tuple[str, int | None]]) -> QComboBox:
    """An editable combo box whose typed text filters by substring."""
    combo = QComboBox()
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    # Long unit names must not dictate the window's minimum width.
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(8)
    for text, value in items:
        combo.addItem(text, value)
    completer = combo.completer()
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    return combo


class ContactDialog(QDialog):
    def __init__(self, db: Database, person: dict | None = None, clock: Clock = SYSTEM_CLOCK,
                 parent=None) -> None:
        super().__init__(parent)
        self.db, self.person, self.clock = db, person, clock
        self.saved_id: int | None = None
        self.setWindowTitle("编辑联系人" if person else "新增联系人")
        self.setMinimumWidth(460)

        self.error = QLabel(objectName="formError")
        self.error.setWordWrap(True)
        self.error.hide()
        self.name = QLineEdit()
        self.org = searchable_combo([(o["name"], o["id"]) for o in org.organizations(db)])
        self.org.setCurrentIndex(-1)
        self.post = QLineEdit()
        self.mobile = QLineEdit(placeholderText="11 位手机号，如 13900001234")
        self.office = QLineEdit(placeholderText="含区号，如 0751-5551234；分机写在“转”后")
        self.roles = QListWidget()
        self.roles.setMaximumHeight(110)
        self.roles.setFlow(QListWidget.Flow.LeftToRight)
        self.roles.setWrapping(True)
        for tag in refdata.role_tags(db):
            item = QListWidgetItem(tag)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.roles.addItem(item)
        self.note = QPlainTextEdit()
        self.note.setMaximumHeight(70)
        self.note.setTabChangesFocus(True)

        form = QFormLayout()
        form.addRow("姓名 *", self.name)
        form.addRow("单位 *", self.org)
        form.addRow("职务", self.post)
        form.addRow("手机", self.mobile)
        form.addRow("办公电话", self.office)
        form.addRow("角色", self.roles)
        form.addRow("备注", self.note)
        self.fields = {"姓名": self.name, "单位": self.org, "职务": self.post, "手机": self.mobile,
                       "办公电话": self.office, "角色": self.roles, "备注": self.note}

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.error)
        layout.addLayout(form)
        layout.addWidget(buttons)
        if person:
            self._load(person)

    def _load(self, person: dict) -> None:
        self.name.setText(person["name"])
        self.org.setCurrentIndex(self.org.findData(person["org_id"]))
        self.post.setText(person["post"] or "")
        self.mobile.setText(person["mobile"] or "")
        self.office.setText(person["office_phone"] or "")
        self.note.setPlainText(person.get("note") or "")
        checked = set(person.get("role_list", []))
        for i in range(self.roles.count()):
            item = self.roles.item(i)
            if item.text() in checked:
                item.setCheckState(Qt.CheckState.Checked)

    def form_input(self) -> contacts.ContactInput:
        index = self.org.currentIndex()
        typed = self.org.currentText().strip()
        org_id = self.org.itemData(index) if index >= 0 and self.org.itemText(index) == typed else None
        roles = [self.roles.item(i).text() for i in range(self.roles.count())
                 if self.roles.item(i).checkState() == Qt.CheckState.Checked]
        return contacts.ContactInput(
            name=self.name.text(), org_id=org_id, post=self.post.text(), mobile=self.mobile.text(),
            office_phone=self.office.text(), roles=roles, note=self.note.toPlainText())

    def show_error(self, message: str, field: str | None = None) -> None:
        self.error.setText(message)
        self.error.show()
        widget = self.fields.get(field or "")
        if widget is not None:
            widget.setFocus()

    def accept(self) -> None:
        data = self.form_input()
        try:
            if self.person:
                contacts.update(self.db, self.person["id"], data,
                                expected_version=self.person["version"], clock=self.clock)
                self.saved_id = self.person["id"]
            else:
                self.saved_id = contacts.add(self.db, data, self.clock)
        except ValidationError as exc:
            self.show_error(str(exc), exc.field)
            return
        except UserError as exc:
            self.show_error(str(exc))
            return
        super().accept()
