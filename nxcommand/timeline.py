"""The two things every part of a response contributes to the command board: entries on its
timeline and the deadlines it runs (the board's clocks). Each response module provides
``timeline_entries(db, response_id)`` and ``deadlines(db, response_id, now)``; ``timeline``
and ``clocks`` gather them, so no module has to know the others."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

# The modules that contribute, in the order their entries break ties at the same minute.
SOURCES = ("response", "orders", "meetings", "dispatch", "forward_hq", "releases")


@dataclass(frozen=True)
class Entry:
    at: datetime               # to the minute
    kind: str                  # 启动响应, 提级, 指令, 会商, 派出, 到达, 前指开设, 发布 …
    text: str                  # one Chinese sentence
    ref: tuple[str, int]       # ("order", id) …
    by: str = ""               # who decided / issued / recorded


@dataclass(frozen=True)
class Deadline:
    label: str                 # "首次权威发布", "受灾群众初步救助", "指令：转移群众 → 油山镇"
    due: datetime
    done_at: datetime | None   # None while open
    kind: str                  # 发布, 救助, 指令, 清单, 续报 …
    ref: tuple[str, int]

    def overdue(self, now: datetime) -> bool:
        return self.done_at is None and now > self.due


def _modules():
    for name in SOURCES:
        try:
            yield importlib.import_module(f"{__package__}.{name}")
        except ModuleNotFoundError as exc:          # a part not built yet contributes nothing
            if exc.name != f"{__package__}.{name}":
                raise


def timeline(db: Database, response_id: int) -> list[Entry]:
    """Every part's entries in time order; at the same minute, in the order of SOURCES."""
    ranked = [(e.at, rank, n, e) for rank, m in enumerate(_modules()) if hasattr(m, "timeline_entries")
              for n, e in enumerate(m.timeline_entries(db, response_id))]
    return [e for *_key, e in sorted(ranked, key=lambda r: r[:3])]


def clocks(db: Database, response_id: int, now: datetime) -> list[Deadline]:
    """Open deadlines first (soonest first), then the met ones (latest first)."""
    found = [d for m in _modules() if hasattr(m, "deadlines") for d in m.deadlines(db, response_id, now)]
    open_ = sorted((d for d in found if d.done_at is None), key=lambda d: d.due)
    done = sorted((d for d in found if d.done_at is not None), key=lambda d: d.done_at, reverse=True)
    return open_ + done
