"""The county's structure: administrative units, organisations, command bodies."""

from __future__ import annotations

from sqlite_utils import Database

from . import session
from .errors import NotFound, ValidationError
from .phones import normalize_phone
from .store import writing
from .text import has_control_chars, normalize

LEVEL_NAMES = {"county": "县（市、区）", "town": "镇（街道）", "village": "村（社区）"}
ORG_KINDS = ("党委部门", "政府部门", "垂直管理", "驻地部队", "乡镇政府", "村居委会", "企业",
             "社会组织", "群团组织")


def meta(db: Database, key: str, default: str | None = None) -> str | None:
    row = db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return row[0] if row else default


def set_meta(db: Database, key: str, value: str) -> None:
    with writing(db):
        db.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
                   "ON CONFLICT(key) DO UPDATE SET value = excluded.value", [key, value])


def is_demo(db: Database) -> bool:
    return meta(db, "demo") == "1"


def county(db: Database) -> dict | None:
    rows = list(db.query("SELECT id, name, kind FROM admin_units WHERE level = 'county'"))
    return rows[0] if rows else None


def towns(db: Database) -> list[dict]:
    """镇 and 街道, 街道 first, then by name as entered."""
    return list(db.query(
        "SELECT id, name, kind FROM admin_units WHERE level = 'town' "
        "ORDER BY kind = '镇', id"))


def villages(db: Database, town_id: int) -> list[dict]:
    return list(db.query(
        "SELECT id, name, kind FROM admin_units WHERE parent_id = ? ORDER BY id", [town_id]))


def add_admin_unit(db: Database, name: str, level: str, kind: str, parent_id: int | None,
                   lon: float | None = None, lat: float | None = None) -> int:
    session.require(db, "管理参考数据")
    name = normalize(name)
    if not name or len(name) > 40 or has_control_chars(name):
        raise ValidationError("请填写 1–40 个字的行政区划名称", "name")
    if level not in LEVEL_NAMES:
        raise ValidationError("行政区划层级只能是县、镇（街道）、村（社区）", "level")
    expected_parent = {"county": None, "town": "county", "village": "town"}[level]
    if expected_parent is None:
        if parent_id is not None or county(db):
            raise ValidationError("只能有一个县级行政区，且它没有上级", "parent_id")
    else:
        row = db.execute("SELECT level FROM admin_units WHERE id = ?", [parent_id]).fetchone()
        if not row or row[0] != expected_parent:
            raise ValidationError(f"{LEVEL_NAMES[level]}的上级必须是{LEVEL_NAMES[expected_parent]}",
                                  "parent_id")
    if lon is not None and not (73 <= lon <= 136) or lat is not None and not (3 <= lat <= 54):
        raise ValidationError("坐标超出中国范围（经度 73–136，纬度 3–54）", "lon")
    if db.execute("SELECT 1 FROM admin_units WHERE parent_id IS ? AND name = ?",
                  [parent_id, name]).fetchone():
        raise ValidationError(f"同一上级下已有“{name}”", "name")
    with writing(db):
        cur = db.execute(
            "INSERT INTO admin_units (name, level, kind, parent_id, lon, lat) VALUES (?, ?, ?, ?, ?, ?)",
            [name, level, normalize(kind) or level, parent_id, lon, lat])
    return cur.lastrowid


def organizations(db: Database, town_id: int | None = None) -> list[dict]:
    """Units in display order; with ``town_id``, the units of that town and its villages."""
    sql = """
        SELECT o.id, o.name, o.short_name, o.kind, o.duty_phone, o.admin_unit_id,
               coalesce(t.name, '') AS town
        FROM organizations o
        LEFT JOIN admin_units u ON u.id = o.admin_unit_id
        LEFT JOIN admin_units t ON t.id = CASE u.level WHEN 'village' THEN u.parent_id
                                                       WHEN 'town' THEN u.id END
    """
    params: list = []
    if town_id is not None:
        sql += " WHERE t.id = ?"
        params.append(town_id)
    return list(db.query(sql + " ORDER BY o.sort_order, o.id", params))


def organization(db: Database, org_id: int) -> dict:
    row = next(db.query("SELECT * FROM organizations WHERE id = ?", [org_id]), None)
    if row is None:
        raise NotFound("单位不存在")
    return row


def add_organization(db: Database, name: str, kind: str, *, short_name: str = "",
                     admin_unit_id: int | None = None, duty_phone: str | None = None,
                     address: str = "") -> int:
    session.require(db, "管理参考数据")
    name = normalize(name)
    if not name or len(name) > 60 or has_control_chars(name):
        raise ValidationError("请填写 1–60 个字的单位名称", "name")
    if kind not in ORG_KINDS:
        raise ValidationError("单位类型须为：" + "、".join(ORG_KINDS), "kind")
    if admin_unit_id is not None and not db.execute(
            "SELECT 1 FROM admin_units WHERE id = ?", [admin_unit_id]).fetchone():
        raise ValidationError("所属行政区划不存在", "admin_unit_id")
    if db.execute("SELECT 1 FROM organizations WHERE name = ?", [name]).fetchone():
        raise ValidationError(f"已有名为“{name}”的单位", "name")
    phone = normalize_phone(duty_phone, "值班电话", meta(db, "area_code"))
    with writing(db):
        cur = db.execute(
            "INSERT INTO organizations (name, short_name, kind, admin_unit_id, duty_phone, address, "
            "sort_order) VALUES (?, ?, ?, ?, ?, ?, (SELECT coalesce(max(sort_order), 0) + 1 "
            "FROM organizations))",
            [name, normalize(short_name) or None, kind, admin_unit_id, phone, normalize(address)])
    return cur.lastrowid


