"""Reporting clocks: deadlines derived from the rules, reports that clear them, on-time rate.

Deadlines are never stored. For each event they are derived from the active rows of
``report_deadline_rules`` (DOMAIN.md §4, editable) and the reports recorded, counted from the
接报 time:

- a rule with ``due_minutes`` gives one deadline of its report kind; when several rules give
  the same kind, the strictest (earliest) wins. The first report of that kind clears it.
- a rule with ``daily_at`` gives a daily series of 续报: the first due the day after 接报
  at that time, then every day while the event is open (and for at most ``repeat_days``
  after it occurred, when set). 续报 number k clears the k-th deadline.
- a rule naming a subtype takes precedence over its category's rule of the same kind.

Drills (演练) never count in the on-time rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlite_utils import Database

from . import incidents, response_cadence, session
from .clock import SYSTEM_CLOCK, Clock
from .errors import ValidationError
from .clock import fmt_minute as fmt
from .clock import parse_minute
from .refdata import REPORT_KINDS, deadline_rules
from .store import writing

CHINESE_NUMBERS = "一二三四五六七八九十"


def serial_name(kind: str, serial: int) -> str:
    """续报一, 续报二 … 续报十一; the other kinds have no number."""
    if kind != "续报" or serial <= 0:
        return kind
    if serial <= 10:
        number = CHINESE_NUMBERS[serial - 1]
    elif serial < 20:
        number = "十" + CHINESE_NUMBERS[serial - 11]
    elif serial < 100:
        tens, ones = divmod(serial, 10)
        number = CHINESE_NUMBERS[tens - 1] + "十" + (CHINESE_NUMBERS[ones - 1] if ones else "")
    else:       # a response reporting every 4 hours passes 100 in 17 days
        number = str(serial)
    return f"续报{number}"


@dataclass(frozen=True)
class Deadline:
    event_id: int | None          # None: the daily duty report (日报/零报告), not an event's
    event_title: str
    kind: str
    serial: int
    due_at: datetime
    rule: str
    met_at: datetime | None       # when the clearing report was sent

    @property
    def name(self) -> str:
        return serial_name(self.kind, self.serial)

    @property
    def on_time(self) -> bool:
        return self.met_at is not None and self.met_at <= self.due_at

    def state(self, now: datetime) -> str:
        if self.met_at is not None:
            return "按时" if self.on_time else "迟报"
        return "超时" if now > self.due_at else "待报"

    def remaining(self, now: datetime) -> timedelta:
        return self.due_at - now


def _matching_rules(event: dict, rules: list[dict]) -> list[dict]:
    def applies(rule: dict) -> bool:
        return ((rule["category_id"] in (None, event["category_id"]))
                and (rule["subtype_id"] in (None, event["subtype_id"]))
                and (event["grade"] <= rule["max_grade"]
                     or (rule["when_sensitive"] and event["sensitive"])))

    matched = [r for r in rules if applies(r)]
    specific = {(r["category_id"], r["report_kind"]) for r in matched if r["subtype_id"] is not None}
    return [r for r in matched
            if r["subtype_id"] is not None or (r["category_id"], r["report_kind"]) not in specific]


def for_event(db: Database, event: dict, now: datetime, rules: list[dict] | None = None) -> list[Deadline]:
    """Every deadline of one event up to the next one still to come, in due order."""
    rules = deadline_rules(db) if rules is None else rules
    sent = {(r["kind"], r["serial"]): parse_minute(r["sent_at"], "报送时间") for r in db.query(
        "SELECT kind, serial, min(sent_at) AS sent_at FROM reports WHERE event_id = ? "
        "GROUP BY kind, serial", [event["id"]])}
    received = parse_minute(event["received_at"], "接报时间")
    occurred = parse_minute(event["occurred_at"], "事发时间")
    closed = parse_minute(event["closed_at"], "结束时间") if event["closed_at"] else None
    found: list[Deadline] = []

    once: dict[str, tuple[int, str]] = {}
    daily: dict[str, dict] = {}
    for rule in _matching_rules(event, rules):
        if rule["daily_at"]:
            daily.setdefault(rule["report_kind"], rule)
        elif rule["due_minutes"] and (rule["report_kind"] not in once
                                      or rule["due_minutes"] < once[rule["report_kind"]][0]):
            once[rule["report_kind"]] = (rule["due_minutes"], rule["name"])
    for kind, (minutes, name) in once.items():
        found.append(Deadline(event["id"], event["title"], kind, 0, received + timedelta(minutes=minutes),
                              name, sent.get((kind, 0))))
    # A live response sets the 续报 rhythm inside its windows (response_cadence); the daily
    # rule counts outside them.
    windows = response_cadence.windows(db, event) if "id" in event and "is_drill" in event else []
    for kind, rule in daily.items():
        hour, minute = map(int, rule["daily_at"].split(":"))
        due = datetime.combine(received.date() + timedelta(days=1), datetime.min.time()).replace(
            hour=hour, minute=minute)
        last = occurred + timedelta(days=rule["repeat_days"]) if rule["repeat_days"] else None
        series: list[tuple[datetime, str]] = []
        while (closed is None or due <= closed) and (last is None or due <= last):
            inside = kind == "续报" and next((w for w in windows if w.contains(due)), None)
            if not inside:
                series.append((due, rule["name"]))
                if due > now:        # show the next one to come, not the whole future
                    break
            elif due > now and inside.end is None:
                break
            due += timedelta(days=1)
        if kind == "续报":
            series += [(d, w.rule) for w in windows for d in response_cadence.cadence_dues(w, closed, now)]
        found.extend(_numbered(event, kind, series, sent, now))
    if windows and "续报" not in daily:
        series = [(d, w.rule) for w in windows for d in response_cadence.cadence_dues(w, closed, now)]
        found.extend(_numbered(event, "续报", series, sent, now))
    return sorted(found, key=lambda d: (d.due_at, d.kind))


def _numbered(event: dict, kind: str, series: list[tuple[datetime, str]], sent: dict,
              now: datetime) -> list[Deadline]:
    """A series of due times numbered 1, 2 … in time order, up to the first one to come."""
    found = []
    for serial, (due, rule) in enumerate(sorted(series), 1):
        found.append(Deadline(event["id"], event["title"], kind, serial, due, rule, sent.get((kind, serial))))
        if due > now:
            break
    return found


def for_event_id(db: Database, event_id: int, now: datetime) -> list[Deadline]:
    event = next(db.query("SELECT * FROM events WHERE id = ?", [event_id]), None)
    return [] if event is None else for_event(db, event, now)


DAILY_KIND = "日报"


def daily_report_time(db: Database) -> tuple[int, int]:
    row = db.execute("SELECT value FROM meta WHERE key = 'daily_report_at'").fetchone()
    hour, minute = map(int, (row[0] if row else "09:00").split(":"))
    return hour, minute


def daily_deadlines(db: Database, first: date, last: date) -> list[Deadline]:
    """The daily duty report (值班信息日报/零报告) due at 09:00 on every day of first..last
    whose duty modes require it: statutory holidays and special periods that say so."""
    from .roster_checks import modes_between   # the roster's rules know the modes

    hour, minute = daily_report_time(db)
    sent = {r[0]: r[1] for r in db.execute(
        "SELECT duty_date, sent_at FROM daily_reports WHERE duty_date BETWEEN ? AND ?",
        [first.isoformat(), last.isoformat()])}
    found = []
    for day, modes in modes_between(db, first, last).items():
        why = "、".join(m.name for m in modes if m.daily_zero_report)
        if why:
            met = sent.get(day.isoformat())
            found.append(Deadline(None, f"{day.month}月{day.day}日值班信息日报（{why}）", DAILY_KIND, 0,
                                  datetime.combine(day, datetime.min.time()).replace(hour=hour, minute=minute),
                                  "每日报告/零报告", parse_minute(met, "报送时间") if met else None))
    return found


def pending(db: Database, now: datetime) -> list[Deadline]:
    """Deadlines not yet cleared, most urgent first: every open event's, and the daily duty
    report of the past week and of tomorrow when a duty mode requires it."""
    rules = deadline_rules(db)
    result = []
    for event in db.query("SELECT * FROM events WHERE status = '处置中'"):
        result.extend(d for d in for_event(db, event, now, rules) if d.met_at is None)
    today = now.date()
    result.extend(d for d in daily_deadlines(db, today - timedelta(days=6), today + timedelta(days=1))
                  if d.met_at is None)
    return sorted(result, key=lambda d: d.due_at)


def record_daily_report(db: Database, duty_date: date, sent_at: str | datetime, zero: bool,
                        channel: str, to_report: str, signed_by: str, recorded_by: str,
                        content: str = "", clock: Clock = SYSTEM_CLOCK) -> int:
    """Record the day's duty report (零报告 when ``zero``); it clears that day's deadline."""
    session.require(db, "签发报告")
    sent = parse_minute(sent_at, "报送时间")
    if (sent - clock.now()).total_seconds() > 300:
        raise ValidationError("报送时间不能晚于当前时间", "报送时间")
    if sent.date() < duty_date - timedelta(days=1):
        raise ValidationError("日报不能早于所报日期的前一天报送", "报送时间")
    if db.execute("SELECT 1 FROM daily_reports WHERE duty_date = ?", [duty_date.isoformat()]).fetchone():
        raise ValidationError(f"{duty_date.month}月{duty_date.day}日的值班信息日报已经记录过", "日期")
    row = {"duty_date": duty_date.isoformat(), "sent_at": fmt(sent), "zero": int(bool(zero)),
           "channel": incidents._text(channel, "报送方式", 40, required=True),
           "to_report": incidents._text(to_report, "报", 200, required=True),
           "signed_by": incidents._text(signed_by, "签发", 32, required=True),
           "content": incidents._text(content, "报告内容", incidents.LONG_TEXT, required=not zero),
           "recorded_by": incidents._text(recorded_by, "记录人", 32, required=True),
           "created_at": clock.stamp()}
    what = "零报告" if zero else "值班信息日报"
    with writing(db):
        report_id = incidents._insert(db, "daily_reports", row)
        incidents.trace(db, clock, "报告", f"报送{duty_date.month}月{duty_date.day}日{what}", row["recorded_by"],
                        row["sent_at"], reported_to=row["to_report"][:100], reported_at=row["sent_at"],
                        actions=row["content"][:2000])
    return report_id


def next_deadline(db: Database, now: datetime) -> Deadline | None:
    due = pending(db, now)
    return due[0] if due else None


def next_serial(db: Database, event_id: int, kind: str) -> int:
    if kind != "续报":
        return 0
    row = db.execute("SELECT coalesce(max(serial), 0) FROM reports WHERE event_id = ? AND kind = '续报'",
                     [event_id]).fetchone()
    return row[0] + 1


@dataclass
class ReportInput:
    event_id: int
    kind: str
    sent_at: str | datetime
    channel: str
    signed_by: str                  # 签发 (the leader on duty)
    drafted_by: str                 # 拟稿
    recorded_by: str
    checked_by: str = ""            # 核稿
    to_report: str = ""             # 报
    to_send: str = ""               # 送
    to_copy: str = ""               # 抄
    content: str = ""
    serial: int | None = None       # 续报 number; None = the next one


def record_report(db: Database, data: ReportInput, clock: Clock = SYSTEM_CLOCK) -> int:
    """Record a report sent up; it clears the matching deadline. A 终报 ends the event.
    A written report carries its 签发 and is recorded by the 带班领导 (签发报告); a 电话报告 by
    the desk (记录报送)."""
    session.require(db, "记录报送" if data.kind == "电话报告" else "签发报告")
    event = incidents.get_event(db, data.event_id)
    if data.kind not in REPORT_KINDS:
        raise ValidationError("报告种类须为：" + "、".join(REPORT_KINDS), "报告种类")
    sent = parse_minute(data.sent_at, "报送时间")
    if sent < parse_minute(event["received_at"], "接报时间"):
        raise ValidationError("报送时间不能早于接报时间", "报送时间")
    if (sent - clock.now()).total_seconds() > 300:
        raise ValidationError("报送时间不能晚于当前时间", "报送时间")
    if event["status"] == "已结束":
        raise ValidationError("该事件已终报结束，不能再报送")
    serial = next_serial(db, data.event_id, data.kind) if data.serial is None else data.serial
    if data.kind == "续报" and serial < 1:
        raise ValidationError("续报序号须从 1 开始", "序号")
    if db.execute("SELECT 1 FROM reports WHERE event_id = ? AND kind = ? AND serial = ?",
                  [data.event_id, data.kind, serial]).fetchone():
        raise ValidationError(f"该事件的{serial_name(data.kind, serial)}已经记录过", "报告种类")
    row = {
        "event_id": data.event_id, "kind": data.kind, "serial": serial if data.kind == "续报" else 0,
        "sent_at": fmt(sent), "channel": incidents._text(data.channel, "报送方式", 40, required=True),
        "to_report": incidents._text(data.to_report, "报", 200),
        "to_send": incidents._text(data.to_send, "送", 200),
        "to_copy": incidents._text(data.to_copy, "抄", 200),
        "signed_by": incidents._text(data.signed_by, "签发", 32, required=data.kind != "电话报告"),
        "checked_by": incidents._text(data.checked_by, "核稿", 32),
        "drafted_by": incidents._text(data.drafted_by, "拟稿", 32, required=data.kind != "电话报告"),
        "content": incidents._text(data.content, "报告内容", incidents.LONG_TEXT),
        "recorded_by": incidents._text(data.recorded_by, "记录人", 32, required=True),
        "created_at": clock.stamp(),
    }
    if not (row["to_report"] or row["to_send"]):
        raise ValidationError("请填写报送对象（报或送）", "报")
    name = serial_name(data.kind, row["serial"])
    with writing(db):
        report_id = incidents._insert(db, "reports", row)
        incidents.trace(db, clock, "报告", f"{name}：{event['title']}", row["recorded_by"], row["sent_at"],
                        data.event_id, reported_to=row["to_report"][:100], reported_at=row["sent_at"],
                        actions=f"{row['channel']}报送；签发：{row['signed_by']}")
        if data.kind == "终报":
            db.execute("UPDATE events SET status = '已结束', closed_at = ? WHERE id = ?",
                       [row["sent_at"], data.event_id])
    return report_id


def reports(db: Database, event_id: int) -> list[dict]:
    rows = list(db.query("SELECT * FROM reports WHERE event_id = ? ORDER BY sent_at, id", [event_id]))
    for row in rows:
        row["name"] = serial_name(row["kind"], row["serial"])
    return rows


@dataclass(frozen=True)
class Timeliness:
    due: int          # deadlines whose time has come (met, late or overdue)
    on_time: int

    @property
    def rate(self) -> float | None:
        return None if self.due == 0 else self.on_time / self.due

    def text(self) -> str:
        return "—（无应报信息）" if self.rate is None else f"{self.rate:.1%}（{self.on_time}/{self.due}）"


def timeliness(db: Database, first: date, last: date, now: datetime,
               event_id: int | None = None) -> tuple[Timeliness, dict[int, Timeliness]]:
    """上报及时率 over deadlines due from ``first`` to ``last`` (inclusive): overall (events'
    reports and the daily duty reports) and per event. A deadline counts once its time has
    come or it has been met; drills never count."""
    start = datetime.combine(first, datetime.min.time())
    end = datetime.combine(last + timedelta(days=1), datetime.min.time())
    sql = "SELECT * FROM events WHERE is_drill = 0 AND received_at < ?"
    params: list = [fmt(end)]
    if event_id is not None:
        sql += " AND id = ?"
        params.append(event_id)
    rules = deadline_rules(db)
    per_event: dict[int, Timeliness] = {}
    for event in db.query(sql, params):
        counted = [d for d in for_event(db, event, now, rules)
                   if start <= d.due_at < end and (d.met_at is not None or d.due_at <= now)]
        if counted:
            per_event[event["id"]] = Timeliness(len(counted), sum(d.on_time for d in counted))
    daily = [] if event_id is not None else [
        d for d in daily_deadlines(db, first, last)
        if start <= d.due_at < end and (d.met_at is not None or d.due_at <= now)]
    overall = Timeliness(sum(t.due for t in per_event.values()) + len(daily),
                         sum(t.on_time for t in per_event.values()) + sum(d.on_time for d in daily))
    return overall, per_event
