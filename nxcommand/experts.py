"""专家: the expert pool, by field. Each expert is a directory contact (role tag 专家);
the register adds field (领域), title (职称) and employer. Removing an expert from the pool
leaves the person in the directory."""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from . import resources as res
from . import session
from .clock import SYSTEM_CLOCK, Clock
from .errors import NotFound, ValidationError
from .store import update_versioned, writing
from .text import like_pattern, normalize

FIELDS_OF_WORK = ("防汛抗旱", "地质灾害", "森林防火", "危险化学品", "矿山", "地震", "医疗救护", "气象",
                  "水利", "建筑结构", "电力", "通信", "交通运输", "消防", "其他")
ROLE = "专家"


@dataclass
class ExpertInput:
    """The person is a directory id, or a name and phone (found or added as a contact in
    ``org_id``, default the county 应急管理局)."""

    field: str
    person_id: int | None = None
    name: str = ""
    phone: str = ""
    org_id: int | None = None
    title: str = ""
    employer: str = ""
    note: str = ""


@dataclass(frozen=True)
class Query:
    field: str | None = None
    text: str = ""          # name, employer, title


def validate(db: Database, data: ExpertInput) -> dict:
    if data.person_id is None and not normalize(data.name):
        raise ValidationError("请填写专家姓名", "姓名")
    return {
        "person_id": res.check_person(db, data.person_id, "专家"),
        "field": res.choice(data.field, FIELDS_OF_WORK, "专业领域"),
        "title": res.short(data.title, "职称", 40),
        "employer": res.short(data.employer, "工作单位", res.NAME_MAX),
        "note": res.short(data.note, "备注", res.NOTE_MAX, multiline=True),
        "org_id": res.check_org(db, data.org_id, "通讯录单位"),
    }


def _person(db: Database, data: ExpertInput, record: dict, expert_id: int | None, clock: Clock) -> int:
    person_id = record["person_id"] or res.find_or_add_person(
        db, data.name, data.phone, ROLE, clock, org_id=record["org_id"], post=record["title"])
    clash = db.execute("SELECT id FROM experts WHERE person_id = ? AND id IS NOT ?",
                       [person_id, expert_id]).fetchone()
    if clash:
        raise ValidationError("此人已在专家库中", "姓名")
    return person_id


COLUMNS = ("person_id", "field", "title", "employer", "note")


def add(db: Database, data: ExpertInput, clock: Clock = SYSTEM_CLOCK) -> int:
    session.require(db, "管理资源登记")
    record = validate(db, data)
    now = clock.stamp()
    with writing(db):
        record["person_id"] = _person(db, data, record, None, clock)
        cur = db.execute(
            f"INSERT INTO experts ({', '.join(COLUMNS)}, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [record[c] for c in COLUMNS] + [now, now])
    return cur.lastrowid


def update(db: Database, expert_id: int, data: ExpertInput, *, expected_version: int | None = None,
           clock: Clock = SYSTEM_CLOCK) -> None:
    session.require(db, "管理资源登记")
    res.bump(db, "experts", expert_id, expected_version, "专家")
    record = validate(db, data)
    with writing(db):
        record["person_id"] = _person(db, data, record, expert_id, clock)
        update_versioned(db, "experts", expert_id, {c: record[c] for c in COLUMNS}, expected_version,
                         clock.stamp(), "专家")


def remove(db: Database, expert_id: int) -> None:
    """Take the expert out of the pool; the contact stays in the directory."""
    session.require(db, "管理资源登记")
    with writing(db):
        if db.execute("DELETE FROM experts WHERE id = ?", [expert_id]).rowcount != 1:
            raise NotFound("该专家不存在")


def search(db: Database, query: Query = Query()) -> list[int]:
    where, params = ["1 = 1"], []
    if query.field is not None:
        where.append("e.field = ?")
        params.append(query.field)
    for term in normalize(query.text).split(" "):
        if term:
            where.append("(p.name LIKE ? ESCAPE '\\' OR e.employer LIKE ? ESCAPE '\\' "
                         "OR e.title LIKE ? ESCAPE '\\')")
            params += [like_pattern(term)] * 3
    order = " ".join(f"WHEN '{f}' THEN {i}" for i, f in enumerate(FIELDS_OF_WORK))
    return [r[0] for r in db.execute(
        f"SELECT e.id FROM experts e JOIN people p ON p.id = e.person_id WHERE {' AND '.join(where)} "
        f"ORDER BY CASE e.field {order} END, p.sort_key, e.id", params)]


SELECT = """
    SELECT e.*, p.name, coalesce(p.mobile, '') AS mobile, coalesce(p.office_phone, '') AS office_phone,
           p.active AS person_active, coalesce(o.name, '') AS org
    FROM experts e JOIN people p ON p.id = e.person_id
    LEFT JOIN organizations o ON o.id = p.org_id
    WHERE e.id IN ({marks})"""


def rows(db: Database, ids: list[int]) -> dict[int, dict]:
    return res.fetch(db, SELECT, ids)


def get(db: Database, expert_id: int) -> dict:
    row = rows(db, [expert_id]).get(expert_id)
    if row is None:
        raise NotFound("该专家不存在")
    return row
