"""Events taken in by the duty desk (接报), their figures, leaders' instructions, reminders.

An intake carries the phone-intake and event-report elements of DOMAIN.md §4. The grade
of a 生产安全事故 is computed from the figures (refdata.grade_production_safety); other
categories' grades are chosen. Figures are kept as a history: the latest row is current.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta

from sqlite_utils import Database

from . import dutylog, refdata, session
from .clock import SYSTEM_CLOCK, Clock, parse_minute
from .clock import fmt_minute as fmt
from .errors import NotFound, ValidationError
from .phones import normalize_phone
from .store import writing
from .text import clean, like_pattern, normalize

SOURCE_KINDS = ("电话", "来文", "系统", "视频", "当面", "其他")
INSTRUCTION_STATES = ("待落实", "落实中", "已落实")
FIGURES = (("deaths", "死亡"), ("injured", "受伤"), ("serious_injured", "其中重伤"),
           ("missing", "失联"), ("trapped", "被困"), ("evacuated", "转移群众"))
LONG_TEXT = 4000
FUTURE_TOLERANCE = timedelta(minutes=5)   # the desk PC's clock may run a little behind a watch


@dataclass
class Figures:
    deaths: int = 0
    injured: int = 0
    serious_injured: int = 0
    missing: int = 0
    trapped: int = 0
    evacuated: int = 0
    direct_loss_yuan: int = 0

    def validate(self) -> None:
        labels = dict(FIGURES, direct_loss_yuan="直接经济损失")
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValidationError(f"{labels[f.name]}必须是整数", labels[f.name])
            if value < 0:
                raise ValidationError(f"{labels[f.name]}不能为负数", labels[f.name])
            if value > 10_000_000_000_000:
                raise ValidationError(f"{labels[f.name]}数值过大", labels[f.name])
        if self.serious_injured > self.injured:
            raise ValidationError("重伤人数不能多于受伤人数", "其中重伤")


@dataclass
class EventInput:
    """What the intake form submits."""

    received_at: str | datetime
    source_kind: str
    occurred_at: str | datetime
    town_id: int | None
    category_id: int | None
    cause: str
    recorded_by: str
    caller_unit: str = ""
    caller_name: str = ""
    caller_post: str = ""
    caller_phone: str = ""
    informed: str = ""
    village_id: int | None = None
    place: str = ""
    site_overview: str = ""
    subtype_id: int | None = None
    grade: int | None = None          # chosen; ignored for 生产安全事故 (computed)
    sensitive: bool = False
    figures: Figures = field(default_factory=Figures)
    loss: str = ""
    scope: str = ""
    trend: str = ""
    measures: str = ""
    leaders_on_scene: str = ""
    requests: str = ""
    site_contact_name: str = ""
    site_contact_post: str = ""
    site_contact_phone: str = ""
    title: str = ""                   # blank: composed from place, type, casualties, progress
    is_drill: bool = False


def _text(value: str, label: str, limit: int = 200, required: bool = False) -> str:
    """A field of a desk record; LONG_TEXT fields keep their line breaks."""
    return clean(value, label, limit, required, multiline=limit >= LONG_TEXT)


def _past(value: str | datetime, label: str, clock: Clock) -> str:
    """A recorded time: parsed to the minute and not later than now."""
    moment = parse_minute(value, label)
    if moment > clock.now() + FUTURE_TOLERANCE:
        raise ValidationError(f"{label}不能晚于当前时间", label)
    return fmt(moment)


def _phone(value: str, label: str) -> str:
    """Caller numbers include service numbers (110, 12345) besides ordinary phones."""
    text = normalize(value)
    if not text:
        return ""
    if re.fullmatch(r"\d{3,6}", text):
        return text
    return normalize_phone(text, label) or ""


def casualty_phrase(figures: Figures) -> str:
    parts = [f"{getattr(figures, key)}人{label}" for key, label in FIGURES
             if key not in ("serious_injured", "evacuated") and getattr(figures, key)]
    return "造成" + "、".join(parts) if parts else "暂无人员伤亡"


# How a sub-type reads after "发生" in a title when its register name is a field, not an event.
KIND_PHRASES = {"防汛": "洪涝灾害", "防旱": "旱情", "防风（台风）": "台风灾害",
                "防冻（低温雨雪冰冻）": "低温雨雪冰冻灾害", "食物中毒": "食物中毒事件",
                "恐怖袭击": "恐怖袭击事件", "环境污染": "环境污染事件"}


def kind_phrase(subtype: str | None, category: str) -> str:
    """道路交通 → 道路交通事故, 防汛 → 洪涝灾害; names that already read as events stay."""
    if not subtype:
        return category
    if subtype in KIND_PHRASES:
        return KIND_PHRASES[subtype]
    if category == "事故灾难" and not subtype.endswith(("事故", "火灾", "事件")):
        return subtype + "事故"
    return subtype


def compose_title(place: str, kind: str, figures: Figures, closed: bool = False) -> str:
    """Place + type + casualties + progress, e.g. 乌迳镇新田村发生山体滑坡，造成2人被困，正在处置."""
    progress = "已处置完毕" if closed else "正在处置"
    return f"{place}发生{kind}，{casualty_phrase(figures)}，{progress}"


def _place_names(db: Database, town_id: int, village_id: int | None) -> str:
    names = [r[0] for r in db.execute(
        "SELECT name FROM admin_units WHERE id IN (?, ?) ORDER BY level = 'village'",
        [town_id, village_id])]
    return "".join(names)


def validate(db: Database, data: EventInput, clock: Clock) -> dict:
    """The normalised event row (plus its figures), or ValidationError naming the field."""
    received = parse_minute(data.received_at, "接报时间")
    occurred = parse_minute(data.occurred_at, "事发时间")
    if received > clock.now() + FUTURE_TOLERANCE:
        raise ValidationError("接报时间不能晚于当前时间", "接报时间")
    if occurred > received:
        raise ValidationError("事发时间不能晚于接报时间", "事发时间")
    if data.source_kind not in SOURCE_KINDS:
        raise ValidationError("信息来源方式须为：" + "、".join(SOURCE_KINDS), "来源方式")
    caller_unit = _text(data.caller_unit, "来电单位", 60)
    caller_name = _text(data.caller_name, "来电人", 32)
    if not caller_unit and not caller_name:
        raise ValidationError("请填写信息来源：报告单位或报告人", "来电单位")
    caller_phone = _phone(data.caller_phone, "联系电话")
    if data.source_kind == "电话" and not caller_phone:
        raise ValidationError("电话接报须记录来电号码，以便回拨核实", "联系电话")
    if data.town_id is None:
        raise ValidationError("请选择事发地点（镇/街道）", "事发镇街")
    town = db.execute("SELECT level FROM admin_units WHERE id = ?", [data.town_id]).fetchone()
    if not town or town[0] != "town":
        raise ValidationError("事发镇（街道）不存在", "事发镇街")
    if data.village_id is not None and not db.execute(
            "SELECT 1 FROM admin_units WHERE id = ? AND parent_id = ?",
            [data.village_id, data.town_id]).fetchone():
        raise ValidationError("所选村（社区）不属于该镇（街道）", "村社区")
    if data.category_id is None:
        raise ValidationError("请选择事件类别", "事件类别")
    category = db.execute("SELECT name FROM event_categories WHERE id = ?", [data.category_id]).fetchone()
    if not category:
        raise ValidationError("事件类别不存在", "事件类别")
    subtype = None
    if data.subtype_id is not None:
        subtype = db.execute("SELECT name, grading FROM event_subtypes WHERE id = ? AND category_id = ?",
                             [data.subtype_id, data.category_id]).fetchone()
        if not subtype:
            raise ValidationError("事件子类不属于所选类别", "事件子类")
    data.figures.validate()
    computed = bool(subtype and subtype[1] == "production_safety")
    if computed:
        f = data.figures
        grade = refdata.grade_production_safety(f.deaths, f.serious_injured, f.direct_loss_yuan,
                                                refdata.thresholds(db))
    else:
        if data.grade not in (1, 2, 3, 4):
            raise ValidationError("请选择事件级别（特别重大、重大、较大、一般）", "事件级别")
        grade = data.grade
    place = _text(data.place, "具体地点", 100)
    kind = kind_phrase(subtype[0] if subtype else None, category[0])
    title = _text(data.title, "标题", 120) or compose_title(
        _place_names(db, data.town_id, data.village_id) + place, kind, data.figures)
    row = {
        "title": title, "received_at": fmt(received), "source_kind": data.source_kind,
        "caller_unit": caller_unit, "caller_name": caller_name,
        "caller_post": _text(data.caller_post, "来电人职务", 40), "caller_phone": caller_phone,
        "informed": _text(data.informed, "已通报单位", 200), "occurred_at": fmt(occurred),
        "town_id": data.town_id, "village_id": data.village_id, "place": place,
        "site_overview": _text(data.site_overview, "事发地概况", LONG_TEXT),
        "category_id": data.category_id, "subtype_id": data.subtype_id, "grade": grade,
        "grade_computed": int(computed), "sensitive": int(bool(data.sensitive)),
        "cause": _text(data.cause, "起因经过", LONG_TEXT, required=True),
        "recorded_by": _text(data.recorded_by, "记录人", 32, required=True),
        "is_drill": int(bool(data.is_drill)),
        "site_contact_phone": _phone(data.site_contact_phone, "现场负责人电话"),
    }
    for key, label in (("loss", "财产损失"), ("scope", "影响范围"), ("trend", "发展趋势"),
                       ("measures", "已采取措施"), ("leaders_on_scene", "领导到位情况"),
                       ("requests", "请求事项")):
        row[key] = _text(getattr(data, key), label, LONG_TEXT)
    row["site_contact_name"] = _text(data.site_contact_name, "现场负责人", 32)
    row["site_contact_post"] = _text(data.site_contact_post, "现场负责人职务", 40)
    return row


def _insert(db: Database, table: str, row: dict) -> int:
    cols = list(row)
    cur = db.execute(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                     list(row.values()))
    return cur.lastrowid


def _figures_row(event_id: int, figures: Figures, as_of: str, by: str, now: str) -> dict:
    return {"event_id": event_id, "as_of": as_of, **figures.__dict__, "recorded_by": by, "created_at": now}


LOG_KIND_OF_SOURCE = {"电话": "来电", "视频": "来电", "当面": "来电", "来文": "来文", "系统": "来文", "其他": "来电"}


def trace(db: Database, clock: Clock, kind: str, summary: str, recorded_by: str,
          at: str | datetime | None = None, event_id: int | None = None, **extra) -> int:
    """The duty-log entry that leaves a trace (痕迹化) of a desk action; call it inside the
    action's transaction so both are written or neither."""
    town = None
    if event_id is not None:
        town = db.execute("SELECT town_id FROM events WHERE id = ?", [event_id]).fetchone()[0]
    return dutylog.record_trace(db, dutylog.LogInput(
        logged_at=at or clock.now(), kind=kind, summary=summary[:2000], recorded_by=recorded_by,
        event_id=event_id, town_id=town, **extra), clock)


