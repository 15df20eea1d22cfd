"""Add or edit a contact. Validation is the core's; the form shows its message and stays open."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QListWidget, QListWidgetItem, QPlainTextEdit
from sqlite_utils import Database

from nxcommand import contacts, org, refdata
from nxcommand.clock import SYSTEM_CLOCK, Clock

from .forms import ServiceForm, searchable_combo


class ContactDialog(ServiceForm):
    def __init__(self, db: Database, person: dict | None = None, clock: Clock = SYSTEM_CLOCK,
                 parent=None) -> None:
        super().__init__("编辑联系人" if person else "新增联系人", parent)
        self.db, self.person, self.clock = db, person, clock
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

        self.add_row("姓名 *", self.name)
        self.add_row("单位 *", self.org)
        self.add_row("职务", self.post)
        self.add_row("手机", self.mobile)
        self.add_row("办公电话", self.office)
        self.add_row("角色", self.roles)
        self.add_row("备注", self.note)
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

    def submit(self) -> int:
        data = self.form_input()
        if self.person:
            contacts.update(self.db, self.person["id"], data,
                            expected_version=self.person["version"], clock=self.clock)
            return self.person["id"]
        return contacts.add(self.db, data, self.clock)
