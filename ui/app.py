"""Starting the console: Qt application, fonts, database, main window."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from nxcommand.errors import UserError
from nxcommand.paths import resources_dir
from nxcommand.startup import open_console_db

from .fonts import register_fonts, ui_font


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


def run(db_path: Path, is_default: bool) -> int:
    from .main_window import MainWindow

    app = make_app()
    try:
        db = open_console_db(db_path, is_default)
    except UserError as exc:
        print(f"nxcommand：{exc}", file=sys.stderr)
        QMessageBox.critical(None, "无法打开数据库", str(exc))
        return 1
    window = MainWindow(db, QSettings())
    app.aboutToQuit.connect(window.save_state)
    _quit_on_signals(app)
    window.show()
    code = app.exec()
    db.close()
    return code


def _quit_on_signals(app: QApplication) -> None:
    """SIGTERM (logout, shutdown) and Ctrl+C end the console cleanly, state saved."""
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: app.quit())
    # Qt's event loop does not return to Python on its own; wake it so handlers run.
    timer = QTimer(app, interval=250)
    timer.timeout.connect(lambda: None)
    timer.start()
