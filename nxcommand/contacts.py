"""The directory (通讯录): people with posts, phones and role tags; search and edits.

Search matches name, pinyin and initials, unit, post, role tags, town and phone digits,
every space-separated term having to match. Results are id lists, and rows are fetched by
id in pages, so a table over 100,000 contacts stays lazy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlite_utils import Database

from . import session
from .clock import SYSTEM_CLOCK, Clock
from .errors import NotFound, ValidationError
from .org import meta
from .phones import normalize_phone
from .store import writing
from .text import clean, digits, like_pattern, normalize, pinyin_keys, record_id

NAME_MAX = 32
POST_MAX = 40
NOTE_MAX = 500


@dataclass
class ContactInput:
    """What the add/edit form submits. Text arrives as typed; validation normalises it."""

    name: str
    org_id: int | None
    post: str = ""
    mobile: str = ""
    office_phone: str = ""
    roles: list[str] = field(default_factory=list)
    note: str = ""


@dataclass(frozen=True)
class Query:
    text: str = ""
    org_id: int | None = None
    town_id: int | None = None
    body_id: int | None = None      # people of a command body: its posts and member units
    include_retired: bool = False


def validate(db: Database, data: ContactInput, person_id: int | None = None) -> dict:
    """The normalised record to store, or ValidationError naming the first bad field."""
    name = clean(data.name, "姓名", NAME_MAX, required=True)
    if re.search(r"\d", name):
        raise ValidationError("姓名不能含有数字", "姓名")
    if data.org_id is None:
        raise ValidationError("请选择所在单位", "单位")
    record_id(data.org_id, "单位")
    if not db.execute("SELECT 1 FROM organizations WHERE id = ?", [data.org_id]).fetchone():
        raise ValidationError("所选单位不存在", "单位")
    area = meta(db, "area_code")
    mobile = normalize_phone(data.mobile, "手机", area)
    if mobile and not mobile[:1] == "1":
        raise ValidationError(f"手机“{normalize(data.mobile)}”不是手机号码", "手机")
    office = normalize_phone(data.office_phone, "办公电话", area)
    if not mobile and not office:
        raise ValidationError("手机和办公电话至少填写一个", "手机")
    known = {r[0]: r[1] for r in db.execute("SELECT name, id FROM role_tags")}
    if not isinstance(data.roles, (list, tuple)) or not all(isinstance(r, str) for r in data.roles):
        raise ValidationError("角色应为角色名称的列表", "角色")
    roles = list(dict.fromkeys(normalize(r) for r in data.roles if normalize(r)))
    unknown = [r for r in roles if r not in known]
    if unknown:
        raise ValidationError("未知的角色：" + "、".join(unknown), "角色")
    if mobile:
        clash = db.execute(
            "SELECT name FROM people WHERE active = 1 AND mobile = ? AND id IS NOT ?",
            [mobile, person_id]).fetchone()
        if clash:
            raise ValidationError(f"手机 {mobile} 已登记在“{clash[0]}”名下", "手机")
    return {
        "name": name, "org_id": data.org_id, "post": clean(data.post, "职务", POST_MAX),
        "mobile": mobile, "office_phone": office, "note": clean(data.note, "备注", NOTE_MAX),
        "role_ids": [known[r] for r in roles], "roles": roles,
    }


def org_terms(db: Database, org_id: int) -> tuple[list[str], int]:
    """(searchable terms, display order) of a person's unit."""
    row = db.execute(
        """SELECT o.name, coalesce(o.short_name, ''), coalesce(t.name, ''), o.sort_order
           FROM organizations o
           LEFT JOIN admin_units u ON u.id = o.admin_unit_id
           LEFT JOIN admin_units t ON t.id = CASE u.level WHEN 'village' THEN u.parent_id
                                                          WHEN 'town' THEN u.id END
           WHERE o.id = ?""", [org_id]).fetchone()
    name, short, town, order = row
    return [name, short, town, pinyin_keys(short or name)[1]], order


