"""The resource map ("一张图"): county and town outlines from a GeoJSON file, with towns,
teams, depots, shelters, equipment and open events placed by their coordinates.

No map tiles (the desk is offline). pyqtgraph is imported only when a map is built.
Hover shows an item's facts as a tool tip; a click shows them in the side panel.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import (QCheckBox, QFileDialog, QHBoxLayout, QLabel, QMessageBox,
                               QPushButton, QSplitter, QVBoxLayout, QWidget)
from sqlite_utils import Database

from nxcommand import geo
from nxcommand.clock import SYSTEM_CLOCK, Clock
from nxcommand.errors import UserError

from .fonts import ui_font

# kind -> (pyqtgraph symbol, fill colour, size in px)
STYLE = {
    "town": ("o", "#5f6b76", 7),
    "shelter": ("h", "#2e9d4a", 13),
    "depot": ("s", "#b86e00", 12),
    "equipment": ("d", "#7b3fb5", 12),
    "team": ("t1", "#1f6fd1", 13),
    "event": ("star", "#d62728", 22),
}
COUNTY_PEN = ("#33414d", 2.2)
TOWN_PEN = ("#8a99a6", 1.0)
TOWN_FILLS = ("#f3f6ee", "#eaf1f8", "#f8f1e6", "#f1ecf6", "#e9f5f3")
SELECTED_COLOUR = "#ffb000"


def symbol_icon(kind: str, size: int = 16) -> QIcon:
    """The legend swatch: the same symbol and colour the map uses for ``kind``."""
    from pyqtgraph.graphicsItems.ScatterPlotItem import Symbols

    symbol, colour, _ = STYLE[kind]
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.translate(size / 2, size / 2)
    painter.scale(size * 0.8, size * 0.8)
    painter.setPen(QPen(QColor("#ffffff"), 0.08))
    painter.setBrush(QBrush(QColor(colour)))
    painter.drawPath(Symbols[symbol])
    painter.end()
    return QIcon(pixmap)


def town_fills(towns: list[geo.Outline]) -> list[str]:
    """A pale fill per town, neighbours (overlapping boxes) told apart where possible."""
    boxes = [t.bounds() for t in towns]
    chosen: list[str] = []
    for i, box in enumerate(boxes):
        near = {chosen[j] for j in range(i) if boxes[j][0] <= box[2] and box[0] <= boxes[j][2]
                and boxes[j][1] <= box[3] and box[1] <= boxes[j][3]}
        free = [c for c in TOWN_FILLS if c not in near]
        chosen.append(free[0] if free else TOWN_FILLS[i % len(TOWN_FILLS)])
    return chosen


def feature_text(feature: geo.MapFeature) -> str:
    return "\n".join((feature.name, *feature.facts))


class MapTab(QWidget):
    """The 一张图 tab of the 资源 panel: filter/legend bar, the map, the selected item."""

    def __init__(self, db: Database, clock: Clock = SYSTEM_CLOCK,
                 notify: Callable[[str], None] | None = None) -> None:
        super().__init__()
        import pyqtgraph as pg

        self.db, self.clock = db, clock
        self.notify = notify or (lambda message: None)
        # Replaceable in tests: pick a GeoJSON file (None = cancelled); tell of a refused file.
        self.choose_file: Callable[[], str | None] = self._choose_file
        self.warn: Callable[[str, str], None] = lambda title, text: QMessageBox.warning(self, title, text)

        self.plot = pg.PlotWidget(background="w", objectName="resourceMap")
        self.plot.setAspectLocked(True)
        self.plot.hideButtons()
        for axis in ("left", "bottom"):
            self.plot.hideAxis(axis)
        self.plot.setMenuEnabled(False)
        self.plot.setMinimumSize(420, 360)
        self.view_box = self.plot.getPlotItem().getViewBox()

        self.checks: dict[str, QCheckBox] = {}
        legend = QHBoxLayout()
        legend.addWidget(QLabel("图例/显示："))
        for kind, label in geo.KINDS.items():
            box = QCheckBox(label, checked=True, objectName=f"show_{kind}")
            box.setIcon(symbol_icon(kind))
            box.toggled.connect(lambda on, k=kind: self.set_kind_visible(k, on))
            self.checks[kind] = box
            legend.addWidget(box)
        legend.addStretch(1)
        self.load_button = QPushButton("载入边界（GeoJSON）…", objectName="loadOutlines")
        self.load_button.clicked.connect(self.load_outlines)
        self.fit_button = QPushButton("全图")
        self.fit_button.clicked.connect(self.fit)
        legend.addWidget(self.fit_button)
        legend.addWidget(self.load_button)

        self.status = QLabel(objectName="mapStatus")
        self.info = QLabel("点击地图上的标记查看详情。", objectName="mapInfo", wordWrap=True)
        self.info.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.info.setMinimumWidth(220)

        splitter = QSplitter()
        splitter.addWidget(self.plot)
        splitter.addWidget(self.info)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([900, 260])
        layout = QVBoxLayout(self)
        layout.addLayout(legend)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)

        self.scatters: dict = {}
        self.features: list[geo.MapFeature] = []
        self.outlines: geo.Outlines | None = None
        self.selected: geo.MapFeature | None = None
        self._marker = None
        self.refresh()

    # --- building the picture ------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read outlines and features from the database and redraw."""
        import pyqtgraph as pg

        self.outlines, status = geo.current_outlines(self.db)
        self.features = geo.map_features(self.db)
        self.projection = geo.projection_for(self.db, self.outlines)
        self.plot.clear()
        self.scatters.clear()
        self._marker = None
        self._draw_outlines()
        font = ui_font(9)
        for feature in self.features:
            if feature.kind == "town":
                label = pg.TextItem(feature.name, color="#2c3740", anchor=(0.5, -0.1),
                                    fill=pg.mkBrush(255, 255, 255, 170))
                label.setFont(font)
                label.setPos(*self.projection(feature.lon, feature.lat))
                label.setZValue(25)       # names stay readable over crowded markers
                self.plot.addItem(label)
                self.scatters.setdefault("town_labels", []).append(label)
        for kind in geo.KINDS:
            items = [f for f in self.features if f.kind == kind]
            symbol, colour, size = STYLE[kind]
            spots = [{"pos": self.projection(f.lon, f.lat), "data": f} for f in items]
            scatter = pg.ScatterPlotItem(
                spots=spots, symbol=symbol, size=size, brush=pg.mkBrush(colour),
                pen=pg.mkPen("#ffffff", width=1.2), hoverable=True, tip=None,
                hoverPen=pg.mkPen(SELECTED_COLOUR, width=2), hoverSize=size + 4, name=geo.KINDS[kind])
            scatter.setZValue(10 + list(geo.KINDS).index(kind))
            scatter.sigClicked.connect(self._clicked)
            scatter.sigHovered.connect(self._hovered)
            scatter.setVisible(self.checks[kind].isChecked())
            self.plot.addItem(scatter)
            self.scatters[kind] = scatter
            self.checks[kind].setText(f"{geo.KINDS[kind]} {len(items)}")
        self.status.setText(status + f"　共 {len(self.features)} 个标记；滚轮缩放，拖动平移")
        self.fit()
        if self.selected is not None:
            match = next((f for f in self.features if (f.kind, f.ref_id) == (self.selected.kind,
                                                                             self.selected.ref_id)), None)
            self.select(match)

    def _draw_outlines(self) -> None:
        from PySide6.QtWidgets import QGraphicsPathItem

        if self.outlines is None:
            return
        towns = list(self.outlines.towns)
        fills = town_fills(towns)
        for n, outline in enumerate([*towns, *self.outlines.county]):
            item = QGraphicsPathItem(self._path(outline))
            if outline.level == "county":
                colour, width = COUNTY_PEN
                item.setBrush(QBrush(Qt.BrushStyle.NoBrush) if towns else QBrush(QColor(TOWN_FILLS[0])))
                item.setZValue(2)
            else:
                colour, width = TOWN_PEN
                item.setBrush(QBrush(QColor(fills[n])))
                item.setZValue(1)
            pen = QPen(QColor(colour), width)
            pen.setCosmetic(True)
            if outline.level != "county":
                pen.setStyle(Qt.PenStyle.DashLine)
            item.setPen(pen)
            item.setToolTip(outline.name)
            self.plot.addItem(item)

    def _path(self, outline: geo.Outline) -> QPainterPath:
        path = QPainterPath()
        path.setFillRule(Qt.FillRule.OddEvenFill)
        for polygon in outline.polygons:
            for ring in polygon:
                first = True
                for lon, lat in ring:
                    x, y = self.projection(lon, lat)
                    if first:
                        path.moveTo(x, y)
                        first = False
                    else:
                        path.lineTo(x, y)
                path.closeSubpath()
        return path

    def fit(self) -> None:
        """Show the whole county (or every marker when there are no outlines)."""
        if self.outlines is not None:
            x0, y0, x1, y1 = self.outlines.bounds()
        elif self.features:
            x0, x1 = min(f.lon for f in self.features), max(f.lon for f in self.features)
            y0, y1 = min(f.lat for f in self.features), max(f.lat for f in self.features)
        else:
            return
        (px0, py0), (px1, py1) = self.projection(x0, y0), self.projection(x1, y1)
        self.view_box.setRange(xRange=(px0, px1), yRange=(py0, py1), padding=0.04)

    # --- filter, hover, click ------------------------------------------------------------
    def set_kind_visible(self, kind: str, visible: bool) -> None:
        scatter = self.scatters.get(kind)
        if scatter is not None:
            scatter.setVisible(visible)
        if kind == "town":
            for label in self.scatters.get("town_labels", []):
                label.setVisible(visible)
        if not visible and self.selected is not None and self.selected.kind == kind:
            self.select(None)

    def visible_count(self, kind: str) -> int:
        scatter = self.scatters.get(kind)
        return len(scatter.data) if scatter is not None and scatter.isVisible() else 0

    def _hovered(self, scatter, points, _event) -> None:
        if len(points):
            text = feature_text(points[0].data())
            if len(points) > 1:
                text += f"\n（此处另有 {len(points) - 1} 个标记）"
            self.view_box.setToolTip(text)
            scatter._nx_tip = True
        elif getattr(scatter, "_nx_tip", False):
            self.view_box.setToolTip("")
            scatter._nx_tip = False

    def _clicked(self, _scatter, points, _event) -> None:
        if len(points):
            self.select(points[0].data())

    def select(self, feature: geo.MapFeature | None) -> None:
        """Show ``feature``'s facts in the side panel and ring it on the map."""
        import pyqtgraph as pg

        self.selected = feature
        if self._marker is not None:
            self.plot.removeItem(self._marker)
            self._marker = None
        if feature is None:
            self.info.setText("点击地图上的标记查看详情。")
            return
        lines = "".join(f"<br>{_escape(line)}" for line in feature.facts)
        self.info.setText(f"<b>{_escape(feature.name)}</b>{lines}")
        self._marker = pg.ScatterPlotItem(
            pos=[self.projection(feature.lon, feature.lat)], symbol="o",
            size=STYLE[feature.kind][2] + 14, brush=None, pen=pg.mkPen(SELECTED_COLOUR, width=3))
        self._marker.setZValue(30)
        self.plot.addItem(self._marker)

    def scene_pos(self, feature: geo.MapFeature) -> QPoint:
        """Where ``feature`` is drawn, in the plot widget's viewport (for tests and tools)."""
        point = self.view_box.mapViewToScene(QPointF(*self.projection(feature.lon, feature.lat)))
        return self.plot.mapFromScene(point)

    # --- the administrator's outline file --------------------------------------------------
    def _choose_file(self) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self, "载入边界（GeoJSON）", "",
                                              "GeoJSON 文件 (*.geojson *.json);;所有文件 (*)")
        return path or None

    def load_outlines(self) -> None:
        path = self.choose_file()
        if not path:
            return
        try:
            outlines = geo.set_outline_path(self.db, path)
        except UserError as exc:
            self.warn("无法载入边界文件", str(exc))
            self.notify(f"边界文件未载入：{exc}")
            return
        self.refresh()
        self.notify(f"已载入边界：{len(outlines.features)} 个区域")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
