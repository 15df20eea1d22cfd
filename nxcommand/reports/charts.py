"""The brief's charts as reportlab.graphics Drawings (vector, in the shipped faces):

- ``trend_chart``: casualties (死亡/受伤/失联/被困) and evacuees (转移群众) over time, two
  panels side by side because the counts differ by orders of magnitude;
- ``towns_chart``: forces deployed by destination town (people as bars, teams and
  equipment in the bar's label);
- ``stock_chart``: stock against minimum per depot (or category): the share of stock lines
  at or above their minimum, a rule at 100 %, bars with lines below minimum in red.

Every label is Chinese set in the embedded serif/sans faces (``fonts``), so the coverage
check sees every character. Each function takes the width it may use (the type area).
"""

from __future__ import annotations

from datetime import datetime

from reportlab import rl_config

# reportlab checks the type of every attribute set on a chart's shapes and widgets (a quarter
# of the time the brief's charts take); the checks are for developing charts, not drawing
# them, and the shape classes read the setting when reportlab.graphics is first imported.
rl_config.shapeChecking = 0

from reportlab.graphics.charts.barcharts import HorizontalBarChart  # noqa: E402
from reportlab.graphics.charts.legends import Legend  # noqa: E402
from reportlab.graphics.charts.lineplots import LinePlot  # noqa: E402
from reportlab.graphics.shapes import Drawing, Line, String  # noqa: E402
from reportlab.graphics.widgets.markers import makeMarker  # noqa: E402
from reportlab.lib import colors  # noqa: E402
from reportlab.lib.units import mm  # noqa: E402

RED = colors.HexColor("#C00000")
INK = colors.HexColor("#1F1F1F")
GRID = colors.HexColor("#D0D0D0")
SERIES = (colors.HexColor("#C00000"), colors.HexColor("#E07B00"), colors.HexColor("#5B3A9B"),
          colors.HexColor("#1F6FB2"))
EVACUATED = colors.HexColor("#2E7D32")
BAR = colors.HexColor("#1F6FB2")
LABEL_PT = 9
TITLE_PT = 10.5


def faces() -> tuple[str, str]:
    """(text face, heading face) registered with reportlab: 宋体 (serif regular), 黑体."""
    from . import fonts

    fonts.register()
    return fonts.SONG, fonts.HEI


def _drawing(width: float, height: float) -> Drawing:
    """A Drawing whose initial font is the embedded one (reportlab's default Helvetica would
    be set, unembedded, before anything is drawn)."""
    text, _ = faces()
    return Drawing(width, height, initialFontName=text, initialFontSize=LABEL_PT)


def _title(drawing: Drawing, text: str, x: float, y: float, anchor: str = "middle") -> None:
    _, heading = faces()
    drawing.add(String(x, y, text, fontName=heading, fontSize=TITLE_PT, fillColor=INK, textAnchor=anchor))


def _clock_label(start: datetime, span_days: int):
    def label(value: float) -> str:
        from datetime import timedelta

        moment = start + timedelta(minutes=value)
        if span_days == 0:
            return f"{moment.hour}时"
        return f"{moment.day}日{moment.hour}时"
    return label


