"""Resource registers (DOMAIN.md §6): what they share, and what looks across them.

The registers live in their own modules, each with add / update(expected_version) /
retire-or-remove / search (ids) / rows (display dicts by id) / get:
``teams`` (应急救援队伍, with status changes), ``experts`` (专家), ``equipment`` (装备 and the
"四合一" kit), ``shelters`` (避难场所 with occupancy) and ``vulnerable`` (特殊群体临灾转移 register).

Here: ``find_or_add_person`` (every person a register names — team leader, expert, kit
operator, shelter manager, transfer contact — is a directory contact; SUP and PLAN may use it
too), the validation helpers the registers share, the insurance ``alerts``,
``readiness_by_town`` for the readiness chart, and the demo loader.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlite_utils import Database

from . import contacts, session
from .alerts import Alert, window_days
from .clock import SYSTEM_CLOCK, Clock
from .errors import NotFound, ValidationError
from .org import meta
from .phones import normalize_phone
from .store import writing
from .text import clean, digits, normalize

NAME_MAX = 60
TEXT_MAX = 200
NOTE_MAX = 500


# ------------------------------------------------------------------ people

def default_org(db: Database) -> int:
    """The county's emergency-management bureau (where registers file people who have no
    unit of their own in the directory), else the first unit."""
    county = meta(db, "county_name") or ""
    row = db.execute(
        "SELECT id FROM organizations WHERE name = ? OR name LIKE '%应急管理局' "
        "ORDER BY name != ?, sort_order, id LIMIT 1", [f"{county}应急管理局", f"{county}应急管理局"]).fetchone()
    row = row or db.execute("SELECT id FROM organizations ORDER BY sort_order, id LIMIT 1").fetchone()
    if row is None:
        raise ValidationError("尚未登记任何单位，请先在通讯录中添加单位")
    return row[0]


def unit_org(db: Database, admin_unit_id: int | None) -> int | None:
    """The government or committee of a town or village (乡镇政府 / 村居委会), if registered."""
    if admin_unit_id is None:
        return None
    row = db.execute(
        "SELECT id FROM organizations WHERE admin_unit_id = ? AND kind IN ('乡镇政府', '村居委会') "
        "ORDER BY sort_order, id LIMIT 1", [admin_unit_id]).fetchone()
    return row[0] if row else None


def find_person(db: Database, name: str, phone: str | None) -> int | None:
    """The active person a register names, or None when a new contact would be needed.

    Found: an active person of that name whose mobile or office phone has the same digits;
    with no phone given, the only active person of that name. Reads only; raises
    ValidationError for a bad name or phone, a name shared by several people when no phone
    tells them apart, a new person without a phone, or a mobile already in another's name.
    """
    name = clean(name, "姓名", contacts.NAME_MAX, required=True)
    if re.search(r"\d", name):
        raise ValidationError("姓名不能含有数字", "姓名")
    number = normalize_phone(phone, "电话", meta(db, "area_code"))
    people = list(db.query("SELECT id, mobile, office_phone FROM people WHERE active = 1 AND name = ? "
                           "ORDER BY id", [name]))
    if number:
        wanted = digits(number)
        people = [p for p in people if wanted in (digits(p["mobile"]), digits(p["office_phone"]))]
    elif len(people) > 1:
        raise ValidationError(f"通讯录中有 {len(people)} 位“{name}”，请填写电话以区分", "电话")
    if people:
        return people[0]["id"]
    if not number:
        raise ValidationError(f"通讯录中没有“{name}”，请填写其手机号码以新建联系人", "电话")
    if number.startswith("1"):
        clash = db.execute("SELECT name FROM people WHERE active = 1 AND mobile = ?", [number]).fetchone()
        if clash:
            raise ValidationError(f"手机 {number} 已登记在“{clash[0]}”名下", "电话")
    return None


def find_or_add_person(db: Database, name: str, phone: str | None, role_tag: str,
                       clock: Clock = SYSTEM_CLOCK, org_id: int | None = None, post: str = "") -> int:
    """The directory id of the person a register names, adding the contact when new.

    Found as in ``find_person``; found people gain ``role_tag`` (e.g. 队伍负责人, 专家; '' for
    none) if they lack it. Otherwise a contact is added through ``contacts.add`` in ``org_id``
    (default: the county 应急管理局) with ``post`` and the role. Raises ValidationError
    (nothing written) as ``find_person`` does. Runs inside the caller's transaction.
    """
    session.require(db, "维护通讯录")
    person_id = find_person(db, name, phone)
    if person_id is not None:
        person = contacts.get(db, person_id)
        if role_tag and role_tag not in person["role_list"]:
            contacts.update(db, person_id, contacts.ContactInput(
                name=person["name"], org_id=person["org_id"], post=person["post"],
                mobile=person["mobile"] or "", office_phone=person["office_phone"] or "",
                roles=[*person["role_list"], role_tag], note=person["note"]),
                expected_version=person["version"], clock=clock)
        return person_id
    number = normalize_phone(phone, "电话", meta(db, "area_code")) or ""
    mobile = number if number.startswith("1") else ""
    with writing(db):
        return contacts.add(db, contacts.ContactInput(
            name=clean(name, "姓名", contacts.NAME_MAX), org_id=org_id or default_org(db),
            post=normalize(post)[:contacts.POST_MAX], mobile=mobile, office_phone="" if mobile else number,
            roles=[role_tag] if role_tag else []), clock)


def check_person(db: Database, person_id: int | None, label: str, required: bool = False) -> int | None:
    if person_id is None:
        if required:
            raise ValidationError(f"请选择{label}", label)
        return None
    row = db.execute("SELECT active FROM people WHERE id = ?", [person_id]).fetchone()
    if row is None or not row[0]:
        raise ValidationError(f"所选{label}不在通讯录中或已停用", label)
    return person_id


# ------------------------------------------------------------------ shared validation

def check_town(db: Database, town_id: int | None, label: str = "所在镇（街道）") -> int:
    if town_id is None:
        raise ValidationError(f"请选择{label}", label)
    if not db.execute("SELECT 1 FROM admin_units WHERE id = ? AND level = 'town'", [town_id]).fetchone():
        raise ValidationError(f"所选{label}不存在", label)
    return town_id


def check_village(db: Database, village_id: int | None, town_id: int | None,
                  label: str = "村（社区）", required: bool = False) -> int | None:
    """A village id, checked to lie in ``town_id`` when one is given."""
    if village_id is None:
        if required:
            raise ValidationError(f"请选择{label}", label)
        return None
    row = db.execute("SELECT parent_id FROM admin_units WHERE id = ? AND level = 'village'",
                     [village_id]).fetchone()
    if row is None:
        raise ValidationError(f"所选{label}不存在", label)
    if town_id is not None and row[0] != town_id:
        raise ValidationError(f"所选{label}不属于所选镇（街道）", label)
    return village_id


def check_org(db: Database, org_id: int | None, label: str = "所属单位") -> int | None:
    if org_id is not None and not db.execute("SELECT 1 FROM organizations WHERE id = ?", [org_id]).fetchone():
        raise ValidationError(f"所选{label}不存在", label)
    return org_id


def choice(value: str | None, choices: tuple[str, ...], label: str, default: str | None = None) -> str:
    text = normalize(value)
    if not text and default is not None:
        return default
    if text not in choices:
        raise ValidationError(f"{label}须为：" + "、".join(c for c in choices if c), label)
    return text


def count(value: int | str | None, label: str, lo: int = 0, hi: int = 1_000_000) -> int:
    """A whole number typed or given, within lo..hi."""
    text = normalize(str(value)) if value is not None else ""
    if isinstance(value, bool) or not re.fullmatch(r"-?\d+", text):
        raise ValidationError(f"{label}须为整数", label)
    number = int(text)
    if not lo <= number <= hi:
        raise ValidationError(f"{label}须在 {lo}–{hi} 之间", label)
    return number


def number(value: float | str | None, label: str, lo: float, hi: float) -> float:
    text = normalize(str(value)) if value is not None else ""
    try:
        result = float(text)
    except ValueError:
        raise ValidationError(f"{label}须为数字", label) from None
    if not lo <= result <= hi:
        raise ValidationError(f"{label}须在 {lo:g}–{hi:g} 之间", label)
    return result


def coords(lon: float | str | None, lat: float | str | None) -> tuple[float | None, float | None]:
    """Both or neither; within China (the map places the rest at their town)."""
    lon_text = "" if lon is None else normalize(str(lon))
    lat_text = "" if lat is None else normalize(str(lat))
    if not lon_text and not lat_text:
        return None, None
    if not lon_text or not lat_text:
        raise ValidationError("经度和纬度须同时填写或同时留空", "经度")
    return number(lon_text, "经度", 73, 136), number(lat_text, "纬度", 3, 54)


_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def as_date(value: date | str | None, label: str) -> str | None:
    """'YYYY-MM-DD' from a date or typed text (2026-07-01, 2026/7/1, 2026年7月1日); None if empty."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    text = normalize(value)
    if not text:
        return None
    m = _DATE.fullmatch(text)
    try:
        if not m:
            raise ValueError
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        raise ValidationError(f"{label}应为日期，例如 2026-12-31", label) from None


