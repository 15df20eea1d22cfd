"""Warnings before deadlines on the resource and plan registers (DOMAIN.md §6–§7): plan
filing, drills and evaluations, team insurance, supply expiry and rotation, stock below
minimum. Each register module computes its own; ``alert_board.collect`` gathers them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlite_utils import Database

from .org import meta

DEFAULT_WINDOW_DAYS = 30


@dataclass(frozen=True)
class Alert:
    kind: str                  # 预案备案, 预案演练, 预案评估, 保险到期, 物资过期, 物资轮换, 库存不足
    subject: str               # the plan, team or "depot：supply" it is about
    due: date | None           # the deadline; None where there is none (stock below minimum)
    days_left: int | None      # negative: overdue by that many days
    message: str               # one Chinese sentence for the officer
    ref: tuple[str, int]       # ("plan", id), ("team", id), ("stock", id) …

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0


def window_days(db: Database) -> int:
    """How many days ahead a deadline starts to warn (meta ``alert_window_days``, default 30)."""
    value = meta(db, "alert_window_days")
    return int(value) if value and value.isdigit() else DEFAULT_WINDOW_DAYS


def sort_key(alert: Alert) -> tuple:
    return (alert.days_left is None, alert.days_left if alert.days_left is not None else 0, alert.kind, alert.subject)

