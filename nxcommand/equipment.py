"""装备: equipment by kind and hazard kit, held by a team or by a unit; and the "四合一"
command kit (DOMAIN.md §2: 卫星通信, 无人机, 指挥车, 智能单兵终端) whose items carry an operator
in the directory and a radio call sign (呼号, unique). ``four_in_one_kit`` is what the forward
HQ (step 4) shows."""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from . import resources as res
from . import session
from .clock import SYSTEM_CLOCK, Clock
from .errors import NotFound, ValidationError
from .store import update_versioned, writing
from .text import like_pattern, normalize

KINDS = ("通信", "专业机械", "专用车辆", "无人机", "破拆", "生命支撑", "单兵", "照明", "排水", "其他")
HAZARD_KITS = ("防汛抗旱", "低温冰冻", "地质灾害", "森林火灾", "城市内涝")
STATUSES = ("完好待命", "在用", "维修", "停用")
FOUR_IN_ONE = ("卫星通信", "无人机", "指挥车", "智能单兵终端")
OPERATOR_ROLE = ""         # operators are plain contacts; no role tag exists for them


@dataclass
class EquipmentInput:
    """Holder: ``team_id`` or ``org_id`` (exactly one). ``town_id`` defaults to the team's
    base town. The operator is a directory id or a name and phone."""

    name: str
    kind: str
    quantity: int | str = 1
    unit: str = "台"
    team_id: int | None = None
    org_id: int | None = None
    town_id: int | None = None
    hazard_kit: str = ""
    model: str = ""
    status: str = "完好待命"
    four_in_one: str = ""
    operator_id: int | None = None
    operator_name: str = ""
    operator_phone: str = ""
    call_sign: str = ""
    lon: float | str | None = None
    lat: float | str | None = None
    note: str = ""


@dataclass(frozen=True)
class Query:
    kind: str | None = None
    hazard_kit: str | None = None
    town_id: int | None = None
    team_id: int | None = None
    status: str | None = None
    four_in_one: bool = False       # only the items of "四合一" kits
    text: str = ""                  # name, model, call sign, holder


def validate(db: Database, data: EquipmentInput, item_id: int | None = None) -> dict:
    name = res.short(data.name, "装备名称", res.NAME_MAX, required=True)
    if (data.team_id is None) == (data.org_id is None):
        raise ValidationError("请选择持有队伍或持有单位（二选一）", "持有队伍")
    if data.team_id is not None:
        row = db.execute("SELECT town_id, active FROM teams WHERE id = ?", [data.team_id]).fetchone()
        if row is None or not row[1]:
            raise ValidationError("所选持有队伍不存在或已撤编", "持有队伍")
        team_town = row[0]
    else:
        res.check_org(db, data.org_id, "持有单位")
        team_town = None
    town_id = data.town_id if data.town_id is not None else team_town
    if town_id is not None:
        res.check_town(db, town_id, "存放镇（街道）")
    call_sign = res.short(data.call_sign, "呼号", 20)
    if call_sign and db.execute("SELECT 1 FROM equipment WHERE call_sign = ? AND id IS NOT ?",
                                [call_sign, item_id]).fetchone():
        raise ValidationError(f"呼号“{call_sign}”已被其他装备使用", "呼号")
    four = normalize(data.four_in_one)
    if four and four not in FOUR_IN_ONE:
        raise ValidationError("四合一角色须为：" + "、".join(FOUR_IN_ONE), "四合一角色")
    hazard = normalize(data.hazard_kit)
    if hazard in ("无", "-", "—"):
        hazard = ""
    if hazard and hazard not in HAZARD_KITS:
        raise ValidationError("灾种配备须为：" + "、".join(HAZARD_KITS) + "，或留空", "灾种配备")
    return {
        "name": name,
        "kind": res.choice(data.kind, KINDS, "装备类别"),
        "hazard_kit": hazard,
        "model": res.short(data.model, "型号规格", res.NAME_MAX),
        "quantity": res.count(data.quantity, "数量", 1, 1_000_000),
        "unit": res.short(data.unit, "单位", 6) or "台",
        "team_id": data.team_id, "org_id": data.org_id, "town_id": town_id,
        "status": res.choice(data.status, STATUSES, "装备状态", "完好待命"),
        "four_in_one": four or None,
        "operator_id": res.check_person(db, data.operator_id, "操作员"),
        "call_sign": call_sign,
        **dict(zip(("lon", "lat"), res.coords(data.lon, data.lat))),
        "note": res.short(data.note, "备注", res.NOTE_MAX, multiline=True),
    }


def _operator(db: Database, data: EquipmentInput, record: dict, clock: Clock) -> int | None:
    if record["operator_id"] is not None or not normalize(data.operator_name):
        return record["operator_id"]
    org_id = record["org_id"]
    if record["team_id"] is not None:
        org_id = db.execute("SELECT org_id FROM teams WHERE id = ?", [record["team_id"]]).fetchone()[0]
    return res.find_or_add_person(db, data.operator_name, data.operator_phone, OPERATOR_ROLE, clock,
                                  org_id=org_id, post=f"{record['name']}操作员")


COLUMNS = ("name", "kind", "hazard_kit", "model", "quantity", "unit", "team_id", "org_id", "town_id",
           "status", "four_in_one", "operator_id", "call_sign", "lon", "lat", "note")


def add(db: Database, data: EquipmentInput, clock: Clock = SYSTEM_CLOCK) -> int:
    session.require(db, "管理资源登记")
    record = validate(db, data)
    now = clock.stamp()
    with writing(db):
        record["operator_id"] = _operator(db, data, record, clock)
        cur = db.execute(
            f"INSERT INTO equipment ({', '.join(COLUMNS)}, created_at, updated_at) "
            f"VALUES ({', '.join('?' * len(COLUMNS))}, ?, ?)", [record[c] for c in COLUMNS] + [now, now])
    return cur.lastrowid


