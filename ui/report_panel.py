"""简报: every printed document of the desk. Pick a kind and an item (the latest applicable one
is preselected), 生成 builds it off the GUI thread into a temporary file and previews it;
打印… and 另存为… act on the preview. ``show_for(kind, key)`` opens it on a given item."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QFileDialog, QHBoxLayout, QLabel, QListWidget, QListWidgetItem,
                               QProgressBar, QPushButton, QSplitter, QVBoxLayout, QWidget)
from sqlite_utils import Database

from nxcommand.clock import SYSTEM_CLOCK, Clock
from nxcommand.errors import UserError
from nxcommand.reports import registry
from nxcommand.store import db_path

from .pdf_view import PdfView
from .report_worker import BuildRequest, ReportBuilder

KEY_ROLE = Qt.ItemDataRole.UserRole
UNSAFE_NAME = str.maketrans({c: "-" for c in '\\/:*?"<>|\n\r\t'})


def file_name(title: str) -> str:
    """A file name for ``title`` that every OS accepts."""
    name = title.translate(UNSAFE_NAME).strip(" .") or "文书"
    return name[:80] + ".pdf"


class ReportPanel(QWidget):
    def __init__(self, db: Database, clock: Clock = SYSTEM_CLOCK,
                 notify: Callable[[str], None] | None = None) -> None:
        super().__init__()
        self.db, self.clock = db, clock
        self.notify = notify or (lambda message: None)
        # Replaceable in tests: the save dialog, given a suggested path, returns the chosen one.
        self.choose_save: Callable[[str], str | None] = self._choose_save
        self.built: registry.Built | None = None     # the document in the preview
        self._tmpdir: Path | None = None
        self._serial = 0
        self._save_dir = Path.home()

        self.builder = ReportBuilder(clock, self)
        self.builder.progress.connect(self._on_progress)
        self.builder.built.connect(self._on_built)
        self.builder.failed.connect(self._on_failed)
        self.builder.busyChanged.connect(lambda _busy: self._update_buttons())

        self.kinds = QListWidget(objectName="reportKinds")
        for key, (title, _module, _option) in registry.KINDS.items():
            entry = QListWidgetItem(title)
            entry.setData(KEY_ROLE, key)
            self.kinds.addItem(entry)
        self.kinds.setMaximumHeight(self.kinds.sizeHintForRow(0) * (len(registry.KINDS) + 1))
        self.items = QListWidget(objectName="reportItems")
        self.items.setWordWrap(True)              # labels are whole sentences (event titles)
        self.items.setAlternatingRowColors(True)
        self.items.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.items_hint = QLabel(objectName="countLabel", wordWrap=True)
        self.serial = QComboBox(objectName="reportSerial")
        self.serial.setToolTip("事件的哪一份书面报告：初报、续报（一）（二）…、终报；默认最新一份")
        self.serial_row = QWidget()
        serial_layout = QHBoxLayout(self.serial_row)
        serial_layout.setContentsMargins(0, 0, 0, 0)
        serial_layout.addWidget(QLabel("报告"))
        serial_layout.addWidget(self.serial, 1)
        self.generate_button = QPushButton("生成", objectName="primaryButton")
        self.generate_button.clicked.connect(self.generate)
        self.items.itemDoubleClicked.connect(lambda _i: self.generate())

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(8, 8, 4, 8)
        left_layout.addWidget(QLabel("文书种类"))
        left_layout.addWidget(self.kinds)
        left_layout.addWidget(QLabel("生成对象（最新的已选中）"))
        left_layout.addWidget(self.items, 1)
        left_layout.addWidget(self.items_hint)
        left_layout.addWidget(self.serial_row)
        left_layout.addWidget(self.generate_button)

        self.title_label = QLabel("尚未生成文书：在左侧选择种类和对象，然后点“生成”", objectName="reportTitle")
        self.title_label.setWordWrap(True)
        bold = self.title_label.font()
        bold.setBold(True)
        self.title_label.setFont(bold)
        self.progress = QProgressBar(objectName="reportProgress")
        self.progress.setFormat("正在生成… %v / %m")
        self.progress.setMaximumWidth(260)
        self.progress.hide()
        self.print_button = QPushButton("打印…")
        self.save_button = QPushButton("另存为…")
        self.print_button.clicked.connect(self.print_preview)
        self.save_button.clicked.connect(self.save_as)
        self.error_label = QLabel(objectName="formError", wordWrap=True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.hide()
        self.preview = PdfView()

        head = QHBoxLayout()
        head.addWidget(self.title_label, 1)
        head.addWidget(self.progress)
        head.addWidget(self.print_button)
        head.addWidget(self.save_button)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(4, 8, 8, 8)
        right_layout.addLayout(head)
        right_layout.addWidget(self.error_label)
        right_layout.addWidget(self.preview, 1)

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([300, 900])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

        self.kinds.currentItemChanged.connect(lambda *_: self._load_items())
        self.items.currentItemChanged.connect(lambda *_: self._item_changed())
        self.kinds.setCurrentRow(0)

    # --- selection -----------------------------------------------------------------------

    def kind(self) -> str | None:
        entry = self.kinds.currentItem()
        return entry.data(KEY_ROLE) if entry else None

    def item_key(self) -> str | None:
        entry = self.items.currentItem()
        return entry.data(KEY_ROLE) if entry else None

    def select_kind(self, kind: str) -> bool:
        for row in range(self.kinds.count()):
            if self.kinds.item(row).data(KEY_ROLE) == kind:
                self.kinds.setCurrentRow(row)
                return True
        return False

    def select_item(self, key: str) -> bool:
        for row in range(self.items.count()):
            if self.items.item(row).data(KEY_ROLE) == str(key):
                self.items.setCurrentRow(row)
                return True
        return False

    def _load_items(self, keep: str | None = None) -> None:
        """The items of the chosen kind, newest first; ``keep`` (or else the latest applicable
        item) selected."""
        kind = self.kind()
        self.items.clear()
        self.items_hint.clear()
        self.serial_row.setVisible(kind == "event")
        if kind is None:
            return
        try:
            found = registry.items(self.db, kind)
            latest = registry.latest(self.db, kind, self.clock.now())
        except UserError as exc:
            self.items_hint.setText(str(exc))
            found, latest = [], None
        if latest is not None and all(item.key != latest.key for item in found):
            found = [latest, *found]        # e.g. today's 值班日报 before anything is logged
        for item in found:
            entry = QListWidgetItem(item.label)
            entry.setData(KEY_ROLE, item.key)
            entry.setToolTip(item.label)
            self.items.addItem(entry)
        if not found and not self.items_hint.text():
            self.items_hint.setText(f"暂无可生成“{registry.KINDS[kind][0]}”的记录")
        wanted = keep or (latest.key if latest else None)
        if not (wanted and self.select_item(wanted)) and self.items.count():
            self.items.setCurrentRow(0)
        self._update_buttons()

    def _item_changed(self) -> None:
        self._load_serials()
        self._update_buttons()

    def _load_serials(self) -> None:
        """For an event: its written reports, to print an earlier one; the latest by default."""
        self.serial.clear()
        key = self.item_key()
        if self.kind() != "event" or key is None:
            return
        from nxcommand.reports import event_report

        try:
            reports = event_report.written_reports(self.db, int(key))
        except (UserError, ValueError):
            reports = []
        if not reports:
            self.serial.addItem("初报（稿）", None)
            return
        labels = [f"{event_report.report_label(r)}　{r['sent_at']}" for r in reports]
        self.serial.addItem(f"最新：{labels[-1]}", None)
        for number, label in enumerate(labels, start=1):
            self.serial.addItem(label, number)

    def refresh(self) -> None:
        """Reload the items (records change while the console runs), keeping the selection."""
        self._load_items(keep=self.item_key())

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        self.refresh()

    def show_for(self, kind: str, item_key: str, *, build: bool = True) -> bool:
        """Preselect ``kind`` and ``item_key`` (e.g. from 打印会商纪要 elsewhere) and, with
        ``build``, start building it. False with a message when there is no such item."""
        if not self.select_kind(kind):
            self.show_error(f"没有这种文书：{kind}")
            return False
        if not self.select_item(str(item_key)):
            self.show_error(f"未找到要生成“{registry.KINDS[kind][0]}”的对象：{item_key}（可能已删除或为演练）")
            return False
        self.error_label.hide()
        return self.generate() if build else True

    # --- building ------------------------------------------------------------------------

    def _update_buttons(self) -> None:
        busy = self.builder.busy
        self.generate_button.setEnabled(not busy and self.item_key() is not None)
        self.generate_button.setText("正在生成…" if busy else "生成")
        has_doc = self.built is not None and self.preview.page_count > 0
        self.print_button.setEnabled(has_doc and not busy)   # printing waits for PDFium
        self.save_button.setEnabled(has_doc)

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()
        self.notify(message)

    def temp_dir(self) -> Path:
        if self._tmpdir is None or not self._tmpdir.is_dir():
            self._tmpdir = Path(tempfile.mkdtemp(prefix="nxcommand-docs-"))
        return self._tmpdir

    def generate(self) -> bool:
        """Start building the selected document; False (with a message) when it cannot start."""
        kind, key = self.kind(), self.item_key()
        if self.builder.busy:
            self.notify("正在生成文书，请等待当前文书完成")
            return False
        if kind is None or key is None:
            self.show_error("请先选择要生成的文书和对象")
            return False
        path = db_path(self.db)
        if path == ":memory:":
            self.show_error("内存数据库无法在后台生成文书")
            return False
        self._serial += 1
        out = self.temp_dir() / f"{kind}-{self._serial}.pdf"
        serial = self.serial.currentData() if kind == "event" else None
        self.error_label.hide()
        self.progress.setRange(0, 0)
        self.progress.show()
        started = self.builder.start(BuildRequest(path, kind, key, out, serial))
        self._update_buttons()
        return started

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(min(done, max(total, 1)))

    def _on_built(self, built: registry.Built) -> None:
        self.progress.hide()
        previous = self.built
        try:
            pages = self.preview.load(built.path)
        except Exception as exc:   # noqa: BLE001 - an unreadable result is shown, not raised
            Path(built.path).unlink(missing_ok=True)
            self.show_error(f"文书已生成但无法预览：{exc}")
            self._update_buttons()
            return
        if previous is not None and previous.path != built.path:
            Path(previous.path).unlink(missing_ok=True)
        self.built = built
        self.title_label.setText(f"{built.title}　共 {pages} 页")
        self.title_label.setToolTip(built.title)
        self.notify(f"已生成：{built.title}（{pages} 页）")
        self._update_buttons()

    def _on_failed(self, message: str) -> None:
        self.progress.hide()
        self.preview.retry()
        self.show_error(f"未能生成文书：{message}")
        self._update_buttons()

    # --- the preview's document ------------------------------------------------------------

    def print_preview(self) -> int:
        if self.built is None or self.builder.busy:
            return 0
        printed = self.preview.print_document()
        if printed:
            self.notify(f"已送打印：{self.built.title}（{printed} 页）")
        return printed

    def _choose_save(self, suggested: str) -> str | None:
        chosen, _filter = QFileDialog.getSaveFileName(self, "另存为", suggested, "PDF 文件 (*.pdf)")
        return chosen or None

    def save_as(self) -> Path | None:
        if self.built is None:
            return None
        chosen = self.choose_save(str(self._save_dir / file_name(self.built.title)))
        if not chosen:
            return None
        target = Path(chosen)
        if target.suffix.lower() != ".pdf":
            target = target.with_name(target.name + ".pdf")
        try:
            shutil.copyfile(self.built.path, target)
        except OSError as exc:
            self.show_error(f"无法保存到 {target}：{exc.strerror or exc}")
            return None
        self._save_dir = target.parent
        self.error_label.hide()
        self.notify(f"已保存：{target}")
        return target

    # --- closing -------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop (or wait for) a running build and remove the temporary files."""
        self.builder.stop()
        self.progress.hide()
        self.preview.clear()
        self.built = None
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None
        self._update_buttons()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        self.stop()
        super().closeEvent(event)
