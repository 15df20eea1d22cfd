"""Warnings (预警): issue, adjust (re-issue) and lift, with every element the law names
(突发事件应对法 2024 第六十四条: 类别, 级别, 起始时间, 影响范围, 警示事项, 措施, 发布单位, 发布时间).

Government warnings (政府预警, issued by a county unit or command body) are kept apart from
meteorological warning signals (气象预警信号) that 气象局 issues and the desk relays: a signal
keeps its own name and who relayed it when. Adjusting writes a new version pointing at the one
it replaces (marked 已调整); lifting ends the 预警期. Each step writes its 预警 duty-log entry.

(Named ``early_warning`` so that it never shadows the standard library's ``warnings``.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlite_utils import Database

from . import plans, session
from .clock import SYSTEM_CLOCK, Clock, parse_minute
from .clock import fmt_minute as fmt
from .errors import NotFound, ValidationError
from .incidents import trace
from .store import writing
from .text import clean

GOVERNMENT, SIGNAL = "政府预警", "气象预警信号"
SOURCES = (GOVERNMENT, SIGNAL)
SOURCE_LABELS = {GOVERNMENT: "政府预警", SIGNAL: "气象预警信号（转发）"}
IN_FORCE, ADJUSTED, LIFTED = "生效", "已调整", "已解除"
FUTURE_TOLERANCE = timedelta(minutes=5)
COLOURS = ("红色", "橙色", "黄色", "蓝色")
LONG = 2000


@dataclass
class WarningInput:
    """What the issue/adjust dialog submits."""

    source: str
    category_id: int | None
    subtype_id: int | None
    level: int | None                     # warning_levels.id: 1 红 … 4 蓝
    starts_at: str | datetime
    town_ids: list[int]
    matters: str                          # 警示事项
    measures: str                         # 防范措施
    issued_at: str | datetime
    recorded_by: str
    issuer_org_id: int | None = None      # 发布单位: a county unit …
    issuer_body_id: int | None = None     # … or a command body (市三防指挥部)
    signal_name: str = ""                 # 气象预警信号: e.g. 暴雨橙色预警信号
    relayed_org_id: int | None = None     # 气象预警信号: the unit that relayed it
    relayed_at: str | datetime | None = None
    title: str = ""                       # blank: composed from hazard and colour
    town_names: list[str] = field(default_factory=list)   # filled by validate, for messages


def _minute(value: str | datetime | None, label: str, clock: Clock, past: bool = True) -> datetime:
    if value in (None, ""):
        raise ValidationError(f"请填写{label}", label)
    moment = parse_minute(value, label)
    if past and moment > clock.now() + FUTURE_TOLERANCE:
        raise ValidationError(f"{label}不能晚于当前时间", label)
    return moment


def _one(db: Database, sql: str, params: list):
    return db.execute(sql, params).fetchone()


def _county_org(db: Database, org_id: int | None, label: str) -> str:
    row = _one(db, "SELECT o.name, u.level FROM organizations o LEFT JOIN admin_units u "
               "ON u.id = o.admin_unit_id WHERE o.id = ?", [org_id])
    if row is None:
        raise ValidationError(f"请选择{label}", label)
    if row[1] != "county":
        raise ValidationError(f"{label}须为市（县）级单位", label)
    return row[0]


def issuer_name(db: Database, org_id: int | None, body_id: int | None) -> str:
    if body_id is not None:
        row = _one(db, "SELECT name FROM command_bodies WHERE id = ?", [body_id])
    else:
        row = _one(db, "SELECT name FROM organizations WHERE id = ?", [org_id])
    return row[0] if row else ""


def validate(db: Database, data: WarningInput, clock: Clock) -> tuple[dict, list[int]]:
    """The normalised warning row and its towns, or ValidationError naming the field."""
    if data.source not in SOURCES:
        raise ValidationError("请选择预警来源：政府预警或气象预警信号（转发）", "来源")
    if data.category_id is None or not _one(db, "SELECT 1 FROM event_categories WHERE id = ?",
                                            [data.category_id]):
        raise ValidationError("请选择预警类别", "类别")
    subtype = _one(db, "SELECT name FROM event_subtypes WHERE id = ? AND category_id = ?",
                   [data.subtype_id, data.category_id])
    if subtype is None:
        raise ValidationError("请选择预警的灾种（事件子类），且须属于所选类别", "灾种")
    level = _one(db, "SELECT color_name FROM warning_levels WHERE id = ?", [data.level])
    if level is None:
        raise ValidationError("请选择预警级别（红、橙、黄、蓝）", "级别")
    colour = level[0]
    issued = _minute(data.issued_at, "发布时间", clock)
    starts = _minute(data.starts_at, "起始时间", clock, past=False)
    if starts < issued:
        raise ValidationError("起始时间不能早于发布时间", "起始时间")
    towns = sorted(set(data.town_ids or []))
    if not towns:
        raise ValidationError("请至少选择一个影响范围内的镇（街道）", "影响范围")
    found = {r[0]: r[1] for r in db.execute(
        f"SELECT id, name FROM admin_units WHERE level = 'town' AND id IN ({','.join('?' * len(towns))})",
        towns)}
    if len(found) != len(towns):
        raise ValidationError("影响范围只能选择本市的镇（街道）", "影响范围")
    data.town_names = [found[t] for t in towns]
    if (data.issuer_org_id is None) == (data.issuer_body_id is None):
        raise ValidationError("请选择一个发布单位", "发布单位")
    if data.issuer_body_id is not None:
        if not _one(db, "SELECT 1 FROM command_bodies WHERE id = ?", [data.issuer_body_id]):
            raise ValidationError("发布单位不存在", "发布单位")
    else:
        _county_org(db, data.issuer_org_id, "发布单位")
    row = {
        "source": data.source, "category_id": data.category_id, "subtype_id": data.subtype_id,
        "level": data.level, "starts_at": fmt(starts), "issued_at": fmt(issued),
        "matters": clean(data.matters, "警示事项", LONG, required=True, multiline=True),
        "measures": clean(data.measures, "防范措施", LONG, required=True, multiline=True),
        "issuer_org_id": data.issuer_org_id, "issuer_body_id": data.issuer_body_id,
        "recorded_by": clean(data.recorded_by, "记录人", 32, required=True),
        "signal_name": "", "relayed_org_id": None, "relayed_at": None,
    }
    if data.source == SIGNAL:
        name = clean(data.signal_name, "信号名称", 40, required=True)
        others = [c for c in COLOURS if c in name and c != colour]
        if others:
            raise ValidationError(f"信号名称中的颜色（{others[0]}）与所选级别（{colour}）不一致", "信号名称")
        if data.issuer_org_id is None or "气象" not in issuer_name(db, data.issuer_org_id, None):
            raise ValidationError("气象预警信号的发布单位应为气象局", "发布单位")
        relayed = _minute(data.relayed_at, "转发时间", clock)
        if relayed < issued:
            raise ValidationError("转发时间不能早于信号发布时间", "转发时间")
        _county_org(db, data.relayed_org_id, "转发单位")
        row.update(signal_name=name, relayed_org_id=data.relayed_org_id, relayed_at=fmt(relayed))
    elif data.signal_name.strip() or data.relayed_org_id is not None:
        raise ValidationError("信号名称和转发单位只用于转发的气象预警信号", "信号名称")
    title = clean(data.title, "预警标题", 60)
    if not title:
        title = row["signal_name"] if data.source == SIGNAL else f"{subtype[0]}{colour}预警"
    row["title"] = title
    return row, towns


def _summary(db: Database, verb: str, row: dict, town_names: list[str]) -> str:
    colour = _one(db, "SELECT color_name FROM warning_levels WHERE id = ?", [row["level"]])[0]
    issuer = issuer_name(db, row["issuer_org_id"], row["issuer_body_id"])
    text = (f"{verb}：{row['title']}（{colour}），发布单位{issuer}，发布时间{row['issued_at']}，"
            f"起始时间{row['starts_at']}，影响范围{'、'.join(town_names)}。"
            f"警示事项：{row['matters'].rstrip('。')}。防范措施：{row['measures'].rstrip('。')}。")
    return text


def _write(db: Database, row: dict, towns: list[int], now: str) -> int:
    warning_id = db["warnings"].insert({**row, "created_at": now, "updated_at": now}).last_pk
    db["warning_towns"].insert_all([{"warning_id": warning_id, "town_id": t} for t in towns])
    return warning_id


def _log(db: Database, clock: Clock, row: dict, verb: str, towns: list[str], reason: str = "") -> None:
    summary = _summary(db, verb, row, towns) + (f"调整原因：{reason}" if reason else "")
    at = row["relayed_at"] if row["source"] == SIGNAL else row["issued_at"]
    source = issuer_name(db, row["issuer_org_id"], row["issuer_body_id"])
    if row["source"] == SIGNAL:
        source += "（" + issuer_name(db, row["relayed_org_id"], None) + "转发）"
    trace(db, clock, "预警", summary, row["recorded_by"], at=at, source=source[:100])


def issue(db: Database, data: WarningInput, clock: Clock = SYSTEM_CLOCK) -> int:
    """Record a new warning (or a relayed meteorological signal) and its duty-log entry."""
    session.require(db, "预警登记")
    row, towns = validate(db, data, clock)
    with writing(db):
        warning_id = _write(db, row, towns, clock.stamp())
        verb = "转发气象预警信号" if row["source"] == SIGNAL else "发布预警"
        _log(db, clock, row, verb, data.town_names)
    return warning_id


def _in_force(db: Database, warning_id: int, expected_version: int | None, action: str) -> dict:
    old = get(db, warning_id)
    if old["status"] != IN_FORCE:
        raise ValidationError(f"该预警{old['status']}，不能再{action}；请选择生效中的预警")
    if expected_version is not None and old["version"] != expected_version:
        raise ValidationError("该预警已被他人修改，请刷新后再操作")
    return old


def adjust(db: Database, warning_id: int, data: WarningInput, reason: str,
           clock: Clock = SYSTEM_CLOCK, expected_version: int | None = None) -> int:
    """Re-issue a warning in force: a new version (all elements again) linked to the one it
    replaces, which becomes 已调整. Returns the new version's id."""
    session.require(db, "预警登记")
    old = _in_force(db, warning_id, expected_version, "调整")
    reason = clean(reason, "调整原因", 500, required=True)
    if data.source != old["source"]:
        raise ValidationError("调整不能改变预警来源；如需改发另一类预警，请解除后重新发布", "来源")
    row, towns = validate(db, data, clock)
    if row["issued_at"] < old["issued_at"]:
        raise ValidationError("调整后的发布时间不能早于原预警的发布时间", "发布时间")
    now = clock.stamp()
    with writing(db):
        db.execute("UPDATE warnings SET status = ?, superseded_at = ?, version = version + 1, "
                   "updated_at = ? WHERE id = ?", [ADJUSTED, row["issued_at"], now, warning_id])
        row.update(replaces_id=warning_id, revision=old["revision"] + 1, adjust_reason=reason)
        new_id = _write(db, row, towns, now)
        old_colour = old["color_name"]
        _log(db, clock, row, f"调整预警（原{old['title']}，{old_colour}）", data.town_names, reason)
    return new_id


