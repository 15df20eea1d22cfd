"""The shared shape of every form that saves through a core service.

The service validates; on ValidationError the form shows the Chinese message, focuses the
field at fault and stays open with everything the officer typed.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QCompleter, QDateTimeEdit, QDialog,
                               QDialogButtonBox, QFormLayout, QHeaderView, QLabel, QPlainTextEdit,
                               QTableView, QVBoxLayout, QWidget)

from nxcommand.errors import UserError, ValidationError
from nxcommand.store import StoreError

TIME_FORMAT = "yyyy-MM-dd HH:mm"
NOT_SAVED = "已填写的内容仍保留在表单中，尚未写入数据库；问题排除后可再次保存。"


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


def record_table(model, name: str = "", row_height: int | None = None) -> QTableView:
    """A read-only table of records: whole rows selected one at a time, no cell editing.
    ``row_height`` fixes the rows' height, which keeps very long lazy lists fast."""
    view = QTableView(objectName=name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    if row_height:
        view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        view.verticalHeader().setDefaultSectionSize(row_height)
    return view


def time_edit(moment: datetime) -> QDateTimeEdit:
    edit = QDateTimeEdit(QDateTime(moment.year, moment.month, moment.day, moment.hour, moment.minute, 0))
    edit.setDisplayFormat(TIME_FORMAT)
    edit.setCalendarPopup(True)
    return edit


def time_text(edit: QDateTimeEdit) -> str:
    return edit.dateTime().toString(TIME_FORMAT)


def text_box(height: int = 64) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setTabChangesFocus(True)
    box.setFixedHeight(height)
    return box


class ServiceForm(QDialog):
    """A dialog whose Save calls ``submit()``; subclasses add rows to ``self.form``."""

    save_text = "保存"

    def __init__(self, title: str, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(480)
        self.saved_id: int | None = None
        self.fields: dict[str, QWidget] = {}     # validation field label -> widget to focus
        self.error = QLabel(objectName="formError", wordWrap=True)
        self.error.hide()
        self.form = QFormLayout()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.save_text)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.body = QVBoxLayout(self)
        self.body.addWidget(self.error)
        self.body.addLayout(self.form)
        self.body.addWidget(self.buttons)
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.accept)

    def add_row(self, label: str, widget, field: str | None = None) -> None:
        self.form.addRow(label, widget)
        if isinstance(widget, QWidget):
            self.fields[field or label.rstrip(" *")] = widget

    def submit(self) -> int | None:
        raise NotImplementedError

    def show_error(self, message: str, field: str | None = None) -> None:
        self.error.setText(message)
        self.error.show()
        widget = self.fields.get(field or "")
        if widget is not None:
            widget.setFocus()

    def accept(self) -> None:
        try:
            self.saved_id = self.submit()
        except ValidationError as exc:
            self.show_error(str(exc), exc.field)
            return
        except StoreError as exc:    # disk full, read-only, locked: nothing was saved
            self.show_error(f"{exc}\n{NOT_SAVED}")
            return
        except UserError as exc:
            self.show_error(str(exc))
            return
        super().accept()
