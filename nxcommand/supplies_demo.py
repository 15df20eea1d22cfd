"""The demo county's depots and supplies (db/demo/supplies.json), written through the
validating services: depots and items, then every quantity as a ledger movement dated
``days_ago`` before the clock (入库, then a few 出库, 调拨 and 盘点), so the ledger has a
history and ``ledger.verify`` holds. Every quantity, keeper assignment and phone number
is invented; place names are the real towns of 南雄市."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlite_utils import Database

from . import ledger, session, supplies
from .clock import SYSTEM_CLOCK, Clock
from .paths import demo_dir

# Where a depot without its own coordinates sits: a little off its village or town marker.
OFFSET = 0.004


def _ids(db: Database, sql: str) -> dict:
    return {row[0]: row[1] for row in db.execute(sql)}


def load_demo_supplies(db: Database, clock: Clock = SYSTEM_CLOCK) -> None:
    with session.acting(db, session.system("演示数据")):
        return _load_demo_supplies(db, clock)


def _load_demo_supplies(db: Database, clock: Clock = SYSTEM_CLOCK) -> None:
    data = json.loads((demo_dir() / "supplies.json").read_text(encoding="utf-8"))
    towns = {r["name"]: r for r in db.query(
        "SELECT id, name, lon, lat FROM admin_units WHERE level = 'town'")}
    villages = {(r["town"], r["name"]): r for r in db.query(
        "SELECT v.id, v.name, v.lon, v.lat, t.name AS town FROM admin_units v "
        "JOIN admin_units t ON t.id = v.parent_id WHERE v.level = 'village'")}
    people = _ids(db, "SELECT name, min(id) FROM people GROUP BY name")
    people_names = {v: k for k, v in people.items()}

    depot_ids, keepers = {}, {}
    for d in data["depots"]:
        town = towns[d["town"]]
        village = villages[(d["town"], d["village"])] if d.get("village") else None
        place = village or town
        lon = d.get("lon", place["lon"] + OFFSET if place["lon"] is not None else None)
        lat = d.get("lat", place["lat"] - OFFSET if place["lat"] is not None else None)
        keeper = people.get(d["keeper"]) if d.get("keeper") else None
        depot_ids[d["name"]] = supplies.add_depot(db, supplies.DepotInput(
            name=d["name"], level=d["level"], ownership=d["ownership"], holder=d.get("holder", ""),
            town_id=town["id"], village_id=village["id"] if village else None,
            address=d.get("address", ""), keeper_id=keeper, phone=d.get("phone", ""),
            lon=lon, lat=lat, area_m2=d.get("area_m2"), capacity_m3=d.get("capacity_m3"),
            note=d.get("note", "")), clock)
        keepers[d["name"]] = ledger.Who(people_names.get(keeper, "物资保管员"), keeper)

    item_ids = {i["name"]: supplies.add_item(db, supplies.ItemInput(
        code=i["code"], name=i["name"], spec=i["spec"], unit=i["unit"]), clock) for i in data["items"]}

    now = clock.now().replace(hour=9, minute=30)
    if now > clock.now():
        now -= timedelta(days=1)

    def when(days_ago: int):
        return now - timedelta(days=days_ago)

    steps = [(s["days_ago"], 0, n, s) for n, s in enumerate(data["stock"])]
    steps += [(m["days_ago"], 1, n, m) for n, m in enumerate(data["movements"])]
    for _days, is_move, _n, s in sorted(steps, key=lambda step: (-step[0], step[1], step[2])):
        depot, item = depot_ids[s["depot"]], item_ids[s["item"]]
        who, at = keepers[s["depot"]], when(s["days_ago"])
        if not is_move:
            ledger.receive(db, depot, item, s["quantity"], reason="采购入库", who=who, at=at, clock=clock)
            supplies.set_stock_terms(db, depot, item, minimum=s["minimum"], expiry_date=s.get("expiry", ""),
                                     rotation_date=s.get("rotation", ""), location=s.get("location", ""),
                                     clock=clock)
        elif s["kind"] == "入库":
            ledger.receive(db, depot, item, s["quantity"], reason=s["reason"], who=who, at=at, clock=clock)
        elif s["kind"] == "出库":
            ledger.issue(db, depot, item, s["quantity"], reason=s["reason"], who=who, at=at,
                         ref=s.get("ref", ""), clock=clock)
        elif s["kind"] == "调拨":
            ledger.transfer(db, depot, depot_ids[s["to"]], item, s["quantity"], reason=s["reason"],
                            who=who, at=at, clock=clock)
        else:
            ledger.stocktake(db, depot, item, s["quantity"], reason=s["reason"], who=who, at=at,
                             clock=clock)
