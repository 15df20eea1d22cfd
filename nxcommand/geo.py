"""The resource map's geography: county and town outlines from a GeoJSON file, the
projection, and the things placed on the map (towns, teams, depots, shelters, equipment,
open events).

The desk is offline, so there are no map tiles: the administrator provides the outlines as
a GeoJSON FeatureCollection of Polygon/MultiPolygon features in [longitude, latitude]
(WGS-84 / CGCS2000 degrees). The demo county ships an invented, approximate file.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from . import org, session
from .errors import ValidationError
from .paths import demo_dir

MAX_FILE_BYTES = 50 * 1024 * 1024
META_KEY = "map_outline_path"
DEMO_FILE = "outlines.geojson"
NAME_KEYS = ("name", "NAME", "Name", "名称", "NAME_CHN", "name_zh")
LON_RANGE = (73.0, 136.0)     # China, as org.add_admin_unit accepts
LAT_RANGE = (3.0, 54.0)
COUNTY_LEVELS = {"county", "县", "县级", "县级市", "区", "市"}

Ring = tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Outline:
    name: str
    level: str                          # "county" or "town"
    polygons: tuple[tuple[Ring, ...], ...]   # each polygon: outer ring, then holes

    def bounds(self) -> tuple[float, float, float, float]:
        lons = [p[0] for poly in self.polygons for ring in poly for p in ring]
        lats = [p[1] for poly in self.polygons for ring in poly for p in ring]
        return min(lons), min(lats), max(lons), max(lats)


@dataclass(frozen=True)
class Outlines:
    path: str
    features: tuple[Outline, ...]
    note: str = ""                      # e.g. "approximate, for demonstration only"

    @property
    def county(self) -> tuple[Outline, ...]:
        return tuple(f for f in self.features if f.level == "county")

    @property
    def towns(self) -> tuple[Outline, ...]:
        return tuple(f for f in self.features if f.level == "town")

    def bounds(self) -> tuple[float, float, float, float]:
        boxes = [f.bounds() for f in self.features]
        return (min(b[0] for b in boxes), min(b[1] for b in boxes),
                max(b[2] for b in boxes), max(b[3] for b in boxes))


class OutlineError(ValidationError):
    """A GeoJSON file refused, with the reason in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "path")


# --- loading and validating -------------------------------------------------------------

def load_outlines(path: str | Path) -> Outlines:
    """Read and validate a GeoJSON outline file; OutlineError (Chinese) if it is unusable."""
    path = Path(path)
    if not path.is_file():
        raise OutlineError(f"找不到边界文件：{path}")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise OutlineError(f"边界文件过大（{size / 1024 / 1024:.0f} MB），不能超过 50 MB；"
                           "请先简化边界再载入")
    if size == 0:
        raise OutlineError("边界文件是空的")
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise OutlineError("边界文件不是 UTF-8 编码的文本，请另存为 UTF-8 的 GeoJSON 文件") from None
    except json.JSONDecodeError as exc:
        raise OutlineError(f"边界文件不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列出错），"
                           "请选择 GeoJSON 文件") from None
    except OSError as exc:
        raise OutlineError(f"无法读取边界文件：{path}（{exc.strerror}）") from None
    return parse_outlines(data, str(path))


def parse_outlines(data, path: str = "") -> Outlines:
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise OutlineError("边界文件应为 GeoJSON 要素集合（\"type\": \"FeatureCollection\"）")
    raw = data.get("features")
    if not isinstance(raw, list):
        raise OutlineError("边界文件缺少要素列表（\"features\"）")
    if not raw:
        raise OutlineError("边界文件中没有任何要素（features 为空）")
    features = [_feature(f, n) for n, f in enumerate(raw, start=1)]
    features = _assign_levels(features, raw)
    props = data.get("properties") if isinstance(data.get("properties"), dict) else {}
    note = str(props.get("note") or "")
    return Outlines(path, tuple(features), note)


def _feature(feature, n: int) -> Outline:
    where = f"第 {n} 个要素"
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise OutlineError(f"{where}不是 GeoJSON 要素（\"type\": \"Feature\"）")
    geometry = feature.get("geometry")
    if not isinstance(geometry, dict):
        raise OutlineError(f"{where}没有几何图形（geometry）")
    kind = geometry.get("type")
    coords = geometry.get("coordinates")
    if kind == "Polygon":
        polygons = (_polygon(coords, where),)
    elif kind == "MultiPolygon":
        if not isinstance(coords, list) or not coords:
            raise OutlineError(f"{where}的多面坐标为空或格式不对")
        polygons = tuple(_polygon(c, where) for c in coords)
    else:
        raise OutlineError(f"{where}的几何类型是 {kind!s}，边界只支持面（Polygon 或 MultiPolygon）")
    props = feature.get("properties") if isinstance(feature.get("properties"), dict) else {}
    name = next((str(props[k]).strip() for k in NAME_KEYS if str(props.get(k) or "").strip()), "")
    if not name:
        raise OutlineError(f"{where}没有名称属性（应有 name、NAME 或 名称 之一）")
    return Outline(name[:40], str(props.get("level") or props.get("级别") or ""), polygons)


