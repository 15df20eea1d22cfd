"""简报 panel, the PDF preview and the build worker, driven offscreen.

A small fake kind (registered in the registry for the test) makes slow, failing and
mixed-orientation documents on demand; the demo's real kinds are built on the full demo."""

from __future__ import annotations

import itertools
import sqlite3
import sys
import threading
import time
import types
from pathlib import Path

import pytest
from PySide6.QtCore import QThread, QTimer
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import QApplication

from nxcommand.errors import NotFound
from nxcommand.reports import registry
from nxcommand.store import db_path
from ui.app import make_app
from ui.report_panel import ReportPanel, file_name
from ui.report_worker import BuildRequest, ReportBuilder

pdfium = pytest.importorskip("pypdfium2")


@pytest.fixture
def app(qapp):
    return make_app()


class FakeKind(types.ModuleType):
    """A document kind for tests: ``pages`` pages (those in ``landscape`` turned), ``delay``
    seconds per page, failing on page 2 when ``fail``; records the threads it ran in."""

    def __init__(self) -> None:
        super().__init__("nxcommand.reports.fake_kind")
        self.pages, self.delay, self.fail, self.landscape = 3, 0.0, False, {1}
        self.threads: list[threading.Thread] = []
        self.dbs: list = []                    # the connections the builds were given
        self.write_errors: list[str] = []

    def items(self, db):
        return [registry.Item("2", "第二份测试文书"), registry.Item("1", "第一份测试文书")]

    def latest(self, db, now):
        return registry.Item("2", "第二份测试文书")

    def build(self, db, key, out, *, serial=None, clock=None, progress=None):
        from reportlab.lib.pagesizes import A4, landscape
        from reportlab.pdfgen import canvas

        self.threads.append(threading.current_thread())
        self.dbs.append(db)
        try:
            db.execute("CREATE TABLE scratch (a)")
        except sqlite3.OperationalError as exc:
            self.write_errors.append(str(exc))
        if key not in ("1", "2"):
            raise NotFound(f"没有编号为 {key} 的测试文书")
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()   # this thread's connection
        pdf = canvas.Canvas(str(out), pagesize=A4)
        for page in range(self.pages):
            pdf.setPageSize(landscape(A4) if page in self.landscape else A4)
            time.sleep(self.delay)
            if self.fail and page == 1:
                raise RuntimeError("排版出错")
            pdf.setFont("Helvetica", 36)
            pdf.drawString(90, 300, f"page {page + 1} of {key}")
            pdf.showPage()
            if progress:
                progress(page + 1, self.pages)
        pdf.save()
        return registry.Built(Path(out), self.pages, f"测试文书第{key}份")


@pytest.fixture
def fake(monkeypatch):
    kind = FakeKind()
    monkeypatch.setitem(registry.KINDS, "fake", ("测试文书", "fake_kind", "--item"))
    monkeypatch.setitem(sys.modules, "nxcommand.reports.fake_kind", kind)
    return kind


@pytest.fixture
def panel(app, qtbot, demo_db, clock, fake):
    messages: list[str] = []
    widget = ReportPanel(demo_db, clock, notify=messages.append)
    widget.messages = messages
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    qtbot.waitExposed(widget)
    assert widget.select_kind("fake")
    yield widget
    widget.close()


def generate(panel, qtbot, timeout=20_000):
    with qtbot.waitSignal(panel.builder.built, timeout=timeout) as blocker:
        assert panel.generate()
    return blocker.args[0]


def pdf_pages(path) -> list[tuple[int, int]]:
    doc = pdfium.PdfDocument(str(path))
    try:
        return [tuple(round(v) for v in doc[i].get_size()) for i in range(len(doc))]
    finally:
        doc.close()


def test_worker_builds_in_its_own_thread_and_reports_on_the_gui_thread(app, qtbot, demo_db, clock, fake, tmp_path):
    builder = ReportBuilder(clock)
    steps, delivered = [], []
    builder.progress.connect(lambda done, total: steps.append((done, total)))
    builder.built.connect(lambda built: delivered.append(QThread.currentThread()))
    out = tmp_path / "out.pdf"
    with qtbot.waitSignal(builder.built, timeout=20_000) as blocker:
        assert builder.start(BuildRequest(db_path(demo_db), "fake", "1", out))
        assert builder.busy
        assert not builder.start(BuildRequest(db_path(demo_db), "fake", "2", tmp_path / "b.pdf"))
    built = blocker.args[0]
    assert built.path == out and built.pages == 3 and out.exists()
    assert fake.threads and fake.threads[0] is not threading.main_thread()
    # its own connection, read-only, closed afterwards; the panel's stays usable
    assert fake.dbs[0] is not demo_db and fake.write_errors == ["attempt to write a readonly database"]
    with pytest.raises(sqlite3.ProgrammingError):
        fake.dbs[0].execute("SELECT 1")
    assert demo_db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
    assert delivered == [QApplication.instance().thread()]
    qtbot.waitUntil(lambda: steps == [(1, 3), (2, 3), (3, 3)])
    assert not builder.busy
    assert not (tmp_path / "b.pdf").exists()          # the refused second build wrote nothing
    assert builder.stop()


