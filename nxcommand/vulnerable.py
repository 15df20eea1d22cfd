"""特殊群体临灾转移"四个一" (DOMAIN.md §2, 000:L294): the register of vulnerable people.

每户一对接: each person has a named transfer contact in the directory; 每村一台账: the register
read village by village (``by_village``); 每镇一张网: a town's villages with their counts, and
every entry that still lacks a contact or a destination shelter flagged (``town_network``);
每灾一行动 is step 4's business. A missing contact or shelter is allowed when registering
(the register is how the gaps get found) but always shown as a gap.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from . import resources as res
from . import session
from .clock import SYSTEM_CLOCK, Clock
from .errors import NotFound, ValidationError
from .store import update_versioned, writing
from .text import like_pattern, normalize

CATEGORIES = ("独居老人", "留守儿童", "残疾人", "孕产妇", "重病患者", "其他")
CONTACT_POST = "特殊群体转移对接人"


@dataclass
class PersonInput:
    """The transfer contact is a directory id or a name and phone (filed under the village
    committee when new)."""

    name: str
    village_id: int | None
    category: str
    needs: str = ""
    address: str = ""
    contact_id: int | None = None
    contact_name: str = ""
    contact_phone: str = ""
    route: str = ""
    shelter_id: int | None = None
    note: str = ""


@dataclass(frozen=True)
class Query:
    town_id: int | None = None
    village_id: int | None = None
    category: str | None = None
    gaps_only: bool = False       # lacking a contact or a shelter
    text: str = ""                # name, needs, contact's name


def validate(db: Database, data: PersonInput) -> dict:
    name = res.short(data.name, "姓名", 32, required=True)
    village_id = res.check_village(db, data.village_id, None, required=True)
    if data.shelter_id is not None and not db.execute(
            "SELECT 1 FROM shelters WHERE id = ?", [data.shelter_id]).fetchone():
        raise ValidationError("所选安置场所不存在", "安置场所")
    return {
        "name": name, "village_id": village_id,
        "category": res.choice(data.category, CATEGORIES, "人员类别"),
        "needs": res.short(data.needs, "特殊需求", res.TEXT_MAX),
        "address": res.short(data.address, "住址", res.TEXT_MAX),
        "contact_id": res.check_person(db, data.contact_id, "对接人"),
        "route": res.short(data.route, "转移路线", res.TEXT_MAX),
        "shelter_id": data.shelter_id,
        "note": res.short(data.note, "备注", res.NOTE_MAX, multiline=True),
    }


def _contact(db: Database, data: PersonInput, record: dict, clock: Clock) -> int | None:
    if record["contact_id"] is not None or not normalize(data.contact_name):
        return record["contact_id"]
    village = record["village_id"]
    town = db.execute("SELECT parent_id FROM admin_units WHERE id = ?", [village]).fetchone()[0]
    return res.find_or_add_person(db, data.contact_name, data.contact_phone, "", clock,
                                  org_id=res.unit_org(db, village) or res.unit_org(db, town),
                                  post=CONTACT_POST)


COLUMNS = ("name", "village_id", "category", "needs", "address", "contact_id", "route", "shelter_id", "note")


def add(db: Database, data: PersonInput, clock: Clock = SYSTEM_CLOCK) -> int:
    session.require(db, "管理资源登记")
    record = validate(db, data)
    now = clock.stamp()
    with writing(db):
        record["contact_id"] = _contact(db, data, record, clock)
        cur = db.execute(
            f"INSERT INTO vulnerable_people ({', '.join(COLUMNS)}, created_at, updated_at) "
            f"VALUES ({', '.join('?' * len(COLUMNS))}, ?, ?)", [record[c] for c in COLUMNS] + [now, now])
    return cur.lastrowid


def update(db: Database, person_id: int, data: PersonInput, *, expected_version: int | None = None,
           clock: Clock = SYSTEM_CLOCK) -> None:
    session.require(db, "管理资源登记")
    res.bump(db, "vulnerable_people", person_id, expected_version, "登记")
    record = validate(db, data)
    with writing(db):
        record["contact_id"] = _contact(db, data, record, clock)
        update_versioned(db, "vulnerable_people", person_id, {c: record[c] for c in COLUMNS}, expected_version,
                         clock.stamp(), "登记")


def remove(db: Database, person_id: int) -> None:
    """Take an entry off the register (moved away, no longer at risk)."""
    session.require(db, "管理资源登记")
    with writing(db):
        if db.execute("DELETE FROM vulnerable_people WHERE id = ?", [person_id]).rowcount != 1:
            raise NotFound("该登记不存在")


def search(db: Database, query: Query = Query()) -> list[int]:
    """Ids by town, village (每村一台账 order), category, then name; gaps on request."""
    where, params = ["1 = 1"], []
    for column, value in (("v.parent_id", query.town_id), ("r.village_id", query.village_id),
                          ("r.category", query.category)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    if query.gaps_only:
        where.append("(r.contact_id IS NULL OR r.shelter_id IS NULL)")
    for term in normalize(query.text).split(" "):
        if term:
            where.append("(r.name LIKE ? ESCAPE '\\' OR r.needs LIKE ? ESCAPE '\\' "
                         "OR coalesce(p.name, '') LIKE ? ESCAPE '\\')")
            params += [like_pattern(term)] * 3
    cats = " ".join(f"WHEN '{c}' THEN {i}" for i, c in enumerate(CATEGORIES))
    return [r[0] for r in db.execute(
        "SELECT r.id FROM vulnerable_people r JOIN admin_units v ON v.id = r.village_id "
        f"LEFT JOIN people p ON p.id = r.contact_id WHERE {' AND '.join(where)} "
        f"ORDER BY v.parent_id, v.id, CASE r.category {cats} END, r.name, r.id", params)]


SELECT = """
    SELECT r.*, v.name AS village, t.name AS town, t.id AS town_id,
           coalesce(p.name, '') AS contact, coalesce(p.mobile, p.office_phone, '') AS contact_phone,
           coalesce(s.name, '') AS shelter,
           trim((CASE WHEN r.contact_id IS NULL THEN '缺对接人 ' ELSE '' END) ||
                (CASE WHEN r.shelter_id IS NULL THEN '缺安置场所' ELSE '' END)) AS gaps
    FROM vulnerable_people r JOIN admin_units v ON v.id = r.village_id
    JOIN admin_units t ON t.id = v.parent_id
    LEFT JOIN people p ON p.id = r.contact_id
    LEFT JOIN shelters s ON s.id = r.shelter_id
    WHERE r.id IN ({marks})"""


def rows(db: Database, ids: list[int]) -> dict[int, dict]:
    """Display rows with village, town, contact, contact_phone, shelter and gaps ('' when
    complete, else 缺对接人 / 缺安置场所)."""
    return res.fetch(db, SELECT, ids)


def get(db: Database, person_id: int) -> dict:
    row = rows(db, [person_id]).get(person_id)
    if row is None:
        raise NotFound("该登记不存在")
    return row


def by_village(db: Database, village_id: int) -> list[dict]:
    """每村一台账: the village's register in order."""
    ids = search(db, Query(village_id=village_id))
    found = rows(db, ids)
    return [found[i] for i in ids]