def create_event(db: Database, data: EventInput, clock: Clock = SYSTEM_CLOCK) -> int:
    """Save an intake as an event with its first figures and its duty-log entry."""
    session.require(db, "接报登记")
    row = validate(db, data, clock)
    now = clock.stamp()
    caller = " ".join(x for x in (row["caller_unit"], row["caller_name"], row["caller_post"],
                                  row["caller_phone"]) if x)
    with writing(db):
        event_id = _insert(db, "events", {**row, "created_at": now})
        _insert(db, "event_figures", _figures_row(event_id, data.figures, row["received_at"],
                                                 row["recorded_by"], now))
        trace(db, clock, LOG_KIND_OF_SOURCE[row["source_kind"]], f"接报：{row['title']}。{row['cause']}",
              row["recorded_by"], row["received_at"], event_id, source=caller[:100],
              actions=row["measures"][:2000])
    return event_id


def get_event(db: Database, event_id: int) -> dict:
    row = next(db.query(
        """SELECT e.*, t.name AS town, coalesce(v.name, '') AS village, c.name AS category,
                  coalesce(s.name, '') AS subtype, g.name AS grade_name
           FROM events e JOIN admin_units t ON t.id = e.town_id
           LEFT JOIN admin_units v ON v.id = e.village_id
           JOIN event_categories c ON c.id = e.category_id
           LEFT JOIN event_subtypes s ON s.id = e.subtype_id
           JOIN severity_grades g ON g.id = e.grade
           WHERE e.id = ?""", [event_id]), None)
    if row is None:
        raise NotFound("事件不存在")
    row["figures"] = current_figures(db, event_id)
    return row