def test_latest_item_is_preselected_and_the_preview_shows_every_page(panel, qtbot):
    assert panel.items.count() == 2
    assert panel.item_key() == "2"                    # latest() chose the second
    assert not panel.print_button.isEnabled() and not panel.save_button.isEnabled()
    built = generate(panel, qtbot)
    assert built.pages == 3
    assert panel.preview.page_count == 3
    assert "测试文书第2份" in panel.title_label.text() and "共 3 页" in panel.title_label.text()
    assert panel.preview.page_label.text() == "第 1 页 / 共 3 页"
    assert panel.print_button.isEnabled() and panel.save_button.isEnabled()
    assert panel.messages[-1] == "已生成：测试文书第2份（3 页）"
    # the preview file lives in the panel's temporary folder, outside the user's folders
    assert built.path.parent == panel.temp_dir()


def test_the_latest_item_is_listed_even_when_items_do_not_hold_it(panel, fake):
    fake.latest = lambda db, now: registry.Item("2026-07-01", "2026-07-01（今天）")
    panel.refresh()                        # a refresh keeps what the user had chosen
    assert panel.items.count() == 3 and panel.item_key() == "2"
    panel.select_kind("roster")
    panel.select_kind("fake")              # choosing the kind again selects the latest
    assert panel.item_key() == "2026-07-01" and panel.items.currentRow() == 0


def test_zoom_buttons_and_fit_width(panel, qtbot):
    generate(panel, qtbot)
    view = panel.preview
    assert view.fit_width_mode and view.fit_button.isChecked()
    # fit width: the widest page fills the viewport without a horizontal scroll bar
    assert view.scroll.horizontalScrollBar().maximum() == 0
    view.actual_button.click()
    assert view.zoom == 1.0 and view.zoom_label.text() == "100%" and not view.fit_button.isChecked()
    height_100 = view.pages.minimumHeight()
    view.in_button.click()
    assert view.zoom == 1.1 and view.zoom_label.text() == "110%"
    assert view.pages.minimumHeight() > height_100
    view.out_button.click()
    view.out_button.click()
    assert view.zoom == 0.9
    for _ in range(20):
        view.out_button.click() if view.out_button.isEnabled() else None
    assert view.zoom == 0.25 and not view.out_button.isEnabled()
    view.fit_button.click()
    assert view.fit_width_mode and view.zoom > 0.25


def test_pages_render_lazily_as_they_come_into_view(panel, qtbot, fake):
    fake.pages, fake.landscape = 12, set()
    generate(panel, qtbot)
    view = panel.preview
    qtbot.waitUntil(lambda: bool(view.pages.rendered))
    assert 0 in view.pages.rendered and len(view.pages.rendered) <= 3    # only what is visible
    view.scroll.verticalScrollBar().setValue(view.scroll.verticalScrollBar().maximum())
    qtbot.waitUntil(lambda: 11 in view.pages.rendered)
    assert len(view.pages.rendered) < 12
    assert view.page_label.text() == "第 12 页 / 共 12 页"


def test_printing_through_the_dialog_hook_gives_the_same_pages(panel, qtbot, tmp_path):
    generate(panel, qtbot)
    out = tmp_path / "printed.pdf"
    seen = {}

    def dialog(printer: QPrinter) -> bool:
        seen.update(resolution=printer.resolution(), page=printer.pageLayout().pageSize().id(),
                    first=printer.fromPage(), last=printer.toPage())
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        return True

    panel.preview.run_print_dialog = dialog
    assert panel.print_preview() == 3
    assert seen["resolution"] == 300 and seen["first"] == 1 and seen["last"] == 3
    assert seen["page"].name == "A4"
    # A4 portrait, landscape for the turned page, portrait again
    assert pdf_pages(out) == [(595, 842), (842, 595), (595, 842)]
    assert panel.messages[-1] == "已送打印：测试文书第2份（3 页）"


