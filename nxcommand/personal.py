"""Name lists of a response (伤亡人员、失联人员、被困人员、转移安置人员) and their purge after the
response ends (突发事件应对法 第八十五条). The 身份证号 checks are in nxcommand.id_numbers.

During a response the desk keeps, for each person: kind (受伤/死亡/失联/被困/转移安置), name,
sex, age, 身份证号 (GB 11643, check digit verified), phone, town/village and address, status,
shelter or hospital, next of kin and notes. Entries are edited with a version check and never
deleted (作废 marks one entered in error); nothing personal is written to the duty log,
whose entries cannot be erased.

The personal data is destroyed ``personal_retention_days`` (meta, default 30, 0 = at the next
run) after the response ends, unless a 延期保存 is in force (依法作证 or 调查、评估, approved by
a named person; 第八十五条). A purge (``purge``) blanks the identifying columns of every
row of the response in one transaction, with SQLite's secure_delete so the old bytes are
overwritten, records itself in ``personal_purges``, and erases the before/after copies the
audit trail holds (``audit.redact``); kind, sex, ten-year age band, town, status, shelter
and hospital stay for the statistics. ``purge_due`` runs every purge that is due as the
system actor 个人信息定期清除: the console calls it at start and once a day. Drills follow
the same rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlite_utils import Database

from . import org, session
from . import resources as res
from .clock import SYSTEM_CLOCK, Clock, parse_minute
from .errors import NotFound, ValidationError
from .id_numbers import age_on, check_id_number, id_birth, id_sex
from .phones import normalize_phone
from .store import update_versioned, writing
from .text import clean, record_id

KINDS = ("受伤", "死亡", "失联", "被困", "转移安置")
SEXES = ("男", "女")
STATUSES = {"受伤": ("在院治疗", "轻伤已处置", "已出院", "已转院"),
            "死亡": ("身份已确认", "身份待确认", "善后处理中", "善后已完成"),
            "失联": ("搜寻中", "已找到", "已联系上"),
            "被困": ("待救援", "救援中", "已救出", "自行脱险"),
            "转移安置": ("集中安置", "投亲靠友", "已返家")}
PURPOSES = ("依法作证", "调查", "评估")            # 第八十五条: why data may be kept longer
PURGED_NAME = "（已清除）"

RECORD = "登记人员信息"                          # permissions.ACTIONS
PURGE = "清除个人信息"
SETTINGS = "管理参考数据"
SCHEDULER = "个人信息定期清除"                    # the system actor of the scheduled purge

RETENTION_KEY = "personal_retention_days"
DEFAULT_RETENTION = 30
MAX_RETENTION = 3650



@dataclass
class PersonInput:
    kind: str
    name: str
    sex: str = ""                          # '' = taken from the 身份证号 when one is given
    age: int | str | None = None           # None = taken from the 身份证号
    id_number: str = ""
    phone: str = ""
    town_id: int | None = None
    village_id: int | None = None
    address: str = ""
    status: str = ""
    shelter_id: int | None = None
    hospital: str = ""
    next_of_kin: str = ""                  # 亲属联系人（姓名、关系、电话）
    notes: str = ""


@dataclass(frozen=True)
class PurgeResult:
    response_id: int
    rows: int                              # 0: nothing left to purge, nothing written
    at: str | None


# ------------------------------------------------------------------ validating an entry

def _age(value: int | str | None) -> int | None:
    if value is None or (isinstance(value, str) and not clean(value, "年龄", 8)):
        return None
    if isinstance(value, str):
        value = clean(value, "年龄", 8).removesuffix("岁")
    return res.count(value, "年龄", 0, 130)


def _choice(value: str | None, choices: tuple[str, ...], label: str, required: bool = True) -> str:
    text = clean(value, label, 20)
    if not text and not required:
        return ""
    if text not in choices:
        raise ValidationError(f"{label}须为：" + "、".join(choices), label)
    return text


def validate(db: Database, data: PersonInput, today: date) -> dict:
    kind = _choice(data.kind, KINDS, "人员类别")
    sex = _choice(data.sex, SEXES, "性别", required=False)
    age = _age(data.age)
    number = check_id_number(data.id_number, today)
    if number:
        sex_in_id, birth = id_sex(number), id_birth(number)
        if sex and sex != sex_in_id:
            raise ValidationError(f"性别与身份证号不符：身份证号第 17 位表示{sex_in_id}性", "性别")
        actual = age_on(birth, today)
        if age is not None and abs(age - actual) > 1:       # 虚岁 is one more
            raise ValidationError(f"年龄 {age} 岁与身份证号中的出生日期（{birth:%Y-%m-%d}，现年 {actual} 岁）不符",
                                  "年龄")
        sex = sex or sex_in_id
        age = actual if age is None else age
    town_id = record_id(data.town_id, "镇（街道）")
    village_id = record_id(data.village_id, "村（社区）")
    if village_id is not None and town_id is None:
        row = db.execute("SELECT parent_id FROM admin_units WHERE id = ? AND level = 'village'",
                         [village_id]).fetchone()
        town_id = row[0] if row else None
    if town_id is not None:
        res.check_town(db, town_id, "镇（街道）")
    village_id = res.check_village(db, village_id, town_id)
    shelter_id = record_id(data.shelter_id, "安置场所")
    if shelter_id is not None and not db.execute("SELECT 1 FROM shelters WHERE id = ?", [shelter_id]).fetchone():
        raise ValidationError("所选安置场所不存在", "安置场所")
    return {
        "kind": kind, "name": clean(data.name, "姓名", 32, required=True), "sex": sex, "age": age,
        "id_number": number,
        "phone": normalize_phone(clean(data.phone, "联系电话", 40), "联系电话", org.meta(db, "area_code")),
        "town_id": town_id, "village_id": village_id, "address": clean(data.address, "住址", 100),
        "status": clean(data.status, "状态", 20), "shelter_id": shelter_id,
        "hospital": clean(data.hospital, "救治医院", 60), "next_of_kin": clean(data.next_of_kin, "亲属联系人", 60),
        "notes": clean(data.notes, "备注", 500, multiline=True),
    }


COLUMNS = ("kind", "name", "sex", "age", "id_number", "phone", "town_id", "village_id", "address", "status",
           "shelter_id", "hospital", "next_of_kin", "notes")


@contextmanager
def _secure(db: Database) -> Iterator[None]:
    """Old bytes of rows changed or freed inside the block are overwritten with zeros."""
    before = db.execute("PRAGMA secure_delete").fetchone()[0]
    db.execute("PRAGMA secure_delete = 1")
    try:
        yield
    finally:
        db.execute(f"PRAGMA secure_delete = {int(before)}")


def _open_for_entries(db: Database, response_id: int) -> dict:
    row = db.execute("SELECT id, event_id FROM responses WHERE id = ?", [record_id(response_id, "应急响应")]).fetchone()
    if row is None:
        raise NotFound("该应急响应不存在")
    purged = last_purge(db, response_id)
    if purged:
        raise ValidationError(f"该响应的个人信息已于 {purged['purged_at'][:16]} 清除，不能再登记")
    return {"id": row[0], "event_id": row[1]}


def add(db: Database, response_id: int, data: PersonInput, clock: Clock = SYSTEM_CLOCK) -> int:
    session.require(db, RECORD)
    response = _open_for_entries(db, response_id)
    record = validate(db, data, clock.now().date())
    now = clock.stamp()
    cols = ("response_id", "event_id", *COLUMNS, "created_at", "updated_at")
    with _secure(db), writing(db):
        return db.execute(f"INSERT INTO response_people ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                          [response_id, response["event_id"], *(record[c] for c in COLUMNS), now, now]).lastrowid


def _editable(db: Database, person_id: int) -> dict:
    row = next(db.query("SELECT * FROM response_people WHERE id = ?", [record_id(person_id, "人员")]), None)
    if row is None:
        raise NotFound("该人员信息不存在")
    if row["purged_at"]:
        raise ValidationError(f"该人员信息已于 {row['purged_at'][:16]} 清除，不能再修改")
    if row["void_reason"]:
        raise ValidationError("该登记已作废，不能再修改")
    return row


def update(db: Database, person_id: int, data: PersonInput, *, expected_version: int | None = None,
           clock: Clock = SYSTEM_CLOCK) -> None:
    """Save an edit; refused when someone else changed the entry since ``expected_version``."""
    session.require(db, RECORD)
    _editable(db, person_id)
    res.bump(db, "response_people", person_id, expected_version, "人员信息")
    record = validate(db, data, clock.now().date())
    with _secure(db), writing(db):
        update_versioned(db, "response_people", person_id, record, expected_version, clock.stamp(), "人员信息")


def void(db: Database, person_id: int, reason: str, *, expected_version: int | None = None,
         clock: Clock = SYSTEM_CLOCK) -> None:
    """作废 an entry made in error (a duplicate, the wrong response): it leaves the lists and
    counts; its data is purged with the rest of the response."""
    session.require(db, RECORD)
    _editable(db, person_id)
    why = clean(reason, "作废原因", 100, required=True)
    with writing(db):
        update_versioned(db, "response_people", person_id, {"void_reason": why}, expected_version, clock.stamp(),
                         "人员信息")


# ------------------------------------------------------------------ reading

def mask_id(number: str | None) -> str:
    return f"{number[:6]}********{number[-4:]}" if number else ""


def mask_phone(phone: str | None) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if phone and len(phone) == 11 else (phone or "")


_SELECT = """
    SELECT p.*, coalesce(t.name, '') AS town, coalesce(v.name, '') AS village, coalesce(s.name, '') AS shelter
    FROM response_people p LEFT JOIN admin_units t ON t.id = p.town_id
    LEFT JOIN admin_units v ON v.id = p.village_id LEFT JOIN shelters s ON s.id = p.shelter_id