def update(db: Database, item_id: int, data: EquipmentInput, *, expected_version: int | None = None,
           clock: Clock = SYSTEM_CLOCK) -> None:
    session.require(db, "管理资源登记")
    res.bump(db, "equipment", item_id, expected_version, "装备")
    record = validate(db, data, item_id)
    with writing(db):
        record["operator_id"] = _operator(db, data, record, clock)
        update_versioned(db, "equipment", item_id, {c: record[c] for c in COLUMNS}, expected_version,
                         clock.stamp(), "装备")


def set_status(db: Database, item_id: int, status: str, clock: Clock = SYSTEM_CLOCK) -> None:
    session.require(db, "管理资源登记")
    status = res.choice(status, STATUSES, "装备状态")
    with writing(db):
        cur = db.execute("UPDATE equipment SET status = ?, updated_at = ?, version = version + 1 WHERE id = ?",
                         [status, clock.stamp(), item_id])
        if cur.rowcount != 1:
            raise NotFound("该装备不存在")


def remove(db: Database, item_id: int) -> None:
    """报废 / 调出: the item leaves the register."""
    session.require(db, "管理资源登记")
    with writing(db):
        if db.execute("DELETE FROM equipment WHERE id = ?", [item_id]).rowcount != 1:
            raise NotFound("该装备不存在")


def search(db: Database, query: Query = Query()) -> list[int]:
    where, params = ["1 = 1"], []
    for column, value in (("e.kind", query.kind), ("e.hazard_kit", query.hazard_kit),
                          ("e.town_id", query.town_id), ("e.team_id", query.team_id),
                          ("e.status", query.status)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    if query.four_in_one:
        where.append("e.four_in_one IS NOT NULL")
    for term in normalize(query.text).split(" "):
        if term:
            where.append("(e.name LIKE ? ESCAPE '\\' OR e.model LIKE ? ESCAPE '\\' OR e.call_sign LIKE ? "
                         "ESCAPE '\\' OR coalesce(t.name, o.name) LIKE ? ESCAPE '\\')")
            params += [like_pattern(term)] * 4
    four = " ".join(f"WHEN '{r}' THEN {i}" for i, r in enumerate(FOUR_IN_ONE))
    kinds = " ".join(f"WHEN '{k}' THEN {i}" for i, k in enumerate(KINDS))
    order = (f"coalesce(t.name, o.name), CASE e.four_in_one {four} END, e.call_sign, e.id"
             if query.four_in_one else f"CASE e.kind {kinds} END, e.name, e.id")
    return [r[0] for r in db.execute(
        "SELECT e.id FROM equipment e LEFT JOIN teams t ON t.id = e.team_id "
        f"LEFT JOIN organizations o ON o.id = e.org_id WHERE {' AND '.join(where)} ORDER BY {order}", params)]


SELECT = """
    SELECT e.*, coalesce(t.name, o.name) AS holder, coalesce(u.name, '') AS town,
           coalesce(p.name, '') AS operator, coalesce(p.mobile, p.office_phone, '') AS operator_phone,
           coalesce(e.lon, t.lon, u.lon) AS map_lon, coalesce(e.lat, t.lat, u.lat) AS map_lat
    FROM equipment e LEFT JOIN teams t ON t.id = e.team_id
    LEFT JOIN organizations o ON o.id = e.org_id
    LEFT JOIN admin_units u ON u.id = e.town_id
    LEFT JOIN people p ON p.id = e.operator_id
    WHERE e.id IN ({marks})"""


def rows(db: Database, ids: list[int]) -> dict[int, dict]:
    """Display rows by id, with holder (team or unit name), town, operator, operator_phone."""
    return res.fetch(db, SELECT, ids)


def get(db: Database, item_id: int) -> dict:
    row = rows(db, [item_id]).get(item_id)
    if row is None:
        raise NotFound("该装备不存在")
    return row


def four_in_one_kit(db: Database, team_id: int | None = None, org_id: int | None = None) -> dict[str, list[dict]]:
    """The "四合一" kit by role, in the order 卫星通信, 无人机, 指挥车, 智能单兵终端; every role is
    present (an empty list shows a gap). Each item: id, name, model, quantity, unit, status,
    holder, operator, operator_phone, call_sign, ready (status 完好待命 or 在用). Optionally
    only one holder's kit."""
    ids = search(db, Query(four_in_one=True))
    kit: dict[str, list[dict]] = {role: [] for role in FOUR_IN_ONE}
    found = rows(db, ids)
    for item_id in ids:
        row = found[item_id]
        if team_id is not None and row["team_id"] != team_id or org_id is not None and row["org_id"] != org_id:
            continue
        kit[row["four_in_one"]].append({
            key: row[key] for key in ("id", "name", "model", "quantity", "unit", "status", "holder",
                                      "operator", "operator_phone", "call_sign", "team_id", "org_id")
        } | {"ready": row["status"] in ("完好待命", "在用")})
    return kit


def find(db: Database, name: str, holder: str, call_sign: str = "") -> int | None:
    """The item with this name, holder (team or unit name) and call sign: the import's key."""
    row = db.execute(
        "SELECT e.id FROM equipment e LEFT JOIN teams t ON t.id = e.team_id "
        "LEFT JOIN organizations o ON o.id = e.org_id "
        "WHERE e.name = ? AND coalesce(t.name, o.name) = ? AND e.call_sign = ? ORDER BY e.id LIMIT 1",
        [normalize(name), normalize(holder), normalize(call_sign)]).fetchone()
    return row[0] if row else None
