"""The one source of time. Services take a Clock so deadline logic is testable."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
MINUTE_FORMAT = "%Y-%m-%d %H:%M"      # how the store keeps times the desk records to the minute
_STORED = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}")


def parse_minute(value: str | datetime, label: str) -> datetime:
    """A time to the minute, from a datetime or typed 'YYYY-MM-DD HH:MM' text (full-width
    digits, '/' and 'T' accepted); ValidationError in Chinese otherwise."""
    from .errors import ValidationError
    from .text import normalize

    if isinstance(value, datetime):
        return value.replace(second=0, microsecond=0)
    if type(value) is str and _STORED.fullmatch(value):   # as the store keeps it: no strptime
        try:
            return datetime(int(value[:4]), int(value[5:7]), int(value[8:10]), int(value[11:13]),
                            int(value[14:]))
        except ValueError:
            pass
    text = normalize(value).replace("/", "-").replace("T", " ")
    try:
        return datetime.strptime(text, MINUTE_FORMAT)
    except ValueError:
        raise ValidationError(f"{label}应为“年-月-日 时:分”，例如 2026-07-01 14:20", label) from None


def fmt_minute(moment: datetime) -> str:
    return moment.strftime(MINUTE_FORMAT)


class Clock:
    """Local wall-clock time (the desk works in the machine's local time, Beijing time)."""

    def now(self) -> datetime:
        return datetime.now().replace(microsecond=0)

    def stamp(self) -> str:
        return self.now().strftime(TIMESTAMP_FORMAT)


class FixedClock(Clock):
    """A clock that only moves when told to: for tests and replays."""

    def __init__(self, start: datetime) -> None:
        self._now = start.replace(microsecond=0)

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = moment.replace(microsecond=0)

    def advance(self, **delta: float) -> datetime:
        self._now += timedelta(**delta)
        return self._now


SYSTEM_CLOCK = Clock()