def town_network(db: Database, town_id: int) -> list[dict]:
    """每镇一张网: each village of the town with people, no_contact, no_shelter, gaps (entries
    lacking either) and the shelters used; villages with nobody registered show zeros."""
    return list(db.query("""
        SELECT v.id AS village_id, v.name AS village, count(r.id) AS people,
               coalesce(sum(r.id IS NOT NULL AND r.contact_id IS NULL), 0) AS no_contact,
               coalesce(sum(r.id IS NOT NULL AND r.shelter_id IS NULL), 0) AS no_shelter,
               coalesce(sum(r.id IS NOT NULL AND (r.contact_id IS NULL OR r.shelter_id IS NULL)), 0) AS gaps,
               coalesce((SELECT group_concat(name, '、') FROM (SELECT DISTINCT s.name FROM vulnerable_people x
                   JOIN shelters s ON s.id = x.shelter_id WHERE x.village_id = v.id ORDER BY s.name)), '') AS shelters
        FROM admin_units v LEFT JOIN vulnerable_people r ON r.village_id = v.id
        WHERE v.parent_id = ? AND v.level = 'village' GROUP BY v.id ORDER BY v.id""", [town_id]))


def county_summary(db: Database) -> list[dict]:
    """Per town with anyone registered: town_id, town, villages, people, gaps."""
    return list(db.query("""
        SELECT t.id AS town_id, t.name AS town, count(DISTINCT r.village_id) AS villages, count(r.id) AS people,
               sum(r.contact_id IS NULL OR r.shelter_id IS NULL) AS gaps
        FROM vulnerable_people r JOIN admin_units v ON v.id = r.village_id JOIN admin_units t ON t.id = v.parent_id
        GROUP BY t.id ORDER BY t.kind = '镇', t.id"""))
