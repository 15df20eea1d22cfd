"""The child processes of the start-up and memory benches (run offscreen by bench/).

    python bench/launch.py bare                 a bare PySide6 QMainWindow (the floor)
    python bench/launch.py console DB           the console on DB, signed in without a dialog
    python bench/launch.py console DB --log     … then the 值班日志 panel opened and painted

Each prints ``painted <seconds since the interpreter started>`` once its window has painted,
then ``peak <MB>`` (its peak resident memory), and exits at once (``os._exit``: tearing a
window down is not part of starting it).

The console is started the way ui/app.run starts it, minus the login dialog: make_app (fonts,
style sheet), the database opened as the console opens it, the system actor signed in on the
connection (session.sign_in, what the login does once the password is checked), the main
window built, shown (its background duties started: automatic backup, purges) and painted.
"""

from __future__ import annotations

import os
import sys
import time

T0 = time.perf_counter()


def _report(label: str) -> None:
    print(f"{label} {time.perf_counter() - T0:.4f}", flush=True)


def _peak_mb() -> float | None:
    """This process's peak resident memory since it started running Python. Linux: VmHWM of
    /proc/self/status (the wait4/getrusage figure also counts the parent's memory the child
    was forked with); elsewhere getrusage or psutil when they give it."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    try:
        import psutil
        info = psutil.Process().memory_info()
        return getattr(info, "peak_wset", info.rss) / 1024 / 1024
    except ImportError:
        return None


def _finish(label: str) -> None:
    _report(label)
    peak = _peak_mb()
    print(f"peak {peak if peak is not None else -1:.1f}", flush=True)
    os._exit(0)


def _first_paint(window, then) -> None:
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    class FirstPaint(QObject):
        done = False

        def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
            if (not self.done and event.type() == QEvent.Type.Paint and isinstance(obj, QWidget)
                    and obj.window() is window):
                self.done = True
                QTimer.singleShot(0, then)     # after this paint has finished
            return False

    watcher = FirstPaint(window)
    QApplication.instance().installEventFilter(watcher)
    window._bench_watcher = watcher


def bare() -> None:
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.resize(1280, 800)
    _first_paint(window, lambda: _finish("painted"))
    window.show()
    app.exec()


def console(path: str, open_log: bool) -> None:
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from PySide6.QtCore import QSettings, QTimer

    from nxcommand import session
    from nxcommand.startup import open_console_db
    from ui.app import make_app
    from ui.main_window import MainWindow

    app = make_app()
    db = open_console_db(Path(path), is_default=False)
    session.sign_in(db, session.system("性能测试"))
    window = MainWindow(db, QSettings())

    def painted() -> None:
        if not open_log:
            _finish("painted")
        _report("painted")
        index = next(i for i in range(window.rail.count()) if window.rail.item(i).text() == "值班日志")
        panel = window.stack.widget(index)
        window.rail.setCurrentRow(index)
        panel.repaint()                      # the first screen of the log, painted
        for _ in range(5):                   # the officer scrolls down five pages
            panel.model.fetchMore()
        panel.table.scrollToBottom()
        panel.repaint()
        app.processEvents()
        _finish(f"log {panel.model.total} {panel.model.loaded()}")

    _first_paint(window, painted)
    window.show()
    if hasattr(window, "start_background"):      # as ui/app.run: automatic backups, purges
        window.start_background()
    QTimer.singleShot(60_000, lambda: os._exit(3))    # never hang the bench
    app.exec()


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if sys.argv[1] == "bare":
        bare()
    else:
        console(sys.argv[2], "--log" in sys.argv)
