"""The installer's self-test mode: start the console, report once the main window has painted,
quit.

``build_installer.py`` runs the frozen console with ``NXCOMMAND_SMOKE=1`` and
``QT_QPA_PLATFORM=offscreen`` against a fresh data folder. In that mode the console does not
ask for a login: it signs in the system actor "安装自检" (every role but 只读, no account), shows
the main window and, after the first paint, prints where ``ui`` and ``nxcommand`` were
loaded from, then quits with exit code 0.

Not reachable by accident: the variable must be exactly "1" *and* Qt must run on the
offscreen platform, so no visible window is ever shown without a login. ``ui/app.py`` calls
``sign_in(db)`` where it would ask for a login, and ``watch(window)`` after ``window.show()``.
"""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from nxcommand import session

ENV = "NXCOMMAND_SMOKE"
ACTOR_NAME = "安装自检"
SHOWN = "nxcommand: main window shown"


def enabled() -> bool:
    """Smoke mode: NXCOMMAND_SMOKE=1 and the offscreen platform (call after QApplication)."""
    return os.environ.get(ENV) == "1" and QGuiApplication.platformName() == "offscreen"


def sign_in(db) -> bool:
    """In smoke mode sign the system actor "安装自检" in on ``db`` and return True: the caller
    skips the login dialog. Otherwise False (ask for a login as usual)."""
    if enabled():
        session.sign_in(db, session.system(ACTOR_NAME))
        return True
    if os.environ.get(ENV):
        print(f"nxcommand：忽略 {ENV}（安装自检只在 QT_QPA_PLATFORM=offscreen 下进行）", file=sys.stderr)
    return False


class _FirstPaint(QObject):
    """Waits for the first paint of the window or any widget in it, then reports and quits."""

    def __init__(self, window: QWidget):
        super().__init__(window)
        self._window = window
        self._done = False

    def eventFilter(self, obj, event) -> bool:
        if (not self._done and event.type() == QEvent.Type.Paint and isinstance(obj, QWidget)
                and obj.window() is self._window):
            self._done = True
            QApplication.instance().removeEventFilter(self)
            QTimer.singleShot(0, self._report)
        return False

    def _report(self) -> None:
        import nxcommand
        import ui
        from ui import main_window

        print(SHOWN)
        print(f"nxcommand: title {self._window.windowTitle()}")
        print(f"nxcommand: actor {session.who(self._window.db)}")
        print(f"nxcommand: ui {ui.__file__}")
        print(f"nxcommand: ui.main_window {main_window.__file__}")
        print(f"nxcommand: nxcommand {nxcommand.__file__}")
        print(f"nxcommand: frozen {bool(getattr(sys, 'frozen', False))}")
        sys.stdout.flush()
        QApplication.instance().quit()


def watch(window: QWidget) -> None:
    """In smoke mode, report and quit once ``window`` has painted; otherwise nothing."""
    if enabled():
        QApplication.instance().installEventFilter(_FirstPaint(window))
