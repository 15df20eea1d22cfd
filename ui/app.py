"""Starting the console: Qt application, fonts, database, sign-in, main window."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

from collections.abc import Callable

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMainWindow, QMessageBox
from sqlite_utils import Database

from nxcommand import session
from nxcommand.errors import UserError
from nxcommand.paths import resources_dir
from nxcommand.startup import open_console_db
from nxcommand.store import db_path as store_path

from . import smoke
from .fonts import register_fonts, ui_font
from .login_dialog import RunDialog, exec_dialog, sign_in


def make_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    if app.property("nxcommandReady"):
        return app          # styling again would re-polish every widget alive (slow, and pointless)
    app.setProperty("nxcommandReady", True)
    app.setApplicationName("nxcommand")
    app.setOrganizationName("nxcommand")
    app.setApplicationDisplayName("nxcommand 应急指挥值班台")
    register_fonts()
    app.setFont(ui_font())
    style = resources_dir() / "style.qss"
    if style.exists():
        app.setStyleSheet(style.read_text(encoding="utf-8"))
    return app


def open_database(path: Path, is_default: bool) -> Database | None:
    """The console's database, or None (the reason shown) when it cannot be opened. A
    damaged database is offered its newest good backup when ui.recovery is there."""
    try:
        from .recovery import open_or_recover
    except ImportError:
        open_or_recover = None
    try:
        if open_or_recover is not None:
            return open_or_recover(path, is_default, parent=None)
        return open_console_db(path, is_default)
    except UserError as exc:
        print(f"nxcommand：{exc}", file=sys.stderr)
        QMessageBox.critical(None, "无法打开数据库", str(exc))
        return None


def run(db_path: Path, is_default: bool, *, run_dialog: RunDialog = exec_dialog,
        run_window: Callable[[QMainWindow], int] | None = None,
        settings: QSettings | None = None) -> int:
    """The console: open the database, sign in (the first administrator on a new database),
    the main window; again after 切换用户/注销, and after a restart the window asks for
    (the database closed, the window's action run, e.g. a restore, then reopened).
    ``run_dialog``/``run_window`` stand in for the dialogs' and the window's event loops
    in tests."""
    from .main_window import RESTART, SIGN_OUT, SWITCH_USER, MainWindow

    app = make_app()
    app.setQuitOnLastWindowClosed(False)     # the login dialog between windows is not the end
    app.setProperty(STOPPING, False)
    run_window = run_window or (lambda window: app.exec())
    settings = settings or QSettings()
    _quit_on_signals(app)
    db = open_database(db_path, is_default)
    if db is None:
        return 1
    previous: session.Actor | None = None      # who was signed in before 切换用户
    try:
        while True:
            if smoke.sign_in(db):              # the installer's self-test: no login
                actor = session.current(db)
            else:
                account = sign_in(db, run_dialog=run_dialog, cancel="取消" if previous else "退出")
                if account is None and (previous is None or app.property(STOPPING)):
                    return 0
                actor = previous if account is None else session.of_account(account)
            previous = None
            session.sign_in(db, actor)
            window = MainWindow(db, settings)
            window.closed.connect(app.quit)
            window.show()
            window.start_background()
            smoke.watch(window)
            code = run_window(window)
            if window.isVisible():             # SIGTERM / Ctrl+C: the loop ended under it
                window.close()
            session.sign_out(db)
            window.deleteLater()
            if app.property(STOPPING):
                return code
            if window.outcome == SWITCH_USER:
                previous = actor
            elif window.outcome == RESTART:
                path = Path(store_path(db))
                db.close()
                db = None
                _run_restart_action(window.restart_action)
                db = open_database(path, is_default)
                if db is None:
                    return 1
            elif window.outcome != SIGN_OUT:
                return code
    finally:
        if db is not None:
            session.sign_out(db)
            db.close()


def _run_restart_action(action: Callable[[], None] | None) -> None:
    if action is None:
        return
    try:
        action()
    except UserError as exc:
        QMessageBox.critical(None, "恢复未完成", str(exc))


STOPPING = "nxcommandStopping"


def stop(app: QApplication) -> None:
    """End the console: the window's loop, or the login dialog waiting for someone."""
    app.setProperty(STOPPING, True)
    modal = app.activeModalWidget()
    if isinstance(modal, QDialog):
        modal.reject()
    app.quit()


def _quit_on_signals(app: QApplication) -> None:
    """SIGTERM (logout, shutdown) and Ctrl+C end the console cleanly, state saved."""
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop(app))
    # Qt's event loop does not return to Python on its own; wake it so handlers run.
    timer = QTimer(app, interval=250)
    timer.timeout.connect(lambda: None)
    timer.start()
