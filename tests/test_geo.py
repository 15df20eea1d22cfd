"""The map's geography without Qt: GeoJSON outlines refused or accepted, the outline
setting, the projection, the shipped demo outlines and the features placed on the map."""

from __future__ import annotations

import importlib.util
import json
import math
from itertools import pairwise
from pathlib import Path

import pytest

from nxcommand import geo, org

ROOT = Path(__file__).resolve().parent.parent


def square(lon: float, lat: float, d: float = 0.05) -> list:
    return [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]]


def collection(*features) -> dict:
    return {"type": "FeatureCollection", "features": list(features)}


def feature(name, coords, kind="Polygon", key="name", **props) -> dict:
    return {"type": "Feature", "properties": {key: name, **props},
            "geometry": {"type": kind, "coordinates": coords}}


def write(tmp_path, data, name="x.geojson") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False),
                    encoding="utf-8")
    return path


GOOD = collection(
    feature("示例县", [square(114.0, 25.0, 0.5)], "MultiPolygon"),
    feature("甲镇", square(114.1, 25.1), key="NAME"),
    feature("乙镇", square(114.3, 25.2), key="名称"))


def test_a_good_file_loads_with_county_and_towns(tmp_path):
    outlines = geo.load_outlines(write(tmp_path, GOOD))
    assert [f.name for f in outlines.county] == ["示例县"]      # its box holds the others
    assert sorted(f.name for f in outlines.towns) == ["乙镇", "甲镇"]
    assert outlines.bounds() == (114.0, 25.0, 114.5, 25.5)
    assert outlines.towns[0].polygons[0][0][0] == (114.1, 25.1)


def test_level_property_decides_the_county(tmp_path):
    data = collection(feature("甲镇", square(114.1, 25.1), level="town"),
                      feature("某县", square(114.3, 25.2), level="county"))
    outlines = geo.load_outlines(write(tmp_path, data))
    assert [f.name for f in outlines.county] == ["某县"]
    assert [f.name for f in outlines.towns] == ["甲镇"]


BAD = {
    "not json": ("{这不是 JSON", "不是有效的 JSON"),
    "not a collection": ({"type": "Feature", "geometry": None}, "FeatureCollection"),
    "no features": (collection(), "没有任何要素"),
    "a point": (collection(feature("甲镇", [114.1, 25.1], "Point")), "只支持面"),
    "no name": (collection({"type": "Feature", "properties": {"adcode": 1},
                            "geometry": {"type": "Polygon", "coordinates": square(114, 25)}}),
                "没有名称属性"),
    "swapped": (collection(feature("甲镇", [[[25.0, 114.0], [25.1, 114.0], [25.1, 114.1],
                                            [25.0, 114.0]]])), "顺序似乎颠倒"),
    "projected metres": (collection(feature("甲镇", square(12700000.0, 2890000.0, 100))),
                         "投影坐标"),
    "too few points": (collection(feature("甲镇", [[[114.0, 25.0], [114.1, 25.0], [114.0, 25.0]]])),
                       "至少要有 4 个"),
    "text coordinates": (collection(feature("甲镇", [[["114", "25"]] * 4])), "数字对"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_files_are_refused_in_chinese_and_nothing_is_saved(tmp_path, empty_db, case):
    data, words = BAD[case]
    path = write(tmp_path, data)
    with pytest.raises(geo.OutlineError) as exc:
        geo.load_outlines(path)
    assert words in str(exc.value)
    with pytest.raises(geo.OutlineError):
        geo.set_outline_path(empty_db, path)
    assert org.meta(empty_db, geo.META_KEY) is None
    assert geo.current_outlines(empty_db) == (None, "未载入边界文件")


def test_empty_missing_binary_and_oversized_files_are_refused(tmp_path, monkeypatch):
    with pytest.raises(geo.OutlineError, match="空的"):
        geo.load_outlines(write(tmp_path, ""))
    with pytest.raises(geo.OutlineError, match="找不到边界文件"):
        geo.load_outlines(tmp_path / "missing.geojson")
    binary = tmp_path / "b.geojson"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(geo.OutlineError, match="UTF-8"):
        geo.load_outlines(binary)
    path = write(tmp_path, GOOD)
    monkeypatch.setattr(geo, "MAX_FILE_BYTES", path.stat().st_size - 1)
    with pytest.raises(geo.OutlineError, match="不能超过 50 MB"):
        geo.load_outlines(path)


def test_setting_the_outline_path_remembers_a_valid_file(tmp_path, empty_db):
    path = write(tmp_path, GOOD)
    assert geo.outline_path(empty_db) is None
    outlines = geo.set_outline_path(empty_db, path)
    assert len(outlines.features) == 3
    assert geo.outline_path(empty_db) == path.resolve()
    shown, status = geo.current_outlines(empty_db)
    assert shown.features == outlines.features and "3 个区域" in status
    # a file that later goes bad is reported, not crashed on
    path.write_text("[]", encoding="utf-8")
    shown, status = geo.current_outlines(empty_db)
    assert shown is None and status.startswith("边界文件无法载入")


def test_the_demo_database_uses_the_shipped_outlines_until_the_administrator_chooses(
        demo_db, tmp_path):
    assert org.is_demo(demo_db)
    assert geo.outline_path(demo_db) == geo.demo_outline_path()
    _outlines, status = geo.current_outlines(demo_db)
    assert "示意边界，仅供演示" in status
    geo.set_outline_path(demo_db, write(tmp_path, GOOD))
    assert geo.current_outlines(demo_db)[0].county[0].name == "示例县"


def inside(point, ring) -> bool:
    x, y = point
    hit = False
    for (x1, y1), (x2, y2) in pairwise(ring):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            hit = not hit
    return hit


def test_shipped_demo_outlines_cover_every_town_and_village():
    places = json.loads((ROOT / "db/demo/places.json").read_text(encoding="utf-8"))
    outlines = geo.load_outlines(geo.demo_outline_path())
    assert "demonstration only" in outlines.note
    assert [f.name for f in outlines.county] == [places["county"]["name"]]
    county_ring = outlines.county[0].polygons[0][0]
    cells = {f.name: f.polygons[0][0] for f in outlines.towns}
    assert sorted(cells) == sorted(t["name"] for t in places["towns"])
    for town in places["towns"]:
        assert inside((town["lon"], town["lat"]), cells[town["name"]])
        for v in town["villages"]:
            assert inside((v["lon"], v["lat"]), county_ring), v["name"]
    # the town cells tile the county: their areas add up to the county's
    assert sum(map(area, cells.values())) == pytest.approx(area(county_ring), rel=1e-3)


def area(ring) -> float:
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in pairwise(ring))) / 2