def short(value: str | None, label: str, limit: int = TEXT_MAX, required: bool = False,
          multiline: bool = False) -> str:
    return clean(value, label, limit, required=required, multiline=multiline)


def fetch(db: Database, select: str, ids: list[int]) -> dict[int, dict]:
    """Rows of ``select`` (which ends in ``WHERE x.id IN ({marks})``) keyed by id, in chunks."""
    found: dict[int, dict] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for row in db.query(select.format(marks=",".join("?" * len(chunk))), chunk):
            found[row["id"]] = row
    return found


def bump(db: Database, table: str, row_id: int, expected_version: int | None, what: str) -> None:
    """Refuse an edit when the row changed since the form read ``expected_version``."""
    row = db.execute(f"SELECT version FROM {table} WHERE id = ?", [row_id]).fetchone()
    if row is None:
        raise NotFound(f"该{what}不存在")
    if expected_version is not None and row[0] != expected_version:
        raise ValidationError(f"该{what}已被他人修改，请关闭后重新打开再编辑")


# ------------------------------------------------------------------ across the registers

def alerts(db: Database, today: date) -> list[Alert]:
    """Teams whose insurance expires within ``window_days`` or has expired (保险到期)."""
    window = window_days(db)
    found = []
    for row in db.query("SELECT id, name, insurance_expiry FROM teams WHERE active = 1 "
                        "AND insurance_expiry IS NOT NULL AND insurance_expiry <= ? "
                        "ORDER BY insurance_expiry, id",
                        [date.fromordinal(today.toordinal() + window).isoformat()]):
        due = date.fromisoformat(row["insurance_expiry"])
        left = (due - today).days
        if left < 0:
            message = f"{row['name']}的队员保险已于 {due.isoformat()} 到期（已过期 {-left} 天），请尽快续保"
        elif left == 0:
            message = f"{row['name']}的队员保险今天（{due.isoformat()}）到期，请尽快续保"
        else:
            message = f"{row['name']}的队员保险将于 {due.isoformat()} 到期（还剩 {left} 天），请及时续保"
        found.append(Alert("保险到期", row["name"], due, left, message, ("team", row["id"])))
    return found


def readiness_by_town(db: Database) -> list[dict]:
    """Per town (街道 first, then as registered): active teams, their people, teams ready
    (待命 and 达标) and teams out (出动 or 在场). Towns without teams are listed with zeros."""
    return list(db.query("""
        SELECT u.id AS town_id, u.name AS town,
               count(t.id) AS teams, coalesce(sum(t.headcount), 0) AS people,
               coalesce(sum(t.status = '待命' AND t.meets_standard = 1), 0) AS ready_teams,
               coalesce(sum(t.status IN ('出动', '在场')), 0) AS out_teams
        FROM admin_units u LEFT JOIN teams t ON t.town_id = u.id AND t.active = 1
        WHERE u.level = 'town' GROUP BY u.id ORDER BY u.kind = '镇', u.id"""))