def _nice_max(value: float) -> tuple[float, float]:
    """An axis top and step: 0–4 → 5 step 1; otherwise a round step giving ≤ 6 ticks."""
    if value <= 4:
        return 5, 1
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000):
        if value / step <= 5:
            return step * (int(value // step) + 1), step
    step = 10 ** len(str(int(value)))
    return step, step / 5


def _ticks(start: datetime, span_minutes: float) -> list[float]:
    """Tick positions (minutes from ``start``) on whole hours, at most about seven."""
    from datetime import timedelta

    for hours in (1, 2, 3, 4, 6, 12, 24, 48, 72, 168):
        if span_minutes / (hours * 60) <= 7:
            break
    first = start.replace(minute=0, second=0, microsecond=0)
    if first < start:
        first += timedelta(hours=1)
    while first.hour % min(hours, 24):
        first += timedelta(hours=1)
    ticks, moment = [], first
    while (moment - start).total_seconds() / 60 <= span_minutes:
        ticks.append((moment - start).total_seconds() / 60)
        moment += timedelta(hours=hours)
    return ticks or [0.0]


def _plot(x: float, y: float, w: float, h: float, data: list, colours: list, start: datetime,
          span_minutes: float, span_days: int, top: float) -> LinePlot:
    text, _ = faces()
    plot = LinePlot()
    plot.x, plot.y, plot.width, plot.height = x, y, w, h
    plot.data = data
    plot.joinedLines = 1
    for n, colour in enumerate(colours):
        plot.lines[n].strokeColor = colour
        plot.lines[n].strokeWidth = 1.4
        plot.lines[n].symbol = makeMarker("FilledCircle", size=3.2, fillColor=colour, strokeColor=colour)
    xa, ya = plot.xValueAxis, plot.yValueAxis
    xa.valueMin, xa.valueMax = 0, max(span_minutes, 1)
    xa.valueSteps = _ticks(start, span_minutes)
    xa.labelTextFormat = _clock_label(start, span_days)
    ymax, ystep = _nice_max(top)
    ya.valueMin, ya.valueMax, ya.valueStep = 0, ymax, ystep
    ya.labelTextFormat = "%d"
    for axis in (xa, ya):
        axis.labels.fontName = text
        axis.labels.fontSize = LABEL_PT - 1
        axis.strokeColor = INK
        axis.strokeWidth = 0.6
    ya.gridStrokeColor = GRID
    ya.gridStrokeWidth = 0.4
    ya.visibleGrid = 1
    xa.labels.dy = -2
    return plot


def _legend(x: float, y: float, pairs: list[tuple], columns: int) -> Legend:
    text, _ = faces()
    legend = Legend()
    legend.x, legend.y = x, y
    legend.alignment = "right"
    legend.fontName, legend.fontSize = text, LABEL_PT
    legend.columnMaximum = max(1, -(-len(pairs) // columns))
    legend.dx, legend.dy, legend.deltax, legend.deltay = 8, 6, 8, 11
    legend.colorNamePairs = pairs
    legend.boxAnchor = "nw"
    legend.strokeColor = None
    return legend


def trend_chart(points, width: float) -> Drawing:
    """``points``: FigurePoints (at, deaths, injured, missing, trapped, evacuated), oldest
    first. Left panel: 死亡/受伤/失联/被困 (only the kinds ever non-zero, 受伤 always shown);
    right panel: 转移群众."""
    height = 78 * mm
    d = _drawing(width, height)
    if not points:
        return d
    start = points[0].at
    span = (points[-1].at - start).total_seconds() / 60
    days = (points[-1].at.date() - start.date()).days
    kinds = [("deaths", "死亡"), ("injured", "受伤"), ("missing", "失联"), ("trapped", "被困")]
    shown = [(k, label, SERIES[n]) for n, (k, label) in enumerate(kinds)
             if k == "injured" or any(getattr(p, k) for p in points)]
    xs = [(p.at - start).total_seconds() / 60 for p in points]
    gap = 14 * mm
    panel = (width - gap - 2 * 12 * mm - 8 * mm) / 2
    bottom, plot_h = 16 * mm, height - 16 * mm - 15 * mm
    left = [[(x, getattr(p, k)) for x, p in zip(xs, points)] for k, _, _ in shown]
    top_left = max((v for series in left for _, v in series), default=0)
    d.add(_plot(12 * mm, bottom, panel, plot_h, left, [c for *_, c in shown], start, span, days, top_left))
    right = [[(x, p.evacuated) for x, p in zip(xs, points)]]
    x2 = 12 * mm + panel + gap + 12 * mm
    d.add(_plot(x2, bottom, panel, plot_h, right, [EVACUATED], start, span, days,
                max(p.evacuated for p in points)))
    _title(d, "伤亡人数（人）", 12 * mm + panel / 2, height - 8 * mm)
    _title(d, "转移群众（人）", x2 + panel / 2, height - 8 * mm)
    d.add(_legend(12 * mm, 7 * mm, [(c, label) for _, label, c in shown], len(shown)))
    d.add(_legend(x2, 7 * mm, [(EVACUATED, "累计转移")], 1))
    text, _ = faces()
    last = points[-1]
    d.add(String(x2 + panel, bottom + plot_h + 3, f"{last.evacuated}人", fontName=text, fontSize=LABEL_PT,
                 fillColor=EVACUATED, textAnchor="end"))
    return d


def _bars(x: float, y: float, w: float, h: float, names: list[str], values: list[float], vmax: float,
          step: float, colours: list) -> HorizontalBarChart:
    text, _ = faces()
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = x, y, w, h
    chart.data = [values[::-1]]
    chart.categoryAxis.categoryNames = names[::-1]
    chart.categoryAxis.labels.fontName = text
    chart.categoryAxis.labels.fontSize = LABEL_PT
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    chart.categoryAxis.strokeColor = INK
    chart.categoryAxis.strokeWidth = 0.6
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, vmax, step
    chart.valueAxis.labels.fontName = text
    chart.valueAxis.labels.fontSize = LABEL_PT - 1
    chart.valueAxis.strokeColor = INK
    chart.valueAxis.strokeWidth = 0.6
    chart.valueAxis.visibleGrid = 1
    chart.valueAxis.gridStrokeColor = GRID
    chart.valueAxis.gridStrokeWidth = 0.4
    chart.barWidth = 6
    chart.groupSpacing = 5
    chart.bars.strokeColor = None
    chart.bars[0].fillColor = BAR
    for n, colour in enumerate(colours[::-1]):
        chart.bars[(0, n)].fillColor = colour
    return chart


def _label_width(names: list[str]) -> float:
    return min(48 * mm, max(len(n) for n in names) * LABEL_PT + 8)


def top_towns(towns, limit: int = 10) -> list:
    """The ``limit`` - 1 towns with most people, the rest summed as 其他N个镇街 (a chart of
    every town of a county-wide response would be unreadable)."""
    from .brief_data import TownForce

    rows = sorted(towns, key=lambda t: (-t.people, t.town))
    if len(rows) <= limit:
        return rows
    head, rest = rows[:limit - 1], rows[limit - 1:]
    return head + [TownForce(f"其他{len(rest)}个镇街", sum(t.teams for t in rest), sum(t.people for t in rest),
                             sum(t.equipment for t in rest), sum(t.supply_lines for t in rest))]


def towns_chart(towns, width: float) -> Drawing:
    """``towns``: TownForce rows (town, teams, people, equipment). Bars: people sent to the
    town and not back; the label at the bar's end names the teams and equipment."""
    rows = list(towns)
    per = 9 * mm
    height = 18 * mm + per * max(len(rows), 1)
    d = _drawing(width, height)
    if not rows:
        return d
    names = [t.town for t in rows]
    label_w = _label_width(names)
    plot_w = width - label_w - 44 * mm
    top, step = _nice_max(max(t.people for t in rows))
    chart = _bars(label_w, 10 * mm, plot_w, per * len(rows), names, [t.people for t in rows], top, step,
                  [BAR] * len(rows))
    chart.barWidth = min(12, per * 0.55)
    d.add(chart)
    text, _ = faces()
    slot = per * len(rows) / len(rows)
    for n, t in enumerate(rows):
        y = 10 * mm + per * len(rows) - slot * (n + 0.5) - LABEL_PT / 3
        x = label_w + plot_w * t.people / top + 4
        d.add(String(x, y, f"{t.people}人（队伍{t.teams}支、装备{t.equipment}台套）", fontName=text,
                     fontSize=LABEL_PT - 0.5, fillColor=INK))
    _title(d, "力量投入（按镇街，在场及途中）", width / 2, height - 6 * mm)
    return d


def stock_chart(rows, width: float) -> Drawing:
    """``rows``: StockCover (label, lines, below, coverage). Bars: coverage in percent, red
    where a line is below minimum; a red rule marks 100 % (every line at its minimum)."""
    rows = list(rows)
    per = 8 * mm
    height = 20 * mm + per * max(len(rows), 1)
    d = _drawing(width, height)
    if not rows:
        return d
    names = [r.label for r in rows]
    label_w = _label_width(names)
    plot_w = width - label_w - 40 * mm
    values = [round(r.coverage * 100, 1) for r in rows]
    lo = 50 if min(values) >= 50 else 0
    chart = _bars(label_w, 12 * mm, plot_w, per * len(rows), names, [v - lo for v in values], 100 - lo, 10,
                  [RED if r.below else BAR for r in rows])
    chart.valueAxis.labelTextFormat = lambda v: f"{v + lo:g}%"
    chart.barWidth = min(10, per * 0.55)
    d.add(chart)
    text, _ = faces()
    right = label_w + plot_w
    d.add(Line(right, 12 * mm - 2, right, 12 * mm + per * len(rows) + 2, strokeColor=RED, strokeWidth=1,
               strokeDashArray=[3, 2]))
    for n, r in enumerate(rows):
        y = 12 * mm + per * len(rows) - per * (n + 0.5) - LABEL_PT / 3
        note = f"{r.below}/{r.lines}项低于下限" if r.below else f"{r.lines}项均达标"
        d.add(String(right + 6, y, note, fontName=text, fontSize=LABEL_PT - 0.5, fillColor=RED if r.below else INK))
    _title(d, "库存对照最低储备（达到最低储备的程度）", width / 2, height - 6 * mm)
    d.add(String(width / 2, 3 * mm, "注：有最低储备要求的品目逐项取库存÷最低储备（超过按100%计）后平均",
                 fontName=text, fontSize=LABEL_PT - 1, fillColor=INK, textAnchor="middle"))
    return d