"""


def _shown(row: dict) -> dict:
    row["id_masked"], row["phone_masked"] = mask_id(row["id_number"]), mask_phone(row["phone"])
    row["age_text"] = f"{row['age']}岁" if row["age"] is not None else row["age_band"]
    row["place"] = "".join(x for x in (row["town"], row["village"], row["address"]) if x)
    row["care"] = row["shelter"] or row["hospital"]
    row["purged"], row["voided"] = row["purged_at"] is not None, bool(row["void_reason"])
    return row


def get(db: Database, person_id: int) -> dict:
    row = next(db.query(_SELECT + " WHERE p.id = ?", [person_id]), None)
    if row is None:
        raise NotFound("该人员信息不存在")
    return _shown(row)


def people(db: Database, response_id: int, kind: str | None = None, include_void: bool = False) -> list[dict]:
    """The response's entries by kind (in KINDS order), then as registered."""
    where, params = ["p.response_id = ?"], [response_id]
    if kind is not None:
        where.append("p.kind = ?")
        params.append(kind)
    if not include_void:
        where.append("p.void_reason = ''")
    order = " ".join(f"WHEN '{k}' THEN {i}" for i, k in enumerate(KINDS))
    return [_shown(r) for r in db.query(
        _SELECT + f" WHERE {' AND '.join(where)} ORDER BY CASE p.kind {order} END, p.id", params)]