def open_events(db: Database, include_drills: bool = True) -> list[dict]:
    sql = ("SELECT e.id, e.title, e.received_at, e.grade, g.name AS grade_name, e.is_drill, "
           "t.name AS town FROM events e JOIN admin_units t ON t.id = e.town_id "
           "JOIN severity_grades g ON g.id = e.grade WHERE e.status = '处置中'")
    if not include_drills:
        sql += " AND e.is_drill = 0"
    return list(db.query(sql + " ORDER BY e.received_at DESC, e.id DESC"))


def list_events(db: Database, first: str, last: str, status: str | None = None,
                text: str = "", include_drills: bool = True) -> list[dict]:
    """Events received from ``first`` to ``last`` (dates, inclusive), newest first."""
    sql = ["""SELECT e.id, e.title, e.received_at, e.status, e.is_drill, g.name AS grade_name,
                     c.name AS category, t.name AS town
              FROM events e JOIN severity_grades g ON g.id = e.grade
              JOIN event_categories c ON c.id = e.category_id JOIN admin_units t ON t.id = e.town_id
              WHERE e.received_at >= ? AND e.received_at < date(?, '+1 day')"""]
    params: list = [first, last]
    if status:
        sql.append("AND e.status = ?")
        params.append(status)
    if not include_drills:
        sql.append("AND e.is_drill = 0")
    for term in normalize(text).split():
        sql.append("AND (e.title || e.cause || e.place || t.name) LIKE ? ESCAPE '\\'")
        params.append(like_pattern(term))
    return list(db.query(" ".join(sql) + " ORDER BY e.received_at DESC, e.id DESC", params))


