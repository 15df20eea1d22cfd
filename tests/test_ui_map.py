"""The resource map (一张图), driven offscreen: what it places, filtering, hover and click,
and the administrator's GeoJSON outlines."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from nxcommand import geo, org
from ui.app import make_app
from ui.fonts import register_fonts
from ui.map_view import MapTab


@pytest.fixture
def app(qapp):
    return make_app()


def make_tab(qtbot, db, clock, messages=None):
    tab = MapTab(db, clock, notify=(messages.append if messages is not None else None))
    qtbot.addWidget(tab)
    tab.resize(1200, 800)
    tab.show()
    qtbot.waitExposed(tab)
    tab.fit()
    return tab


def count(db, sql: str) -> int:
    return db.execute(sql).fetchone()[0]


def test_the_map_places_every_kind_with_the_right_counts(app, qtbot, full_demo_db, clock):
    db = full_demo_db
    tab = make_tab(qtbot, db, clock)
    expected = {
        "town": count(db, "SELECT count(*) FROM admin_units WHERE level = 'town'"),
        "team": count(db, "SELECT count(*) FROM teams WHERE active = 1"),
        "depot": count(db, "SELECT count(*) FROM depots"),
        "shelter": count(db, "SELECT count(*) FROM shelters"),
        "equipment": count(db, "SELECT count(*) FROM equipment"),    # placed by base town if not by coordinates
        "event": count(db, "SELECT count(*) FROM events WHERE status = '处置中'"),
    }
    assert expected["team"] >= 20 and expected["event"] >= 1 and expected["shelter"] >= 1
    assert {kind: tab.visible_count(kind) for kind in geo.KINDS} == expected
    assert tab.checks["team"].text() == f"救援队伍 {expected['team']}"
    assert "示意边界，仅供演示" in tab.status.text()


def test_unchecking_a_kind_hides_its_markers(app, qtbot, full_demo_db, clock):
    tab = make_tab(qtbot, full_demo_db, clock)
    team = next(f for f in tab.features if f.kind == "team")
    tab.select(team)
    tab.checks["team"].click()
    assert tab.visible_count("team") == 0 and not tab.scatters["team"].isVisible()
    assert tab.selected is None                         # a hidden item is not left selected
    assert tab.visible_count("depot") > 0
    tab.checks["town"].click()
    assert not any(label.isVisible() for label in tab.scatters["town_labels"])
    tab.checks["team"].click()
    assert tab.visible_count("team") == len([f for f in tab.features if f.kind == "team"])


def clear_spot(tab, kind: str):
    """A marker of ``kind`` at least 16 px from every other marker drawn at or above it
    (later kinds are drawn on top and take the click)."""
    order = list(geo.KINDS)
    spots = [(f, tab.scene_pos(f)) for f in tab.features]
    for feature, pos in spots:
        if feature.kind == kind and all(
                other is feature or order.index(other.kind) < order.index(kind)
                or (p - pos).manhattanLength() > 16 for other, p in spots):
            return feature, pos
    raise AssertionError(f"no {kind} marker stands alone")


def test_clicking_a_team_shows_its_status_and_leaders_phone(app, qtbot, full_demo_db, clock):
    tab = make_tab(qtbot, full_demo_db, clock)
    team, pos = clear_spot(tab, "team")
    row = next(full_demo_db.query(
        "SELECT t.status, p.mobile FROM teams t JOIN people p ON p.id = t.leader_id WHERE t.id = ?",
        [team.ref_id]))
    QTest.mouseClick(tab.plot.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert tab.selected == team
    text = tab.info.text()
    assert team.name in text and f"状态：{row['status']}" in text and row["mobile"] in text


def test_clicking_a_shelter_shows_occupancy_and_hover_shows_the_name(app, qtbot, full_demo_db, clock):
    tab = make_tab(qtbot, full_demo_db, clock)
    shelter, pos = clear_spot(tab, "shelter")
    row = next(full_demo_db.query("SELECT occupancy, capacity FROM shelters WHERE id = ?",
                                  [shelter.ref_id]))
    QTest.mouseMove(tab.plot.viewport(), pos)
    qtbot.waitUntil(lambda: shelter.name in tab.view_box.toolTip())
    QTest.mouseClick(tab.plot.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert f"安置 {row['occupancy']}/{row['capacity']} 人" in tab.info.text()


def test_clicking_an_event_shows_its_title(app, qtbot, full_demo_db, clock):
    tab = make_tab(qtbot, full_demo_db, clock)
    event, pos = clear_spot(tab, "event")
    QTest.mouseClick(tab.plot.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert event.name in tab.info.text() and "接报：" in tab.info.text()


def test_town_labels_use_the_shipped_font(app, qtbot, demo_db, clock):
    tab = make_tab(qtbot, demo_db, clock)
    labels = tab.scatters["town_labels"]
    assert len(labels) == 18
    assert {label.textItem.font().family() for label in labels} == {register_fonts().sans}


def test_without_outlines_the_points_still_show(app, qtbot, demo_db, clock):
    org.set_meta(demo_db, "demo", "0")
    tab = make_tab(qtbot, demo_db, clock)
    assert tab.outlines is None
    assert tab.status.text().startswith("未载入边界文件")
    assert tab.visible_count("town") == 18


def test_loading_outlines_refuses_a_bad_file_and_accepts_a_good_one(app, qtbot, demo_db, clock,
                                                                   tmp_path):
    messages, warnings = [], []
    org.set_meta(demo_db, "demo", "0")
    tab = make_tab(qtbot, demo_db, clock, messages)
    tab.warn = lambda title, text: warnings.append(text)
    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    tab.choose_file = lambda: str(bad)
    tab.load_button.click()
    assert warnings and "没有任何要素" in warnings[0]
    assert org.meta(demo_db, geo.META_KEY) is None and tab.outlines is None

    good = tmp_path / "county.geojson"
    ring = [[114.0, 25.0], [114.6, 25.0], [114.6, 25.4], [114.0, 25.4], [114.0, 25.0]]
    good.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"名称": "南雄市"},
         "geometry": {"type": "Polygon", "coordinates": [ring]}}]}), encoding="utf-8")
    tab.choose_file = lambda: str(good)
    tab.load_button.click()
    assert tab.outlines is not None and tab.outlines.county[0].name == "南雄市"
    assert "county.geojson（1 个区域）" in tab.status.text()
    assert messages[-1] == "已载入边界：1 个区域"
    tab.choose_file = lambda: None                        # cancelled: nothing changes
    tab.load_button.click()
    assert org.meta(demo_db, geo.META_KEY) == str(good.resolve())


def test_refresh_picks_up_a_new_event_position(app, qtbot, full_demo_db, clock):
    tab = make_tab(qtbot, full_demo_db, clock)
    before = tab.visible_count("event")
    full_demo_db.execute("UPDATE events SET status = '已结束', closed_at = received_at "
                         "WHERE id = (SELECT min(id) FROM events WHERE status = '处置中')")
    tab.refresh()
    assert tab.visible_count("event") == before - 1
    assert tab.features[0].kind == "town"