def counts(db: Database, response_id: int) -> dict[str, int]:
    """Entries per kind (every kind present, 0 when none); purged entries count, void ones not."""
    found = dict(db.execute("SELECT kind, count(*) FROM response_people WHERE response_id = ? AND void_reason = '' "
                            "GROUP BY kind", [response_id]).fetchall())
    return {k: found.get(k, 0) for k in KINDS}


# ------------------------------------------------------------------ retention and holds

def retention_days(db: Database) -> int:
    value = org.meta(db, RETENTION_KEY, str(DEFAULT_RETENTION))
    return int(value) if value and value.isdigit() and int(value) <= MAX_RETENTION else DEFAULT_RETENTION


def set_retention_days(db: Database, days: int | str) -> int:
    session.require(db, SETTINGS)
    value = res.count(clean(str(days), "保存天数", 8) if isinstance(days, str) else days, "保存天数", 0, MAX_RETENTION)
    org.set_meta(db, RETENTION_KEY, str(value))
    return value


def active_hold(db: Database, response_id: int) -> dict | None:
    return next(db.query("SELECT * FROM personal_holds WHERE response_id = ? AND lifted_at IS NULL",
                         [response_id]), None)


def holds(db: Database, response_id: int) -> list[dict]:
    return list(db.query("SELECT * FROM personal_holds WHERE response_id = ? ORDER BY id", [response_id]))


