"""Checks run inside the frozen build (NXCOMMAND_BUILD_PROBE, see nxcommand_main.py).

Each check uses a library the way the program does, so a module, data file or binary the
build forgot fails here rather than on a duty desk: PyInstaller only follows imports it sees,
and several of ours are lazy (ui.app, report kinds, pyqtgraph, pypdfium2).
One line per check: ``probe NAME: ok | detail`` or ``probe NAME: FAILED | error``.
"""

from __future__ import annotations

import io
import sys
import traceback
from datetime import date
from pathlib import Path


def _inside_bundle(path: str) -> bool:
    bundle = getattr(sys, "_MEIPASS", None)
    return bundle is None or Path(path).resolve().is_relative_to(Path(bundle).resolve())


def check_packages(_pdf: Path) -> str:
    import nxcommand
    import ui
    from ui import main_window

    files = {"ui": ui.__file__, "ui.main_window": main_window.__file__,
             "nxcommand": nxcommand.__file__}
    outside = [f"{name}={path}" for name, path in files.items() if not _inside_bundle(path)]
    assert not outside, f"loaded from outside the bundle: {outside}"
    assert hasattr(main_window, "MainWindow"), "ui.main_window has no MainWindow: a foreign ui?"
    if getattr(sys, "frozen", False):
        assert sys.flags.utf8_mode, "UTF-8 mode is off (packaging/nxcommand.spec options)"
    return " ".join(f"{name}={path}" for name, path in files.items()) + f" utf8_mode={sys.flags.utf8_mode}"


def check_sqlite(_pdf: Path) -> str:
    import sqlite3

    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(body, tokenize='trigram')")
    conn.execute("INSERT INTO t VALUES ('帽子峰镇发生森林火灾')")
    found = conn.execute("SELECT count(*) FROM t WHERE t MATCH '森林火'").fetchone()[0]
    assert found == 1, "fts5 trigram search found nothing"
    return f"SQLite {sqlite3.sqlite_version}, fts5 trigram"


def check_argon2(_pdf: Path) -> str:
    from argon2 import PasswordHasher

    hasher = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
    assert hasher.verify(hasher.hash("值班口令"), "值班口令")
    return "Argon2id hash and verify"


def check_calendar(_pdf: Path) -> str:
    import chinese_calendar

    assert chinese_calendar.is_holiday(date(2026, 10, 1)), "2026-10-01 not a holiday"
    assert chinese_calendar.is_workday(date(2026, 10, 8)) is not None
    return "2026-10-01 国庆节 is a holiday"


def check_pinyin(_pdf: Path) -> str:
    from pypinyin import lazy_pinyin

    got = lazy_pinyin("应急值班")
    assert got == ["ying", "ji", "zhi", "ban"], got
    return "应急值班 → " + " ".join(got)


def check_excel(_pdf: Path) -> str:
    from openpyxl import Workbook, load_workbook

    book = Workbook()
    book.active.append(["姓名", "电话"])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    assert load_workbook(data).active["A1"].value == "姓名"
    return "workbook written and read back"


def check_pdf(pdf: Path) -> str:
    from PySide6.QtGui import QImage

    from ui.pdf_view import PDFIUM_LOCK, open_pdf, render_page

    doc, sizes = open_pdf(pdf)
    assert sizes, "no pages"
    with PDFIUM_LOCK:
        image = render_page(doc, 0, 0.5).convertToFormat(QImage.Format.Format_Grayscale8)
    doc.close()
    dark = sum(1 for y in range(0, image.height(), 4) for x in range(0, image.width(), 4)
               if image.pixelColor(x, y).value() < 128)
    assert dark > 50, f"page 1 rendered nearly blank ({dark} dark samples)"
    return f"{len(sizes)} pages, page 1 rendered by pypdfium2 ({dark} dark samples)"


def check_charts(_pdf: Path) -> str:
    import pyqtgraph
    from PySide6.QtWidgets import QApplication

    QApplication.instance() or QApplication(sys.argv[:1])
    plot = pyqtgraph.PlotWidget()
    plot.plot([1, 3, 2, 5])
    plot.resize(200, 120)
    assert not plot.grab().isNull()
    return f"pyqtgraph {pyqtgraph.__version__} plot drawn"


CHECKS = [check_packages, check_sqlite, check_argon2, check_calendar, check_pinyin, check_excel,
          check_pdf, check_charts]


def run(pdf: str) -> int:
    import ui  # noqa: F401  (before any Qt call: ui/qtfix.py)

    failed = 0
    for check in CHECKS:
        name = check.__name__.removeprefix("check_")
        try:
            print(f"probe {name}: ok | {check(Path(pdf))}")
        except Exception as exc:  # every failure is reported, then the exit code says it
            failed += 1
            last = traceback.format_exception_only(exc)[-1].strip()
            print(f"probe {name}: FAILED | {last}")
    sys.stdout.flush()
    return 1 if failed else 0
