"""The 续报 cadence of a response (DOMAIN.md §2 一套工作机制, §4): while a response is live, the
event's follow-up reports (续报) are due at the rhythm its level sets, read from the editable
``response_report_cadence`` table (默认 Ⅳ级 每日9时, Ⅲ级 每4小时, Ⅱ级 每2小时, Ⅰ级 每1小时).

``deadlines.for_event`` asks ``cadence_dues`` for the 续报 due times a response imposes; the
daily 续报 rule of the event's category stops counting inside a response's window (the
response's rhythm replaces it) and resumes after the response is ended (解除). Each level
change starts a new rhythm from the decision's time. A drill response only sets the rhythm
of a drill event, never of a real one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from .clock import parse_minute

ROMAN = {1: "Ⅰ级", 2: "Ⅱ级", 3: "Ⅲ级", 4: "Ⅳ级"}


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime | None          # the next level change or the end (解除); None while running
    level: int
    interval_minutes: int | None
    daily_at: str | None

    @property
    def rule(self) -> str:
        every = (f"每日{self.daily_at}前" if self.daily_at
                 else f"每{self.interval_minutes // 60}小时" if self.interval_minutes % 60 == 0
                 else f"每{self.interval_minutes}分钟")
        return f"应急响应{ROMAN[self.level]}：{every}续报"

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment and (self.end is None or moment < self.end)


def cadence(db: Database) -> dict[int, tuple[int | None, str | None]]:
    return {lv: (m, d) for lv, m, d in db.execute(
        "SELECT level, interval_minutes, daily_at FROM response_report_cadence")}


def windows(db: Database, event: dict) -> list[Window]:
    """The stretches of time in which a response to ``event`` set the 续报 rhythm, one per
    level held (a response's start, raises and lowers, up to its end)."""
    rhythm = cadence(db)
    found: list[Window] = []
    for response_id, ended_at in db.execute(
            "SELECT id, ended_at FROM responses WHERE event_id = ? AND is_drill = ? ORDER BY started_at, id",
            [event["id"], event["is_drill"]]).fetchall():
        steps = db.execute(
            "SELECT decided_at, to_level FROM response_decisions WHERE response_id = ? AND kind != '解除' "
            "ORDER BY decided_at, id", [response_id]).fetchall()
        end = parse_minute(ended_at, "解除时间") if ended_at else None
        for number, (at, level) in enumerate(steps):
            until = parse_minute(steps[number + 1][0], "决定时间") if number + 1 < len(steps) else end
            interval, daily = rhythm.get(level, (None, None))
            if interval or daily:
                found.append(Window(parse_minute(at, "决定时间"), until, level, interval, daily))
    return found


def cadence_dues(window: Window, limit: datetime | None, now: datetime) -> list[datetime]:
    """Due times inside ``window`` (and not after ``limit``, the event's close), up to and
    including the first one after ``now``."""
    dues: list[datetime] = []
    if window.daily_at:
        hour, minute = map(int, window.daily_at.split(":"))
        due = datetime.combine(window.start.date() + timedelta(days=1), datetime.min.time()).replace(
            hour=hour, minute=minute)
        step = timedelta(days=1)
    else:
        step = timedelta(minutes=window.interval_minutes)
        due = window.start + step
    while window.contains(due) and (limit is None or due <= limit):
        dues.append(due)
        if due > now:
            break
        due += step
    return dues
