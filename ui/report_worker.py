"""Building a document off the GUI thread.

``ReportBuilder`` (GUI thread) starts one ``BuildThread`` at a time. The thread opens its own
read-only connection (sqlite3 connections belong to the thread that made them), calls
``registry.build`` with a progress callback and reports back through signals, which Qt
delivers on the GUI thread: ``progress(done, total)``, then ``built(Built)`` or
``failed(message)``. ``stop()`` asks the build to end at its next progress step and waits.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal

from nxcommand.clock import SYSTEM_CLOCK, Clock
from nxcommand.errors import UserError

from .pdf_view import PDFIUM_LOCK

log = logging.getLogger(__name__)
CANCELLED = "已取消生成"
# Every running thread is referenced here until it has finished, so that a builder deleted
# with its panel never lets Python destroy a QThread that is still running (Qt aborts then).
_LIVE: set[QThread] = set()


def prune() -> set[QThread]:
    """Forget the threads that have finished; the ones still running."""
    _LIVE.difference_update([thread for thread in _LIVE if thread.isFinished()])
    return _LIVE


class _Cancelled(Exception):
    pass


@dataclass(frozen=True)
class BuildRequest:
    db_file: str
    kind: str
    item: str | None
    out: Path
    serial: int | None = None


class BuildThread(QThread):
    progressed = Signal(int, int)
    succeeded = Signal(object)   # registry.Built
    failed = Signal(str)

    def __init__(self, request: BuildRequest, clock: Clock, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.request, self.clock = request, clock

    def _progress(self, done: int, total: int) -> None:
        if self.isInterruptionRequested():
            raise _Cancelled
        self.progressed.emit(int(done), int(total))

    def run(self) -> None:
        from nxcommand.reports import registry
        from nxcommand.store import open_db

        req = self.request
        db = None
        try:
            db = open_db(req.db_file, readonly=True)
            with PDFIUM_LOCK:   # a kind may read its PDF back with pypdfium2
                built = registry.build(db, req.kind, req.out, item=req.item, serial=req.serial,
                                       clock=self.clock, progress=self._progress)
        except _Cancelled:
            self.failed.emit(CANCELLED)
        except UserError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:   # a bug in a kind: say so, keep the console alive
            log.exception("building %s %s failed", req.kind, req.item)
            self.failed.emit(f"生成失败：{type(exc).__name__}: {exc}")
        else:
            self.succeeded.emit(built)
        finally:
            if db is not None:
                db.close()


class ReportBuilder(QObject):
    """One build at a time; a second ``start`` while one runs is refused (returns False)."""

    progress = Signal(int, int)
    built = Signal(object)
    failed = Signal(str)
    busyChanged = Signal(bool)

    def __init__(self, clock: Clock = SYSTEM_CLOCK, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.clock = clock
        self._current: BuildThread | None = None
        self._threads: set[BuildThread] = set()   # started here and not yet seen finished

    @property
    def busy(self) -> bool:
        return self._current is not None

    def start(self, request: BuildRequest) -> bool:
        if self.busy:
            return False
        prune()
        thread = BuildThread(request, self.clock)
        thread.progressed.connect(self._on_progress)
        thread.succeeded.connect(self._on_built)
        thread.failed.connect(self._on_failed)
        self._current = thread
        self._threads = {t for t in self._threads if not t.isFinished()} | {thread}
        _LIVE.add(thread)
        thread.start()
        self.busyChanged.emit(True)
        return True

    def _on_progress(self, done: int, total: int) -> None:
        if self.sender() is self._current:
            self.progress.emit(done, total)

    def _done(self) -> bool:
        """True when the result comes from the current build (not one stopped earlier)."""
        if self.sender() is not self._current:
            return False
        self._current = None
        self.busyChanged.emit(False)
        return True

    def _on_built(self, built) -> None:
        if self._done():
            self.built.emit(built)

    def _on_failed(self, message: str) -> None:
        if self._done():
            self.failed.emit(message)

    def stop(self, timeout_ms: int = 30_000) -> bool:
        """Ask every running build to stop and wait for it; True when none is left running."""
        current, self._current = self._current, None
        for thread in self._threads:
            thread.requestInterruption()
        clean = all(thread.wait(timeout_ms) for thread in self._threads)
        self._threads = {thread for thread in self._threads if not thread.isFinished()}
        prune()
        if current is not None:
            self.busyChanged.emit(False)
        return clean
