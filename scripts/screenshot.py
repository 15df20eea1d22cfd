"""Start the console as `nxcommand` would and save a screenshot of the whole X screen.

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python scripts/screenshot.py OUT.png \
        [--db PATH] [--panel 值班日志] [--tab 一张图] [--search TEXT] [--delay-ms 3000]

For looking at what the console shows (a developer's tool; not part of the product). It signs
in the system actor 截图 (every role but 只读): no login is asked and 系统管理 is shown.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QSettings, QTimer  # noqa: E402

from nxcommand import session  # noqa: E402
from nxcommand.paths import chosen_db_path  # noqa: E402
from nxcommand.startup import open_console_db  # noqa: E402
from ui.app import make_app  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--db")
    parser.add_argument("--panel", default="", help="the rail entry to show, e.g. 值班日志")
    parser.add_argument("--search", default="", help="typed into the directory's search box")
    parser.add_argument("--tab", default="", help="a tab of the shown panel, e.g. 一张图 (资源) or 一个指挥中心 (应急响应)")
    parser.add_argument("--size", default="", help="window size, e.g. 1600x1000 (default: as remembered)")
    parser.add_argument("--delay-ms", type=int, default=3000)
    args = parser.parse_args()
    app = make_app()
    path, is_default = chosen_db_path(args.db)
    db = open_console_db(path, is_default)
    session.sign_in(db, session.system("截图"))         # no login dialog: a developer's tool
    window = MainWindow(db, QSettings())
    if args.size:
        window.resize(*map(int, args.size.split("x")))
    window.show()
    titles = [window.rail.item(i).text() for i in range(window.rail.count())]
    if args.panel:
        window.rail.setCurrentRow(titles.index(args.panel))
    if args.tab:
        tabs = window.stack.currentWidget().tabs
        tabs.setCurrentIndex([tabs.tabText(i) for i in range(tabs.count())].index(args.tab))
    if args.search:
        QTimer.singleShot(500, lambda: window.directory.search.setText(args.search))

    def grab() -> None:
        app.primaryScreen().grabWindow(0).save(args.out)
        app.quit()

    QTimer.singleShot(args.delay_ms, grab)
    app.exec()


if __name__ == "__main__":
    main()