def search_key(record: dict, unit: tuple[list[str], int]) -> tuple[str, str]:
    """(sort_key, search_key) for a person record and its unit (from ``org_terms``).

    sort_key is the unit's display order then the name's pinyin, so the directory's order
    comes straight from an index. search_key holds the name section (name, pinyin,
    initials), a "|", then everything else, so a match before the "|" can rank first.
    """
    terms, order = unit
    full, initials = pinyin_keys(record["name"])
    rest = [*terms, record["post"], *record["roles"],
            digits(record["mobile"]), digits(record["office_phone"])]
    name_part = " ".join((record["name"], full, initials))
    return f"{order:06d} {full}", (name_part + "|" + " ".join(p for p in rest if p)).lower()


def _write_roles(db: Database, person_id: int, role_ids: list[int]) -> None:
    db.execute("DELETE FROM person_roles WHERE person_id = ?", [person_id])
    for role_id in role_ids:
        db.execute("INSERT INTO person_roles (person_id, role_tag_id) VALUES (?, ?)",
                   [person_id, role_id])


def add(db: Database, data: ContactInput, clock: Clock = SYSTEM_CLOCK) -> int:
    session.require(db, "维护通讯录")
    record = validate(db, data)
    sort_key, key = search_key(record, org_terms(db, record["org_id"]))
    now = clock.stamp()
    with writing(db):
        cur = db.execute(
            "INSERT INTO people (name, org_id, post, mobile, office_phone, note, sort_key, "
            "search_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [record["name"], record["org_id"], record["post"], record["mobile"],
             record["office_phone"], record["note"], sort_key, key, now, now])
        _write_roles(db, cur.lastrowid, record["role_ids"])
    return cur.lastrowid


def update(db: Database, person_id: int, data: ContactInput, *, expected_version: int | None = None,
           clock: Clock = SYSTEM_CLOCK) -> None:
    """Save an edit. ``expected_version`` (read when the form was opened) detects an edit
    made meanwhile by someone else, which is refused rather than overwritten."""
    session.require(db, "维护通讯录")
    current = db.execute("SELECT version FROM people WHERE id = ?", [person_id]).fetchone()
    if current is None:
        raise NotFound("该联系人不存在")
    record = validate(db, data, person_id)
    sort_key, key = search_key(record, org_terms(db, record["org_id"]))
    with writing(db):
        cur = db.execute(
            "UPDATE people SET name = ?, org_id = ?, post = ?, mobile = ?, office_phone = ?, "
            "note = ?, sort_key = ?, search_key = ?, updated_at = ?, version = version + 1 "
            "WHERE id = ? AND (? IS NULL OR version = ?)",
            [record["name"], record["org_id"], record["post"], record["mobile"],
             record["office_phone"], record["note"], sort_key, key, clock.stamp(), person_id,
             expected_version, expected_version])
        if cur.rowcount != 1:
            raise ValidationError("该联系人已被他人修改，请关闭后重新打开再编辑")
        _write_roles(db, person_id, record["role_ids"])


def retire(db: Database, person_id: int, reason: str, clock: Clock = SYSTEM_CLOCK) -> None:
    """Take a contact out of the directory (调离、退休…). The record is kept."""
    session.require(db, "维护通讯录")
    reason = clean(reason, "停用原因", 100, required=True)
    with writing(db):
        cur = db.execute(
            "UPDATE people SET active = 0, retired_at = ?, retired_reason = ?, updated_at = ?, "
            "version = version + 1 "
            "WHERE id = ? AND active = 1", [clock.stamp(), reason, clock.stamp(), person_id])
        if cur.rowcount != 1:
            raise NotFound("该联系人不存在或已停用")


def reinstate(db: Database, person_id: int, clock: Clock = SYSTEM_CLOCK) -> None:
    session.require(db, "维护通讯录")
    row = db.execute("SELECT mobile FROM people WHERE id = ? AND active = 0", [person_id]).fetchone()
    if row is None:
        raise NotFound("该联系人不存在或未停用")
    if row[0] and db.execute("SELECT 1 FROM people WHERE active = 1 AND mobile = ?", [row[0]]).fetchone():
        raise ValidationError(f"手机 {row[0]} 已登记在其他在用联系人名下，无法恢复")
    with writing(db):
        db.execute("UPDATE people SET active = 1, retired_at = NULL, retired_reason = NULL, "
                   "updated_at = ?, version = version + 1 WHERE id = ?", [clock.stamp(), person_id])


