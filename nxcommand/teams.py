"""应急救援队伍: the team register (DOMAIN.md §6).

A team has a kind from the county's taxonomy, a specialty, a headcount, a leader in the
directory (the phone shown is the leader's mobile there), a base town, a standby level
(备勤), a status (待命/出动/在场/返回) with the time it last changed, the 达标 flag and the
insurance expiry that ``resources.alerts`` warns about. Teams are retired (撤编), not deleted:
equipment and history still point at them.

Standby levels: 一级备勤 = assembled, leaves within 30 min; 二级备勤 = within 1 h;
三级备勤 = within 2 h; 日常备勤 = routine duty, reachable by phone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlite_utils import Database

from . import resources as res
from . import session
from .clock import SYSTEM_CLOCK, Clock
from .errors import NotFound, ValidationError
from .store import update_versioned, writing
from .text import like_pattern, normalize

KINDS = ("综合性消防救援", "专业", "基层", "企业专兼职", "志愿者", "社会应急力量", "民兵/武警")
SPECIALTIES = ("综合", "森林消防", "防汛抢险（三防）", "危化", "矿山", "地质灾害", "燃气", "供电", "通信",
               "医疗", "水上救援", "山地搜救", "道路救援")
STANDBY_LEVELS = ("一级备勤", "二级备勤", "三级备勤", "日常备勤")
STATUSES = ("待命", "出动", "在场", "返回")
LEADER_ROLE = "队伍负责人"


@dataclass
class TeamInput:
    """What the team form submits. The leader is a directory id, or a name and phone that
    ``resources.find_or_add_person`` resolves (adding the contact if new)."""

    name: str
    kind: str
    town_id: int | None
    headcount: int | str = 1
    specialty: str = ""
    leader_id: int | None = None
    leader_name: str = ""
    leader_phone: str = ""
    village_id: int | None = None
    org_id: int | None = None
    equipment: str = ""
    standby: str = "日常备勤"
    status: str = "待命"
    meets_standard: bool = True
    insurance_expiry: date | str | None = None
    lon: float | str | None = None
    lat: float | str | None = None
    note: str = ""


@dataclass(frozen=True)
class Query:
    kind: str | None = None
    town_id: int | None = None
    status: str | None = None
    text: str = ""                 # name, specialty, leader's name
    include_retired: bool = False


def validate(db: Database, data: TeamInput, team_id: int | None = None) -> dict:
    """The record to store (leader not yet resolved), or ValidationError naming the field."""
    name = res.short(data.name, "队伍名称", res.NAME_MAX, required=True)
    if db.execute("SELECT 1 FROM teams WHERE name = ? AND id IS NOT ?", [name, team_id]).fetchone():
        raise ValidationError(f"已有名为“{name}”的队伍", "队伍名称")
    town_id = res.check_town(db, data.town_id)
    if data.leader_id is None and not normalize(data.leader_name):
        raise ValidationError("请填写队伍负责人", "负责人")
    return {
        "name": name,
        "kind": res.choice(data.kind, KINDS, "队伍类型"),
        "specialty": res.short(data.specialty, "专业方向", 40),
        "headcount": res.count(data.headcount, "队员人数", 1, 100_000),
        "town_id": town_id,
        "village_id": res.check_village(db, data.village_id, town_id),
        "org_id": res.check_org(db, data.org_id),
        "equipment": res.short(data.equipment, "主要装备", res.NOTE_MAX, multiline=True),
        "standby": res.choice(data.standby, STANDBY_LEVELS, "备勤等级", "日常备勤"),
        "status": res.choice(data.status, STATUSES, "状态", "待命"),
        "meets_standard": 1 if data.meets_standard else 0,
        "insurance_expiry": res.as_date(data.insurance_expiry, "保险到期日"),
        **dict(zip(("lon", "lat"), res.coords(data.lon, data.lat))),
        "note": res.short(data.note, "备注", res.NOTE_MAX, multiline=True),
        "leader_id": res.check_person(db, data.leader_id, "负责人"),
    }


def _leader(db: Database, data: TeamInput, record: dict, clock: Clock) -> int:
    if record["leader_id"] is not None:
        return record["leader_id"]
    org_id = record["org_id"] or res.unit_org(db, record["village_id"]) or res.unit_org(db, record["town_id"])
    return res.find_or_add_person(db, data.leader_name, data.leader_phone, LEADER_ROLE, clock,
                                  org_id=org_id, post=f"{record['name']}负责人")


FIELDS = ("name", "kind", "specialty", "headcount", "leader_id", "town_id", "village_id", "org_id",
          "equipment", "standby", "status", "meets_standard", "insurance_expiry", "lon", "lat", "note")


def add(db: Database, data: TeamInput, clock: Clock = SYSTEM_CLOCK) -> int:
    session.require(db, "管理资源登记")
    record = validate(db, data)
    now = clock.stamp()
    with writing(db):
        record["leader_id"] = _leader(db, data, record, clock)
        cur = db.execute(
            f"INSERT INTO teams ({', '.join(FIELDS)}, status_at, created_at, updated_at) "
            f"VALUES ({', '.join('?' * len(FIELDS))}, ?, ?, ?)",
            [record[f] for f in FIELDS] + [now, now, now])
        db.execute("INSERT INTO team_status_changes (team_id, status, changed_at, note) VALUES (?, ?, ?, '登记')",
                   [cur.lastrowid, record["status"], now])
    return cur.lastrowid


def update(db: Database, team_id: int, data: TeamInput, *, expected_version: int | None = None,
           clock: Clock = SYSTEM_CLOCK) -> None:
    """Save an edit; a changed status is timed and logged as with ``set_status``."""
    session.require(db, "管理资源登记")
    res.bump(db, "teams", team_id, expected_version, "队伍")
    record = validate(db, data, team_id)
    old_status = db.execute("SELECT status FROM teams WHERE id = ?", [team_id]).fetchone()[0]
    now = clock.stamp()
    with writing(db):
        record["leader_id"] = _leader(db, data, record, clock)
        update_versioned(db, "teams", team_id, {f: record[f] for f in FIELDS}, expected_version, now, "队伍")
        if record["status"] != old_status:
            _log_status(db, team_id, record["status"], now, "编辑")


def _log_status(db: Database, team_id: int, status: str, now: str, note: str) -> None:
    db.execute("UPDATE teams SET status_at = ? WHERE id = ?", [now, team_id])
    db.execute("INSERT INTO team_status_changes (team_id, status, changed_at, note) VALUES (?, ?, ?, ?)",
               [team_id, status, now, note])


def set_status(db: Database, team_id: int, status: str, clock: Clock = SYSTEM_CLOCK,
               note: str = "") -> None:
    """The quick 出动 / 在场 / 返回 / 待命 change: timed now and kept in the history."""
    session.require(db, "管理资源登记")
    status = res.choice(status, STATUSES, "状态")
    note = res.short(note, "说明", res.TEXT_MAX)
    row = db.execute("SELECT status, active FROM teams WHERE id = ?", [team_id]).fetchone()
    if row is None or not row[1]:
        raise NotFound("该队伍不存在或已撤编")
    if row[0] == status:
        raise ValidationError(f"该队伍已是“{status}”状态", "状态")
    now = clock.stamp()
    with writing(db):
        db.execute("UPDATE teams SET status = ?, updated_at = ?, version = version + 1 WHERE id = ?",
                   [status, now, team_id])
        _log_status(db, team_id, status, now, note)


def status_history(db: Database, team_id: int) -> list[dict]:
    return list(db.query("SELECT status, changed_at, note FROM team_status_changes WHERE team_id = ? "
                         "ORDER BY changed_at, id", [team_id]))


def retire(db: Database, team_id: int, reason: str, clock: Clock = SYSTEM_CLOCK) -> None:
    """撤编: the team leaves the register (kept, with the reason); its equipment stays listed."""
    session.require(db, "管理资源登记")
    reason = res.short(reason, "撤编原因", 100, required=True)
    now = clock.stamp()
    with writing(db):
        cur = db.execute("UPDATE teams SET active = 0, retired_at = ?, retired_reason = ?, updated_at = ?, "
                         "version = version + 1 WHERE id = ? AND active = 1", [now, reason, now, team_id])
        if cur.rowcount != 1:
            raise NotFound("该队伍不存在或已撤编")


def search(db: Database, query: Query = Query()) -> list[int]:
    """Ids of matching teams: by kind order, then town, then name."""
    where, params = ["1 = 1"], []
    if not query.include_retired:
        where.append("t.active = 1")
    for column, value in (("t.kind", query.kind), ("t.town_id", query.town_id), ("t.status", query.status)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    for term in normalize(query.text).split(" "):
        if term:
            where.append("(t.name LIKE ? ESCAPE '\\' OR t.specialty LIKE ? ESCAPE '\\' "
                         "OR p.name LIKE ? ESCAPE '\\')")
            params += [like_pattern(term)] * 3
    kind_order = " ".join(f"WHEN '{k}' THEN {i}" for i, k in enumerate(KINDS))
    sql = (f"SELECT t.id FROM teams t JOIN people p ON p.id = t.leader_id WHERE {' AND '.join(where)} "
           f"ORDER BY CASE t.kind {kind_order} END, t.town_id, t.name")
    return [r[0] for r in db.execute(sql, params)]


SELECT = """
    SELECT t.*, u.name AS town, coalesce(v.name, '') AS village, coalesce(o.name, '') AS org,
           p.name AS leader, coalesce(p.mobile, p.office_phone, '') AS leader_phone,
           coalesce(t.lon, v.lon, u.lon) AS map_lon, coalesce(t.lat, v.lat, u.lat) AS map_lat
    FROM teams t JOIN admin_units u ON u.id = t.town_id
    JOIN people p ON p.id = t.leader_id
    LEFT JOIN admin_units v ON v.id = t.village_id
    LEFT JOIN organizations o ON o.id = t.org_id
    WHERE t.id IN ({marks})"""


def rows(db: Database, ids: list[int]) -> dict[int, dict]:
    """Display rows by id: the team's fields plus town, village, org, leader, leader_phone and
    map_lon/map_lat (its own coordinates, else its village's, else its town's)."""
    return res.fetch(db, SELECT, ids)


def get(db: Database, team_id: int) -> dict:
    row = rows(db, [team_id]).get(team_id)
    if row is None:
        raise NotFound("该队伍不存在")
    return row


def as_input(row: dict) -> TeamInput:
    """A stored team as the form's input (for edits and unchanged re-imports)."""
    return TeamInput(
        name=row["name"], kind=row["kind"], town_id=row["town_id"], headcount=row["headcount"],
        specialty=row["specialty"], leader_id=row["leader_id"], village_id=row["village_id"],
        org_id=row["org_id"], equipment=row["equipment"], standby=row["standby"], status=row["status"],
        meets_standard=bool(row["meets_standard"]), insurance_expiry=row["insurance_expiry"],
        lon=row["lon"], lat=row["lat"], note=row["note"])


def find(db: Database, name: str) -> int | None:
    row = db.execute("SELECT id FROM teams WHERE name = ?", [normalize(name)]).fetchone()
    return row[0] if row else None
