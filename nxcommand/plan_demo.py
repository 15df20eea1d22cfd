"""The demo county's plans (db/demo/plans.json), loaded through the plan services.

The dates in the file are written for 2026 (the demo's reference date, 2026-07-01, and the
desk's 2026-11-23 both show filing, drill and evaluation warnings). On a clock earlier than
the file's latest date every date moves back by whole years, so no plan is issued in the
future; the year inside each 文号 follows its issue date.
"""

from __future__ import annotations

import json
import re
from datetime import date

from sqlite_utils import Database

from . import plans, session
from .clock import SYSTEM_CLOCK, Clock
from .paths import demo_dir
from .plan_checks import add_years

DATE_KEYS = ("issued_on", "filed_on", "last_drill_on", "last_evaluation_on")


def _shift_years(items: list[dict], today: date) -> int:
    latest = max(date.fromisoformat(p[k]) for p in items for k in DATE_KEYS if p.get(k))
    years = 0
    while add_years(latest, -years) > today:
        years += 1
    return years


def load_demo_plans(db: Database, clock: Clock = SYSTEM_CLOCK) -> None:
    with session.acting(db, session.system("演示数据")):
        return _load_demo_plans(db, clock)


def _load_demo_plans(db: Database, clock: Clock = SYSTEM_CLOCK) -> None:
    data = json.loads((demo_dir() / "plans.json").read_text(encoding="utf-8"))
    items = data["plans"]
    years = _shift_years(items, clock.now().date())
    bodies = {short: body_id for body_id, short in db.execute("SELECT id, short_name FROM command_bodies")}
    subtypes = {name: sid for sid, name in db.execute("SELECT id, name FROM event_subtypes")}
    for item in items:
        days = {k: add_years(date.fromisoformat(item[k]), -years) if item.get(k) else None for k in DATE_KEYS}
        doc = item.get("doc_number") or ""
        if doc and days["issued_on"]:
            doc = re.sub(r"〔\d{4}〕", f"〔{days['issued_on'].year}〕", doc)
        plan_id = plans.add_plan(db, plans.PlanInput(
            name=item["name"], kind=item["kind"], subtype_id=subtypes.get(item.get("subtype")),
            body_id=bodies.get(item.get("body")), lead_org_id=plans.resolve_unit(db, item["lead_org"]),
            approver=item.get("approver", ""), doc_number=doc, status=item.get("status", "现行"),
            note=item.get("note", ""), **days), clock)
        for group in item.get("groups", []):
            plans.add_group(db, plan_id, plans.GroupInput(
                group["name"], plans.resolve_unit(db, group["lead"]), group.get("members", ""),
                group.get("duties", "")), clock)
        for lv in item.get("levels", []):
            plans.set_level(db, plan_id, plans.LevelInput(
                level=lv["level"], criteria=lv["criteria"], escalation=lv.get("escalation", ""),
                deciders=[(bodies[body], role) for body, role in lv.get("deciders", [])],
                actions=[plans.ActionInput(text, owner or "", due) for text, owner, due in lv["actions"]]),
                clock=clock)
