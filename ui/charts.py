"""Resource charts (pyqtgraph): stock against minimum, team readiness by town, and the
expiry timeline. pyqtgraph is imported only when a chart is built.

Every axis, tick and legend uses the app's shipped CJK font, so Chinese names are real
glyphs on any machine. Numbers come from nxcommand.resource_stats.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QStackedWidget, QVBoxLayout,
                               QWidget)
from sqlite_utils import Database

from nxcommand import resource_stats as stats
from nxcommand.alerts import window_days
from nxcommand.clock import SYSTEM_CLOCK, Clock

from .fonts import ui_font

OK, BELOW, STOCK, MINIMUM = "#2e9d4a", "#d62728", "#1f6fd1", "#9aa5ae"
READY, OTHER, OUT = "#2e9d4a", "#b9c2c9", "#e07b00"
SOON, LATER = "#e07b00", "#1f6fd1"
PERCENT_CAP = 300.0          # bars of a depot's lines stop here; the text gives the real value
BAR = 0.34
STAGGER = (0.0, 0.13, -0.13, 0.26, -0.26, 0.39, -0.39)   # lane offsets of dates in one week




def _plot(title: str):
    """A white plot with the app font on axes; returns (PlotWidget, PlotItem)."""
    import pyqtgraph as pg

    widget = pg.PlotWidget(background="w")
    widget.setMenuEnabled(False)
    widget.hideButtons()
    item = widget.getPlotItem()
    font = ui_font(9.5)
    item.setTitle(title, color="#2c3740", size="11pt")
    item.titleLabel.item.setFont(ui_font(11))
    for name in ("left", "bottom"):
        axis = item.getAxis(name)
        axis.setTickFont(font)
        axis.setPen(pg.mkPen("#5f6b76"))
        axis.setTextPen(pg.mkPen("#2c3740"))
        axis.label.setFont(font)
    item.showGrid(x=True, y=False, alpha=0.25)
    item.getViewBox().setMouseEnabled(x=True, y=False)
    return widget, item


def _category_axis(item, labels: list[str]) -> list[float]:
    """Rows top-down on the left axis; returns each row's y."""
    ys = [float(len(labels) - 1 - n) for n in range(len(labels))]
    axis = item.getAxis("left")
    axis.setTicks([list(zip(ys, labels)), []])
    metrics = QFontMetrics(ui_font(9.5))
    axis.setWidth(max([metrics.horizontalAdvance(t) for t in labels] + [40]) + 16)
    item.getViewBox().setYRange(-0.7, max(len(labels) - 0.3, 0.3), padding=0)
    return ys


def _legend(item, entries: list[tuple[str, str]]) -> None:
    import pyqtgraph as pg

    legend = item.legend or item.addLegend(offset=(-10, 8), labelTextColor="#2c3740",
                                           brush=pg.mkBrush(255, 255, 255, 220))
    for colour, name in entries:
        sample = pg.BarGraphItem(x=[0], height=[1], width=1, brush=colour, pen=None)
        legend.addItem(sample, name)
    for _sample, label in legend.items:
        label.item.setFont(ui_font(9.5))
    return legend


def _hbar(item, ys, lefts, widths, brushes, offset=0.0):
    import pyqtgraph as pg

    bars = pg.BarGraphItem(x0=lefts, y=[y + offset for y in ys], width=widths, height=BAR,
                           brushes=[pg.mkBrush(b) for b in brushes], pen=None)
    item.addItem(bars)
    return bars


def _note(item, x: float, y: float, text: str, colour: str = "#2c3740"):
    import pyqtgraph as pg

    label = pg.TextItem(text, color=colour, anchor=(0, 0.5))
    label.setFont(ui_font(8.5))
    label.setPos(x, y)
    item.addItem(label)
    return label