def command_bodies(db: Database) -> list[dict]:
    """Each command body with its office, member units and posts."""
    bodies = list(db.query(
        "SELECT b.id, b.name, b.short_name, b.duties, o.name AS office "
        "FROM command_bodies b LEFT JOIN organizations o ON o.id = b.office_org_id ORDER BY b.id"))
    for body in bodies:
        body["members"] = list(db.query(
            "SELECT o.id AS org_id, o.name, m.role FROM command_body_members m "
            "JOIN organizations o ON o.id = m.org_id WHERE m.body_id = ? "
            "ORDER BY m.role != '牵头单位', m.role != '办公室', o.sort_order", [body["id"]]))
        body["posts"] = list(db.query(
            "SELECT p.id AS person_id, p.name, p.post, p.mobile, cp.role "
            "FROM command_body_posts cp JOIN people p ON p.id = cp.person_id "
            "WHERE cp.body_id = ? ORDER BY cp.sort_order, cp.id", [body["id"]]))
    return bodies


BODY_MEMBER_ROLES = ("牵头单位", "办公室", "成员单位")


def add_command_body(db: Database, name: str, *, short_name: str = "",
                     office_org_id: int | None = None, duties: str = "") -> int:
    session.require(db, "管理参考数据")
    name = normalize(name)
    if not name or len(name) > 60 or has_control_chars(name):
        raise ValidationError("请填写 1–60 个字的指挥机构名称", "name")
    if db.execute("SELECT 1 FROM command_bodies WHERE name = ?", [name]).fetchone():
        raise ValidationError(f"已有名为“{name}”的指挥机构", "name")
    if office_org_id is not None:
        organization(db, office_org_id)
    with writing(db):
        cur = db.execute(
            "INSERT INTO command_bodies (name, short_name, office_org_id, duties) VALUES (?, ?, ?, ?)",
            [name, normalize(short_name) or None, office_org_id, (duties or "").strip()])
    return cur.lastrowid


def _body_exists(db: Database, body_id: int) -> None:
    if not db.execute("SELECT 1 FROM command_bodies WHERE id = ?", [body_id]).fetchone():
        raise NotFound("指挥机构不存在")


def set_body_member(db: Database, body_id: int, org_id: int, role: str = "成员单位") -> None:
    """Make a unit a member of a command body (or change its role there)."""
    session.require(db, "管理参考数据")
    _body_exists(db, body_id)
    organization(db, org_id)
    if role not in BODY_MEMBER_ROLES:
        raise ValidationError("成员单位的角色须为：" + "、".join(BODY_MEMBER_ROLES), "role")
    with writing(db):
        db.execute("INSERT INTO command_body_members (body_id, org_id, role) VALUES (?, ?, ?) "
                   "ON CONFLICT(body_id, org_id) DO UPDATE SET role = excluded.role",
                   [body_id, org_id, role])


def remove_body_member(db: Database, body_id: int, org_id: int) -> None:
    session.require(db, "管理参考数据")
    with writing(db):
        cur = db.execute("DELETE FROM command_body_members WHERE body_id = ? AND org_id = ?",
                         [body_id, org_id])
        if cur.rowcount != 1:
            raise NotFound("该单位不是此指挥机构的成员单位")


def add_body_post(db: Database, body_id: int, person_id: int, role: str) -> int:
    """Name a person to a post in a command body (主任, 指挥长, 副指挥长 …)."""
    session.require(db, "管理参考数据")
    _body_exists(db, body_id)
    role = normalize(role)
    if not role or len(role) > 20:
        raise ValidationError("请填写 1–20 个字的职务，如 主任、指挥长", "role")
    person = db.execute("SELECT active FROM people WHERE id = ?", [person_id]).fetchone()
    if person is None or not person[0]:
        raise ValidationError("该人员不存在或已停用", "person_id")
    if db.execute("SELECT 1 FROM command_body_posts WHERE body_id = ? AND person_id = ? AND role = ?",
                  [body_id, person_id, role]).fetchone():
        raise ValidationError("该人员已担任此职务", "role")
    with writing(db):
        cur = db.execute(
            "INSERT INTO command_body_posts (body_id, person_id, role, sort_order) VALUES "
            "(?, ?, ?, (SELECT coalesce(max(sort_order), 0) + 1 FROM command_body_posts WHERE body_id = ?))",
            [body_id, person_id, role, body_id])
    return cur.lastrowid
