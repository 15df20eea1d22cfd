"""The directory (通讯录) as an Excel register: export, template and import through the
engine in ``xlsx``. A row updates the active person of the same name and mobile (or, with no
mobile, of the same name in the same unit) and adds anyone else; units must already exist."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlite_utils import Database

from . import contacts
from .clock import Clock
from .phones import normalize_phone
from .org import meta
from .text import normalize
from .xlsx import Column, Kind

_SPLIT = re.compile(r"[、，,；;/\s]+")

COLUMNS = (
    Column("name", "姓名", ("名字", "联系人"), required=True, width=10),
    Column("org", "单位", ("工作单位", "所在单位", "单位名称", "部门"), required=True, width=26,
           note="须与系统中的单位全称或简称一致"),
    Column("post", "职务", ("职位", "岗位"), width=16),
    Column("mobile", "手机", ("手机号码", "移动电话", "手机号", "联系电话", "电话"), width=14),
    Column("office", "办公电话", ("座机", "固定电话", "办公室电话", "办公座机"), width=16),
    Column("roles", "角色", ("身份", "角色标签"), width=18, note="多个角色用“、”分隔，如：带班领导、值班员"),
    Column("note", "备注", ("说明",), width=20),
)


@dataclass(frozen=True)
class Row:
    person_id: int | None
    version: int | None
    data: contacts.ContactInput
    changed: bool


def _rows(db: Database):
    ids = contacts.search(db, contacts.Query())
    found = contacts.rows(db, ids)
    full = {r["id"]: r["name"] for r in db.query("SELECT id, name FROM organizations")}
    for pid in ids:
        r = found[pid]
        yield [r["name"], full.get(r["org_id"], r["org"]), r["post"], r["mobile"] or "",
               r["office_phone"] or "", r["roles"], r["note"]]


def _units(db: Database, scratch: dict) -> dict[str, int]:
    if "units" not in scratch:
        units: dict[str, int] = {}
        county = meta(db, "county_name") or ""
        for r in db.query("SELECT id, name, short_name FROM organizations ORDER BY id DESC"):
            name = r["name"].replace(" ", "")
            units[name] = r["id"]
            if county and name.startswith(county):        # 乌迳镇人民政府 for 南雄市乌迳镇人民政府
                units.setdefault(name[len(county):], r["id"])
            if r["short_name"]:
                units.setdefault(r["short_name"].replace(" ", ""), r["id"])
        scratch["units"] = units
    return scratch["units"]


def _check(db: Database, cells: dict[str, str], scratch: dict) -> Row:
    org_id = _units(db, scratch).get(cells["org"].replace(" ", ""))
    if org_id is None:
        raise ValueError(f"找不到单位“{cells['org']}”（请先在通讯录中登记该单位，或改用系统中的单位名称）")
    data = contacts.ContactInput(
        name=cells["name"].replace(" ", "") if len(cells["name"].replace(" ", "")) <= 4 else cells["name"],
        org_id=org_id, post=cells["post"], mobile=cells["mobile"], office_phone=cells["office"],
        roles=[r for r in _SPLIT.split(cells["roles"]) if r], note=cells["note"])
    area = meta(db, "area_code")
    try:
        mobile = normalize_phone(data.mobile, "手机", area) if data.mobile else ""
    except Exception:  # the service below gives the precise message
        mobile = ""
    name = normalize(data.name)
    seen = scratch.setdefault("seen", {})
    key = (name, mobile or f"unit:{org_id}")
    if key in seen:
        raise ValueError(f"与第 {seen[key]} 行是同一人（{name}）")
    seen[key] = scratch["row"]
    existing = (db.execute("SELECT id, version FROM people WHERE active = 1 AND name = ? AND mobile = ?",
                           [name, mobile]).fetchone() if mobile else
                db.execute("SELECT id, version FROM people WHERE active = 1 AND name = ? AND org_id = ?",
                           [name, org_id]).fetchone())
    person_id, version = existing if existing else (None, None)
    record = contacts.validate(db, data, person_id)          # raises ValidationError for a bad row
    changed = True
    if person_id is not None:
        old = contacts.get(db, person_id)
        changed = (old["name"], old["org_id"], old["post"], old["mobile"] or "", old["office_phone"] or "",
                   old["note"], old["role_list"]) != (
            record["name"], record["org_id"], record["post"], record["mobile"] or "",
            record["office_phone"] or "", record["note"], record["roles"])
    return Row(person_id, version, data, changed)


def _apply(db: Database, items: list[Row], clock: Clock) -> tuple[int, int]:
    added = updated = 0
    for item in items:
        if item.person_id is None:
            contacts.add(db, item.data, clock)
            added += 1
        elif item.changed:
            contacts.update(db, item.person_id, item.data, expected_version=item.version, clock=clock)
            updated += 1
    return added, updated


CONTACTS = Kind("contacts", "通讯录", COLUMNS, _rows, _check, _apply, "人")