class Chart(QWidget):
    """One chart with a caption; ``bars`` counts the bars drawn per series (for tests)."""

    def __init__(self) -> None:
        super().__init__()
        self.bars: dict[str, int] = {}
        self.caption = QLabel(objectName="chartCaption", wordWrap=True)
        self.top = QHBoxLayout()            # a chart's own controls, above the plot
        self.area = QVBoxLayout()
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.addLayout(self.top)
        self.layout_.addLayout(self.area, 1)
        self.layout_.addWidget(self.caption)
        self.plot = None

    def _replace_plot(self, title: str):
        # One PlotWidget for the chart's life, cleared on each refresh: deleting and
        # re-creating pyqtgraph widgets leaves Python wrappers of freed items behind.
        if self.plot is None:
            self.plot, item = _plot(title)
            self.area.addWidget(self.plot)
        item = self.plot.getPlotItem()
        item.clear()
        if item.legend is not None:
            item.legend.clear()
        item.setTitle(title, color="#2c3740", size="11pt")
        item.getAxis("left").setTicks(None)
        self.bars = {}
        return item


class StockChart(Chart):
    """库存与最低库存: by depot or category (stock lines at / under minimum), or one depot's
    lines as a percentage of their minimum."""

    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db
        self.scope = QComboBox(objectName="stockScope")
        self.scope.currentIndexChanged.connect(lambda _i: self.refresh())
        self.top.addWidget(QLabel("范围："))
        self.top.addWidget(self.scope)
        self.top.addStretch(1)
        self.fill_scopes()

    def fill_scopes(self) -> None:
        self.scope.blockSignals(True)
        self.scope.clear()
        self.scope.addItem("按储备库", "depot")
        self.scope.addItem("按物资类别", "category")
        for depot_id, name in stats.depot_choices(self.db):
            self.scope.addItem(f"储备库：{name}", depot_id)
        self.scope.blockSignals(False)

    def refresh(self) -> None:
        scope = self.scope.currentData()
        if isinstance(scope, int):
            self._depot(scope)
        else:
            self._groups(scope or "depot")

    def _groups(self, by: str) -> None:
        groups = stats.stock_groups(self.db, by)
        what = "储备库" if by == "depot" else "物资类别"
        item = self._replace_plot(f"库存与最低库存（按{what}）")
        item.setLabel("bottom", "设有最低库存的物资品种数")
        ys = _category_axis(item, [g.label for g in groups])
        _hbar(item, ys, [0] * len(groups), [g.ok for g in groups], [OK] * len(groups))
        _hbar(item, ys, [g.ok for g in groups], [g.below for g in groups], [BELOW] * len(groups))
        for g, y in zip(groups, ys):
            _note(item, g.lines + 0.15, y, f"满足率 {g.coverage:.0%}" + (f"，{g.below} 种不足" if g.below else ""),
                  BELOW if g.below else "#2c3740")
        _legend(item, [(OK, "达到最低库存"), (BELOW, "低于最低库存")])
        item.getViewBox().setXRange(0, max([g.lines for g in groups] + [1]) * 1.35, padding=0)
        self.bars = {"达到": len(groups), "不足": len(groups)}
        short = sum(g.below for g in groups)
        self.caption.setText(f"{len(groups)} 个{what}；低于最低库存的物资共 {short} 项（红色）。"
                             "各物资计量单位不同，故按品种计数；选择某个储备库可看各物资的库存量。")

    def _depot(self, depot_id: int) -> None:
        lines = stats.depot_lines(self.db, depot_id)
        item = self._replace_plot(f"{self.scope.currentText().removeprefix('储备库：')}：库存占最低库存的比例")
        item.setLabel("bottom", "库存 ÷ 最低库存（%）")
        ys = _category_axis(item, [line.label for line in lines])
        widths = [min(line.percent, PERCENT_CAP) for line in lines]
        _hbar(item, ys, [0] * len(lines), widths, [BELOW if line.below else STOCK for line in lines])
        for line, y, w in zip(lines, ys, widths):
            _note(item, w + 4, y, f"{line.quantity}/{line.minimum} {line.unit}",
                  BELOW if line.below else "#2c3740")
        import pyqtgraph as pg

        dash = pg.mkPen("#33414d", width=1.5, style=Qt.PenStyle.DashLine)
        item.addItem(pg.InfiniteLine(100, angle=90, pen=dash))
        legend = _legend(item, [(STOCK, "达到最低库存"), (BELOW, "低于最低库存")])
        legend.addItem(pg.PlotDataItem([0, 1], [0, 0], pen=dash), "最低库存（100%）")
        legend.items[-1][1].item.setFont(ui_font(9.5))
        item.getViewBox().setXRange(0, PERCENT_CAP + 60, padding=0)
        self.bars = {"库存": len(lines)}
        short = sum(line.below for line in lines)
        self.caption.setText(f"{len(lines)} 种物资设有最低库存，{short} 种低于最低库存（红色）；"
                             f"超过 {PERCENT_CAP:.0f}% 的条形截断显示，右侧为实际数量/最低库存。")