def _polygon(coords, where: str) -> tuple[Ring, ...]:
    if not isinstance(coords, list) or not coords:
        raise OutlineError(f"{where}的面坐标为空或格式不对")
    return tuple(_ring(r, where) for r in coords)


def _ring(ring, where: str) -> Ring:
    if not isinstance(ring, list) or len(ring) < 4:
        raise OutlineError(f"{where}的边界环至少要有 4 个坐标点（首尾相同）")
    points = []
    for pos in ring:
        if (not isinstance(pos, list) or len(pos) < 2
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in pos[:2])
                or not all(math.isfinite(v) for v in pos[:2])):
            raise OutlineError(f"{where}含有不是 [经度, 纬度] 数字对的坐标：{str(pos)[:40]}")
        lon, lat = float(pos[0]), float(pos[1])
        if not (LON_RANGE[0] <= lon <= LON_RANGE[1] and LAT_RANGE[0] <= lat <= LAT_RANGE[1]):
            hint = ""
            if LON_RANGE[0] <= lat <= LON_RANGE[1] and LAT_RANGE[0] <= lon <= LAT_RANGE[1]:
                hint = "；经纬度顺序似乎颠倒了，GeoJSON 要求 [经度, 纬度]"
            elif abs(lon) > 180 or abs(lat) > 90:
                hint = "；这似乎是投影坐标（米），请先转换为经纬度（度）"
            raise OutlineError(f"{where}的坐标 [{lon:g}, {lat:g}] 超出范围（经度 73–136，"
                               f"纬度 3–54）{hint}")
        points.append((lon, lat))
    return tuple(points)


def _assign_levels(features: list[Outline], raw: list) -> list[Outline]:
    """A feature marked level=county (or 县/县级市…) is the county; without marks, the
    feature whose box holds every other one is, when there are several."""
    def level(f: Outline) -> str:
        return "county" if f.level in COUNTY_LEVELS else "town"
    if any(f.level in COUNTY_LEVELS for f in features) or len(features) == 1:
        return [Outline(f.name, "county" if len(features) == 1 else level(f), f.polygons)
                for f in features]
    boxes = [f.bounds() for f in features]
    out = []
    for i, f in enumerate(features):
        b = boxes[i]
        holds_all = all(b[0] <= o[0] + 1e-9 and b[1] <= o[1] + 1e-9 and b[2] >= o[2] - 1e-9
                        and b[3] >= o[3] - 1e-9 for j, o in enumerate(boxes) if j != i)
        out.append(Outline(f.name, "county" if holds_all else "town", f.polygons))
    return out


# --- the administrator's setting --------------------------------------------------------

def demo_outline_path() -> Path:
    return demo_dir() / DEMO_FILE


def outline_path(db: Database) -> Path | None:
    """The outline file in use: the administrator's choice, else the shipped approximate
    file for the demo county, else none."""
    chosen = org.meta(db, META_KEY)
    if chosen:
        return Path(chosen)
    if org.is_demo(db) and demo_outline_path().is_file():
        return demo_outline_path()
    return None


def set_outline_path(db: Database, path: str | Path) -> Outlines:
    """Validate the file, then remember it as the map's outlines. A bad file changes nothing."""
    session.require(db, "管理参考数据")
    outlines = load_outlines(path)
    org.set_meta(db, META_KEY, str(Path(path).resolve()))
    return outlines


def current_outlines(db: Database) -> tuple[Outlines | None, str]:
    """The outlines to draw and a status line for the map (Chinese)."""
    path = outline_path(db)
    if path is None:
        return None, "未载入边界文件"
    try:
        outlines = load_outlines(path)
    except OutlineError as exc:
        return None, f"边界文件无法载入：{exc}"
    status = f"边界：{path.name}（{len(outlines.features)} 个区域）"
    if outlines.note:
        status += "　示意边界，仅供演示"
    return outlines, status


# --- projection -------------------------------------------------------------------------

@dataclass(frozen=True)
class Projection:
    """Equirectangular: x = lon·cos(lat0), y = lat, in degrees; north is +y."""
    lat0: float

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        return lon * math.cos(math.radians(self.lat0)), lat

    def inverse(self, x: float, y: float) -> tuple[float, float]:
        return x / math.cos(math.radians(self.lat0)), y


