"""Import, export and template buttons for any Excel register (``nxcommand.xlsx.Kind``).

Import always shows the dry run first: every bad row with its reason, or what will be
imported; 导入 is enabled only for a clean file. File dialogs and the review go through
replaceable hooks so tests drive the real flow without a file picker.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QLabel, QListWidget,
                               QMenu, QMessageBox, QPushButton, QVBoxLayout, QWidget)
from sqlite_utils import Database

from nxcommand import xlsx
from nxcommand.clock import Clock
from nxcommand.errors import UserError

FILTER = "Excel 工作簿 (*.xlsx)"


class ImportReviewDialog(QDialog):
    """A dry run's result: every bad row with its reason, or what the import will do. The
    导入 button is enabled only for a clean file. Used for every register and the roster."""

    def __init__(self, title: str, summary: str, errors: list, lines: list[str], ok: bool, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{title} — 检查结果")
        self.setMinimumSize(560, 380)
        self.summary = QLabel(summary, wordWrap=True, objectName="formError" if errors else "")
        self.lines = QListWidget()
        self.lines.addItems([str(e) for e in errors] if errors else lines)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.import_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.import_button.setText("导入")
        self.import_button.setEnabled(ok)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("关闭" if errors else "取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.lines, 1)
        layout.addWidget(buttons)

    @classmethod
    def for_report(cls, report: xlsx.ImportReport, parent=None) -> ImportReviewDialog:
        lines = [f"第 {n} 行：{_describe(item)}" for n, item in zip(report.item_rows, report.items)]
        return cls(f"导入{report.kind.title}", report.summary(), report.errors, lines, report.ok, parent)


def _describe(item) -> str:
    """One line for a checked row: its own ``describe()`` if it has one, else its name."""
    if hasattr(item, "describe"):
        return item.describe()
    for attr in ("name", "data"):
        value = getattr(item, attr, None)
        if value is not None:
            return getattr(value, "name", None) or str(value)
    return "可导入"


class ExcelBar(QWidget):
    """One "Excel" button whose menu holds 导入Excel… / 导出Excel… / 下载导入模板… for one
    register (one button keeps narrow toolbars narrow)."""

    def __init__(self, db: Database, kind: xlsx.Kind, clock: Clock, notify: Callable[[str], None],
                 on_done: Callable[[], None] = lambda: None, parent=None) -> None:
        super().__init__(parent)
        self.db, self.kind, self.clock, self.notify, self.on_done = db, kind, clock, notify, on_done
        self.choose_open: Callable[[], str | None] = self._ask_open
        self.choose_save: Callable[[str], str | None] = self._ask_save
        self.review: Callable[[xlsx.ImportReport], bool] = \
            lambda report: ImportReviewDialog.for_report(report, self).exec() == QDialog.DialogCode.Accepted
        self.show_error: Callable[[str], None] = lambda text: QMessageBox.warning(self, "Excel", text)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.button = QPushButton("Excel")
        self.button.setToolTip(f"{kind.title}：从 Excel 导入、导出到 Excel、下载导入模板")
        menu = QMenu(self.button)
        self.actions = {text: menu.addAction(text, slot) for text, slot in (
            ("导入Excel…", self.import_file), ("导出Excel…", self.export_file), ("下载导入模板…", self.save_template))}
        self.button.setMenu(menu)
        layout.addWidget(self.button)

    def _ask_open(self) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self, f"导入{self.kind.title}", "", FILTER)
        return path or None

    def _ask_save(self, name: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self, f"保存{self.kind.title}", name, FILTER)
        if path and not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        return path or None

    def import_file(self) -> None:
        path = self.choose_open()
        if not path:
            return
        try:
            report = xlsx.dry_run(self.db, self.kind, path)
            if not self.review(report) or not report.ok:
                return
            done = xlsx.import_file(self.db, self.kind, path, self.clock)
        except UserError as exc:
            self.show_error(str(exc))
            return
        self.notify(done.summary())
        self.on_done()

    def export_file(self) -> None:
        stamp = f"{self.clock.now():%Y%m%d}"
        path = self.choose_save(f"{self.kind.title}_{stamp}.xlsx")
        if not path:
            return
        try:
            n = xlsx.export(self.db, self.kind, path, self.clock)
        except UserError as exc:
            self.show_error(str(exc))
            return
        self.notify(f"已导出{self.kind.title} {n} 条：{Path(path).name}")

    def save_template(self) -> None:
        path = self.choose_save(f"{self.kind.title}导入模板.xlsx")
        if not path:
            return
        try:
            xlsx.write_template(self.db, self.kind, path)
        except UserError as exc:
            self.show_error(str(exc))
            return
        self.notify(f"已保存模板：{Path(path).name}（带 * 的列必填）")