def current_figures(db: Database, event_id: int) -> Figures:
    row = db.execute(
        "SELECT deaths, injured, serious_injured, missing, trapped, evacuated, direct_loss_yuan "
        "FROM event_figures WHERE event_id = ? ORDER BY as_of DESC, id DESC LIMIT 1", [event_id]).fetchone()
    return Figures(*row) if row else Figures()


def figures_history(db: Database, event_id: int) -> list[dict]:
    return list(db.query("SELECT * FROM event_figures WHERE event_id = ? ORDER BY as_of, id", [event_id]))


def update_figures(db: Database, event_id: int, figures: Figures, as_of: str | datetime,
                   recorded_by: str, clock: Clock = SYSTEM_CLOCK) -> int:
    """Record new figures; a 生产安全事故's grade follows them (it may rise, never silently
    fall: a lower computed grade is kept at the higher one already reported)."""
    session.require(db, "接报登记")
    event = get_event(db, event_id)
    figures.validate()
    moment = _past(as_of, "统计时间", clock)
    if moment < event["received_at"]:
        raise ValidationError("统计时间不能早于接报时间", "统计时间")
    by = _text(recorded_by, "记录人", 32, required=True)
    with writing(db):
        if event["grade_computed"]:
            grade = refdata.grade_production_safety(figures.deaths, figures.serious_injured,
                                                    figures.direct_loss_yuan, refdata.thresholds(db))
            if grade < event["grade"]:
                db.execute("UPDATE events SET grade = ? WHERE id = ?", [grade, event_id])
        figures_id = _insert(db, "event_figures", _figures_row(event_id, figures, moment, by, clock.stamp()))
        trace(db, clock, "处置", f"伤亡情况更新：{casualty_phrase(figures)}，转移群众{figures.evacuated}人",
              by, moment, event_id)
        return figures_id


def close_event(db: Database, event_id: int, closed_at: str | datetime, recorded_by: str,
                clock: Clock = SYSTEM_CLOCK) -> None:
    session.require(db, "接报登记")
    event = get_event(db, event_id)
    recorded_by = _text(recorded_by, "记录人", 32, required=True)
    moment = _past(closed_at, "结束时间", clock)
    if event["status"] == "已结束":
        raise ValidationError("该事件已经结束")
    if moment < event["received_at"]:
        raise ValidationError("结束时间不能早于接报时间", "结束时间")
    with writing(db):
        db.execute("UPDATE events SET status = '已结束', closed_at = ? WHERE id = ?", [moment, event_id])
        trace(db, clock, "处置", f"事件结束：{event['title']}", recorded_by, moment, event_id)


# ---------------------------------------------------------------- leaders' instructions