def search(db: Database, query: Query) -> list[int]:
    """Ids of matching people: name matches first, then by unit and pinyin of the name."""
    terms = [t.replace("-", "") if re.fullmatch(r"[\d\-]+", t) else t
             for t in normalize(query.text).lower().split(" ") if t]
    where, params = ["1 = 1"], []
    if not query.include_retired:
        # With search terms a full scan beats walking the (active, sort_key) index.
        where.append("+p.active = 1" if terms else "p.active = 1")
    for term in terms:
        where.append("p.search_key LIKE ? ESCAPE '\\'")
        params.append(like_pattern(term))
    if query.org_id is not None:
        where.append("p.org_id = ?")
        params.append(query.org_id)
    if query.town_id is not None:
        where.append("""p.org_id IN (SELECT o.id FROM organizations o JOIN admin_units u
                        ON u.id = o.admin_unit_id WHERE u.id = ? OR u.parent_id = ?)""")
        params += [query.town_id, query.town_id]
    if query.body_id is not None:
        where.append("""(p.id IN (SELECT person_id FROM command_body_posts WHERE body_id = ?)
                        OR p.org_id IN (SELECT org_id FROM command_body_members WHERE body_id = ?))""")
        params += [query.body_id, query.body_id]
    # People whose name, pinyin or initials match the first term come first.
    rank, rank_params = "", []
    if terms:
        rank = "instr(p.search_key, ?) NOT BETWEEN 1 AND instr(p.search_key, '|'), "
        rank_params = [terms[0]]
    sql = f"SELECT p.id FROM people p WHERE {' AND '.join(where)} ORDER BY {rank}p.sort_key, p.id"
    return [r[0] for r in db.execute(sql, params + rank_params)]


COLUMNS = ("name", "org", "post", "mobile", "office_phone", "roles", "town")


def rows(db: Database, ids: list[int]) -> dict[int, dict]:
    """Display rows for ``ids`` (at most a page at a time), keyed by id."""
    found: dict[int, dict] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for row in db.query(f"""
            SELECT p.id, p.name, coalesce(o.short_name, o.name, '') AS org, o.duty_phone AS org_duty_phone,
                   p.post, p.mobile,
                   p.office_phone, p.active, p.retired_reason, p.note, p.org_id, p.version,
                   coalesce(t.name, '') AS town,
                   coalesce((SELECT group_concat(r.name, '、') FROM
                       (SELECT rt.name FROM person_roles pr JOIN role_tags rt ON rt.id = pr.role_tag_id
                        WHERE pr.person_id = p.id ORDER BY rt.sort_order) r), '') AS roles
            FROM people p
            LEFT JOIN organizations o ON o.id = p.org_id
            LEFT JOIN admin_units u ON u.id = o.admin_unit_id
            LEFT JOIN admin_units t ON t.id = CASE u.level WHEN 'village' THEN u.parent_id
                                                           WHEN 'town' THEN u.id END
            WHERE p.id IN ({marks})""", chunk):
            found[row["id"]] = row
    return found


def get(db: Database, person_id: int) -> dict:
    row = rows(db, [person_id]).get(person_id)
    if row is None:
        raise NotFound("该联系人不存在")
    row["role_list"] = [r for r in row["roles"].split("、") if r]
    return row


def count(db: Database, include_retired: bool = False) -> int:
    sql = "SELECT count(*) FROM people" + ("" if include_retired else " WHERE active = 1")
    return db.execute(sql).fetchone()[0]


def with_role(db: Database, role: str, org_id: int | None = None) -> list[dict]:
    """Active people carrying a role tag (带班领导, 值班员 …), optionally of one unit."""
    sql = """SELECT p.id, p.name, p.mobile, p.org_id FROM people p
             JOIN person_roles pr ON pr.person_id = p.id
             JOIN role_tags rt ON rt.id = pr.role_tag_id
             WHERE p.active = 1 AND rt.name = ?"""
    params: list = [role]
    if org_id is not None:
        sql += " AND p.org_id = ?"
        params.append(org_id)
    return list(db.query(sql + " ORDER BY p.sort_key, p.id", params))
