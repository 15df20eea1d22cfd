"""The resource charts built from the demo county (offscreen): the bars and points they
draw match the registers, below-minimum and overdue items are red, Chinese uses the
shipped font."""

from __future__ import annotations

import pytest

from nxcommand import resource_stats
from ui.app import make_app
from ui.charts import BELOW, OUT, READY, ChartsTab
from ui.fonts import register_fonts


@pytest.fixture
def app(qapp):
    return make_app()


@pytest.fixture
def tab(app, qtbot, full_demo_db, clock):
    widget = ChartsTab(full_demo_db, clock)
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def bars(chart) -> list:
    import pyqtgraph as pg

    return [item for item in chart.plot.getPlotItem().items if isinstance(item, pg.BarGraphItem)]


def colours(item) -> list[str]:
    return [brush.color().name() for brush in item.opts["brushes"]]


def test_stock_by_depot_has_a_bar_pair_per_depot_with_shortfalls_red(tab, full_demo_db):
    db = full_demo_db
    depots = db.execute("SELECT count(DISTINCT depot_id) FROM depot_stock WHERE minimum > 0").fetchone()[0]
    short = db.execute("SELECT count(*) FROM depot_stock WHERE quantity < minimum").fetchone()[0]
    assert depots >= 3 and short >= 1
    ok, below = bars(tab.stock)
    assert len(ok.opts["width"]) == len(below.opts["width"]) == depots
    assert sum(below.opts["width"]) == short and set(colours(below)) == {BELOW}
    lines = db.execute("SELECT count(*) FROM depot_stock WHERE minimum > 0").fetchone()[0]
    assert sum(ok.opts["width"]) + sum(below.opts["width"]) == lines
    assert f"低于最低库存的物资共 {short} 项" in tab.stock.caption.text()


def test_stock_by_category_and_for_one_depot(tab, full_demo_db):
    tab.stock.scope.setCurrentIndex(1)                       # 按物资类别
    ok, below = bars(tab.stock)
    assert len(ok.opts["width"]) == len(below.opts["width"]) == len(resource_stats.stock_groups(full_demo_db, "category"))
    depot = full_demo_db.execute(
        "SELECT depot_id FROM depot_stock WHERE quantity < minimum LIMIT 1").fetchone()[0]
    index = tab.stock.scope.findData(depot)
    tab.stock.scope.setCurrentIndex(index)
    (line_bars,) = bars(tab.stock)
    lines = full_demo_db.execute("SELECT count(*), sum(quantity < minimum) FROM depot_stock "
                                 "WHERE depot_id = ? AND minimum > 0", [depot]).fetchone()
    assert len(line_bars.opts["width"]) == lines[0]
    assert colours(line_bars).count(BELOW) == lines[1] >= 1
    assert max(line_bars.opts["width"]) <= 300                # long bars are capped


def test_readiness_stacks_every_active_team_of_each_town(tab, full_demo_db):
    tab.selector.setCurrentIndex(1)
    assert tab.stack.currentWidget() is tab.readiness
    ready, other, out = bars(tab.readiness)
    towns = full_demo_db.execute("SELECT count(*) FROM admin_units WHERE level = 'town'").fetchone()[0]
    assert len(ready.opts["width"]) == len(other.opts["width"]) == len(out.opts["width"]) == towns
    per_town = [a + b + c for a, b, c in zip(ready.opts["width"], other.opts["width"], out.opts["width"])]
    assert sum(per_town) == full_demo_db.execute("SELECT count(*) FROM teams WHERE active = 1").fetchone()[0]
    assert sum(out.opts["width"]) == full_demo_db.execute(
        "SELECT count(*) FROM teams WHERE active = 1 AND status IN ('出动', '在场')").fetchone()[0]
    assert set(colours(ready)) == {READY} and set(colours(out)) == {OUT}


def test_expiry_timeline_places_every_date_and_marks_overdue_red(tab, full_demo_db, clock):
    tab.selector.setCurrentIndex(2)
    today = clock.now().date().isoformat()
    db = full_demo_db
    insured = db.execute("SELECT count(*) FROM teams WHERE active = 1 "
                         "AND insurance_expiry IS NOT NULL").fetchone()[0]
    dated = db.execute("SELECT count(expiry_date) + count(rotation_date) FROM depot_stock "
                       "WHERE quantity > 0").fetchone()[0]
    overdue = db.execute("SELECT (SELECT count(*) FROM teams WHERE active = 1 AND insurance_expiry < ?)"
                         " + (SELECT count(*) FROM depot_stock WHERE quantity > 0 AND expiry_date < ?)"
                         " + (SELECT count(*) FROM depot_stock WHERE quantity > 0 AND rotation_date < ?)",
                         [today] * 3).fetchone()[0]
    points = tab.expiry.points.points()
    assert len(points) == insured + dated and tab.expiry.bars["队伍保险"] == insured
    reds = [p for p in points if p.brush().color().name() == BELOW]
    assert len(reds) == overdue >= 1
    assert all(p.pos().x() < 0 for p in reds)                  # overdue lies left of today
    axis = tab.expiry.plot.getPlotItem().getAxis("bottom")
    assert axis.tickStrings([0, 31], 1, 1) == ["2026-07-01", "2026-08-01"]


def test_chinese_text_uses_the_shipped_font(tab):
    family = register_fonts().sans
    for chart in tab.charts():
        plot = chart.plot.getPlotItem()
        assert plot.getAxis("left").style["tickFont"].family() == family
        assert all(label.item.font().family() == family for _s, label in plot.legend.items)


def test_refresh_redraws_without_piling_up_items(tab):
    before = len(tab.stock.plot.getPlotItem().items)
    tab.refresh()
    tab.refresh()
    assert len(tab.stock.plot.getPlotItem().items) == before
    assert len(tab.stock.plot.getPlotItem().legend.items) == 2