class ReadinessChart(Chart):
    """队伍战备（按镇）: active teams per town, stacked by readiness."""

    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db

    def refresh(self) -> None:
        rows = stats.readiness(self.db)
        item = self._replace_plot("救援队伍战备情况（按镇、街道）")
        item.setLabel("bottom", "队伍数（支）")
        ys = _category_axis(item, [r.town for r in rows])
        ready = [r.ready for r in rows]
        other = [r.other for r in rows]
        _hbar(item, ys, [0] * len(rows), ready, [READY] * len(rows))
        _hbar(item, ys, ready, other, [OTHER] * len(rows))
        _hbar(item, ys, [a + b for a, b in zip(ready, other)], [r.out for r in rows], [OUT] * len(rows))
        _legend(item, [(READY, "待命·达标"), (OTHER, "其他（未达标或返回）"), (OUT, "出动或在场")])
        item.getViewBox().setXRange(0, max([r.total for r in rows] + [1]) * 1.3, padding=0)
        self.bars = {"待命达标": len(rows), "其他": len(rows), "出动在场": len(rows)}
        self.caption.setText(f"共 {sum(r.total for r in rows)} 支在编队伍：待命且达标 {sum(ready)} 支，"
                             f"出动或在场 {sum(r.out for r in rows)} 支。")


