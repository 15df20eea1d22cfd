"""Responses (应急响应, DOMAIN.md §2–§3): opened from an event (or a warning) under a plan at a
level, raised, lowered and formally ended (解除, 突发事件应对法 第八十六条).

Every change of level is a decision record (response_decisions) with who decided, when and
why; the start also records 响应事项, 预计期限 and 措施 (第七十二条). Who may decide:

- 启动 and 提级: someone the plan allows to start the level being entered
  (``plan_checks.require_decider`` for the new level);
- 降级 and 解除: someone the plan allows to start the level being left — the authority that
  may put a level in force may take it back. A lower post cannot step a response down.

Opening a level copies the plan's checklist of every level from Ⅳ up to it (a plan level
lists only what that level adds), each item with its owner and due time (decision time +
due_minutes); raising adds the new levels' items. Lowering and ending close nothing: open
items and orders stay recorded and open (``open_items`` lists them for the confirmation).

Drills (演练): a drill response belongs to a drill event (or a drill warning start) and is
left out of every list, count and summary unless ``include_drills`` asks for it.

The checklist and the timed relief targets live in ``response_checklist``; this module
re-exports them so callers write ``response.mark_item_done``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from . import deadlines as report_deadlines
from . import incidents, org, plan_checks, response_groups
from . import session
from .clock import SYSTEM_CLOCK, Clock, parse_minute
from .clock import fmt_minute as fmt
from .errors import NotFound, ValidationError
from .response_checklist import (
    add_level_items,
    checklist,
    checklist_deadlines,
    checklist_entries,
    mark_item_done,
    mark_target_met,
    open_checklist,
    targets,
)
from .store import writing
from .text import clean
from .timeline import Deadline, Entry

__all__ = [
    "LevelChange",
    "ResponseInput",
    "checklist",
    "deadlines",
    "decisions",
    "end_response",
    "get_response",
    "list_responses",
    "live_responses",
    "live_summary",
    "lower_level",
    "mark_item_done",
    "mark_target_met",
    "open_items",
    "open_response",
    "plan_short_name",
    "raise_level",
    "roman",
    "since_text",
    "targets",
    "timeline_entries",
]

FUTURE_TOLERANCE = timedelta(minutes=5)
ROMAN = {1: "Ⅰ级", 2: "Ⅱ级", 3: "Ⅲ级", 4: "Ⅳ级"}
LONG = 2000


@dataclass
class ResponseInput:
    plan_id: int | None
    level: int | None
    matter: str                            # 响应事项
    measures: str                          # 措施
    decider_id: int | None                 # 决定人 (a person)
    decided_at: str | datetime
    recorded_by: str
    event_id: int | None = None
    warning_id: int | None = None          # a warning that starts the plan early
    expected_until: str | datetime | None = None    # 预计期限
    is_drill: bool = False


@dataclass
class LevelChange:
    decider_id: int | None
    decided_at: str | datetime
    reason: str
    recorded_by: str
    level: int | None = None               # the new level (raise/lower); unused for 解除
    measures: str = ""


def roman(level: int) -> str:
    return ROMAN.get(level, "")


def plan_short_name(db: Database, name: str) -> str:
    """《南雄市防汛防旱防风应急预案》→ 防汛防旱防风 (for the status bar)."""
    county = org.meta(db, "county_name") or ""
    short = name.removeprefix(county) if county else name
    for tail in ("专项应急预案", "应急预案", "预案"):
        if short.endswith(tail) and len(short) > len(tail):
            return short[: -len(tail)]
    return short


def since_text(delta: timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}天{hours}小时"
    return f"{hours}小时{mins:02d}分" if hours else f"{mins}分钟"


def _moment(value, label: str, clock: Clock, not_before: str | None = None, before_label: str = "") -> datetime:
    moment = parse_minute(value, label)
    if moment > clock.now() + FUTURE_TOLERANCE:
        raise ValidationError(f"{label}不能晚于当前时间", label)
    if not_before and moment < parse_minute(not_before, label):
        raise ValidationError(f"{label}不能早于{before_label}（{not_before}）", label)
    return moment


def _person(db: Database, person_id: int | None) -> str:
    if person_id is None:
        raise ValidationError("请选择决定人", "决定人")
    row = db.execute("SELECT name FROM people WHERE id = ?", [person_id]).fetchone()
    if row is None:
        raise ValidationError("所选决定人不在通讯录中", "决定人")
    return row[0]


def _require(db: Database, plan_id: int, level: int, person_id: int, verb: str) -> None:
    """plan_checks.require_decider, its message worded for ``verb`` (启动/提级/降级/解除)."""
    try:
        plan_checks.require_decider(db, plan_id, level, person_id)
    except NotFound as exc:
        raise ValidationError(str(exc), "级别") from None
    except ValidationError as exc:
        if verb in ("降级", "解除"):
            raise ValidationError(f"{verb}须由有权启动{roman(level)}响应的人员决定。{exc}", "决定人") from None
        raise


def _trace(db: Database, clock: Clock, response: dict, summary: str, by: str, at: str) -> None:
    drill = "【演练】" if response["is_drill"] else ""
    incidents.trace(db, clock, "处置", drill + summary, by, at, response["event_id"])


# ------------------------------------------------------------------ reading

_SQL = """
    SELECT r.*, p.name AS plan, p.subtype_id AS plan_subtype_id, l.roman, l.color_hex,
           d.name AS decider, coalesce(e.title, '') AS event, e.town_id AS event_town_id,
           coalesce(e.category_id, 0) AS category_id, e.subtype_id AS subtype_id,
           coalesce(x.name, '') AS ender, coalesce(w.title, '') AS warning
    FROM responses r JOIN plans p ON p.id = r.plan_id
    LEFT JOIN warnings w ON w.id = r.warning_id
    JOIN response_levels l ON l.id = r.level
    JOIN people d ON d.id = r.started_by
    LEFT JOIN people x ON x.id = r.ended_by
    LEFT JOIN events e ON e.id = r.event_id
