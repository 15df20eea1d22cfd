"""The demo county: a fictitious county modelled on 南雄市 (DOMAIN.md §9).

Place names are public geography; every person, phone number and quantity is invented.
The data lives in ``db/demo/*.json``; it is loaded through the same validating services
the console uses, in one transaction.
"""

from __future__ import annotations

import json
from datetime import timedelta

from sqlite_utils import Database

from . import contacts, dutylog, org, roster_checks, session
from .clock import SYSTEM_CLOCK, Clock
from .demo_desk import load_demo_desk, shift_start
from .errors import ValidationError
from .field_demo import load_demo_field
from .paths import demo_dir
from .personal_demo import load_demo_people
from .plan_demo import load_demo_plans
from .public_demo import load_demo_releases, load_demo_warnings
from .resources_demo import load_demo_resources
from .response_demo import load_demo_responses
from .store import writing
from .supplies_demo import load_demo_supplies

AREA_CODE = "0751"


def _read(name: str):
    return json.loads((demo_dir() / name).read_text(encoding="utf-8"))


def load_demo(db: Database, clock: Clock = SYSTEM_CLOCK, activity: bool = True) -> None:
    """Fill an empty, migrated database with the demo county: its places, units, command
    bodies and directory, and (``activity``) the desk's recent events, reports and handover."""
    with session.acting(db, session.system("演示数据")):
        return _load_demo(db, clock, activity)


def _load_demo(db: Database, clock: Clock = SYSTEM_CLOCK, activity: bool = True) -> None:
    if db.execute("SELECT count(*) FROM admin_units").fetchone()[0]:
        raise ValidationError("数据库中已有行政区划数据，不能再载入演示数据")
    places = _read("places.json")
    units = _read("organizations.json")
    people = _read("people.json")
    bodies = _read("command_bodies.json")
    with writing(db):
        for key, value in (("demo", "1"), ("area_code", AREA_CODE),
                           ("county_name", places["county"]["name"])):
            org.set_meta(db, key, value)
        c = places["county"]
        county_id = org.add_admin_unit(db, c["name"], "county", c["kind"], None, c.get("lon"), c.get("lat"))
        town_ids: dict[str, int] = {}
        village_ids: dict[tuple[str, str], int] = {}
        for town in places["towns"]:
            tid = org.add_admin_unit(db, town["name"], "town", town["kind"], county_id,
                                     town.get("lon"), town.get("lat"))
            town_ids[town["name"]] = tid
            for v in town.get("villages", []):
                village_ids[(town["name"], v["name"])] = org.add_admin_unit(
                    db, v["name"], "village", v["kind"], tid, v.get("lon"), v.get("lat"))

        org_ids: dict[str, int] = {}
        for u in units:
            unit_id = county_id
            if u.get("town"):
                unit_id = (village_ids[(u["town"], u["village"])] if u.get("village")
                           else town_ids[u["town"]])
            org_ids[u["name"]] = org.add_organization(
                db, u["name"], u["kind"], short_name=u.get("short_name") or "",
                admin_unit_id=unit_id, duty_phone=u.get("duty_phone"), address=u.get("address") or "")

        person_ids: dict[str, int] = {}
        for p in people:
            person_ids[p["name"]] = contacts.add(db, contacts.ContactInput(
                name=p["name"], org_id=org_ids[p["org"]], post=p.get("post") or "",
                mobile=p.get("mobile") or "", office_phone=p.get("office_phone") or "",
                roles=p.get("roles") or []), clock)

        for b in bodies:
            body_id = org.add_command_body(
                db, b["name"], short_name=b.get("short_name") or "",
                office_org_id=org_ids.get(b.get("office_org")), duties=b.get("duties", ""))
            for m in b.get("members", []):
                org.set_body_member(db, body_id, org_ids[m["org"]], m["role"])
            for post in b.get("posts", []):
                org.add_body_post(db, body_id, person_ids[post["person"]], post["role"])
        # demo: resources (teams, experts, equipment, shelters, vulnerable people)
        load_demo_resources(db, clock)
        # demo: supplies (depots, stock through the ledger)
        load_demo_supplies(db, clock)
        # demo: plans
        load_demo_plans(db, clock)
        if activity:
            # A month of roster around today; the log's routine days up to the current shift,
            # whose own records (events, reports, the 08:30 handover) the desk demo writes.
            first = clock.now().date() - timedelta(days=20)
            roster_checks.load_demo_roster(db, first, 31, clock)
            dutylog.load_demo_log(db, first, (shift_start(clock.now()).date() - first).days, clock)
            load_demo_desk(db, clock)
            # demo: warnings (PUB)
            load_demo_warnings(db, clock)
            # demo: responses (RESP)
            load_demo_responses(db, clock)
            load_demo_people(db, clock)       # their name lists (nxcommand.personal)
            # demo: field (FIELD)
            load_demo_field(db, clock)
            # demo: releases (PUB)
            load_demo_releases(db, clock)