class ExpiryChart(Chart):
    """到期时间轴: insurance, supply expiry and rotation dates around today."""

    def __init__(self, db: Database, clock: Clock) -> None:
        super().__init__()
        self.db, self.clock = db, clock

    def refresh(self) -> None:
        import pyqtgraph as pg

        today = self.clock.now().date()
        items = stats.dated_items(self.db, today)
        window = window_days(self.db)
        item = self._replace_plot("到期时间轴（红线为今天，红色为已过期）")
        axis = item.getAxis("bottom")
        if not isinstance(axis, date_axis_class()):
            axis = date_axis_class()(orientation="bottom")
            axis.setTickFont(ui_font(9.5))
            axis.label.setFont(ui_font(9.5))
            axis.setPen(pg.mkPen("#5f6b76"))
            axis.setTextPen(pg.mkPen("#2c3740"))
            item.setAxisItems({"bottom": axis})
        axis.today = today
        item.setLabel("bottom", "日期")
        lanes = list(stats.LANES)
        ys = _category_axis(item, lanes)
        seen: dict[tuple[str, int], int] = {}
        spots = []
        for d in items:
            key = (d.lane, d.days_left // 7)                  # stagger dates in the same week
            n = seen[key] = seen.get(key, -1) + 1
            y = ys[lanes.index(d.lane)] + STAGGER[n % len(STAGGER)]
            colour = BELOW if d.overdue else SOON if d.days_left <= window else LATER
            spots.append({"pos": (d.days_left, y), "data": d, "brush": pg.mkBrush(colour),
                          "symbol": "d" if d.lane == "队伍保险" else "o"})
        self.points = pg.ScatterPlotItem(spots=spots, size=11, pen=pg.mkPen("#ffffff", width=1),
                                         hoverable=True, tip=None, hoverSize=15)
        self.points.sigHovered.connect(self._hovered)
        item.addItem(self.points)
        now = pg.InfiniteLine(0, angle=90, pen=pg.mkPen(BELOW, width=2),
                              label=f"今天 {today.isoformat()}", labelOpts={"position": 0.95, "color": BELOW})
        now.label.setFont(ui_font(9))
        item.addItem(now)
        _legend(item, [(BELOW, "已过期"), (SOON, f"{window} 天内到期"), (LATER, "更晚")])
        if items:
            lo, hi = min(d.days_left for d in items), max(d.days_left for d in items)
            item.getViewBox().setXRange(min(lo, -30) - 10, max(hi, 60) + 10, padding=0)
        self.bars = {lane: sum(d.lane == lane for d in items) for lane in lanes}
        overdue = sum(d.overdue for d in items)
        soon = sum(0 <= d.days_left <= window for d in items)
        self.caption.setText(f"{len(items)} 个日期：已过期 {overdue} 个（红色），{window} 天内到期 {soon} 个"
                             "（橙色）。悬停可看名称和日期。")

    def _hovered(self, _scatter, points, _event) -> None:
        box = self.plot.getPlotItem().getViewBox()
        if len(points):
            box.setToolTip("\n".join(f"{p.data().lane}：{p.data().subject}\n{p.data().when.isoformat()}"
                                     f"（{_days(p.data().days_left)}）" for p in points[:4]))
        else:
            box.setToolTip("")


def _days(left: int) -> str:
    return f"已过期 {-left} 天" if left < 0 else "今天" if left == 0 else f"还有 {left} 天"


_date_axis_class = None


def date_axis_class():
    """An axis of days relative to its ``today`` labelled with dates (2026-07-01); the
    class is made once, on first use, so pyqtgraph stays unimported until then."""
    global _date_axis_class
    if _date_axis_class is None:
        _date_axis_class = _make_date_axis_class()
    return _date_axis_class


def _make_date_axis_class():
    import pyqtgraph as pg

    class DateAxis(pg.AxisItem):
        today = None

        def tickStrings(self, values, scale, spacing):
            return [(self.today + timedelta(days=round(v))).isoformat() for v in values]

        def tickSpacing(self, minVal, maxVal, size):
            # whole days, weeks or months: never a fraction of a day
            span = max(maxVal - minVal, 1)
            for step in (1, 7, 14, 30, 60, 91, 182, 365, 730):
                if span / step <= max(size / 110, 2):
                    return [(step, 0)]
            return [(1461, 0)]

    return DateAxis


class ChartsTab(QWidget):
    """The 图表 tab of the 资源 panel: one chart at a time, picked from a selector."""

    TITLES = ("库存与最低库存", "队伍战备（按镇）", "到期时间轴")

    def __init__(self, db: Database, clock: Clock = SYSTEM_CLOCK,
                 notify: Callable[[str], None] | None = None) -> None:
        super().__init__()
        self.db, self.clock = db, clock
        self.notify = notify or (lambda message: None)
        self.selector = QComboBox(objectName="chartSelector")
        self.selector.addItems(self.TITLES)
        self.stock = StockChart(db)
        self.readiness = ReadinessChart(db)
        self.expiry = ExpiryChart(db, clock)
        self.stack = QStackedWidget()
        for chart in self.charts():
            self.stack.addWidget(chart)
        self.selector.currentIndexChanged.connect(self.show_chart)
        top = QHBoxLayout()
        top.addWidget(QLabel("图表："))
        top.addWidget(self.selector)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)
        self.refresh()

    def charts(self) -> tuple[Chart, ...]:
        return (self.stock, self.readiness, self.expiry)

    def show_chart(self, index: int) -> None:
        self.stack.setCurrentIndex(index)

    def refresh(self) -> None:
        """Re-read every chart from the database (after a register changed)."""
        self.stock.fill_scopes()
        for chart in self.charts():
            chart.refresh()