def projection_for(db: Database, outlines: Outlines | None = None) -> Projection:
    if outlines is not None:
        b = outlines.bounds()
        return Projection((b[1] + b[3]) / 2)
    row = db.execute("SELECT avg(lat) FROM admin_units WHERE level IN ('county', 'town') "
                     "AND lat IS NOT NULL").fetchone()
    return Projection(row[0] if row and row[0] is not None else 30.0)


# --- what the map shows -----------------------------------------------------------------

KINDS = {                     # kind -> legend label, in drawing order (bottom to top)
    "town": "镇（街道）",
    "shelter": "避难场所",
    "depot": "物资储备库",
    "equipment": "装备",
    "team": "救援队伍",
    "event": "处置中事件",
}
SPREAD_DEG = 0.0065           # spacing of the spiral for items placed at a shared anchor
TOWN_LIFT_DEG = 2.2 * SPREAD_DEG   # clusters at a town are centred this far north of it
GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))


@dataclass(frozen=True)
class MapFeature:
    kind: str                  # a key of KINDS
    ref_id: int
    name: str
    lon: float
    lat: float
    approximate: bool          # True: placed at its town/village with an offset
    facts: tuple[str, ...]     # the lines shown on hover/click, first one the kind and place
    town: str = ""


def spread(lon: float, lat: float, k: int) -> tuple[float, float]:
    """The k-th position (k >= 1) on a golden-angle spiral around an anchor: items sharing a
    place get distinct, deterministic, nearby spots (about equal spacing on screen)."""
    r = SPREAD_DEG * math.sqrt(k)
    a = k * GOLDEN_ANGLE
    return (lon + r * math.cos(a) / math.cos(math.radians(lat)), lat + r * math.sin(a))


def _places(db: Database) -> dict[int, dict]:
    return {r["id"]: r for r in db.query(
        "SELECT u.id, u.name, u.level, u.lon, u.lat, u.parent_id FROM admin_units u")}