def last_purge(db: Database, response_id: int) -> dict | None:
    return next(db.query("SELECT * FROM personal_purges WHERE response_id = ? ORDER BY id DESC LIMIT 1",
                         [response_id]), None)


def _response(db: Database, response_id: int) -> dict:
    row = next(db.query("SELECT id, status, ended_at, is_drill FROM responses WHERE id = ?",
                        [record_id(response_id, "应急响应")]), None)
    if row is None:
        raise NotFound("该应急响应不存在")
    return row


def place_hold(db: Database, response_id: int, purpose: str, reason: str, approved_by: str,
               clock: Clock = SYSTEM_CLOCK) -> int:
    """延期保存: keep the response's personal data past its retention (依法作证, 调查, 评估),
    approved by ``approved_by``; until lifted the purge leaves it alone."""
    actor = session.require(db, PURGE)
    _response(db, response_id)
    record = {"purpose": _choice(purpose, PURPOSES, "延期保存事由"),
              "reason": clean(reason, "延期保存原因", 200, required=True, multiline=True),
              "approved_by": clean(approved_by, "批准人", 32, required=True)}
    if active_hold(db, response_id):
        raise ValidationError("该响应的个人信息已在延期保存中")
    if last_purge(db, response_id) and not pending(db, response_id):
        raise ValidationError("该响应的个人信息已清除，无需延期保存")
    with writing(db):
        return db.execute("INSERT INTO personal_holds (response_id, purpose, reason, approved_by, placed_at, placed_by) "
                          "VALUES (?, ?, ?, ?, ?, ?)", [response_id, *record.values(), clock.stamp(), actor.label]).lastrowid


def lift_hold(db: Database, response_id: int, reason: str, clock: Clock = SYSTEM_CLOCK) -> None:
    """End a 延期保存; the data is purged at the next run if its retention has passed."""
    actor = session.require(db, PURGE)
    hold = active_hold(db, response_id)
    why = clean(reason, "解除原因", 200, required=True, multiline=True)
    if hold is None:
        raise ValidationError("该响应没有延期保存")
    with writing(db):
        db.execute("UPDATE personal_holds SET lifted_at = ?, lifted_by = ?, lift_reason = ? WHERE id = ?",
                   [clock.stamp(), actor.label, why, hold["id"]])


def pending(db: Database, response_id: int) -> int:
    """Entries of the response still holding personal data."""
    return db.execute("SELECT count(*) FROM response_people WHERE response_id = ? AND purged_at IS NULL",
                      [response_id]).fetchone()[0]


def due_at(db: Database, ended_at: str) -> datetime:
    return parse_minute(ended_at, "解除时间") + timedelta(days=retention_days(db))


@dataclass(frozen=True)
class Schedule:
    state: str              # 响应中 / 待清除 / 已到期 / 延期保存 / 已清除 / 无登记
    text: str
    due: datetime | None = None


def schedule(db: Database, response_id: int, now: datetime) -> Schedule:
    """Where the response's personal data stands, for the 人员信息 tab."""
    r = _response(db, response_id)
    days, left, hold, purged = retention_days(db), pending(db, response_id), active_hold(db, response_id), \
        last_purge(db, response_id)
    rule = "响应结束后即清除" if days == 0 else f"响应结束后 {days} 天清除"
    if hold:
        return Schedule("延期保存", f"延期保存（{hold['purpose']}）：{hold['reason']}——{hold['approved_by']}批准，"
                                f"{hold['placed_at'][:16]} 起，解除后按期清除")
    if not left:
        if purged:
            return Schedule("已清除", f"已于 {purged['purged_at'][:16]} 清除（{purged['rows_purged']} 人，"
                                   f"{purged['purged_by']}），统计数保留")
        return Schedule("无登记", f"尚未登记；{rule}")
    if r["status"] == "响应中":
        return Schedule("响应中", f"{rule}（突发事件应对法第八十五条）")
    due = due_at(db, r["ended_at"])
    if due > now:
        return Schedule("待清除", f"{rule}，预计 {due:%Y-%m-%d %H:%M}", due)
    return Schedule("已到期", f"保存期限已于 {due:%Y-%m-%d %H:%M} 届满，等待清除", due)