def lift(db: Database, warning_id: int, lifted_at: str | datetime, recorded_by: str,
         reason: str = "", lifted_by: str = "", clock: Clock = SYSTEM_CLOCK,
         expected_version: int | None = None) -> None:
    """Lift (解除) a warning in force: its 预警期 ends at ``lifted_at``."""
    session.require(db, "预警登记")
    old = _in_force(db, warning_id, expected_version, "解除")
    moment = _minute(lifted_at, "解除时间", clock)
    if fmt(moment) < old["issued_at"]:
        raise ValidationError("解除时间不能早于发布时间", "解除时间")
    recorder = clean(recorded_by, "记录人", 32, required=True)
    reason = clean(reason, "解除原因", 500)
    lifted_by = clean(lifted_by, "解除发布单位", 60) or old["issuer"]
    with writing(db):
        db.execute("UPDATE warnings SET status = ?, lifted_at = ?, lift_reason = ?, lifted_by = ?, "
                   "version = version + 1, updated_at = ? WHERE id = ?",
                   [LIFTED, fmt(moment), reason, lifted_by, clock.stamp(), warning_id])
        trace(db, clock, "预警",
              f"解除预警：{old['title']}（{old['color_name']}，{old['issued_at']}发布，影响范围"
              f"{'、'.join(old['towns'])}），解除时间{fmt(moment)}" + (f"。原因：{reason}" if reason else ""),
              recorder, at=moment, source=lifted_by[:100])


