"""备份与恢复: the backup folder and schedule, 立即备份, the backups with a preview, and a
restore that replaces the running console's database.

The panel never replaces the database itself: after the confirmation it emits
``restore_requested(Path)``; the main window closes the database and calls
``ui.recovery.restore_in_console`` (wired by ``ui.recovery.connect_restore``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (QFileDialog, QFormLayout, QGridLayout, QGroupBox, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QMessageBox, QPushButton, QSpinBox,
                               QSplitter, QVBoxLayout, QWidget)
from sqlite_utils import Database

from nxcommand import backup, backup_schedule, session
from nxcommand.backup import BackupInfo
from nxcommand.backup_schedule import KEEP_LIMITS, Made
from nxcommand.clock import SYSTEM_CLOCK, Clock
from nxcommand.errors import UserError, ValidationError
from nxcommand.store import db_path

from .backup_worker import BackupRunner, CheckThread
from .forms import record_table

ACTION = backup_schedule.ACTION
REASON_TITLES = {"自动": "自动（定时）", "手动": "手动", "恢复前": "恢复前"}


def size_text(n: int) -> str:
    return f"{n / 1048576:.1f} MB" if n >= 1048576 else f"{max(1, round(n / 1024))} KB"


class BackupListModel(QAbstractTableModel):
    HEADERS = ("备份时间", "原因", "大小", "架构版本", "状态")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[BackupInfo] = []
        self.checked: set[Path] = set()      # fully checked (integrity, checksum)

    def set_rows(self, rows: list[BackupInfo]) -> None:
        self.beginResetModel()
        self.rows, self.checked = rows, set()
        self.endResetModel()

    def update(self, info: BackupInfo) -> None:
        """A full check's result for one of the rows."""
        for n, row in enumerate(self.rows):
            if row.path == info.path:
                self.rows[n] = info
                self.checked.add(info.path)
                self.dataChanged.emit(self.index(n, 0), self.index(n, len(self.HEADERS) - 1))
                return

    def status(self, info: BackupInfo) -> str:
        if not info.ok:
            return "已损坏"
        return "完好" if info.path in self.checked else "检查中…"

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        info = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (f"{info.taken_at:%Y-%m-%d %H:%M:%S}",
                    REASON_TITLES.get(info.reason, info.reason or "—"),
                    size_text(info.size),
                    "—" if info.version is None else str(info.version),
                    self.status(info))[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return info.problem if not info.ok else str(info.path)
        if role == Qt.ItemDataRole.ForegroundRole and column == 4 and not info.ok:
            from PySide6.QtGui import QColor
            return QColor("#b71c1c")
        return None


class BackupPanel(QWidget):
    restore_requested = Signal(object)    # the backup's Path, after the user confirmed

    def __init__(self, db: Database, clock: Clock = SYSTEM_CLOCK,
                 notify: Callable[[str], None] | None = None, parent=None) -> None:
        super().__init__(parent)
        self.db, self.clock = db, clock
        self.notify = notify or (lambda _m: None)
        self.runner = BackupRunner(db_path(db), clock, self)
        self.runner.made.connect(self._on_made)
        self.runner.failed.connect(self._on_failed)
        self.runner.busyChanged.connect(self._busy)

        # the folder and the schedule
        self.folder = QLineEdit(objectName="backupFolder", readOnly=True)
        self.change_folder = QPushButton("更改文件夹…")
        self.change_folder.clicked.connect(self.choose_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(self.change_folder)
        self.interval = QSpinBox(minimum=backup_schedule.INTERVAL_RANGE[0],
                                 maximum=backup_schedule.INTERVAL_RANGE[1], suffix=" 分钟")
        self.keep = {key: QSpinBox(minimum=least, maximum=most)
                     for key, (_name, least, most) in KEEP_LIMITS.items()}
        self.interval.setFixedWidth(120)
        keep_grid = QGridLayout()
        for n, (key, (name, _l, _m)) in enumerate(KEEP_LIMITS.items()):
            self.keep[key].setFixedWidth(90)
            keep_grid.addWidget(QLabel(name), n // 3, (n % 3) * 2)
            keep_grid.addWidget(self.keep[key], n // 3, (n % 3) * 2 + 1)
        keep_grid.setColumnStretch(6, 1)
        self.save_settings = QPushButton("保存设置")
        self.save_settings.clicked.connect(self.store_settings)
        settings = QGroupBox("备份位置与保留规则")
        form = QFormLayout(settings)
        form.addRow("备份文件夹", folder_row)
        form.addRow("自动备份间隔", self.interval)
        form.addRow("保留", keep_grid)
        note = QLabel("控制台运行期间，数据库有改动时按上述间隔自动备份（SQLite 在线备份，不影响录入）。"
                      "可选 U 盘、移动硬盘或网络共享上的文件夹；拔出后自动备份会在状态栏提示，插回后自动继续。",
                      objectName="formNote", wordWrap=True)
        note_row = QHBoxLayout()
        note_row.addWidget(note, 1)
        note_row.addWidget(self.save_settings, 0, Qt.AlignmentFlag.AlignBottom)
        form.addRow(note_row)

        # the backups
        self.backup_now = QPushButton("立即备份")
        self.backup_now.clicked.connect(self.start_backup)
        self.reload = QPushButton("刷新")
        self.reload.clicked.connect(self.refresh)
        self.restore_button = QPushButton("恢复此备份…", objectName="dangerButton")
        self.restore_button.clicked.connect(self.request_restore)
        actions = QHBoxLayout()
        actions.addWidget(self.backup_now)
        actions.addWidget(self.reload)
        actions.addStretch(1)
        actions.addWidget(self.restore_button)
        self.model = BackupListModel(self)
        self.view = record_table(self.model, "backupList")
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self.show_preview())
        self.preview = QLabel(objectName="backupPreview", wordWrap=True)
        self.preview.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        preview_box = QGroupBox("备份内容预览")
        QVBoxLayout(preview_box).addWidget(self.preview)
        split = QSplitter()
        split.addWidget(self.view)
        split.addWidget(preview_box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        self.message = QLabel(objectName="formError", wordWrap=True)
        self.message.hide()
        self._folder_warned = False
        self._checker: CheckThread | None = None

        layout = QVBoxLayout(self)
        layout.addWidget(settings)
        layout.addWidget(self.message)
        layout.addLayout(actions)
        layout.addWidget(split, 1)
        self.refresh()

    # --------------------------------------------------------------- showing

    def selected(self) -> BackupInfo | None:
        index = self.view.currentIndex()
        return self.model.rows[index.row()] if index.isValid() else None

    def refresh(self) -> None:
        keep = self.selected()
        folder = backup.backup_folder(self.db)
        self.folder.setText(str(folder))
        plan = backup_schedule.schedule(self.db)
        self.interval.setValue(plan.interval_min)
        for key, box in self.keep.items():
            box.setValue(plan.keep[key])
        admin = session.allowed(self.db, ACTION)
        for widget in (self.change_folder, self.save_settings, self.interval, *self.keep.values()):
            widget.setEnabled(admin)
        rows = backup.list_backups(folder)
        self.model.set_rows(rows)
        self._check([info.path for info in rows if info.ok])
        missing = backup_schedule.missing_folder(self.db)
        if missing:
            self.say(missing.split("。")[0], problem=True)
        elif self._folder_warned:
            self.say("")
        self._folder_warned = bool(missing)
        row = next((n for n, info in enumerate(rows) if keep and info.path == keep.path), 0)
        if rows:
            self.view.selectRow(row)
        self.show_preview()

    def show_preview(self) -> None:
        info = self.selected()
        admin = session.allowed(self.db, ACTION)
        if info is None:
            self.preview.setText("备份文件夹中还没有备份。点“立即备份”生成一份。")
            self.restore_button.setEnabled(False)
            return
        full = backup.preview(info.path)          # the full check: integrity, checksum
        self.model.update(full)
        lines = [f"备份时间：{full.taken_at:%Y-%m-%d %H:%M:%S}",
                 f"原因：{REASON_TITLES.get(full.reason, full.reason or '—')}",
                 f"文件：{full.path.name}（{size_text(full.size)}）",
                 f"架构版本：{'—' if full.version is None else full.version}"]
        if full.ok:
            held = backup_schedule.backup_contents(full.path)
            lines.append("状态：完好（已通过完整性检查）")
            for key, word in backup.COUNTED.items():
                if held and key in held.counts:
                    lines.append(f"{word}：{held.counts[key]} {_UNITS.get(key, '条')}")
            if held and held.newest_entry_at:
                lines.append(f"最新值班日志：{held.newest_entry_at}  {held.newest_entry}")
        else:
            lines.append(f"状态：已损坏，不能用于恢复——{full.problem}")
        self.preview.setText("\n".join(lines))
        self.restore_button.setEnabled(full.ok and admin)

    def say(self, text: str, problem: bool = False) -> None:
        """A line above the list: red for a problem, muted otherwise; never a dialog."""
        self.message.setText(text)
        self.message.setObjectName("formError" if problem else "statusMuted")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setVisible(bool(text))
        if text and not problem:
            self.notify(text)

    # --------------------------------------------------------------- changing

    def folder_dialog(self) -> str:
        return QFileDialog.getExistingDirectory(self, "选择备份文件夹", self.folder.text())

    def choose_folder(self) -> None:
        chosen = self.folder_dialog()
        if chosen:
            self.set_folder(chosen)

    def set_folder(self, folder: Path | str) -> bool:
        try:
            path = backup_schedule.set_folder(self.db, folder)
        except UserError as exc:
            self.say(str(exc), problem=True)
            return False
        self.refresh()
        self.say(f"备份文件夹已设为：{path}")
        return True

    def store_settings(self) -> bool:
        try:
            backup_schedule.set_schedule(self.db, self.interval.value(),
                                         {key: box.value() for key, box in self.keep.items()})
        except ValidationError as exc:
            self.say(str(exc), problem=True)
            return False
        except UserError as exc:
            self.say(str(exc), problem=True)
            return False
        self.say("备份设置已保存")
        return True

    def start_backup(self) -> bool:
        started = self.runner.start(force=True, reason="手动")
        if started:
            self.say("正在备份…")
        return started

    def _busy(self, busy: bool) -> None:
        self.backup_now.setEnabled(not busy)

    def _on_made(self, made: Made) -> None:
        self.refresh()
        extra = f"；清理旧备份未完成：{made.thin_problem}" if made.thin_problem else ""
        removed = f"，按保留规则删除旧备份 {len(made.removed)} 份" if made.removed else ""
        self.say(f"已备份：{made.info.path.name}（{size_text(made.info.size)}）{removed}{extra}")

    def _on_failed(self, message: str) -> None:
        self.say(f"备份失败：{message}", problem=True)

    # --------------------------------------------------------------- restoring

    def confirm(self, title: str, text: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Warning, title, text,
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.button(QMessageBox.StandardButton.Yes).setText("恢复")
        box.button(QMessageBox.StandardButton.No).setText("取消")
        box.setDefaultButton(QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes

    def request_restore(self) -> bool:
        info = self.selected()
        if info is None:
            return False
        try:
            plan = backup_schedule.plan_restore(self.db, info.path)
        except UserError as exc:
            self.say(str(exc), problem=True)
            return False
        if not self.confirm("恢复备份", restore_text(plan, db_path(self.db))):
            return False
        self.restore_requested.emit(plan.backup.path)
        return True

    def _check(self, paths: list[Path]) -> None:
        """Check every listed backup fully in a thread; the status column follows."""
        self._stop_checking()
        if paths:
            self._checker = CheckThread(paths)
            self._checker.checked.connect(self.model.update)
            self._checker.start_checking()

    def _stop_checking(self) -> None:
        if self._checker is not None:
            self._checker.requestInterruption()
            self._checker.wait()
            self._checker = None

    @property
    def checking(self) -> bool:
        return self._checker is not None and not self._checker.isFinished()

    def stop(self) -> None:
        """Wait for a backup under way and the file checks (when the window closes)."""
        self._stop_checking()
        self.runner.wait()


_UNITS = {"events": "起", "log_entries": "条", "responses": "次", "people": "人"}


def restore_text(plan, current_path: str) -> str:
    """The confirmation: what replaces what, and what is kept."""
    def newest(contents) -> str:
        return f"，最新值班日志 {contents.newest_entry_at}" if contents.newest_entry_at else ""

    return (f"用这份备份替换当前数据库？\n\n"
            f"备份（{plan.backup.taken_at:%Y-%m-%d %H:%M}）：{plan.backup_contents.text()}"
            f"{newest(plan.backup_contents)}\n"
            f"当前数据库：{plan.current.text()}{newest(plan.current)}\n\n"
            f"当前数据库 {current_path} 将被替换，备份时间之后录入的内容不在备份中。\n"
            f"替换前会先把当前数据库备份到 {plan.folder}（原因“恢复前”），需要时可再恢复回来。\n"
            "恢复时控制台关闭数据库，恢复后重新打开，需要重新登录。")