def test_the_build_script_reproduces_the_shipped_file(tmp_path):
    spec = importlib.util.spec_from_file_location("build", ROOT / "scripts/build_demo_outlines.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    build.main(["build", str(tmp_path / "o.geojson")])
    assert (tmp_path / "o.geojson").read_bytes() == geo.demo_outline_path().read_bytes()


def test_projection_keeps_the_county_in_proportion():
    p = geo.Projection(25.0)
    x0, y0 = p(114.0, 25.0)
    x1, y1 = p(115.0, 26.0)
    assert x1 - x0 == pytest.approx(math.cos(math.radians(25.0)))    # a degree east is shorter
    assert y1 - y0 == pytest.approx(1.0)                              # north is up
    assert p.inverse(*p(114.3, 25.1)) == pytest.approx((114.3, 25.1))


def test_spread_is_deterministic_distinct_and_close():
    spots = [geo.spread(114.3, 25.1, k) for k in range(1, 13)]
    assert spots == [geo.spread(114.3, 25.1, k) for k in range(1, 13)]
    assert len({(round(x, 6), round(y, 6)) for x, y in spots}) == 12
    assert all(abs(x - 114.3) < 0.05 and abs(y - 25.1) < 0.05 for x, y in spots)


def test_features_of_the_demo_desk(full_demo_db):
    features = geo.map_features(full_demo_db)
    towns = [f for f in features if f.kind == "town"]
    assert len(towns) == 18 and {"雄州街道", "帽子峰镇"} <= {t.name for t in towns}
    events = [f for f in features if f.kind == "event"]
    open_titles = {e["title"] for e in full_demo_db.query(
        "SELECT title FROM events WHERE status = '处置中'")}
    assert {e.name for e in events} == open_titles and events
    fire = next(e for e in events if "森林火灾" in e.name)
    assert fire.town == "帽子峰镇" and fire.approximate
    assert any(line.startswith("接报：") for line in fire.facts)
    # no two markers share exactly the same spot
    spots = [(f.lon, f.lat) for f in features]
    assert len(spots) == len(set(spots))
    assert [f.kind for f in features] == sorted((f.kind for f in features), key=list(geo.KINDS).index)
