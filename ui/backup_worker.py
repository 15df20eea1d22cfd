"""Backups off the GUI thread: the automatic ones on a timer, and 立即备份.

``BackupRunner`` runs one ``BackupThread`` at a time. The thread opens its own read-only
connection (sqlite3 connections belong to the thread that made them) and calls
``backup_schedule.check_and_run``; results come back as signals on the GUI thread. Backups
from every runner are serialised (one lock), so the automatic one and 立即备份 never race for
a file name or thin the folder at the same moment.

``AutoBackup`` owns a QTimer: every minute it asks the runner to back up if the interval has
passed since the last backup; the core decides whether the database changed. A failure
(folder missing because the USB disk was pulled, disk full, read-only share) is reported as
text for the status bar and retried a few minutes later; it never opens a dialog.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QObject, QThread, QTimer, Signal
from PySide6.QtWidgets import QLabel

from nxcommand import backup_schedule
from nxcommand.backup_schedule import Checked, Made
from nxcommand.clock import SYSTEM_CLOCK, Clock
from nxcommand.errors import UserError

log = logging.getLogger(__name__)
_RUN_LOCK = threading.Lock()
# Threads still running are referenced here so that Python never destroys a running QThread.
_LIVE: set[QThread] = set()


def _prune() -> None:
    _LIVE.difference_update([t for t in _LIVE if t.isFinished()])


class BackupThread(QThread):
    made = Signal(object)        # backup_schedule.Made
    checked = Signal(object)     # backup_schedule.Checked (nothing changed, no backup)
    failed = Signal(str)

    def __init__(self, db_file: str, clock: Clock, last_backup_at: datetime | None,
                 last_head, force: bool, reason: str) -> None:
        super().__init__()
        self.db_file, self.clock = db_file, clock
        self.last_backup_at, self.last_head = last_backup_at, last_head
        self.force, self.reason = force, reason

    def run(self) -> None:
        from nxcommand.store import open_db

        db = None
        try:
            with _RUN_LOCK:
                db = open_db(self.db_file, readonly=True)
                outcome = backup_schedule.check_and_run(
                    db, self.clock, self.last_backup_at, self.last_head,
                    force=self.force, reason=self.reason)
        except UserError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:   # a bug: say so, keep the console alive
            log.exception("backup of %s failed", self.db_file)
            self.failed.emit(f"备份出错：{type(exc).__name__}: {exc}")
        else:
            (self.made if isinstance(outcome, Made) else self.checked).emit(outcome)
        finally:
            if db is not None:
                db.close()


class CheckThread(QThread):
    """The full check of each backup file (integrity, checksum): files only, no database."""

    checked = Signal(object)     # backup.BackupInfo

    def __init__(self, paths: list[Path]) -> None:
        super().__init__()
        self.paths = list(paths)

    def run(self) -> None:
        from nxcommand import backup

        for path in self.paths:
            if self.isInterruptionRequested():
                return
            try:
                self.checked.emit(backup.preview(path))
            except Exception:      # a file vanishing meanwhile: the next refresh shows it
                log.exception("checking %s failed", path)

    def start_checking(self) -> None:
        _prune()
        _LIVE.add(self)
        self.start()


class BackupRunner(QObject):
    """One backup job at a time for one database file."""

    made = Signal(object)
    checked = Signal(object)
    failed = Signal(str)
    busyChanged = Signal(bool)

    def __init__(self, db_file: Path | str, clock: Clock = SYSTEM_CLOCK,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db_file, self.clock = str(db_file), clock
        self._current: BackupThread | None = None

    @property
    def busy(self) -> bool:
        return self._current is not None

    def start(self, *, force: bool, reason: str = "自动", last_backup_at: datetime | None = None,
              last_head=None) -> bool:
        """Start a job; False (nothing started) while one runs."""
        if self.busy:
            return False
        _prune()
        thread = BackupThread(self.db_file, self.clock, last_backup_at, last_head, force, reason)
        thread.made.connect(self._on_made)
        thread.checked.connect(self._on_checked)
        thread.failed.connect(self._on_failed)
        self._current = thread
        _LIVE.add(thread)
        thread.start()
        self.busyChanged.emit(True)
        return True

    def _done(self) -> bool:
        if self.sender() is not self._current:
            return False
        self._current = None
        self.busyChanged.emit(False)
        return True

    def _on_made(self, made: Made) -> None:
        if self._done():
            self.made.emit(made)

    def _on_checked(self, checked: Checked) -> None:
        if self._done():
            self.checked.emit(checked)

    def _on_failed(self, message: str) -> None:
        if self._done():
            self.failed.emit(message)

    def wait(self, timeout_ms: int = 60_000) -> bool:
        """Wait for the running job (at close); True when none is left running."""
        current = self._current
        return current is None or current.wait(timeout_ms)


class AutoBackup(QObject):
    """Automatic backups of the database at ``db_file`` while the console runs.

    ``reported(text, ok)`` carries a status-bar line after every backup made or failed;
    ``status_label()`` is a QLabel kept up to date for the status bar's permanent area.
    """

    reported = Signal(str, bool)
    made = Signal(object)

    def __init__(self, db_file: Path | str, parent: QObject | None = None, *,
                 clock: Clock = SYSTEM_CLOCK, tick_ms: int = 60_000) -> None:
        super().__init__(parent)
        self.clock = clock
        self.runner = BackupRunner(db_file, clock, self)
        self.runner.made.connect(self._on_made)
        self.runner.checked.connect(self._on_checked)
        self.runner.failed.connect(self._on_failed)
        memory = backup_schedule.recall(db_file)
        self.last_backup_at: datetime | None = memory.get("last_backup_at")
        self.last_head = memory.get("head")
        self.interval_min: int | None = None     # known after the first check
        self.next_try_at: datetime | None = None        # set after a failure or a check
        self.last_error: str | None = None
        self._label: QLabel | None = None
        self._timer = QTimer(self, interval=tick_ms)
        self._timer.timeout.connect(self.tick)

    def start(self) -> None:
        self._timer.start()
        QTimer.singleShot(0, self.tick)

    def stop(self, wait_ms: int = 60_000) -> None:
        """Stop the timer and let a backup already under way finish (it is never cut short)."""
        self._timer.stop()
        self.runner.wait(wait_ms)

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def tick(self) -> bool:
        """Start a check if it is time; True when one was started."""
        if self.runner.busy:
            return False
        now = self.clock.now()
        if self.next_try_at is not None and now < self.next_try_at:
            return False
        if self.last_backup_at is not None and self.interval_min is not None and \
                now - self.last_backup_at < timedelta(minutes=self.interval_min):
            return False
        return self.runner.start(force=False, last_backup_at=self.last_backup_at,
                                 last_head=self.last_head)

    def _on_made(self, made: Made) -> None:
        self.last_backup_at, self.last_head = made.info.taken_at, made.head
        self.interval_min, self.next_try_at, self.last_error = made.interval_min, None, None
        text = f"已自动备份 {made.info.taken_at:%H:%M}"
        detail = f"{made.info.path}\n{made.info.counts_text()}"
        if made.thin_problem:
            detail += f"\n清理旧备份未完成：{made.thin_problem}"
        self._show(text, detail, True)
        self.reported.emit(text, True)
        self.made.emit(made)

    def _on_checked(self, checked: Checked) -> None:
        # nothing changed since the last backup: look again a little later
        self.interval_min = checked.interval_min
        self.next_try_at = self.clock.now() + timedelta(minutes=backup_schedule.RECHECK_MIN)

    def _on_failed(self, message: str) -> None:
        self.last_error = message
        self.next_try_at = self.clock.now() + timedelta(minutes=backup_schedule.RETRY_MIN)
        text = f"自动备份失败：{message}（{backup_schedule.RETRY_MIN} 分钟后重试）"
        self._show("自动备份失败", text, False)
        self.reported.emit(text, False)

    # --------------------------------------------------------------- the status-bar label

    def status_label(self) -> QLabel:
        if self._label is None:
            self._label = QLabel(objectName="statusBackup")
            when = f"{self.last_backup_at:%m-%d %H:%M}" if self.last_backup_at else "尚无"
            self._show(f"最近备份：{when}", "自动备份：数据库有改动时按设定间隔备份", True)
        return self._label

    def _show(self, text: str, tip: str, ok: bool) -> None:
        if self._label is None:
            return
        self._label.setText(text)
        self._label.setToolTip(tip)
        self._label.setProperty("failed", not ok)
        self._label.setStyleSheet("" if ok else "color: #b00020; font-weight: bold; padding: 0 6px;")
