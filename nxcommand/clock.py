"""The one source of time. Services take a Clock so deadline logic is testable."""

from __future__ import annotations

from datetime import datetime, timedelta

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"


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
