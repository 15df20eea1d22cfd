"""PDF preview and printing without QtPdf: pages rendered with pypdfium2 into QImages.

The preview renders only the pages that are painted (the visible ones) at the screen's DPI and
the current zoom, and keeps a few of them. Printing renders each page at the printer's
resolution and draws it with QPainter, portrait or landscape as the page is.

PDFium is not thread-safe: no two threads may call it at once, even on different documents.
Every call here holds ``PDFIUM_LOCK``; the report worker holds it while it builds, so a kind
that reads its own PDF back (page count, checks) never races the preview. While the lock is
taken the preview paints a placeholder and tries again when asked (``PdfView.retry``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import (QDialog, QHBoxLayout, QLabel, QPushButton, QScrollArea, QSizePolicy,
                               QVBoxLayout, QWidget)

PDFIUM_LOCK = threading.Lock()
ZOOM_STEPS = (0.25, 0.33, 0.5, 0.67, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0)
GAP = 14            # pixels between pages and around them
CACHE_PAGES = 12    # rendered pages kept at the current zoom
PRINT_DPI = 300


def render_page(doc, index: int, scale: float) -> QImage:
    """Page ``index`` of a pypdfium2 document as an RGB image, ``scale`` pixels per point.
    The caller holds PDFIUM_LOCK."""
    import pypdfium2.raw as pdfium_c

    page = doc[index]
    try:
        bitmap = page.render(scale=scale, may_draw_forms=False, rev_byteorder=True,
                             force_bitmap_format=pdfium_c.FPDFBitmap_BGRx)
        image = QImage(bytes(bitmap.buffer), bitmap.width, bitmap.height, bitmap.stride,
                       QImage.Format.Format_RGBX8888).copy()
        bitmap.close()
    finally:
        page.close()
    return image


def open_pdf(path: Path | str):
    """(document, [(width, height) in points per page]). The bytes are read into memory so the
    file itself stays free to be replaced or deleted (Windows locks open files)."""
    import pypdfium2 as pdfium

    with PDFIUM_LOCK:
        doc = pdfium.PdfDocument(Path(path).read_bytes())
        sizes = []
        for index in range(len(doc)):
            page = doc[index]
            sizes.append(tuple(page.get_size()))
            page.close()
    return doc, sizes


class _Pages(QWidget):
    """The pages stacked vertically, centred; paints (and renders) only what is exposed."""

    def __init__(self, view: PdfView) -> None:
        super().__init__()
        self.view = view
        self.cache: OrderedDict[int, QImage] = OrderedDict()
        self.rendered: set[int] = set()   # page indexes rendered since the last load/zoom
        self.pending = False              # a page could not be rendered (PDFium busy)

    def px_per_pt(self) -> float:
        return self.view.zoom * self.logicalDpiX() / 72.0

    def page_rects(self) -> list[QRectF]:
        scale = self.px_per_pt()
        rects, y = [], GAP
        for width, height in self.view.sizes:
            w, h = width * scale, height * scale
            rects.append(QRectF(max(GAP, (self.width() - w) / 2), y, w, h))
            y += h + GAP
        return rects

    def content_size(self) -> QSize:
        scale = self.px_per_pt()
        if not self.view.sizes:
            return QSize(0, 0)
        width = max(w for w, _ in self.view.sizes) * scale + 2 * GAP
        height = sum(h for _, h in self.view.sizes) * scale + GAP * (len(self.view.sizes) + 1)
        return QSize(int(width + 0.5), int(height + 0.5))

    def relayout(self) -> None:
        self.cache.clear()
        self.rendered.clear()
        self.setMinimumSize(self.content_size())
        self.update()

    def image(self, index: int) -> QImage | None:
        if index in self.cache:
            self.cache.move_to_end(index)
            return self.cache[index]
        if not PDFIUM_LOCK.acquire(blocking=False):
            self.pending = True
            return None
        try:
            image = render_page(self.view.doc, index, self.px_per_pt() * self.devicePixelRatioF())
        finally:
            PDFIUM_LOCK.release()
        image.setDevicePixelRatio(self.devicePixelRatioF())
        self.cache[index] = image
        self.rendered.add(index)
        while len(self.cache) > CACHE_PAGES:
            self.cache.popitem(last=False)
        return image

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        painter.fillRect(event.rect(), QColor("#8a939e"))
        exposed = QRectF(event.rect())
        for index, rect in enumerate(self.page_rects()):
            if not rect.intersects(exposed):
                continue
            painter.fillRect(rect.translated(3, 3), QColor(0, 0, 0, 60))
            image = self.image(index) if self.view.doc is not None else None
            if image is None:
                painter.fillRect(rect, QColor("#ffffff"))
                painter.setPen(QColor("#6b7685"))
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "正在准备页面…")
            else:
                painter.drawImage(rect, image)
        painter.end()


class PdfView(QWidget):
    """Preview of one PDF: zoom (适合宽度 / 100% / 放大 / 缩小), page count, printing.

    Tests replace ``run_print_dialog(printer) -> bool`` to print without a dialog, e.g. into
    a PDF file with ``printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)``.
    """

    zoomChanged = Signal(float)
    loaded = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc = None
        self.path: Path | None = None
        self.sizes: list[tuple[float, float]] = []
        self.zoom = 1.0
        self.fit_width_mode = True
        self.run_print_dialog: Callable[[QPrinter], bool] = self._print_dialog

        self.pages = _Pages(self)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(self.pages)
        self.scroll.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.scroll.verticalScrollBar().valueChanged.connect(self._update_page_label)

        self.fit_button = QPushButton("适合宽度", checkable=True, checked=True)
        self.actual_button = QPushButton("100%")
        self.out_button = QPushButton("－")
        self.in_button = QPushButton("＋")
        self.out_button.setToolTip("缩小")
        self.in_button.setToolTip("放大")
        for button in (self.out_button, self.in_button):
            button.setFixedWidth(36)
        self.fit_button.clicked.connect(lambda: self.fit_width())
        self.actual_button.clicked.connect(lambda: self.set_zoom(1.0))
        self.out_button.clicked.connect(self.zoom_out)
        self.in_button.clicked.connect(self.zoom_in)
        self.zoom_label = QLabel(objectName="countLabel")
        self.page_label = QLabel(objectName="countLabel")
        self.zoom_label.setMinimumWidth(48)

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        for widget in (self.fit_button, self.actual_button, self.out_button, self.zoom_label, self.in_button):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.page_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.scroll, 1)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._update_controls()

    # --- document ------------------------------------------------------------------------

    @property
    def page_count(self) -> int:
        return len(self.sizes)

    def load(self, path: Path | str) -> int:
        """Show the PDF at ``path``; returns its page count. Raises OSError / PdfiumError for
        a file that is not a readable PDF (the previous document stays)."""
        doc, sizes = open_pdf(path)
        self.clear()
        self.doc, self.sizes, self.path = doc, sizes, Path(path)
        if self.fit_width_mode:
            self.zoom = self._fit_zoom()
        self.pages.relayout()
        self.scroll.verticalScrollBar().setValue(0)
        self._update_controls()
        self.loaded.emit(len(sizes))
        return len(sizes)

    def clear(self) -> None:
        if self.doc is not None:
            with PDFIUM_LOCK:
                self.doc.close()
        self.doc, self.sizes, self.path = None, [], None
        self.pages.relayout()
        self._update_controls()

    def retry(self) -> None:
        """Paint again pages that could not be rendered while PDFium was busy."""
        if self.pages.pending:
            self.pages.pending = False
            self.pages.update()

    # --- zoom ----------------------------------------------------------------------------

    def _fit_zoom(self) -> float:
        if not self.sizes:
            return 1.0
        # the viewport less a vertical scroll bar, which a fitted page always brings
        frame = self.scroll.frameWidth() * 2
        available = self.scroll.width() - frame - self.scroll.verticalScrollBar().sizeHint().width() - 2 * GAP
        widest = max(w for w, _ in self.sizes) * self.pages.logicalDpiX() / 72.0
        return max(ZOOM_STEPS[0], min(ZOOM_STEPS[-1], available / widest))

    def set_zoom(self, zoom: float, *, fit: bool = False) -> None:
        zoom = max(ZOOM_STEPS[0], min(ZOOM_STEPS[-1], zoom))
        self.fit_width_mode = fit
        if abs(zoom - self.zoom) > 1e-6:
            bar = self.scroll.verticalScrollBar()
            ratio = bar.value() / max(1, bar.maximum())
            self.zoom = zoom
            self.pages.relayout()
            bar.setValue(round(ratio * bar.maximum()))
            self.zoomChanged.emit(zoom)
        self._update_controls()

    def fit_width(self) -> None:
        self.set_zoom(self._fit_zoom(), fit=True)

    def zoom_in(self) -> None:
        self.set_zoom(next((z for z in ZOOM_STEPS if z > self.zoom + 0.005), ZOOM_STEPS[-1]))

    def zoom_out(self) -> None:
        self.set_zoom(next((z for z in reversed(ZOOM_STEPS) if z < self.zoom - 0.005), ZOOM_STEPS[0]))

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        if self.fit_width_mode and self.sizes:
            self.set_zoom(self._fit_zoom(), fit=True)

    def current_page(self) -> int:
        """1-based number of the page at the top of the viewport (0 when empty)."""
        if not self.sizes:
            return 0
        top = self.scroll.verticalScrollBar().value() + self.scroll.viewport().height() / 3
        for index, rect in enumerate(self.pages.page_rects()):
            if rect.bottom() + GAP >= top:
                return index + 1
        return len(self.sizes)

    def _update_page_label(self) -> None:
        if self.sizes:
            self.page_label.setText(f"第 {self.current_page()} 页 / 共 {len(self.sizes)} 页")
        else:
            self.page_label.setText("")

    def _update_controls(self) -> None:
        has = bool(self.sizes)
        for button in (self.fit_button, self.actual_button, self.in_button, self.out_button):
            button.setEnabled(has)
        self.fit_button.setChecked(self.fit_width_mode)
        self.out_button.setEnabled(has and self.zoom > ZOOM_STEPS[0] + 1e-6)
        self.in_button.setEnabled(has and self.zoom < ZOOM_STEPS[-1] - 1e-6)
        self.zoom_label.setText(f"{round(self.zoom * 100)}%" if has else "")
        self._update_page_label()

    # --- printing --------------------------------------------------------------------------

    def _print_dialog(self, printer: QPrinter) -> bool:
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("打印")
        dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange, True)
        dialog.setMinMax(1, len(self.sizes))
        return dialog.exec() == QDialog.DialogCode.Accepted

    def make_printer(self) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setResolution(PRINT_DPI)
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        printer.setFullPage(True)     # the PDF pages carry their own margins
        printer.setDocName(self.path.stem if self.path else "nxcommand")
        if self.sizes:
            printer.setFromTo(1, len(self.sizes))
            printer.setPageOrientation(self._orientation(0))
        return printer

    def _orientation(self, index: int) -> QPageLayout.Orientation:
        width, height = self.sizes[index]
        return QPageLayout.Orientation.Landscape if width > height else QPageLayout.Orientation.Portrait

    def print_document(self) -> int:
        """Ask for a printer (the system dialog) and print; returns the pages printed, 0 when
        cancelled or when there is nothing to print."""
        if self.doc is None:
            return 0
        printer = self.make_printer()
        if not self.run_print_dialog(printer):
            return 0
        return self.print_to(printer)

    def print_to(self, printer: QPrinter) -> int:
        first, last = printer.fromPage(), printer.toPage()
        if printer.printRange() != QPrinter.PrintRange.PageRange or first < 1:
            first, last = 1, len(self.sizes)
        indexes = range(first - 1, min(last, len(self.sizes)))
        painter = QPainter()
        printed = 0
        for index in indexes:
            printer.setPageOrientation(self._orientation(index))
            if printed == 0:
                if not painter.begin(printer):
                    return 0
            elif not printer.newPage():
                break
            with PDFIUM_LOCK:
                image = render_page(self.doc, index, printer.resolution() / 72.0)
            paper = QRectF(printer.paperRect(QPrinter.Unit.DevicePixel))
            scale = min(paper.width() / image.width(), paper.height() / image.height())
            w, h = image.width() * scale, image.height() * scale
            painter.drawImage(QRectF((paper.width() - w) / 2, (paper.height() - h) / 2, w, h), image)
            printed += 1
        if printed:
            painter.end()
        return printed