def test_a_page_range_prints_those_pages_only(panel, qtbot, tmp_path):
    generate(panel, qtbot)
    out = tmp_path / "page2.pdf"

    def dialog(printer: QPrinter) -> bool:
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        printer.setPrintRange(QPrinter.PrintRange.PageRange)
        printer.setFromTo(2, 2)
        return True

    panel.preview.run_print_dialog = dialog
    assert panel.print_preview() == 1
    assert pdf_pages(out) == [(842, 595)]


def test_cancelled_print_dialog_prints_nothing(panel, qtbot, monkeypatch):
    generate(panel, qtbot)
    shown = []

    def cancel(dialog):
        shown.append((dialog.windowTitle(), dialog.minPage(), dialog.maxPage(),
                      dialog.testOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange)))
        return 0

    monkeypatch.setattr(QPrintDialog, "exec", cancel)        # the real dialog, cancelled
    assert panel.print_preview() == 0
    assert shown == [("打印", 1, 3, True)]


def test_save_as_copies_the_preview(panel, qtbot, tmp_path):
    built = generate(panel, qtbot)
    suggested = []
    panel.choose_save = lambda path: suggested.append(path) or str(tmp_path / "会商")
    saved = panel.save_as()
    assert saved == tmp_path / "会商.pdf"
    assert saved.read_bytes() == built.path.read_bytes()
    assert Path(suggested[0]).name == "测试文书第2份.pdf"
    panel.choose_save = lambda path: None                  # cancelled: nothing happens
    assert panel.save_as() is None
    assert file_name('a/b:c*?"d') == "a-b-c---d.pdf"


def test_save_into_a_missing_folder_says_so(panel, qtbot, tmp_path):
    generate(panel, qtbot)
    panel.choose_save = lambda path: str(tmp_path / "无此目录" / "x.pdf")
    assert panel.save_as() is None
    assert panel.error_label.isVisible() and "无法保存到" in panel.error_label.text()


def test_a_slow_build_leaves_the_window_responsive(panel, qtbot, fake):
    fake.pages, fake.delay = 8, 0.12
    ticks = []
    timer = QTimer(interval=20, timeout=lambda: ticks.append(time.monotonic()))
    timer.start()
    steps = []
    panel.builder.progress.connect(lambda done, total: steps.append(done))
    started = time.monotonic()
    with qtbot.waitSignal(panel.builder.built, timeout=20_000):
        assert panel.generate()
        assert panel.progress.isVisible()
        assert not panel.generate_button.isEnabled() and panel.generate_button.text() == "正在生成…"
        assert not panel.generate()                          # a second build is refused
        assert panel.messages[-1] == "正在生成文书，请等待当前文书完成"
        qtbot.waitUntil(lambda: panel.progress.maximum() == 8 and panel.progress.value() >= 2)
    elapsed = time.monotonic() - started
    timer.stop()
    assert elapsed >= 0.9
    # the event loop kept running: the 20 ms timer fired through the build, with no long gap
    during = [t for t in ticks if t <= started + elapsed]
    assert len(during) >= elapsed / 0.02 / 3
    assert max(b - a for a, b in itertools.pairwise(during)) < 0.5
    assert steps == list(range(1, 9))
    assert not panel.progress.isVisible() and panel.generate_button.isEnabled()


def test_a_failing_build_shows_a_chinese_message_and_leaves_no_file(panel, qtbot, fake):
    first = generate(panel, qtbot)
    fake.fail = True
    with qtbot.waitSignal(panel.builder.failed, timeout=20_000) as blocker:
        assert panel.generate()
    assert "排版出错" in blocker.args[0]
    assert panel.error_label.isVisible()
    assert panel.error_label.text().startswith("未能生成文书：生成失败")
    assert sorted(p.name for p in panel.temp_dir().iterdir()) == [first.path.name]   # no partial file
    assert panel.preview.page_count == 3            # the previous document stays in view
    assert panel.generate_button.isEnabled()


def test_a_vanished_item_gets_the_kinds_message(panel, qtbot, fake):
    fake.items = lambda db: [registry.Item("7", "已删除的测试文书")]
    fake.latest = lambda db, now: None
    panel.refresh()
    assert panel.item_key() == "7"
    with qtbot.waitSignal(panel.builder.failed, timeout=20_000):
        panel.generate()
    assert panel.error_label.text() == "未能生成文书：没有编号为 7 的测试文书"
    assert list(panel.temp_dir().iterdir()) == []


def test_show_for_preselects_and_builds(panel, qtbot):
    panel.select_kind(next(iter(registry.KINDS)))
    with qtbot.waitSignal(panel.builder.built, timeout=20_000) as blocker:
        assert panel.show_for("fake", "1")
    assert panel.kind() == "fake" and panel.item_key() == "1"
    assert blocker.args[0].title == "测试文书第1份"
    assert not panel.show_for("fake", "99")
    assert panel.error_label.text() == "未找到要生成“测试文书”的对象：99（可能已删除或为演练）"
    assert panel.show_for("fake", "2", build=False) and not panel.builder.busy