def add_instruction(db: Database, leader: str, content: str, given_at: str | datetime,
                    recorded_by: str, event_id: int | None = None, clock: Clock = SYSTEM_CLOCK) -> int:
    session.require(db, "接报登记")
    if event_id is not None:
        get_event(db, event_id)
    row = {"event_id": event_id, "leader": _text(leader, "批示领导", 32, required=True),
           "given_at": _past(given_at, "批示时间", clock),
           "content": _text(content, "批示内容", LONG_TEXT, required=True),
           "recorded_by": _text(recorded_by, "记录人", 32, required=True), "created_at": clock.stamp()}
    with writing(db):
        instruction_id = _insert(db, "instructions", row)
        trace(db, clock, "领导批示", f"{row['leader']}批示：{row['content']}", row["recorded_by"],
              row["given_at"], event_id)
        return instruction_id


def follow_up(db: Database, instruction_id: int, note: str, status: str, recorded_by: str,
              at: str | datetime, clock: Clock = SYSTEM_CLOCK) -> None:
    """Record how an instruction is being carried out; 已落实 closes it."""
    session.require(db, "接报登记")
    if status not in INSTRUCTION_STATES:
        raise ValidationError("落实状态须为：" + "、".join(INSTRUCTION_STATES), "状态")
    current = db.execute("SELECT status FROM instructions WHERE id = ?", [instruction_id]).fetchone()
    if current is None:
        raise NotFound("批示不存在")
    if current[0] == "已落实":
        raise ValidationError("该批示已落实，不能再更改")
    moment = _past(at, "落实时间", clock)
    row = {"instruction_id": instruction_id, "at": moment, "note": _text(note, "落实情况", LONG_TEXT, True),
           "status": status, "recorded_by": _text(recorded_by, "记录人", 32, required=True)}
    leader, event_id = db.execute("SELECT leader, event_id FROM instructions WHERE id = ?",
                                  [instruction_id]).fetchone()
    with writing(db):
        _insert(db, "instruction_updates", row)
        db.execute("UPDATE instructions SET status = ?, done_at = ? WHERE id = ?",
                   [status, moment if status == "已落实" else None, instruction_id])
        trace(db, clock, "处置", f"{leader}批示{status}：{row['note']}", row["recorded_by"], moment, event_id)


def instructions_for(db: Database, event_id: int) -> list[dict]:
    return list(db.query("SELECT * FROM instructions WHERE event_id = ? ORDER BY given_at, id", [event_id]))


def open_instructions(db: Database) -> list[dict]:
    return list(db.query(
        """SELECT i.*, coalesce(e.title, '') AS event_title,
                  (SELECT note FROM instruction_updates u WHERE u.instruction_id = i.id
                   ORDER BY u.at DESC, u.id DESC LIMIT 1) AS last_note
           FROM instructions i LEFT JOIN events e ON e.id = i.event_id
           WHERE i.status != '已落实' ORDER BY i.given_at"""))


# ---------------------------------------------------------------- reminders

def add_reminder(db: Database, text: str, recorded_by: str, kind: str = "备忘",
                 due_at: str | datetime | None = None, clock: Clock = SYSTEM_CLOCK) -> int:
    session.require(db, "值班记录")
    if kind not in ("备忘", "设备", "通信"):
        raise ValidationError("备忘类型须为：备忘、设备、通信", "类型")
    row = {"text": _text(text, "备忘内容", 500, required=True), "kind": kind,
           "due_at": fmt(parse_minute(due_at, "提醒时间")) if due_at else None,
           "recorded_by": _text(recorded_by, "记录人", 32, required=True), "created_at": clock.stamp()}
    with writing(db):
        return _insert(db, "reminders", row)


def finish_reminder(db: Database, reminder_id: int, clock: Clock = SYSTEM_CLOCK) -> None:
    session.require(db, "值班记录")
    with writing(db):
        cur = db.execute("UPDATE reminders SET done_at = ? WHERE id = ? AND done_at IS NULL",
                         [clock.stamp(), reminder_id])
        if cur.rowcount != 1:
            raise NotFound("该备忘不存在或已完成")


def open_reminders(db: Database) -> list[dict]:
    return list(db.query("SELECT * FROM reminders WHERE done_at IS NULL ORDER BY coalesce(due_at, created_at)"))
