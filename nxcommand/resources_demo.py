"""The demo county's resources (db/demo/resources.json), written through the registers'
validating services. Places, units and people are found by name. Teams are registered a day
before the load; the few out on a job moved minutes before it, so their status times are live."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlite_utils import Database

from . import equipment, experts, session, shelters, teams, vulnerable
from .clock import Clock, FixedClock
from .paths import demo_dir


def _lookup(db: Database) -> tuple[dict, dict, dict]:
    towns = {r[0]: r[1] for r in db.execute("SELECT name, id FROM admin_units WHERE level = 'town'")}
    villages = {(r[0], r[1]): r[2] for r in db.execute(
        "SELECT t.name, v.name, v.id FROM admin_units v JOIN admin_units t ON t.id = v.parent_id "
        "WHERE v.level = 'village'")}
    orgs = {r[0]: r[1] for r in db.execute("SELECT name, id FROM organizations")}
    return towns, villages, orgs


def load_demo_resources(db: Database, clock: Clock) -> None:
    """The demo county's teams, experts, equipment, shelters and vulnerable people
    (db/demo/resources.json), written through the registers' services."""
    with session.acting(db, session.system("演示数据")):
        return _load_demo_resources(db, clock)


def _load_demo_resources(db: Database, clock: Clock) -> None:
    data = json.loads((demo_dir() / "resources.json").read_text(encoding="utf-8"))
    towns, villages, orgs = _lookup(db)
    now = clock.now()
    registered = FixedClock(now - timedelta(days=1))
    team_ids: dict[str, int] = {}
    for t in data["teams"]:
        team_ids[t["name"]] = teams.add(db, teams.TeamInput(
            name=t["name"], kind=t["kind"], specialty=t["specialty"], headcount=t["headcount"],
            leader_name=t["leader"], leader_phone=t["leader_phone"], town_id=towns[t["town"]],
            village_id=villages[(t["town"], t["village"])] if t.get("village") else None,
            org_id=orgs[t["org"]] if t.get("org") else None, equipment=t["equipment"], standby=t["standby"],
            meets_standard=t["meets_standard"], insurance_expiry=t["insurance_expiry"],
            lon=t.get("lon"), lat=t.get("lat"), note=t["note"]), registered)
        if t["status"] != "待命":
            teams.set_status(db, team_ids[t["name"]], t["status"],
                             FixedClock(now - timedelta(minutes=t["status_minutes_ago"])))
    for e in data["experts"]:
        experts.add(db, experts.ExpertInput(
            field=e["field"], name=e["name"], phone=e["phone"], org_id=orgs.get(e["org"]),
            title=e["title"], employer=e["employer"]), registered)
    for e in data["equipment"]:
        equipment.add(db, equipment.EquipmentInput(
            name=e["name"], kind=e["kind"], quantity=e["quantity"], unit=e["unit"],
            team_id=team_ids[e["team"]] if e.get("team") else None,
            org_id=orgs[e["org"]] if e.get("org") else None,
            town_id=towns[e["town"]] if e.get("town") else None, hazard_kit=e["hazard_kit"],
            model=e["model"], status=e["status"], four_in_one=e.get("four_in_one") or "",
            operator_name=e.get("operator") or "", operator_phone=e.get("operator_phone") or "",
            call_sign=e["call_sign"], note=e["note"]), registered)
    shelter_ids: dict[str, int] = {}
    for s in data["shelters"]:
        shelter_ids[s["name"]] = shelters.add(db, shelters.ShelterInput(
            name=s["name"], level=s["level"], setting=s["setting"], area_m2=s["area_m2"],
            capacity=s["capacity"], facilities=s["facilities"], access=s["access"],
            town_id=towns[s["town"]], village_id=villages[(s["town"], s["village"])] if s.get("village") else None,
            address=s["address"], manager_name=s["manager"], manager_phone=s["manager_phone"],
            lon=s["lon"], lat=s["lat"]), registered)
        if s["occupancy"]:
            shelters.set_occupancy(db, shelter_ids[s["name"]], s["occupancy"], FixedClock(now - timedelta(minutes=40)))
    for v in data["vulnerable"]:
        vulnerable.add(db, vulnerable.PersonInput(
            name=v["name"], village_id=villages[(v["town"], v["village"])], category=v["category"],
            needs=v["needs"], address=v["address"], contact_name=v.get("contact") or "",
            contact_phone=v.get("contact_phone") or "", route=v["route"],
            shelter_id=shelter_ids[v["shelter"]] if v.get("shelter") else None), registered)