def test_closing_during_a_build_stops_it_and_removes_the_temporary_files(panel, qtbot, fake):
    fake.pages, fake.delay = 50, 0.05
    steps = []
    panel.builder.progress.connect(lambda done, total: steps.append(done))
    assert panel.generate()
    folder = panel.temp_dir()
    qtbot.waitUntil(lambda: bool(steps))
    started = time.monotonic()
    panel.close()
    assert time.monotonic() - started < 1.5           # stopped at its next page, not after 50
    assert not panel.builder.busy and not panel.builder._threads or all(
        t.isFinished() for t in panel.builder._threads)
    assert not folder.exists()


def test_kinds_not_yet_provided_say_so(app, qtbot, demo_db, clock, monkeypatch):
    monkeypatch.setitem(registry.KINDS, "absent", ("不存在的文书", "no_such_kind_module", "--x"))
    widget = ReportPanel(demo_db, clock)
    qtbot.addWidget(widget)
    assert widget.select_kind("absent")
    assert widget.items.count() == 0
    assert widget.items_hint.text() == "“不存在的文书”尚未提供"
    assert not widget.generate_button.isEnabled()
    assert not widget.serial_row.isVisibleTo(widget)
    assert widget.select_kind("event") and widget.serial_row.isVisibleTo(widget)


# --- the demo's real documents ------------------------------------------------------------

@pytest.fixture
def demo_panel(app, qtbot, full_demo_db, clock):
    widget = ReportPanel(full_demo_db, clock)
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.close()


@pytest.mark.parametrize("kind", list(registry.KINDS))
def test_every_real_kind_builds_and_previews_its_pages(demo_panel, qtbot, kind):
    assert demo_panel.select_kind(kind)
    latest = registry.latest(demo_panel.db, kind, demo_panel.clock.now())
    assert latest is not None and demo_panel.item_key() == latest.key   # preselected
    steps = []
    demo_panel.builder.progress.connect(lambda done, total: steps.append((done, total)))
    built = generate(demo_panel, qtbot)
    assert built.pages == demo_panel.preview.page_count == len(pdf_pages(built.path)) >= 1
    assert steps and steps[-1][0] == steps[-1][1]
    assert f"共 {built.pages} 页" in demo_panel.title_label.text()


def test_the_meeting_brief_prints_every_page(demo_panel, qtbot, tmp_path):
    demo_panel.select_kind("brief")
    built = generate(demo_panel, qtbot)
    assert built.pages > 3
    out = tmp_path / "brief.pdf"

    def dialog(printer):
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        return True

    demo_panel.preview.run_print_dialog = dialog
    assert demo_panel.print_preview() == built.pages
    assert pdf_pages(out) == pdf_pages(built.path)


def test_an_earlier_event_report_can_be_chosen(demo_panel, qtbot):
    demo_panel.select_kind("event")
    assert demo_panel.serial_row.isVisibleTo(demo_panel)
    assert demo_panel.select_item("4")                     # 初报 and 续报（一） were written
    labels = [demo_panel.serial.itemText(i) for i in range(demo_panel.serial.count())]
    assert labels[0].startswith("最新：续报（一）")
    assert [label.split("　")[0] for label in labels[1:]] == ["初报", "续报（一）"]
    demo_panel.serial.setCurrentIndex(1)
    built = generate(demo_panel, qtbot)
    assert built.title.startswith("初报")
    demo_panel.serial.setCurrentIndex(0)
    assert generate(demo_panel, qtbot).title.startswith("续报（一）")
    assert demo_panel.select_item("3")                     # nothing written yet: a draft 初报
    assert [demo_panel.serial.itemText(i) for i in range(demo_panel.serial.count())] == ["初报（稿）"]


def test_a_builder_deleted_mid_build_does_not_take_the_thread_with_it(app, qtbot, demo_db, clock, fake, tmp_path):
    import gc

    from ui import report_worker

    fake.pages, fake.delay = 4, 0.05
    builder = ReportBuilder(clock)
    assert builder.start(BuildRequest(db_path(demo_db), "fake", "1", tmp_path / "x.pdf"))
    thread = next(iter(builder._threads))
    del builder
    gc.collect()
    assert thread in report_worker.prune()                 # still referenced while it runs
    qtbot.waitUntil(thread.isFinished, timeout=10_000)
    assert thread not in report_worker.prune()
    assert (tmp_path / "x.pdf").exists()
