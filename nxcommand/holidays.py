"""The statutory holiday calendar: the chinese-calendar library plus local overrides.

The library carries the State Council's yearly schedule (holidays and make-up working
days). The ``holiday_overrides`` table holds the administrator's corrections and the
days of a year the installed library does not know yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlite_utils import Database

from . import session
from .errors import ValidationError
from .store import writing

# chinese-calendar names holidays in English; the desk shows Chinese.
_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节", "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


@dataclass(frozen=True)
class DayInfo:
    day: date
    is_holiday: bool        # a day off: statutory holiday or an ordinary weekend
    is_statutory: bool      # part of a statutory holiday period (节假日 duty mode)
    is_makeup_workday: bool  # a weekend day worked to make up for a holiday (调休上班)
    name: str               # holiday name in Chinese, or ""
    known: bool             # False when neither the library nor an override covers the year


def day_info(db: Database, day: date) -> DayInfo:
    row = db.execute("SELECT kind, name FROM holiday_overrides WHERE day = ?",
                     [day.isoformat()]).fetchone()
    weekend = day.weekday() >= 5
    if row:
        kind, name = row
        holiday = kind == "holiday"
        return DayInfo(day, holiday, holiday and bool(name), weekend and not holiday, name, True)
    import chinese_calendar

    try:
        on_holiday, english = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return DayInfo(day, weekend, False, False, "", False)
    name = _NAMES.get(english or "", english or "")
    if english and not on_holiday:
        name += "调休上班"
    statutory = on_holiday and bool(english)
    return DayInfo(day, on_holiday, statutory, weekend and not on_holiday, name, True)


def set_override(db: Database, day: date, kind: str, name: str = "") -> None:
    """Declare ``day`` a holiday or a working day, overriding the library."""
    session.require(db, "管理参考数据")
    if kind not in ("holiday", "workday"):
        raise ValidationError("日期类型只能是“节假日”或“工作日”", "kind")
    with writing(db):
        db.execute(
            "INSERT INTO holiday_overrides (day, kind, name) VALUES (?, ?, ?) "
            "ON CONFLICT(day) DO UPDATE SET kind = excluded.kind, name = excluded.name",
            [day.isoformat(), kind, (name or "").strip()],
        )


def clear_override(db: Database, day: date) -> None:
    session.require(db, "管理参考数据")
    with writing(db):
        db.execute("DELETE FROM holiday_overrides WHERE day = ?", [day.isoformat()])