# ---------------------------------------------------------------- queries

_SQL = """
SELECT w.*, l.name AS level_name, l.color_name, l.color_hex, c.name AS category,
       s.name AS subtype, coalesce(b.name, o.name) AS issuer, coalesce(r.name, '') AS relayed_by,
       (SELECT group_concat(name, '、') FROM (SELECT u.name FROM warning_towns wt
          JOIN admin_units u ON u.id = wt.town_id WHERE wt.warning_id = w.id ORDER BY u.id))
          AS town_text
FROM warnings w
JOIN warning_levels l ON l.id = w.level
JOIN event_categories c ON c.id = w.category_id
JOIN event_subtypes s ON s.id = w.subtype_id
LEFT JOIN organizations o ON o.id = w.issuer_org_id
LEFT JOIN command_bodies b ON b.id = w.issuer_body_id
LEFT JOIN organizations r ON r.id = w.relayed_org_id
"""


def _finish(db: Database, row: dict) -> dict:
    row["towns"] = (row.pop("town_text") or "").split("、") if row.get("town_text") else []
    row["town_ids"] = [r[0] for r in db.execute(
        "SELECT town_id FROM warning_towns WHERE warning_id = ? ORDER BY town_id", [row["id"]])]
    row["source_label"] = SOURCE_LABELS[row["source"]]
    return row


