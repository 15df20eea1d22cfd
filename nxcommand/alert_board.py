"""Every register's deadline warnings in one list (plans, team insurance, supplies). It sits
above the registers, which only know the shared ``alerts.Alert`` record."""

from __future__ import annotations

from datetime import date

from sqlite_utils import Database

from . import plan_checks, resources, supplies
from .alerts import Alert, sort_key

SOURCES = {"plans": plan_checks.alerts, "resources": resources.alerts, "supplies": supplies.alerts}


def collect(db: Database, today: date, areas: tuple[str, ...] = tuple(SOURCES)) -> list[Alert]:
    """Every register's warnings for ``today``, soonest first (overdue before due)."""
    found = [alert for area in areas for alert in SOURCES[area](db, today)]
    return sorted(found, key=sort_key)
