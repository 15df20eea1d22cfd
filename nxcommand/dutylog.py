"""The duty log (值班日志): entries timed to the minute, never edited or deleted.

Every entry records when (``logged_at``, 'YYYY-MM-DD HH:MM'), what kind (来电, 预警 …), the
source, a summary, the actions taken, whom it was reported to and when, optionally the town
and the event, and who recorded it and when (from the clock). A mistake is fixed by a
correction: a new entry pointing at the old one, with a reason; both stay visible. The
database refuses UPDATE and DELETE on entries (triggers in migration 0004).

Listing is newest first by ``sort_key`` (the minute of ``logged_at`` times 1024 plus the
entry's place within that minute, see 0004), read a page at a time from a keyset cursor,
with a separate count, so a view over 1,000,000 entries never loads them all. Filters by
kind, town, event and text go through the full-text index
``log_fts`` (``nxcommand.cjksearch``: Chinese bigrams plus filter tags, rowid = sort_key);
a date range is a sort_key range in either path. Only the entry's own text is indexed
(source, summary, actions, reported to, recorder, reason), so the index never goes stale.

Why rowid = sort_key rather than the entry id: results then come out of the index already
in display order (a back-filled entry takes its place in time) and a date range is a rowid
range inside the index, so no query sorts or re-checks 100,000 hits. The cost is a larger
index (larger rowid steps): 54 MB instead of 34 MB per 100,000 entries.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlite_utils import Database

from . import cjksearch, contacts, roster, session
from .clock import SYSTEM_CLOCK, Clock, FixedClock
from .errors import NotFound, ValidationError
from .store import writing
from .text import check_text_type, drop_zero_width, has_control_chars, normalize, record_id

MINUTE_FORMAT = "%Y-%m-%d %H:%M"
FUTURE_TOLERANCE = timedelta(minutes=5)  # a clock a little behind the caller's watch
EPOCH = datetime(2000, 1, 1)
MINUTE_SLOTS = 1024  # entries one minute can hold: sort_key = minute * 1024 + place
PAGE_SIZE = 100
CORRECTION_KIND = "更正"
LIMITS = {"来源": 100, "摘要": 2000, "处置情况": 2000, "报告对象": 100, "记录人": 32, "更正原因": 200}


@dataclass
class LogInput:
    """What the entry form submits. Text arrives as typed; validation normalises it."""

    logged_at: str | datetime
    kind: str
    summary: str
    recorded_by: str
    source: str = ""
    actions: str = ""
    reported_to: str = ""
    reported_at: str | datetime | None = ""
    town_id: int | None = None
    event_id: int | None = None


@dataclass(frozen=True)
class LogQuery:
    text: str = ""
    date_from: date | None = None   # inclusive
    date_to: date | None = None     # inclusive
    kind: str | None = None         # 更正 lists the corrections
    town_id: int | None = None
    event_id: int | None = None


# ---------------------------------------------------------------- validation

def _clean(value: object, label: str, required: bool = False, multiline: bool = False) -> str:
    check_text_type(value, label)
    raw = drop_zero_width("" if value is None else value)
    limit = LIMITS[label]
    if len(raw) > 10 * limit:      # far too long whatever spaces normalising removes: say so at once
        raise ValidationError(f"{label}不能超过 {limit} 个字（现有 {len(raw)} 个字）", label)
    if has_control_chars(raw, allowed="\t\r\n"):
        raise ValidationError(f"{label}含有不可见的控制字符", label)
    if multiline:
        lines = [normalize(line) for line in raw.splitlines()]
        text = "\n".join(lines).strip("\n")
    else:
        text = normalize(raw)
    if required and not text:
        raise ValidationError(f"请填写{label}", label)
    if len(text) > limit:
        raise ValidationError(f"{label}不能超过 {limit} 个字（现有 {len(text)} 个字）", label)
    return text


def parse_minute(value: object, label: str) -> datetime | None:
    """A typed 'YYYY-MM-DD HH:MM' (full-width digits allowed) as a datetime; None if empty."""
    if isinstance(value, datetime):
        moment = value.replace(second=0, microsecond=0)
    else:
        text = normalize("" if value is None else str(value))
        if not text:
            return None
        try:
            moment = datetime.strptime(text, MINUTE_FORMAT)
        except ValueError:
            raise ValidationError(f"{label}“{text}”无效，应为“2026-07-01 14:20”的格式", label) from None
    if moment < EPOCH:
        raise ValidationError(f"{label}不能早于 2000 年", label)
    return moment


def _not_future(moment: datetime, label: str, clock: Clock) -> None:
    now = clock.now()
    if moment > now + FUTURE_TOLERANCE:
        raise ValidationError(
            f"{label}{moment:%Y-%m-%d %H:%M}晚于当前时间（{now:%Y-%m-%d %H:%M}），请核对", label)


def _kind_id(db: Database, name: str) -> int:
    row = db.execute("SELECT id FROM log_kinds WHERE name = ? AND active = 1",
                     [normalize(name)]).fetchone()
    if row is None:
        raise ValidationError(f"未知的记录类别：{normalize(name) or '（未选择）'}", "类别")
    return row[0]


def validate(db: Database, data: LogInput, clock: Clock = SYSTEM_CLOCK) -> dict:
    """The normalised record to store, or ValidationError naming the first bad field."""
    logged = parse_minute(data.logged_at, "记录时间")
    if logged is None:
        raise ValidationError("请填写记录时间", "记录时间")
    _not_future(logged, "记录时间", clock)
    kind = normalize(data.kind)
    if not kind:
        raise ValidationError("请选择记录类别", "类别")
    if kind == CORRECTION_KIND:
        raise ValidationError("更正请选中原记录后使用“更正”操作，并选择被更正内容的类别", "类别")
    record = {
        "logged_at": logged.strftime(MINUTE_FORMAT), "kind_id": _kind_id(db, kind),
        "source": _clean(data.source, "来源"),
        "summary": _clean(data.summary, "摘要", required=True, multiline=True),
        "actions": _clean(data.actions, "处置情况", multiline=True),
        "reported_to": _clean(data.reported_to, "报告对象"),
        "reported_at": None, "town_id": data.town_id, "event_id": data.event_id,
        "recorded_by": _clean(data.recorded_by, "记录人", required=True),
    }
    reported = parse_minute(data.reported_at, "报告时间")
    if reported is not None:
        _not_future(reported, "报告时间", clock)
        if reported < logged:
            raise ValidationError("报告时间不能早于记录时间", "报告时间")
        if not record["reported_to"]:
            raise ValidationError("填写了报告时间，请同时填写报告对象（报告给谁）", "报告对象")
        record["reported_at"] = reported.strftime(MINUTE_FORMAT)
    elif record["reported_to"]:
        raise ValidationError("填写了报告对象，请同时填写报告时间", "报告时间")
    town_id, event_id = record_id(data.town_id, "镇（街道）"), record_id(data.event_id, "关联事件")
    if town_id is not None and not db.execute(
            "SELECT 1 FROM admin_units WHERE id = ? AND level = 'town'", [town_id]).fetchone():
        raise ValidationError("所选镇（街道）不存在", "镇（街道）")
    if event_id is not None and not db.execute(
            "SELECT 1 FROM events WHERE id = ?", [event_id]).fetchone():
        raise ValidationError("所选事件不存在", "关联事件")
    return record


# ---------------------------------------------------------------- writing

def _insert(db: Database, record: dict, clock: Clock, corrects_id: int | None = None,
            reason: str = "") -> int:
    record = {**record, "corrects_id": corrects_id, "reason": reason}
    base = sort_key_of(datetime.strptime(record["logged_at"], MINUTE_FORMAT))
    slot = [base, base, base + MINUTE_SLOTS - 1]     # the next free place in the minute
    used = db.execute("SELECT count(*) FROM log_entries WHERE sort_key BETWEEN ? AND ?", slot[1:])
    if used.fetchone()[0] >= MINUTE_SLOTS:
        raise ValidationError(f"{record['logged_at']} 这一分钟的记录已达 {MINUTE_SLOTS} 条上限", "记录时间")
    with writing(db):
        # One statement, so the place is read under the write lock.
        cur = db.execute(
            "INSERT INTO log_entries (logged_at, kind_id, source, summary, actions, reported_to, "
            "reported_at, town_id, event_id, corrects_id, reason, recorded_by, recorded_at, sort_key) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT coalesce(max(sort_key) + 1, ?) "
            "FROM log_entries WHERE sort_key BETWEEN ? AND ?))",
            [record["logged_at"], record["kind_id"], record["source"], record["summary"],
             record["actions"], record["reported_to"], record["reported_at"], record["town_id"],
             record["event_id"], corrects_id, reason, record["recorded_by"], clock.stamp(), *slot])
        entry_id = cur.lastrowid
        sort_key = db.execute("SELECT sort_key FROM log_entries WHERE id = ?", [entry_id]).fetchone()[0]
        db.execute("INSERT INTO log_fts (rowid, body) VALUES (?, ?)",
                   [sort_key, _document(record, _correction_kind_id(db))])
    return entry_id


def _document(row: dict, correction_kind: int | None) -> str:
    """The log_fts body of an entry: its own text, then its kind, town and event tags; a
    correction is also tagged with the kind 更正."""
    tags = [cjksearch.tag("k", row["kind_id"])]
    tags += [cjksearch.tag(t, row[c]) for t, c in (("t", "town_id"), ("e", "event_id")) if row[c] is not None]
    if row["corrects_id"] is not None and correction_kind is not None:
        tags.append(cjksearch.tag("k", correction_kind))
    parts = [row[c] for c in ("source", "summary", "actions", "reported_to", "recorded_by", "reason")]
    return cjksearch.document(parts, tags)


def _correction_kind_id(db: Database) -> int | None:
    row = db.execute("SELECT id FROM log_kinds WHERE name = ?", [CORRECTION_KIND]).fetchone()
    return row[0] if row else None


def append(db: Database, data: LogInput, clock: Clock = SYSTEM_CLOCK) -> int:
    """Add an entry; returns its id (the number shown as #id)."""
    session.require(db, "值班记录")
    return record_trace(db, data, clock)


def record_trace(db: Database, data: LogInput, clock: Clock = SYSTEM_CLOCK) -> int:
    """The entry another service writes as the trace of its own action (``incidents.trace``),
    inside that action's transaction: the action's permission covers it, none of its own."""
    return _insert(db, validate(db, data, clock), clock)


def correct(db: Database, entry_id: int, data: LogInput, reason: str,
            clock: Clock = SYSTEM_CLOCK) -> int:
    """Add a correction of entry ``entry_id``; the old entry stays as it was. Returns its id."""
    session.require(db, "值班记录")
    old = next(iter(db.query("SELECT * FROM log_entries WHERE id = ?", [entry_id])), None)
    if old is None:
        raise NotFound(f"要更正的记录 #{entry_id} 不存在")
    newer = db.execute("SELECT id FROM log_entries WHERE corrects_id = ?", [entry_id]).fetchone()
    if newer is not None:
        raise ValidationError(f"#{entry_id} 已由 #{newer[0]} 更正，如需再次更正，请选中 #{newer[0]} 操作")
    record = validate(db, data, clock)
    reason = _clean(reason, "更正原因", required=True, multiline=True)
    columns = ("logged_at", "kind_id", "source", "summary", "actions", "reported_to",
               "reported_at", "town_id", "event_id")
    if all(record[c] == old[c] for c in columns):
        raise ValidationError("更正内容与原记录相同，请修改需要更正的内容", "摘要")
    return _insert(db, record, clock, corrects_id=entry_id, reason=reason)


def rebuild_search_index(db: Database) -> int:
    """Re-create ``log_fts`` from the entries (after a restore or a change of the scheme)."""
    correction_kind = _correction_kind_id(db)
    with writing(db):
        db.execute("INSERT INTO log_fts (log_fts) VALUES ('delete-all')")
        batch = [(row["sort_key"], _document(row, correction_kind))
                 for row in db.query("SELECT * FROM log_entries")]
        db.conn.executemany("INSERT INTO log_fts (rowid, body) VALUES (?, ?)", batch)
        db.execute("INSERT INTO log_fts (log_fts) VALUES ('optimize')")
    return len(batch)


# ---------------------------------------------------------------- reading

def sort_key_of(moment: datetime, place: int = 0) -> int:
    """The sort_key of the ``place``-th entry logged in the minute of ``moment`` (see 0004)."""
    return int((moment - EPOCH).total_seconds() // 60) * MINUTE_SLOTS + place


def _bounds(query: LogQuery) -> tuple[int, int]:
    midnight = datetime.min.time()
    low = sort_key_of(datetime.combine(query.date_from, midnight)) if query.date_from else -(2 ** 63)
    high = (sort_key_of(datetime.combine(query.date_to + timedelta(days=1), midnight)) - 1
            if query.date_to else 2 ** 63 - 1)
    return low, high


def _match(db: Database, query: LogQuery) -> str | None:
    """The FTS expression for the query's text and filters; None when only dates filter."""
    tags = []
    if query.kind:
        row = db.execute("SELECT id FROM log_kinds WHERE name = ?", [query.kind]).fetchone()
        tags.append(cjksearch.tag("k", row[0] if row else 0))
    if query.town_id is not None:
        tags.append(cjksearch.tag("t", query.town_id))
    if query.event_id is not None:
        tags.append(cjksearch.tag("e", query.event_id))
    return cjksearch.match_expression(query.text, tags)


def count(db: Database, query: LogQuery = LogQuery(), at_most: int | None = None) -> int:
    """How many entries match ``query``; with ``at_most``, counting stops there (a filtered
    count of hundreds of thousands of hits costs up to 100 ms with 1,000,000 entries, one
    of 50,000 some 10 ms; the whole log's count is cheap and always exact)."""
    low, high = _bounds(query)
    match = _match(db, query)
    if match is not None:
        sql, params = ("SELECT 1 FROM log_fts WHERE log_fts MATCH ? AND rowid BETWEEN ? AND ?",
                       [match, low, high])
    elif query.date_from or query.date_to:
        sql, params = "SELECT 1 FROM log_entries WHERE sort_key BETWEEN ? AND ?", [low, high]
    else:
        return db.execute("SELECT count(*) FROM log_entries").fetchone()[0]
    if at_most is not None:
        sql, params = f"{sql} LIMIT ?", [*params, at_most]
    return db.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()[0]


ROW_SQL = """
    SELECT e.id, e.logged_at, k.name AS kind, e.source, e.summary, e.actions, e.reported_to,
           e.reported_at, e.town_id, coalesce(t.name, '') AS town, e.event_id,
           coalesce(ev.title, '') AS event, e.corrects_id, e.reason, e.recorded_by,
           e.recorded_at, e.sort_key,
           (SELECT c.id FROM log_entries c WHERE c.corrects_id = e.id) AS corrected_by
    FROM {source}
    JOIN log_kinds k ON k.id = e.kind_id
    LEFT JOIN admin_units t ON t.id = e.town_id
    LEFT JOIN events ev ON ev.id = e.event_id
    ORDER BY e.sort_key DESC"""


def page(db: Database, query: LogQuery = LogQuery(), after: int | None = None,
         limit: int = PAGE_SIZE) -> list[dict]:
    """Up to ``limit`` display rows, newest first, following the row whose sort_key is
    ``after`` (None: from the newest). Pass the last row's ``sort_key`` for the next page."""
    low, high = _bounds(query)
    if after is not None:
        high = min(high, after - 1)
    match = _match(db, query)
    if match is not None:
        source = ("(SELECT rowid AS sk FROM log_fts WHERE log_fts MATCH ? AND rowid BETWEEN ? AND ? "
                  "ORDER BY rowid DESC LIMIT ?) f JOIN log_entries e ON e.sort_key = f.sk")
        params = [match, low, high, limit]
    else:
        source = ("(SELECT id FROM log_entries WHERE sort_key BETWEEN ? AND ? "
                  "ORDER BY sort_key DESC LIMIT ?) f JOIN log_entries e ON e.id = f.id")
        params = [low, high, limit]
    return list(db.query(ROW_SQL.format(source=source), params))


def get(db: Database, entry_id: int) -> dict:
    rows = list(db.query(ROW_SQL.format(
        source="(SELECT ? AS id) f JOIN log_entries e ON e.id = f.id"), [entry_id]))
    if not rows:
        raise NotFound(f"记录 #{entry_id} 不存在")
    return rows[0]


def kinds(db: Database, for_entry: bool = False) -> list[str]:
    """Active kinds in display order; ``for_entry`` leaves out 更正 (made by correcting)."""
    names = [r[0] for r in db.execute("SELECT name FROM log_kinds WHERE active = 1 ORDER BY sort_order, id")]
    return [n for n in names if n != CORRECTION_KIND] if for_entry else names


def event_choices(db: Database, limit: int = 200) -> list[dict]:
    """Recent events to link an entry to, open ones first."""
    return list(db.query("SELECT id, title, received_at, status FROM events "
                         "ORDER BY status = '已结束', received_at DESC LIMIT ?", [limit]))


def recorders(db: Database) -> list[str]:
    """Names offered for 记录人 (users and roles come later): active people tagged 值班员."""
    return [p["name"] for p in contacts.with_role(db, "值班员")]


# ---------------------------------------------------------------- demo

_CALLS = [  # 来电: (summary, actions) with {town} {village} {n} {m} {phone} filled in
    ("{town}{village}村民来电：村后山林发现山火，火势沿山脊向东蔓延，过火面积约{n}亩，暂无人员被困",
     "已通知{town}政府及市森林消防大队赶赴现场扑救，防止发展为森林火灾，做好周边群众转移准备"),
    ("{town}应急办报告：{village}因连续降雨发生山体滑坡，约{n}方土石堵塞村道，无人员伤亡",
     "已通知市自然资源局派员现场查看，{town}组织对周边{m}户群众临时转移"),
    ("交警大队来电：G323国道{town}路段发生道路交通事故，一辆货车与小客车相撞，{m}人受伤，道路单向通行",
     "已通知120及交警到场处置，伤员送市人民医院救治，持续跟踪伤亡情况"),
    ("{town}{village}群众来电（电话{phone}）：暴雨导致村内低洼处内涝，积水约{n}厘米，部分农田被淹",
     "已转{town}政府核实处置，镇值班领导已带队前往现场"),
    ("{town}{village}一民房起火，消防救援大队已出警，火已扑灭，无人员伤亡", "已核实情况，提醒{town}做好受灾户临时安置"),
]
_DAILY = [  # (chance, kind, summary, source, actions) with {leader} {officer} {town} {pick} filled in
    (0.5, "预警", "市气象局发布{pick}预警信号，{town}等地需加强防范", "{county}气象局",
     "已通过预警信息平台转发各镇（街道）及成员单位，提醒做好防御",
     ["暴雨黄色", "雷雨大风黄色", "高温橙色", "森林火险橙色", "暴雨橙色", "大风蓝色"]),
    (0.3, "来文", "收到韶关市应急管理局{pick}", "韶关市应急管理局", "已呈{leader}阅示，按要求转发各镇（街道）",
     ["《关于做好汛期值班值守工作的通知》", "《关于加强森林防灭火工作的紧急通知》",
      "《关于做好节假日期间安全防范工作的通知》", "《关于开展地质灾害隐患点巡查的通知》"]),
    (0.25, "视频点名", "韶关市应急管理局视频点名，{officer}在岗应答，值班秩序正常", "韶关市应急管理局", "", [""]),
    (0.15, "交办", "{leader}交办：督促各镇（街道）明日12时前报送地质灾害隐患点巡查情况", "{leader}", "", [""]),
    (0.15, "备忘", "值班传真机缺纸，已报办公室补充；视频会议终端运行正常", "", "", [""]),
]


def _demo_people(db: Database, org_name: str, role: str) -> list[tuple[str, str, str]]:
    return list(db.execute(
        "SELECT p.name, p.post, coalesce(p.mobile, p.office_phone, '') FROM people p "
        "JOIN organizations o ON o.id = p.org_id JOIN person_roles pr ON pr.person_id = p.id "
        "JOIN role_tags r ON r.id = pr.role_tag_id "
        "WHERE o.name = ? AND r.name = ? AND p.active = 1 ORDER BY p.id", [org_name, role]))


def load_demo_log(db: Database, first_day: date, days: int, clock: Clock, seed: int = 7) -> None:
    """Write a few hundred realistic entries for the demo county, from ``first_day`` on for
    ``days`` days, none later than the clock. Names come from the demo people."""
    with session.acting(db, session.system("演示数据")):
        return _load_demo_log(db, first_day, days, clock, seed)


def _load_demo_log(db: Database, first_day: date, days: int, clock: Clock, seed: int = 7) -> None:
    rng = random.Random(seed)
    county = (db.execute("SELECT value FROM meta WHERE key = 'county_name'").fetchone() or [""])[0]
    officers = [p[0] for p in _demo_people(db, f"{county}应急管理局", "值班员")]
    leaders = [p[0] for p in _demo_people(db, f"{county}应急管理局", "带班领导") if p[0] not in officers]
    if not officers or not leaders:
        raise ValidationError(f"演示数据中没有{county}应急管理局的值班员和带班领导，无法生成值班日志")
    towns = [(t["id"], t["name"]) for t in db.query("SELECT id, name FROM admin_units WHERE level = 'town'")]
    now, entries = clock.now(), []

    def shift(moment: datetime) -> tuple[str, str]:
        """(officer, leader) on duty at ``moment``: from the roster when there is one, else a
        plain rotation of 24-hour shifts from 08:30."""
        on = roster.current_shift(db, moment)
        if on is not None and on.officers and on.leader is not None:
            return on.officers[0].name, on.leader.name
        n = ((moment - timedelta(hours=8, minutes=30)).date() - first_day).days
        return officers[n % len(officers)], leaders[n % len(leaders)]

    def add(moment: datetime, kind: str, summary: str, **extra) -> None:
        entries.append(LogInput(moment, kind, summary, shift(moment)[0], **extra))

    for day in (datetime.combine(first_day, datetime.min.time()) + timedelta(days=n) for n in range(days)):
        officer, leader = shift(day.replace(hour=9))
        add(day.replace(hour=8, minute=30), "交接班",
            f"{shift(day.replace(hour=8, minute=29))[0]}与{officer}完成交接班，带班领导{leader}。移交在办事项{rng.randint(0, 3)}项，"
            "值班电话、传真、视频会议系统运行正常", source="值班室")
        add(day.replace(hour=9, minute=5), "报告", "报送昨日值班信息：全市无较大及以上突发事件，零报告",
            reported_to="韶关市应急管理局值班室", reported_at=day.replace(hour=9, minute=10))
        at = day.replace(hour=rng.randint(10, 16), minute=rng.randrange(60))
        for chance, kind, summary, source, actions, picks in _DAILY:
            if rng.random() < chance:
                fill = {"county": county, "leader": leader, "officer": officer,
                        "town": rng.choice(towns)[1], "pick": rng.choice(picks)}
                add(at, kind, summary.format(**fill), source=source.format(**fill),
                    actions=actions.format(**fill))
                at += timedelta(minutes=rng.randint(20, 90))
        for _ in range(rng.choice((1, 2, 2, 3, 4))):
            town_id, town = rng.choice(towns)
            village = rng.choice([v[0] for v in db.execute(
                "SELECT name FROM admin_units WHERE parent_id = ?", [town_id])] or [""])
            fill = {"town": town, "village": village, "n": rng.randint(2, 60), "m": rng.randint(1, 12),
                    "phone": f"1390000{rng.randrange(10000):04d}"}
            summary, actions = (text.format(**fill) for text in rng.choice(_CALLS))
            at = day.replace(hour=rng.randint(0, 22), minute=rng.randrange(60))
            leader = shift(at)[1]
            name, post, phone = (_demo_people(db, f"{county}{town}人民政府", "带班领导") or [("", "", "")])[-1]
            reported = at + timedelta(minutes=rng.randint(5, 25))
            add(at, "来电", summary, source=f"{town} {post.split('（')[0]}{name} {phone}".strip(),
                actions=actions, reported_to=f"带班领导{leader}", reported_at=reported, town_id=town_id)
            if rng.random() < 0.4:
                add(reported + timedelta(minutes=rng.randint(3, 20)), "领导批示",
                    f"{leader}批示：请{town}主要领导靠前指挥，确保人员安全，及时续报进展",
                    source=leader, actions=f"已电话传达{town}值班领导", town_id=town_id)
            if rng.random() < 0.5:
                add(at + timedelta(minutes=rng.randint(60, 180)), "处置",
                    f"{town}反馈：现场处置完毕，无人员伤亡，已安排人员值守", source=f"{town}应急办",
                    town_id=town_id)
    entries = sorted((e for e in entries if e.logged_at <= now), key=lambda e: e.logged_at)
    calls = [i for i, e in enumerate(entries) if e.kind == "来电" and "无人员伤亡" in e.summary]
    to_correct = {calls[len(calls) // 3], calls[2 * len(calls) // 3]} if len(calls) > 2 else set()
    with writing(db):
        for index, data in enumerate(entries):
            if data.reported_at and data.reported_at > now:
                data.reported_to, data.reported_at = "", ""
            typed_in = (data.reported_at or data.logged_at) + timedelta(minutes=rng.randint(1, 8))
            replay = FixedClock(min(typed_in, now))
            entry_id = append(db, data, replay)
            if index in to_correct:
                replay.advance(minutes=rng.randint(10, 40))
                if replay.now() <= now:
                    data.summary = data.summary.replace("无人员伤亡", "1人轻微擦伤，已送医院检查")
                    correct(db, entry_id, data, "经现场核实，原记录“无人员伤亡”有误", replay)