def get(db: Database, warning_id: int) -> dict:
    row = next(db.query(_SQL + " WHERE w.id = ?", [warning_id]), None)
    if row is None:
        raise NotFound("该预警不存在")
    return _finish(db, row)


def current(db: Database, town_id: int | None = None) -> list[dict]:
    """Warnings in force (most severe first, then newest), optionally those covering a town."""
    where, params = "w.status = ?", [IN_FORCE]
    if town_id is not None:
        where += " AND w.id IN (SELECT warning_id FROM warning_towns WHERE town_id = ?)"
        params.append(town_id)
    return [_finish(db, r) for r in db.query(
        f"{_SQL} WHERE {where} ORDER BY w.level, w.issued_at DESC, w.id DESC", params)]


def history(db: Database, since: str | None = None, source: str | None = None,
            town_id: int | None = None) -> list[dict]:
    """Every version of every warning, newest first; ``since`` 'YYYY-MM-DD[ HH:MM]'."""
    where, params = ["1"], []
    if since:
        where.append("w.issued_at >= ?")
        params.append(since)
    if source:
        where.append("w.source = ?")
        params.append(source)
    if town_id is not None:
        where.append("w.id IN (SELECT warning_id FROM warning_towns WHERE town_id = ?)")
        params.append(town_id)
    return [_finish(db, r) for r in db.query(
        f"{_SQL} WHERE {' AND '.join(where)} ORDER BY w.issued_at DESC, w.id DESC", params)]


def for_town(db: Database, town_id: int, include_history: bool = False) -> list[dict]:
    """The warnings covering a town: in force only, or every version."""
    return history(db, town_id=town_id) if include_history else current(db, town_id)


def chain(db: Database, warning_id: int) -> list[dict]:
    """Every version of the warning ``warning_id`` belongs to, first issue first."""
    row = get(db, warning_id)
    while row["replaces_id"] is not None:
        row = get(db, row["replaces_id"])
    versions = [row]
    while True:
        nxt = _one(db, "SELECT id FROM warnings WHERE replaces_id = ?", [versions[-1]["id"]])
        if nxt is None:
            return versions
        versions.append(get(db, nxt[0]))


def plans_for_warning(db: Database, warning_id: int) -> list[dict]:
    """The plans a response started early from this warning may be opened under."""
    return plans.plans_for_subtype(db, get(db, warning_id)["subtype_id"])


def issuers(db: Database) -> list[tuple[str, str, int]]:
    """Who may issue: (name, 'body' | 'org', id) — command bodies first, then county units."""
    bodies = [(r[0], "body", r[1]) for r in db.execute("SELECT name, id FROM command_bodies ORDER BY id")]
    orgs = [(r[0], "org", r[1]) for r in db.execute(
        "SELECT o.name, o.id FROM organizations o JOIN admin_units u ON u.id = o.admin_unit_id "
        "WHERE u.level = 'county' AND o.kind IN ('党委部门', '政府部门', '垂直管理') "
        "ORDER BY o.sort_order, o.id")]
    return bodies + orgs


def levels(db: Database) -> list[dict]:
    """The warning levels, red first: id, name, color_name, color_hex."""
    return list(db.query("SELECT id, name, color_name, color_hex FROM warning_levels ORDER BY id"))


def towns(db: Database) -> list[tuple[str, int]]:
    return [(r[0], r[1]) for r in db.execute(
        "SELECT name, id FROM admin_units WHERE level = 'town' ORDER BY id")]


def input_from(db: Database, warning_id: int, recorded_by: str) -> WarningInput:
    """An input prefilled from a stored version: the start of an adjustment."""
    w = get(db, warning_id)
    return WarningInput(
        source=w["source"], category_id=w["category_id"], subtype_id=w["subtype_id"],
        level=w["level"], starts_at=w["starts_at"], town_ids=list(w["town_ids"]),
        matters=w["matters"], measures=w["measures"], issued_at=w["issued_at"],
        recorded_by=recorded_by, issuer_org_id=w["issuer_org_id"],
        issuer_body_id=w["issuer_body_id"], signal_name=w["signal_name"],
        relayed_org_id=w["relayed_org_id"], relayed_at=w["relayed_at"])
