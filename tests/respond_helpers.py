"""Shared set-up for the response tests: a flash-flood event in 油山镇 and the people the 防汛
plan allows (钟国平 办公室主任: Ⅳ only; 田子健 副指挥长: Ⅳ and Ⅲ; 王磊-like 指挥长: Ⅱ/Ⅰ)."""

from __future__ import annotations

from datetime import timedelta

from nxcommand import incidents, plan_checks
from nxcommand.incidents import EventInput, Figures
from nxcommand.response import LevelChange, ResponseInput

FLOOD_PLAN = "南雄市防汛防旱防风应急预案"


def one(db, sql, params=()):
    row = db.execute(sql, list(params)).fetchone()
    return row[0] if row else None


def count(db, table: str) -> int:
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def flood_plan(db) -> int:
    return one(db, "SELECT id FROM plans WHERE name = ?", [FLOOD_PLAN])


def person(db, name: str) -> int:
    return one(db, "SELECT id FROM people WHERE name = ?", [name])


def holder(db, plan_id: int, level: int, role: str) -> int:
    return next(p["id"] for p in plan_checks.allowed_deciders(db, plan_id, level) if p["role"] == role)


def flood_event(db, clock, drill: bool = False, minutes_ago: int = 60) -> int:
    town = one(db, "SELECT id FROM admin_units WHERE name = '油山镇'")
    return incidents.create_event(db, EventInput(
        received_at=clock.now() - timedelta(minutes=minutes_ago), source_kind="电话",
        occurred_at=clock.now() - timedelta(minutes=minutes_ago + 10), town_id=town, category_id=1,
        subtype_id=one(db, "SELECT id FROM event_subtypes WHERE name = '防汛'"), grade=3,
        cause="强降雨引发山洪", recorded_by="刘艳玲", caller_unit="油山镇政府", caller_phone="0751-5550209",
        figures=Figures(trapped=2, evacuated=40), is_drill=drill), clock)


def open_input(db, event_id: int, level: int, decider: int, at, drill: bool = False) -> ResponseInput:
    return ResponseInput(plan_id=flood_plan(db), level=level, matter="油山镇山洪应急处置", measures="转移群众，搜救被困人员",
                         decider_id=decider, decided_at=at, recorded_by="刘艳玲", event_id=event_id,
                         expected_until=at + timedelta(days=1), is_drill=drill)


def change(decider: int, at, level: int | None = None, reason: str = "雨情加剧") -> LevelChange:
    return LevelChange(decider, at, reason, "刘艳玲", level=level)