def map_features(db: Database) -> list[MapFeature]:
    """Every thing the resource map places, in KINDS order. Items with their own coordinates
    sit there; the others at their village's or town's point, spread on a small spiral."""
    places = _places(db)
    county = next((p for p in places.values() if p["level"] == "county"), None)
    taken: dict[tuple[float, float], int] = {}
    out: list[MapFeature] = []

    def anchor(*unit_ids) -> dict | None:
        for uid in unit_ids:
            p = places.get(uid) if uid is not None else None
            if p and p["lon"] is not None:
                return p
        return county if county and county["lon"] is not None else None

    def place(kind, ref_id, name, lon, lat, units, facts, town="") -> None:
        if lon is not None and lat is not None:
            out.append(MapFeature(kind, ref_id, name, lon, lat, False, tuple(facts), town))
            return
        p = anchor(*units)
        if p is None:
            return                           # nowhere to put it: not on the map
        key = (p["lon"], p["lat"])
        taken[key] = taken.get(key, 0) + 1
        # around a town, the cluster sits above its point: the town's name is written below
        lift = TOWN_LIFT_DEG if p["level"] == "town" else 0.0
        x, y = spread(p["lon"], p["lat"] + lift, taken[key])
        out.append(MapFeature(kind, ref_id, name, x, y, True,
                              (*facts, f"位置：按所在地“{p['name']}”示意"), town))

    for t in db.query("""
            SELECT u.id, u.name, u.kind, u.lon, u.lat,
                   (SELECT count(*) FROM admin_units v WHERE v.parent_id = u.id) AS villages,
                   (SELECT count(*) FROM teams m WHERE m.town_id = u.id AND m.active = 1) AS teams
            FROM admin_units u WHERE u.level = 'town' AND u.lon IS NOT NULL
            ORDER BY u.kind = '镇', u.id"""):
        out.append(MapFeature("town", t["id"], t["name"], t["lon"], t["lat"], False,
                              (f"{t['kind']}：{t['name']}", f"村（社区）{t['villages']} 个",
                               f"救援队伍 {t['teams']} 支"), t["name"]))
        taken[(t["lon"], t["lat"])] = 0

    for s in db.query("""
            SELECT s.id, s.name, s.level, s.capacity, s.occupancy, s.town_id, s.village_id,
                   s.lon, s.lat, t.name AS town, p.name AS manager, p.mobile
            FROM shelters s JOIN admin_units t ON t.id = s.town_id
            LEFT JOIN people p ON p.id = s.manager_id ORDER BY s.id"""):
        facts = [f"避难场所（{s['level']}）· {s['town']}", f"安置 {s['occupancy']}/{s['capacity']} 人"]
        if s["manager"]:
            facts.append(f"负责人：{s['manager']} {s['mobile'] or ''}".rstrip())
        place("shelter", s["id"], s["name"], s["lon"], s["lat"], (s["village_id"], s["town_id"]),
              facts, s["town"])

    for d in db.query("""
            SELECT d.id, d.name, d.level, d.ownership, d.holder, d.town_id, d.village_id,
                   d.lon, d.lat, d.phone, coalesce(t.name, '') AS town, p.name AS keeper,
                   p.mobile, (SELECT count(*) FROM depot_stock k WHERE k.depot_id = d.id
                              AND k.quantity > 0) AS kinds,
                   (SELECT count(*) FROM depot_stock k WHERE k.depot_id = d.id
                              AND k.quantity < k.minimum) AS short
            FROM depots d LEFT JOIN admin_units t ON t.id = d.town_id
            LEFT JOIN people p ON p.id = d.keeper_id ORDER BY d.id"""):
        owner = d["ownership"] + (f"（{d['holder']}）" if d["holder"] else "")
        facts = [f"物资储备库（{d['level']}）· {owner}", f"在库物资 {d['kinds']} 种"
                 + (f"，低于最低库存 {d['short']} 种" if d["short"] else "")]
        if d["keeper"] or d["phone"]:
            facts.append(f"保管员：{d['keeper'] or ''} {d['mobile'] or d['phone'] or ''}".strip())
        place("depot", d["id"], d["name"], d["lon"], d["lat"], (d["village_id"], d["town_id"]),
              facts, d["town"])

    for e in db.query("""
            SELECT e.id, e.name, e.kind, e.quantity, e.unit, e.status, e.four_in_one,
                   e.call_sign, e.lon, e.lat, coalesce(m.name, o.name, '') AS holder,
                   coalesce(e.town_id, m.town_id) AS town_id, o.admin_unit_id,
                   coalesce(t.name, '') AS town
            FROM equipment e LEFT JOIN teams m ON m.id = e.team_id
            LEFT JOIN organizations o ON o.id = e.org_id
            LEFT JOIN admin_units t ON t.id = coalesce(e.town_id, m.town_id)
            ORDER BY e.id"""):
        facts = [f"装备（{e['kind']}）· {e['holder']}", f"{e['quantity']} {e['unit']} · {e['status']}"]
        if e["four_in_one"]:
            facts.append(f"“四合一”：{e['four_in_one']}" + (f"，呼号 {e['call_sign']}" if e["call_sign"] else ""))
        # without coordinates: where it is based, else its holder's town or unit
        place("equipment", e["id"], e["name"], e["lon"], e["lat"], (e["town_id"], e["admin_unit_id"]),
              facts, e["town"])

    for m in db.query("""
            SELECT m.id, m.name, m.kind, m.specialty, m.headcount, m.status, m.status_at,
                   m.standby, m.meets_standard, m.town_id, m.village_id, m.lon, m.lat,
                   t.name AS town, p.name AS leader, p.mobile
            FROM teams m JOIN admin_units t ON t.id = m.town_id
            LEFT JOIN people p ON p.id = m.leader_id WHERE m.active = 1 ORDER BY m.id"""):
        kind = m["kind"] + (f"·{m['specialty']}" if m["specialty"] else "")
        facts = [f"救援队伍（{kind}）· {m['town']}",
                 f"状态：{m['status']}（{m['status_at'][:16]}）· {m['standby']}"
                 + ("" if m["meets_standard"] else " · 未达标"),
                 f"{m['headcount']} 人 · 队长 {m['leader'] or '—'} {m['mobile'] or ''}".rstrip()]
        place("team", m["id"], m["name"], m["lon"], m["lat"], (m["town_id"],), facts, m["town"])

    for ev in db.query("""
            SELECT e.id, e.title, e.received_at, e.town_id, e.village_id, e.is_drill,
                   t.name AS town, g.name AS grade_name, c.name AS category
            FROM events e JOIN admin_units t ON t.id = e.town_id
            JOIN severity_grades g ON g.id = e.grade
            JOIN event_categories c ON c.id = e.category_id
            WHERE e.status = '处置中' ORDER BY e.received_at, e.id"""):
        facts = [f"{'演练' if ev['is_drill'] else '事件'}（{ev['category']}·{ev['grade_name']}）· {ev['town']}",
                 f"接报：{ev['received_at']}"]
        place("event", ev["id"], ev["title"], None, None, (ev["village_id"], ev["town_id"]),
              facts, ev["town"])
    order = list(KINDS)
    out.sort(key=lambda f: order.index(f.kind))
    return out