# ------------------------------------------------------------------ the purge

def due(db: Database, now: datetime) -> list[dict]:
    """Ended responses (drills too) past their retention, not held, still holding personal
    data: response_id, ended_at, due_at, rows."""
    found = []
    for r in db.query("""
            SELECT r.id AS response_id, r.ended_at, count(p.id) AS rows FROM responses r
            JOIN response_people p ON p.response_id = r.id AND p.purged_at IS NULL
            WHERE r.status = '已解除'
              AND NOT EXISTS (SELECT 1 FROM personal_holds h WHERE h.response_id = r.id AND h.lifted_at IS NULL)
            GROUP BY r.id ORDER BY r.ended_at, r.id"""):
        r["due_at"] = due_at(db, r["ended_at"])
        if r["due_at"] <= now:
            found.append(r)
    return found


_BLANK = f"""
    UPDATE response_people SET name = '{PURGED_NAME}', id_number = NULL, phone = NULL, next_of_kin = NULL,
        village_id = NULL, address = '', notes = '', age = NULL,
        age_band = CASE WHEN age IS NULL THEN '' WHEN age >= 100 THEN '100岁以上'
                        ELSE (age / 10 * 10) || '–' || (age / 10 * 10 + 9) || '岁' END,
        void_reason = CASE WHEN void_reason = '' THEN '' ELSE '已作废' END,
        purged_at = ?, updated_at = ?, version = version + 1
    WHERE response_id = ? AND purged_at IS NULL"""


def purge(db: Database, response_id: int, clock: Clock = SYSTEM_CLOCK, note: str = "") -> PurgeResult:
    """Blank the personal data of an ended, not held response, its audit copies with it, in
    one transaction; record the purge. Before the retention has passed only an administrator
    does this (立即清除). A second purge finds nothing left and writes nothing."""
    actor = session.require(db, PURGE)
    r = _response(db, response_id)
    if r["status"] == "响应中":
        raise ValidationError("应急响应尚未解除，不能清除其个人信息")
    hold = active_hold(db, response_id)
    if hold:
        raise ValidationError(f"该响应的个人信息正在延期保存（{hold['purpose']}：{hold['reason']}），"
                              "请先解除延期保存")
    note = clean(note, "说明", 200, multiline=True)
    if not note and due_at(db, r["ended_at"]) > clock.now():
        note = "未满保存期限，立即清除"
    ids = [i for (i,) in db.execute("SELECT id FROM response_people WHERE response_id = ? AND purged_at IS NULL",
                                    [response_id])]
    if not ids:
        return PurgeResult(response_id, 0, None)
    from . import audit

    now = clock.stamp()
    with _secure(db), writing(db):
        db.execute(_BLANK, [now, now, response_id])
        db.execute("INSERT INTO personal_purges (response_id, purged_at, purged_by, rows_purged, retention_days, note) "
                   "VALUES (?, ?, ?, ?, ?, ?)", [response_id, now, actor.label, len(ids), retention_days(db), note])
        audit.redact(db, "response_people", ids)
    if not db.conn.in_transaction:
        # Copy the overwritten pages into the database file and empty the WAL, whose older
        # frames still hold the data; another console reading at this moment keeps them
        # until the next checkpoint.
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    return PurgeResult(response_id, len(ids), now)


def purge_due(db: Database, clock: Clock = SYSTEM_CLOCK) -> list[PurgeResult]:
    """Every purge that is due, done by the program itself (the system actor 个人信息定期清除,
    whoever is signed in): called at console start and once a day."""
    days = retention_days(db)
    with session.acting(db, session.system(SCHEDULER)):
        return [purge(db, item["response_id"], clock, f"响应结束已满保存期限（{days} 天），定期清除")
                for item in due(db, clock.now())]
