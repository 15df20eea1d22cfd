"""避难场所: shelters by level (紧急 / 固定 / 中心避难场所) and setting (室内 / 室外 / 室内外),
with area, capacity, facilities, access, manager, coordinates, and the current occupancy
during a response (never above capacity; the time of the last count is kept)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from . import resources as res
from . import session
from .clock import SYSTEM_CLOCK, Clock
from .errors import NotFound, ValidationError
from .store import update_versioned, writing
from .text import like_pattern, normalize

LEVELS = ("紧急避难场所", "固定避难场所", "中心避难场所")
SETTINGS = ("室内", "室外", "室内外")


@dataclass
class ShelterInput:
    name: str
    level: str
    town_id: int | None
    capacity: int | str
    area_m2: float | str
    setting: str = "室内"
    village_id: int | None = None
    facilities: str = ""
    access: str = ""
    address: str = ""
    manager_id: int | None = None
    manager_name: str = ""
    manager_phone: str = ""
    lon: float | str | None = None
    lat: float | str | None = None
    note: str = ""


@dataclass(frozen=True)
class Query:
    town_id: int | None = None
    level: str | None = None
    text: str = ""          # name, address, facilities


def validate(db: Database, data: ShelterInput, shelter_id: int | None = None) -> dict:
    name = res.short(data.name, "场所名称", res.NAME_MAX, required=True)
    if db.execute("SELECT 1 FROM shelters WHERE name = ? AND id IS NOT ?", [name, shelter_id]).fetchone():
        raise ValidationError(f"已有名为“{name}”的避难场所", "场所名称")
    town_id = res.check_town(db, data.town_id)
    capacity = res.count(data.capacity, "容纳人数", 1, 1_000_000)
    if shelter_id is not None:
        occupied = db.execute("SELECT occupancy FROM shelters WHERE id = ?", [shelter_id]).fetchone()[0]
        if capacity < occupied:
            raise ValidationError(f"现安置 {occupied} 人，容纳人数不能少于此数", "容纳人数")
    return {
        "name": name,
        "level": res.choice(data.level, LEVELS, "场所类型"),
        "setting": res.choice(data.setting, SETTINGS, "室内外", "室内"),
        "area_m2": res.number(data.area_m2, "面积", 1, 10_000_000),
        "capacity": capacity,
        "facilities": res.short(data.facilities, "设施", res.NOTE_MAX, multiline=True),
        "access": res.short(data.access, "交通", res.TEXT_MAX),
        "town_id": town_id,
        "village_id": res.check_village(db, data.village_id, town_id),
        "address": res.short(data.address, "地址", res.TEXT_MAX),
        "manager_id": res.check_person(db, data.manager_id, "管理人"),
        **dict(zip(("lon", "lat"), res.coords(data.lon, data.lat))),
        "note": res.short(data.note, "备注", res.NOTE_MAX, multiline=True),
    }


def _manager(db: Database, data: ShelterInput, record: dict, clock: Clock) -> int | None:
    if record["manager_id"] is not None or not normalize(data.manager_name):
        return record["manager_id"]
    org_id = res.unit_org(db, record["village_id"]) or res.unit_org(db, record["town_id"])
    return res.find_or_add_person(db, data.manager_name, data.manager_phone, "", clock,
                                  org_id=org_id, post=f"{record['name']}管理员")


COLUMNS = ("name", "level", "setting", "area_m2", "capacity", "facilities", "access", "town_id",
           "village_id", "address", "manager_id", "lon", "lat", "note")


def add(db: Database, data: ShelterInput, clock: Clock = SYSTEM_CLOCK) -> int:
    session.require(db, "管理资源登记")
    record = validate(db, data)
    now = clock.stamp()
    with writing(db):
        record["manager_id"] = _manager(db, data, record, clock)
        cur = db.execute(
            f"INSERT INTO shelters ({', '.join(COLUMNS)}, created_at, updated_at) "
            f"VALUES ({', '.join('?' * len(COLUMNS))}, ?, ?)", [record[c] for c in COLUMNS] + [now, now])
    return cur.lastrowid


def update(db: Database, shelter_id: int, data: ShelterInput, *, expected_version: int | None = None,
           clock: Clock = SYSTEM_CLOCK) -> None:
    session.require(db, "管理资源登记")
    res.bump(db, "shelters", shelter_id, expected_version, "避难场所")
    record = validate(db, data, shelter_id)
    with writing(db):
        record["manager_id"] = _manager(db, data, record, clock)
        update_versioned(db, "shelters", shelter_id, {c: record[c] for c in COLUMNS}, expected_version,
                         clock.stamp(), "避难场所")


def set_occupancy(db: Database, shelter_id: int, occupancy: int | str, clock: Clock = SYSTEM_CLOCK) -> None:
    """The count of people sheltered now (0 after everyone has gone home); refused above capacity."""
    session.require(db, "管理资源登记")
    row = db.execute("SELECT capacity, name FROM shelters WHERE id = ?", [shelter_id]).fetchone()
    if row is None:
        raise NotFound("该避难场所不存在")
    people = res.count(occupancy, "现安置人数", 0, 10_000_000)
    if people > row[0]:
        raise ValidationError(f"{row[1]}最多容纳 {row[0]} 人，不能安置 {people} 人，请分流到其他场所", "现安置人数")
    now = clock.stamp()
    with writing(db):
        db.execute("UPDATE shelters SET occupancy = ?, occupancy_at = ?, updated_at = ?, version = version + 1 "
                   "WHERE id = ?", [people, now, now, shelter_id])


def remove(db: Database, shelter_id: int) -> None:
    """Delete a shelter that nobody is sheltered in and no register entry points to."""
    session.require(db, "管理资源登记")
    row = db.execute("SELECT occupancy FROM shelters WHERE id = ?", [shelter_id]).fetchone()
    if row is None:
        raise NotFound("该避难场所不存在")
    if row[0]:
        raise ValidationError(f"该场所现安置 {row[0]} 人，不能删除")
    users = db.execute("SELECT count(*) FROM vulnerable_people WHERE shelter_id = ?", [shelter_id]).fetchone()[0]
    if users:
        raise ValidationError(f"有 {users} 名特殊群体人员以此为转移安置点，请先为他们改派场所")
    with writing(db):
        db.execute("DELETE FROM shelters WHERE id = ?", [shelter_id])


def search(db: Database, query: Query = Query()) -> list[int]:
    where, params = ["1 = 1"], []
    for column, value in (("s.town_id", query.town_id), ("s.level", query.level)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    for term in normalize(query.text).split(" "):
        if term:
            where.append("(s.name LIKE ? ESCAPE '\\' OR s.address LIKE ? ESCAPE '\\' "
                         "OR s.facilities LIKE ? ESCAPE '\\')")
            params += [like_pattern(term)] * 3
    return [r[0] for r in db.execute(
        f"SELECT s.id FROM shelters s JOIN admin_units u ON u.id = s.town_id WHERE {' AND '.join(where)} "
        "ORDER BY u.kind = '镇', u.id, s.name", params)]


SELECT = """
    SELECT s.*, u.name AS town, coalesce(v.name, '') AS village,
           coalesce(p.name, '') AS manager, coalesce(p.mobile, p.office_phone, '') AS manager_phone,
           coalesce(s.lon, v.lon, u.lon) AS map_lon, coalesce(s.lat, v.lat, u.lat) AS map_lat
    FROM shelters s JOIN admin_units u ON u.id = s.town_id
    LEFT JOIN admin_units v ON v.id = s.village_id
    LEFT JOIN people p ON p.id = s.manager_id
    WHERE s.id IN ({marks})"""


def rows(db: Database, ids: list[int]) -> dict[int, dict]:
    return res.fetch(db, SELECT, ids)


def get(db: Database, shelter_id: int) -> dict:
    row = rows(db, [shelter_id]).get(shelter_id)
    if row is None:
        raise NotFound("该避难场所不存在")
    return row


def choices(db: Database) -> list[dict]:
    """id, name, town of every shelter, for pick lists."""
    return list(db.query("SELECT s.id, s.name, u.name AS town FROM shelters s "
                         "JOIN admin_units u ON u.id = s.town_id ORDER BY u.kind = '镇', u.id, s.name"))


def find(db: Database, name: str) -> int | None:
    row = db.execute("SELECT id FROM shelters WHERE name = ?", [normalize(name)]).fetchone()
    return row[0] if row else None