"""


def get_response(db: Database, response_id: int) -> dict:
    row = next(db.query(_SQL + " WHERE r.id = ?", [response_id]), None)
    if row is None:
        raise NotFound("该应急响应不存在")
    row["plan_short"] = plan_short_name(db, row["plan"])
    row["live"] = row["status"] == "响应中"
    return row


def list_responses(db: Database, include_drills: bool = False, live_only: bool = False) -> list[dict]:
    """Responses, live ones first (most severe first), then ended ones newest first. Drills
    only with ``include_drills``."""
    where = ["1 = 1"]
    if not include_drills:
        where.append("r.is_drill = 0")
    if live_only:
        where.append("r.status = '响应中'")
    rows = list(db.query(_SQL + f" WHERE {' AND '.join(where)} ORDER BY r.status != '响应中', "
                         "CASE WHEN r.status = '响应中' THEN r.level END, r.started_at DESC, r.id DESC"))
    for row in rows:
        row["plan_short"] = plan_short_name(db, row["plan"])
        row["live"] = row["status"] == "响应中"
    return rows


def live_responses(db: Database, include_drills: bool = False) -> list[dict]:
    return list_responses(db, include_drills, live_only=True)


def live_summary(db: Database, now: datetime) -> dict | None:
    """The most severe live real (non-drill) response for the status bar: response_id,
    level, roman, color_hex, plan (short name), event, started_at, since (timedelta),
    since_text, count (live real responses); None when no response is live."""
    live = live_responses(db)
    if not live:
        return None
    top = live[0]
    since = now - parse_minute(top["started_at"], "启动时间")
    return {"response_id": top["id"], "level": top["level"], "roman": top["roman"],
            "color_hex": top["color_hex"], "plan": top["plan_short"], "event": top["event"],
            "started_at": top["started_at"], "since": since, "since_text": since_text(since),
            "count": len(live)}


def decisions(db: Database, response_id: int) -> list[dict]:
    rows = list(db.query(
        "SELECT d.*, p.name AS decider, p.post AS decider_post FROM response_decisions d "
        "JOIN people p ON p.id = d.decided_by WHERE d.response_id = ? ORDER BY d.decided_at, d.id",
        [response_id]))
    for row in rows:
        row["text"] = _decision_text(row)
    return rows


def _decision_text(d: dict) -> str:
    if d["kind"] == "启动":
        return f"启动{roman(d['to_level'])}应急响应"
    if d["kind"] == "解除":
        return f"解除{roman(d['from_level'])}应急响应"
    return f"由{roman(d['from_level'])}{'提升' if d['kind'] == '提级' else '降低'}至{roman(d['to_level'])}"


def open_items(db: Database, response_id: int) -> dict[str, list[dict]]:
    """What is still open: checklist items and order recipients (listed before 降级/解除)."""
    from . import orders

    return {"checklist": open_checklist(db, response_id),
            "orders": [o for o in orders.orders_for(db, response_id) if o["done_at"] is None]}


# ------------------------------------------------------------------ opening

def _validate_open(db: Database, data: ResponseInput, clock: Clock) -> tuple[dict, str]:
    if data.plan_id is None:
        raise ValidationError("请选择预案", "预案")
    plan = db.execute("SELECT name, status FROM plans WHERE id = ?", [data.plan_id]).fetchone()
    if plan is None:
        raise ValidationError("所选预案不存在", "预案")
    if plan[1] != "现行":
        raise ValidationError(f"《{plan[0]}》处于“{plan[1]}”状态，不能据此启动响应", "预案")
    if data.level not in ROMAN:
        raise ValidationError("请选择响应级别", "级别")
    if data.event_id is None and data.warning_id is None:
        raise ValidationError("请选择启动响应的事件或预警", "事件")
    not_before, drill = None, bool(data.is_drill)
    if data.event_id is not None:
        event = db.execute("SELECT title, status, is_drill, received_at FROM events WHERE id = ?",
                           [data.event_id]).fetchone()
        if event is None:
            raise ValidationError("所选事件不存在", "事件")
        if event[1] != "处置中":
            raise ValidationError("该事件已结束，不能再启动响应", "事件")
        if bool(event[2]) != drill:
            raise ValidationError("演练事件只能以演练方式启动响应" if event[2]
                                  else "真实事件不能以演练方式启动响应（演练请登记演练事件）", "演练")
        if db.execute("SELECT 1 FROM responses WHERE event_id = ? AND status = '响应中'",
                      [data.event_id]).fetchone():
            raise ValidationError("该事件已有正在进行的应急响应，请在原响应上提级或降级", "事件")
        not_before = event[3]
    if data.warning_id is not None and not db.execute(
            "SELECT 1 FROM warnings WHERE id = ?", [data.warning_id]).fetchone():
        raise ValidationError("所选预警不存在", "预警")
    decider = _person(db, data.decider_id)
    _require(db, data.plan_id, data.level, data.decider_id, "启动")
    decided = _moment(data.decided_at, "决定时间", clock, not_before, "接报时间")
    expected = None
    if data.expected_until not in (None, ""):
        expected = parse_minute(data.expected_until, "预计期限")
        if expected <= decided:
            raise ValidationError("预计期限应晚于决定时间", "预计期限")
    row = {"event_id": data.event_id, "warning_id": data.warning_id, "plan_id": data.plan_id,
           "level": data.level, "is_drill": int(drill),
           "matter": clean(data.matter, "响应事项", LONG, required=True, multiline=True),
           "measures": clean(data.measures, "措施", LONG, required=True, multiline=True),
           "expected_until": fmt(expected) if expected else None, "started_at": fmt(decided),
           "started_by": data.decider_id,
           "recorded_by": clean(data.recorded_by, "记录人", 32, required=True)}
    return row, decider


def open_response(db: Database, data: ResponseInput, clock: Clock = SYSTEM_CLOCK) -> int:
    """Open a response; refuses (ValidationError, nothing written) a decider the plan does not
    allow, a second live response on one event, a closed event, a drill mismatch."""
    session.require(db, "启动响应")
    row, decider = _validate_open(db, data, clock)
    now = clock.stamp()
    plan_name = db.execute("SELECT name FROM plans WHERE id = ?", [row["plan_id"]]).fetchone()[0]
    with writing(db):
        cols = list(row) + ["created_at", "updated_at"]
        response_id = db.execute(f"INSERT INTO responses ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                                 [*row.values(), now, now]).lastrowid
        db.execute("INSERT INTO response_decisions (response_id, kind, from_level, to_level, decided_by, "
                   "decided_at, reason, measures, recorded_by, created_at) VALUES (?, '启动', NULL, ?, ?, ?, ?, ?, ?, ?)",
                   [response_id, row["level"], row["started_by"], row["started_at"], row["matter"],
                    row["measures"], row["recorded_by"], now])
        groups = response_groups.instantiate(db, response_id, row["plan_id"], now)
        added = add_level_items(db, response_id, row["plan_id"], range(4, row["level"] - 1, -1),
                                parse_minute(row["started_at"], "决定时间"), groups, now)
        expected = f"，预计期限{row['expected_until']}" if row["expected_until"] else ""
        _trace(db, clock, row, f"{decider}决定启动《{plan_name}》{roman(row['level'])}应急响应。响应事项：{row['matter']}"
               f"；措施：{row['measures']}{expected}。生成处置清单{added}项、工作组{len(groups)}个",
               row["recorded_by"], row["started_at"])
    return response_id


# ------------------------------------------------------------------ changing level

def _change(db: Database, response_id: int, data: LevelChange, kind: str, clock: Clock) -> tuple[dict, dict]:
    response = get_response(db, response_id)
    if not response["live"]:
        raise ValidationError("该响应已解除，不能再调整")
    decider = _person(db, data.decider_id)
    current = response["level"]
    if kind == "提级":
        if data.level not in ROMAN or data.level >= current:
            raise ValidationError(f"提级后的级别应高于当前的{roman(current)}", "级别")
        _require(db, response["plan_id"], data.level, data.decider_id, kind)
    elif kind == "降级":
        if data.level not in ROMAN or data.level <= current:
            raise ValidationError(f"降级后的级别应低于当前的{roman(current)}", "级别")
        if not db.execute("SELECT 1 FROM plan_levels WHERE plan_id = ? AND level = ?",
                          [response["plan_id"], data.level]).fetchone():
            raise ValidationError(f"《{response['plan']}》未设{roman(data.level)}响应，请选择其他级别或解除响应", "级别")
        _require(db, response["plan_id"], current, data.decider_id, kind)
    else:
        _require(db, response["plan_id"], current, data.decider_id, kind)
    last = db.execute("SELECT max(decided_at) FROM response_decisions WHERE response_id = ?",
                      [response_id]).fetchone()[0]
    decided = _moment(data.decided_at, "决定时间", clock, last, "上一次决定时间")
    record = {"decider": decider, "decided_at": fmt(decided),
              "reason": clean(data.reason, "理由", LONG, required=True, multiline=True),
              "measures": clean(data.measures, "措施", LONG, multiline=True),
              "recorded_by": clean(data.recorded_by, "记录人", 32, required=True)}
    return response, record


def _decide(db: Database, response: dict, kind: str, to_level: int | None, data: LevelChange,
            record: dict, now: str) -> None:
    db.execute("INSERT INTO response_decisions (response_id, kind, from_level, to_level, decided_by, decided_at, "
               "reason, measures, recorded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               [response["id"], kind, response["level"], to_level, data.decider_id, record["decided_at"],
                record["reason"], record["measures"], record["recorded_by"], now])


def raise_level(db: Database, response_id: int, data: LevelChange, clock: Clock = SYSTEM_CLOCK) -> int:
    """提级: the decider must be allowed to start the new level; the checklist gains the items
    of every level passed (not yet in it). Returns the number of items added."""
    session.require(db, "调整响应级别")
    response, record = _change(db, response_id, data, "提级", clock)
    now = clock.stamp()
    groups = {name: gid for gid, name in db.execute(
        "SELECT id, name FROM response_groups WHERE response_id = ?", [response_id])}
    with writing(db):
        _decide(db, response, "提级", data.level, data, record, now)
        added = add_level_items(db, response_id, response["plan_id"], range(response["level"] - 1, data.level - 1, -1),
                                parse_minute(record["decided_at"], "决定时间"), groups, now)
        db.execute("UPDATE responses SET level = ?, updated_at = ?, version = version + 1 WHERE id = ?",
                   [data.level, now, response_id])
        _trace(db, clock, response, f"{record['decider']}决定将《{response['plan']}》应急响应由{roman(response['level'])}"
               f"提升至{roman(data.level)}。理由：{record['reason']}。处置清单新增{added}项", record["recorded_by"],
               record["decided_at"])
    return added


def lower_level(db: Database, response_id: int, data: LevelChange, clock: Clock = SYSTEM_CLOCK) -> None:
    """降级: decided by someone allowed to start the current level; open items stay open."""
    session.require(db, "调整响应级别")
    response, record = _change(db, response_id, data, "降级", clock)
    now = clock.stamp()
    with writing(db):
        _decide(db, response, "降级", data.level, data, record, now)
        db.execute("UPDATE responses SET level = ?, updated_at = ?, version = version + 1 WHERE id = ?",
                   [data.level, now, response_id])
        _trace(db, clock, response, f"{record['decider']}决定将《{response['plan']}》应急响应由{roman(response['level'])}"
               f"降低至{roman(data.level)}。理由：{record['reason']}", record["recorded_by"], record["decided_at"])


def end_response(db: Database, response_id: int, data: LevelChange, clock: Clock = SYSTEM_CLOCK) -> dict:
    """解除 (第八十六条): decided by someone allowed to start the current level. Nothing is
    closed with it: the open items are returned (and stay open in the record)."""
    session.require(db, "调整响应级别")
    response, record = _change(db, response_id, data, "解除", clock)
    left = open_items(db, response_id)
    now = clock.stamp()
    still = (f"。尚未完成：处置清单{len(left['checklist'])}项、指令{len(left['orders'])}条"
             if left["checklist"] or left["orders"] else "")
    with writing(db):
        _decide(db, response, "解除", None, data, record, now)
        db.execute("UPDATE responses SET status = '已解除', ended_at = ?, ended_by = ?, updated_at = ?, "
                   "version = version + 1 WHERE id = ?", [record["decided_at"], data.decider_id, now, response_id])
        _trace(db, clock, response, f"{record['decider']}宣布解除《{response['plan']}》{roman(response['level'])}应急响应。"
               f"理由：{record['reason']}{still}", record["recorded_by"], record["decided_at"])
    return left


# ------------------------------------------------------------------ the board's timeline and clocks

def timeline_entries(db: Database, response_id: int) -> list[Entry]:
    response = get_response(db, response_id)
    found = [Entry(parse_minute(d["decided_at"], "决定时间"), {"启动": "启动响应", "解除": "解除响应"}.get(d["kind"], d["kind"]),
                   f"{d['decider']}决定{_decision_text(d)}：{d['reason']}", ("decision", d["id"]), d["decider"])
             for d in decisions(db, response_id)]
    found += checklist_entries(db, response_id)
    if response["event_id"] is not None:
        start, end = response["started_at"], response["ended_at"] or "9999"
        for f in incidents.figures_history(db, response["event_id"]):
            if start <= f["as_of"] <= end:
                figures = incidents.Figures(**{k: f[k] for k in (
                    "deaths", "injured", "serious_injured", "missing", "trapped", "evacuated", "direct_loss_yuan")})
                found.append(Entry(parse_minute(f["as_of"], "统计时间"), "伤亡更新",
                                   f"{incidents.casualty_phrase(figures)}，转移群众{figures.evacuated}人",
                                   ("figures", f["id"]), f["recorded_by"]))
        for r in report_deadlines.reports(db, response["event_id"]):
            if start <= r["sent_at"] <= end:
                found.append(Entry(parse_minute(r["sent_at"], "报送时间"), "报告",
                                   f"{r['name']}报{r['to_report'] or r['to_send']}（签发：{r['signed_by'] or '—'}）",
                                   ("report", r["id"]), r["recorded_by"]))
    return found


def deadlines(db: Database, response_id: int, now: datetime) -> list[Deadline]:
    """The checklist's due items, the relief targets and the event's reporting deadlines
    (初报/续报 at the response's cadence)."""
    response = get_response(db, response_id)
    found = checklist_deadlines(db, response_id)
    start = parse_minute(response["started_at"], "启动时间")
    for t in targets(db, response_id):
        found.append(Deadline(t["name"], start + timedelta(minutes=t["minutes"]),
                              parse_minute(t["met_at"], "完成时间") if t["met_at"] else None, "救助",
                              ("target", t["id"])))
    if response["event_id"] is not None:
        for d in report_deadlines.for_event_id(db, response["event_id"], now):
            found.append(Deadline(f"{d.name}（{d.rule}）", d.due_at, d.met_at, "续报" if d.kind == "续报" else "报告",
                                  ("report_deadline", d.serial)))
    return found


# ------------------------------------------------------------------ for the forms

def decider_candidates(db: Database, plan_id: int, level: int) -> list[dict]:
    """People who hold a command-body post: those the plan allows for ``level`` first
    (``allowed`` True), then the others (the service refuses them, with the reason)."""
    try:
        allowed = plan_checks.allowed_deciders(db, plan_id, level)
    except NotFound:
        allowed = []
    ids = {p["id"] for p in allowed}
    others = list(db.query(
        "SELECT p.id, p.name, p.post, min(cp.sort_order) AS first, group_concat(coalesce(b.short_name, b.name) || cp.role, '、') "
        "AS posts FROM command_body_posts cp JOIN people p ON p.id = cp.person_id AND p.active = 1 "
        "JOIN command_bodies b ON b.id = cp.body_id GROUP BY p.id ORDER BY cp.body_id, first"))
    found = [{"id": p["id"], "name": p["name"], "label": f"{p['name']}（{p['body']}{p['role']}）", "allowed": True}
             for p in allowed]
    found += [{"id": p["id"], "name": p["name"], "label": f"{p['name']}（{p['posts']}）", "allowed": False}
              for p in others if p["id"] not in ids]
    return found


def level_choices(db: Database, plan_id: int) -> list[dict]:
    """The plan's levels (Ⅳ→Ⅰ) with criteria, who may start them and the checklist size."""
    rows = list(db.query(
        "SELECT l.level, r.roman, r.color_hex, l.criteria, l.escalation, "
        "(SELECT count(*) FROM plan_level_actions a WHERE a.plan_level_id = l.id) AS actions "
        "FROM plan_levels l JOIN response_levels r ON r.id = l.level WHERE l.plan_id = ? ORDER BY l.level DESC",
        [plan_id]))
    for row in rows:
        row["deciders"] = plan_checks.deciders_text(db, plan_id, row["level"])
    return rows


def report_rhythm(db: Database, response_id: int) -> str:
    """The 续报 rhythm the response's current level sets, e.g. 应急响应Ⅲ级：每4小时续报."""
    from .response_cadence import Window, cadence

    r = get_response(db, response_id)
    interval, daily = cadence(db).get(r["level"], (None, None))
    if not (interval or daily):
        return "本级响应未设续报节奏"
    return Window(parse_minute(r["started_at"], "启动时间"), None, r["level"], interval, daily).rule
