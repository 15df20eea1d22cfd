"""Build db/demo/outlines.geojson: APPROXIMATE, INVENTED outlines of the demo county and its
towns, for demonstration only. They are not the real administrative boundaries of 南雄市.

    .venv/bin/python scripts/build_demo_outlines.py [OUT.geojson]

How: the county is a smoothed, gently wavy blob around every town and village point of
db/demo/places.json (a rounded hull with a margin); each town's area is its Voronoi cell
within that blob, i.e. the blob clipped by the perpendicular-bisector half-plane towards
every other town (Sutherland–Hodgman). Pure Python, deterministic: the same places give the
same bytes.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLACES = ROOT / "db" / "demo" / "places.json"
OUT = ROOT / "db" / "demo" / "outlines.geojson"
NOTE = "approximate, for demonstration only（示意边界，仅供演示，并非真实行政区划界线）"
MARGIN = 0.045          # degrees (projected) beyond the outermost village
DIGITS = 4


def convex_hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Andrew's monotone chain; counter-clockwise, no repeated end point."""
    pts = sorted(set(points))
    if len(pts) < 3:
        return pts

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])
    lower: list = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def county_blob(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """A rounded hull (each point grown by MARGIN), sampled radially from its centre with a
    gentle deterministic wave, then Chaikin-smoothed: looks like a county, not a circle."""
    grown = [(x + MARGIN * math.cos(a), y + MARGIN * math.sin(a))
             for x, y in points for a in (k * math.pi / 12 for k in range(24))]
    hull = convex_hull(grown)
    cx = sum(p[0] for p in hull) / len(hull)
    cy = sum(p[1] for p in hull) / len(hull)
    ring = []
    for k in range(120):
        angle = 2 * math.pi * k / 120
        r = _ray_hit(hull, (cx, cy), angle)
        wave = 1 + 0.05 * math.sin(3 * angle + 0.7) + 0.03 * math.sin(7 * angle + 2.1) \
            + 0.012 * math.sin(17 * angle + 0.4)
        ring.append((cx + r * wave * math.cos(angle), cy + r * wave * math.sin(angle)))
    for _ in range(2):
        ring = _chaikin(ring)
    return ring


def _ray_hit(hull, centre, angle) -> float:
    """Distance from ``centre`` to the hull along ``angle`` (the hull holds the centre)."""
    dx, dy = math.cos(angle), math.sin(angle)
    best = math.inf
    for i in range(len(hull)):
        (x1, y1), (x2, y2) = hull[i], hull[(i + 1) % len(hull)]
        ex, ey = x2 - x1, y2 - y1
        denom = dx * ey - dy * ex
        if abs(denom) < 1e-15:
            continue
        t = ((x1 - centre[0]) * ey - (y1 - centre[1]) * ex) / denom
        u = ((x1 - centre[0]) * dy - (y1 - centre[1]) * dx) / denom
        if t > 0 and -1e-12 <= u <= 1 + 1e-12:
            best = min(best, t)
    return best


def _chaikin(ring):
    out = []
    for i in range(len(ring)):
        (x1, y1), (x2, y2) = ring[i], ring[(i + 1) % len(ring)]
        out.append((0.75 * x1 + 0.25 * x2, 0.75 * y1 + 0.25 * y2))
        out.append((0.25 * x1 + 0.75 * x2, 0.25 * y1 + 0.75 * y2))
    return out


def clip_half_plane(poly, a, b):
    """Sutherland–Hodgman: the part of ``poly`` closer to site ``a`` than to site ``b``."""
    mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
    nx, ny = b[0] - a[0], b[1] - a[1]

    def side(p):               # <= 0: on a's side of the bisector
        return (p[0] - mx) * nx + (p[1] - my) * ny
    out = []
    for i in range(len(poly)):
        p, q = poly[i], poly[(i + 1) % len(poly)]
        sp, sq = side(p), side(q)
        if sp <= 0:
            out.append(p)
        if (sp <= 0) != (sq <= 0):
            t = sp / (sp - sq)
            out.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
    return out


def build(places: dict) -> dict:
    lat0 = places["county"]["lat"]
    k = math.cos(math.radians(lat0))
    towns = [(t["name"], (t["lon"] * k, t["lat"])) for t in places["towns"]]
    every = [site for _, site in towns] + [
        (v["lon"] * k, v["lat"]) for t in places["towns"] for v in t.get("villages", [])]
    blob = county_blob(every)

    def ring_out(ring):
        coords = [[round(x / k, DIGITS), round(y, DIGITS)] for x, y in ring]
        if coords[0] != coords[-1]:
            coords.append(coords[0])
        return coords

    features = [{"type": "Feature",
                 "properties": {"name": places["county"]["name"], "level": "county", "note": NOTE},
                 "geometry": {"type": "Polygon", "coordinates": [ring_out(blob)]}}]
    for name, site in towns:
        cell = blob
        for other_name, other in towns:
            if other_name != name:
                cell = clip_half_plane(cell, site, other)
        features.append({"type": "Feature",
                         "properties": {"name": name, "level": "town", "note": NOTE},
                         "geometry": {"type": "Polygon", "coordinates": [ring_out(cell)]}})
    return {"type": "FeatureCollection", "properties": {"note": NOTE}, "features": features}


def main(argv: list[str]) -> None:
    out = Path(argv[1]) if len(argv) > 1 else OUT
    data = build(json.loads(PLACES.read_text(encoding="utf-8")))
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # one feature per line keeps diffs readable
    text = text.replace('},{"type":"Feature"', '},\n{"type":"Feature"')
    out.write_text(text + "\n", encoding="utf-8")
    print(f"{out}: {len(data['features'])} features, {out.stat().st_size} bytes")


if __name__ == "__main__":
    main(sys.argv)
