"""Emergency supplies (应急物资, DOMAIN.md §6): the category catalogue, depots, supply items,
stock terms and stock queries. Stock itself moves only through ``nxcommand.ledger``.

Codes follow GB/T 38565-2020: 7 digits in 4 levels, ``^[1-3](\\d{2}){3}$`` (level 1: 1 基本生活
保障物资, 2 应急装备及配套物资, 3 工程材料与机械加工设备; levels 2–4 two digits each, 01–99, 99
the catch-all 其他). A category above level 4 keeps its lower levels as 00 (2010000 is a
level-2 category); supply items carry a level-4 code that exists in the catalogue.

Level 1 is the standard's. Levels 2–4 as shipped are the project's working catalogue
following the standard's structure, covering what a county actually stocks — not the
standard's official code table, which is not available here; administrators correct and
extend it (``add_category``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from sqlite_utils import Database

from . import session
from .alerts import Alert, window_days
from .clock import SYSTEM_CLOCK, Clock
from .errors import NotFound, ValidationError
from .org import meta
from .phones import normalize_phone
from .store import update_versioned, writing
from .text import clean, like_pattern, normalize

CODE_RE = re.compile(r"^[1-3](\d{2}){3}$")
LEVEL1 = {"1": "基本生活保障物资", "2": "应急装备及配套物资", "3": "工程材料与机械加工设备"}
DEPOT_LEVELS = ("县级", "乡镇级", "村级")
OWNERSHIPS = ("政府储备", "企业代储", "社会储备")
UNITS = ("顶", "床", "件", "套", "箱", "瓶", "桶", "袋", "条", "双", "台", "个", "只", "把",
         "艘", "米", "卷", "根", "平方米", "立方米", "吨", "千克")
NAME_MAX, TEXT_MAX, NOTE_MAX = 40, 100, 500


# ------------------------------------------------------------------ codes and categories

def code_level(code: str) -> int:
    """The level (1–4) of a well-formed 7-digit code: trailing 00 pairs are empty levels."""
    return 1 + sum(code[i:i + 2] != "00" for i in (1, 3, 5))


def parent_code(code: str) -> str | None:
    level = code_level(code)
    return None if level == 1 else code[:2 * level - 3].ljust(7, "0")


def _well_formed(code: str) -> bool:
    if not CODE_RE.match(code):
        return False
    pairs = [code[1:3], code[3:5], code[5:7]]
    # once a level is empty (00) every level below it must be empty too
    return all(not (pairs[i] == "00" and pairs[i + 1] != "00") for i in range(2))


def validate_code(code: str, db: Database | None = None) -> str:
    """A supply item's code, normalised: 7 digits, level 4, and (given ``db``) in the
    catalogue. ValidationError in Chinese otherwise."""
    code = normalize(code).replace(" ", "")
    if not CODE_RE.match(code):
        raise ValidationError(f"物资编码须为7位数字（GB/T 38565-2020，首位为1、2或3，如 1010101），"
                              f"“{code}”不符合", "物资编码")
    if not _well_formed(code) or code_level(code) != 4:
        raise ValidationError(f"物资编码须为第4级（末两位不为00）的完整编码，“{code}”不是", "物资编码")
    if db is not None and not db.execute(
            "SELECT 1 FROM supply_categories WHERE code = ?", [code]).fetchone():
        raise ValidationError(f"编码 {code} 不在分类目录中，请先请管理员在分类目录中添加该类目", "物资编码")
    return code


def category_path(db: Database, code: str) -> list[tuple[str, str]]:
    """(code, name) from level 1 down to ``code``; categories missing from the catalogue
    are left out."""
    chain, current = [], code
    while current:
        chain.append(current)
        current = parent_code(current) if _well_formed(current) else None
    names = dict(db.execute(
        f"SELECT code, name FROM supply_categories WHERE code IN ({','.join('?' * len(chain))})",
        chain).fetchall())
    return [(c, names[c]) for c in reversed(chain) if c in names]


def category_prefix(code: str) -> str:
    """The digits a code shares with every code below it (2010000 -> '201')."""
    return code[:2 * code_level(code) - 1]


def category_tree(db: Database) -> list[dict]:
    """Every category in code order with its level, parent and the number of stock lines
    filed under it (all levels below), for the category browser."""
    counts: dict[str, int] = {}
    for code, n in db.execute("SELECT i.code, count(*) FROM depot_stock s "
                              "JOIN supply_items i ON i.id = s.item_id GROUP BY i.code"):
        for c in [code] + [p for p in _ancestors(code)]:
            counts[c] = counts.get(c, 0) + n
    rows = list(db.query("SELECT code, name, level, parent_code, note FROM supply_categories "
                         "ORDER BY code"))
    for row in rows:
        row["stock_lines"] = counts.get(row["code"], 0)
    return rows


def _ancestors(code: str) -> list[str]:
    found, current = [], parent_code(code)
    while current:
        found.append(current)
        current = parent_code(current)
    return found


def add_category(db: Database, code: str, name: str, note: str = "") -> str:
    """An administrator's new category: a well-formed code one level below an existing
    parent, extending the parent's code."""
    session.require(db, "管理参考数据")
    code = normalize(code).replace(" ", "")
    if not CODE_RE.match(code) or not _well_formed(code):
        raise ValidationError(f"分类编码须为7位数字，首位为1、2或3，下级编码为01–99，空级为00："
                              f"“{code}”不符合", "分类编码")
    name = clean(name, "类目名称", NAME_MAX, required=True)
    note = clean(note, "说明", NOTE_MAX)
    parent = parent_code(code)
    if parent is None:
        raise ValidationError("第1级类目由国家标准规定（1、2、3），不能新增", "分类编码")
    if not db.execute("SELECT 1 FROM supply_categories WHERE code = ?", [parent]).fetchone():
        raise ValidationError(f"上级类目 {parent} 不在分类目录中，请先添加上级类目", "分类编码")
    if db.execute("SELECT 1 FROM supply_categories WHERE code = ?", [code]).fetchone():
        raise ValidationError(f"分类编码 {code} 已存在", "分类编码")
    with writing(db):
        db.execute("INSERT INTO supply_categories (code, name, parent_code, level, note) "
                   "VALUES (?, ?, ?, ?, ?)", [code, name, parent, code_level(code), note])
    return code


# ------------------------------------------------------------------------------ depots

@dataclass
class DepotInput:
    name: str
    level: str
    ownership: str = "政府储备"
    holder: str = ""                 # 企业代储: the enterprise holding the stock
    town_id: int | None = None
    village_id: int | None = None
    address: str = ""
    keeper_id: int | None = None
    phone: str = ""
    lon: float | None = None
    lat: float | None = None
    area_m2: float | None = None
    capacity_m3: float | None = None
    note: str = ""


def _unit(db: Database, unit_id: int | None, level: str) -> dict | None:
    if unit_id is None:
        return None
    row = db.execute("SELECT id, name, parent_id FROM admin_units WHERE id = ? AND level = ?",
                     [unit_id, level]).fetchone()
    return {"id": row[0], "name": row[1], "parent_id": row[2]} if row else None


def validate_depot(db: Database, data: DepotInput, depot_id: int | None = None) -> dict:
    name = clean(data.name, "储备库名称", NAME_MAX, required=True)
    if db.execute("SELECT 1 FROM depots WHERE name = ? AND id IS NOT ?", [name, depot_id]).fetchone():
        raise ValidationError(f"储备库“{name}”已存在", "储备库名称")
    if data.level not in DEPOT_LEVELS:
        raise ValidationError("储备库级别只能是" + "、".join(DEPOT_LEVELS), "级别")
    if data.ownership not in OWNERSHIPS:
        raise ValidationError("储备方式只能是" + "、".join(OWNERSHIPS), "储备方式")
    holder = clean(data.holder, "代储企业", NAME_MAX)
    if data.ownership == "企业代储" and not holder:
        raise ValidationError("企业代储的储备库须填写代储企业", "代储企业")
    if data.ownership != "企业代储":
        holder = ""
    town = _unit(db, data.town_id, "town")
    if data.town_id is not None and town is None:
        raise ValidationError("所选镇（街道）不存在", "镇（街道）")
    if data.level != "县级" and town is None:
        raise ValidationError(f"{data.level}储备库须选择所在镇（街道）", "镇（街道）")
    village = _unit(db, data.village_id, "village")
    if data.level == "村级":
        if village is None:
            raise ValidationError("村级储备点须选择所在村（社区）", "村（社区）")
        if village["parent_id"] != data.town_id:
            raise ValidationError(f"{village['name']}不属于{town['name']}", "村（社区）")
    elif data.village_id is not None:
        raise ValidationError("只有村级储备点填写所在村（社区）", "村（社区）")
    if data.keeper_id is not None and not db.execute(
            "SELECT 1 FROM people WHERE id = ?", [data.keeper_id]).fetchone():
        raise ValidationError("所选保管员不在通讯录中", "保管员")
    if (data.lon is None) != (data.lat is None):
        raise ValidationError("经度和纬度须同时填写", "经度")
    if data.lon is not None and not (-180 <= data.lon <= 180 and -90 <= data.lat <= 90):
        raise ValidationError("经纬度超出范围", "经度")
    for value, label in ((data.area_m2, "面积"), (data.capacity_m3, "库容")):
        if value is not None and value <= 0:
            raise ValidationError(f"{label}须大于0", label)
    return {
        "name": name, "level": data.level, "ownership": data.ownership, "holder": holder,
        "town_id": data.town_id, "village_id": data.village_id if data.level == "村级" else None,
        "address": clean(data.address, "地址", TEXT_MAX), "keeper_id": data.keeper_id,
        "phone": normalize_phone(data.phone, "联系电话", meta(db, "area_code")),
        # six decimals (about 0.1 m) keep stored coordinates equal to what an export shows
        "lon": None if data.lon is None else round(data.lon, 6),
        "lat": None if data.lat is None else round(data.lat, 6), "area_m2": data.area_m2,
        "capacity_m3": data.capacity_m3, "note": clean(data.note, "备注", NOTE_MAX),
    }


def add_depot(db: Database, data: DepotInput, clock: Clock = SYSTEM_CLOCK) -> int:
    session.require(db, "管理资源登记")
    record = validate_depot(db, data)
    now = clock.stamp()
    with writing(db):
        return db.table("depots").insert({**record, "created_at": now, "updated_at": now}).last_pk


def update_depot(db: Database, depot_id: int, data: DepotInput, *,
                 expected_version: int | None = None, clock: Clock = SYSTEM_CLOCK) -> None:
    session.require(db, "管理资源登记")
    get_depot(db, depot_id)
    record = validate_depot(db, data, depot_id)
    with writing(db):
        update_versioned(db, "depots", depot_id, record, expected_version, clock.stamp(), "储备库")


_DEPOT_SQL = """
    SELECT d.*, coalesce(t.name, '') AS town, coalesce(v.name, '') AS village,
           coalesce(p.name, '') AS keeper, p.mobile AS keeper_mobile,
           (SELECT count(*) FROM depot_stock s WHERE s.depot_id = d.id AND s.quantity > 0) AS lines
    FROM depots d
    LEFT JOIN admin_units t ON t.id = d.town_id
    LEFT JOIN admin_units v ON v.id = d.village_id
    LEFT JOIN people p ON p.id = d.keeper_id"""


def depots(db: Database) -> list[dict]:
    """All depots: county first, then town and village ones, each by town and name."""
    return list(db.query(_DEPOT_SQL + " ORDER BY CASE d.level WHEN '县级' THEN 0 "
                         "WHEN '乡镇级' THEN 1 ELSE 2 END, d.town_id, d.id"))


def get_depot(db: Database, depot_id: int) -> dict:
    rows = list(db.query(_DEPOT_SQL + " WHERE d.id = ?", [depot_id]))
    if not rows:
        raise NotFound("该储备库不存在")
    return rows[0]


def find_depot(db: Database, name: str) -> int | None:
    row = db.execute("SELECT id FROM depots WHERE name = ?", [normalize(name)]).fetchone()
    return row[0] if row else None


# ------------------------------------------------------------------------------- items

@dataclass
class ItemInput:
    code: str
    name: str
    unit: str
    spec: str = ""
    note: str = ""


def validate_item(db: Database, data: ItemInput, item_id: int | None = None) -> dict:
    code = validate_code(data.code, db)
    name = clean(data.name, "物资名称", NAME_MAX, required=True)
    spec = clean(data.spec, "规格型号", TEXT_MAX)
    unit = clean(data.unit, "计量单位", 8, required=True)
    if db.execute("SELECT 1 FROM supply_items WHERE code = ? AND name = ? AND spec = ? "
                  "AND id IS NOT ?", [code, name, spec, item_id]).fetchone():
        raise ValidationError(f"物资“{name}{('（' + spec + '）') if spec else ''}”已登记", "物资名称")
    return {"code": code, "name": name, "spec": spec, "unit": unit,
            "note": clean(data.note, "备注", NOTE_MAX)}


def add_item(db: Database, data: ItemInput, clock: Clock = SYSTEM_CLOCK) -> int:
    session.require(db, "管理资源登记")
    record = validate_item(db, data)
    now = clock.stamp()
    with writing(db):
        return db.table("supply_items").insert({**record, "created_at": now, "updated_at": now}).last_pk


def update_item(db: Database, item_id: int, data: ItemInput, *,
                expected_version: int | None = None, clock: Clock = SYSTEM_CLOCK) -> None:
    session.require(db, "管理资源登记")
    get_item(db, item_id)
    record = validate_item(db, data, item_id)
    with writing(db):
        update_versioned(db, "supply_items", item_id, record, expected_version, clock.stamp(), "物资")


def items(db: Database) -> list[dict]:
    return list(db.query("SELECT * FROM supply_items ORDER BY code, name, spec"))


def get_item(db: Database, item_id: int) -> dict:
    rows = list(db.query("SELECT * FROM supply_items WHERE id = ?", [item_id]))
    if not rows:
        raise NotFound("该物资不存在")
    return rows[0]


def find_item(db: Database, code: str, name: str, spec: str = "") -> int | None:
    row = db.execute("SELECT id FROM supply_items WHERE code = ? AND name = ? AND spec = ?",
                     [normalize(code), normalize(name), normalize(spec)]).fetchone()
    return row[0] if row else None


# ------------------------------------------------------------------------- stock terms

def _date(value: str | date | None, label: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value.isoformat()
    text = normalize(value).replace("/", "-").replace(".", "-")
    try:
        return date.fromisoformat("-".join(p.zfill(2) for p in text.split("-"))).isoformat()
    except ValueError:
        raise ValidationError(f"{label}应为“年-月-日”，例如 2026-07-01", label) from None


def stock_id(db: Database, depot_id: int, item_id: int) -> int | None:
    row = db.execute("SELECT id FROM depot_stock WHERE depot_id = ? AND item_id = ?",
                     [depot_id, item_id]).fetchone()
    return row[0] if row else None


def ensure_stock(db: Database, depot_id: int, item_id: int, clock: Clock = SYSTEM_CLOCK) -> int:
    """The stock line of an item in a depot, created empty if missing (inside the caller's
    transaction; the ledger uses it)."""
    found = stock_id(db, depot_id, item_id)
    if found is not None:
        return found
    now = clock.stamp()
    return db.execute("INSERT INTO depot_stock (depot_id, item_id, created_at, updated_at) "
                      "VALUES (?, ?, ?, ?)", [depot_id, item_id, now, now]).lastrowid


def set_stock_terms(db: Database, depot_id: int, item_id: int, *, minimum: int | None = None,
                    expiry_date: str | date | None = None, rotation_date: str | date | None = None,
                    location: str | None = None, expected_version: int | None = None,
                    clock: Clock = SYSTEM_CLOCK) -> int:
    """Set a stock line's minimum, expiry and rotation dates and location (None leaves a
    value as it is; "" clears a date). The quantity is not touched: it moves only through
    the ledger. Returns the stock line's id."""
    session.require(db, "管理资源登记")
    get_depot(db, depot_id)
    get_item(db, item_id)
    values: dict = {}
    if minimum is not None:
        if isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 0:
            raise ValidationError("最低库存须为不小于0的整数", "最低库存")
        values["minimum"] = minimum
    if expiry_date is not None:
        values["expiry_date"] = _date(expiry_date, "有效期至")
    if rotation_date is not None:
        values["rotation_date"] = _date(rotation_date, "轮换日期")
    if location is not None:
        values["location"] = clean(location, "货位", NAME_MAX)
    with writing(db):
        sid = ensure_stock(db, depot_id, item_id, clock)
        update_versioned(db, "depot_stock", sid, values, expected_version, clock.stamp(), "库存记录")
    return sid


# ------------------------------------------------------------------------------ queries

@dataclass(frozen=True)
class StockQuery:
    depot_id: int | None = None
    code_prefix: str = ""              # a category's code or its prefix: 2010000 or '201'
    text: str = ""                     # name, spec, code, depot
    below_minimum: bool = False
    expiring_days: int | None = None   # expiry or rotation within N days of ``today`` (or past)
    today: date | None = None
    include_empty: bool = True         # lines whose quantity is 0


_STOCK_SQL = """
    SELECT s.id, s.depot_id, s.item_id, s.quantity, s.minimum, s.expiry_date, s.rotation_date,
           s.location, s.version, i.code, i.name, i.spec, i.unit, d.name AS depot, d.level AS depot_level,
           s.quantity < s.minimum AS below
    FROM depot_stock s JOIN supply_items i ON i.id = s.item_id JOIN depots d ON d.id = s.depot_id"""


def stock_list(db: Database, query: StockQuery = StockQuery()) -> list[dict]:
    where, params = ["1 = 1"], []
    if query.depot_id is not None:
        where.append("s.depot_id = ?")
        params.append(query.depot_id)
    if query.code_prefix:
        code = normalize(query.code_prefix)
        prefix = category_prefix(code) if len(code) == 7 and _well_formed(code) else code
        where.append("i.code LIKE ?")
        params.append(prefix.replace("%", "").replace("_", "") + "%")
    for term in normalize(query.text).split(" "):
        if term:
            where.append("(i.name || ' ' || i.spec || ' ' || i.code || ' ' || d.name) "
                         "LIKE ? ESCAPE '\\'")
            params.append(like_pattern(term))
    if query.below_minimum:
        where.append("s.quantity < s.minimum")
    if query.expiring_days is not None:
        limit = ((query.today or date.today()) + timedelta(days=query.expiring_days)).isoformat()
        where.append("(s.expiry_date <= ? OR s.rotation_date <= ?)")
        params += [limit, limit]
    if not query.include_empty:
        where.append("s.quantity > 0")
    return list(db.query(f"{_STOCK_SQL} WHERE {' AND '.join(where)} "
                         "ORDER BY i.code, i.name, i.spec, d.level = '村级', d.level = '乡镇级', d.id",
                         params))


def get_stock(db: Database, sid: int) -> dict:
    rows = list(db.query(_STOCK_SQL + " WHERE s.id = ?", [sid]))
    if not rows:
        raise NotFound("该库存记录不存在")
    return rows[0]


def totals_by_item(db: Database, depot_id: int | None = None) -> list[dict]:
    """Quantity of each item (summed over depots, or in one depot): quantities only add up
    within one item, whose unit is fixed."""
    cond = "WHERE s.depot_id = ?" if depot_id is not None else ""
    return list(db.query(f"""
        SELECT i.id AS item_id, i.code, i.name, i.spec, i.unit, sum(s.quantity) AS quantity,
               sum(s.minimum) AS minimum, count(*) AS depots
        FROM depot_stock s JOIN supply_items i ON i.id = s.item_id {cond}
        GROUP BY i.id ORDER BY i.code, i.name""", [depot_id] if depot_id is not None else []))


def stock_vs_minimum(db: Database, by: str = "depot", level: int = 2) -> list[dict]:
    """Rows for the chart of stock against minimum, per depot or per category (of
    ``level``). Items have different units, so a group is measured by its stock lines:
    ``lines`` with a minimum, ``below`` of them under it, and ``coverage`` = the mean of
    min(quantity / minimum, 1) over those lines (1.0 = every line at or above minimum)."""
    if by not in ("depot", "category"):
        raise ValueError("by must be 'depot' or 'category'")
    groups: dict = {}
    rows = db.execute("""SELECT s.depot_id, d.name, i.code, s.quantity, s.minimum FROM depot_stock s
                         JOIN depots d ON d.id = s.depot_id JOIN supply_items i ON i.id = s.item_id
                         WHERE s.minimum > 0""").fetchall()
    for depot_id, depot, code, quantity, minimum in rows:
        key = depot_id if by == "depot" else code[:2 * level - 1].ljust(7, "0")
        g = groups.setdefault(key, {"key": key, "label": depot, "lines": 0, "below": 0, "cover": 0.0})
        g["lines"] += 1
        g["below"] += quantity < minimum
        g["cover"] += min(quantity / minimum, 1.0)
    if by == "category":
        names = dict(db.execute("SELECT code, name FROM supply_categories").fetchall())
        for g in groups.values():
            g["label"] = names.get(g["key"], g["key"])
    order = {d["id"]: n for n, d in enumerate(depots(db))} if by == "depot" else {}
    result = []
    for key in sorted(groups, key=lambda k: order.get(k, 0) if by == "depot" else k):
        g = groups[key]
        result.append({"key": key, "label": g["label"], "lines": g["lines"], "below": g["below"],
                       "coverage": round(g["cover"] / g["lines"], 4)})
    return result


def expiry_timeline(db: Database, today: date) -> list[dict]:
    """Every dated stock line as (item, depot, date, kind 有效期/轮换, quantity, days left),
    by date, for the expiry timeline chart. Past dates are included (negative days)."""
    rows = []
    for field, kind in (("expiry_date", "有效期"), ("rotation_date", "轮换")):
        for r in db.query(f"""SELECT s.id AS stock_id, i.name AS item, i.spec, i.unit, d.name AS depot,
                                     s.{field} AS day, s.quantity FROM depot_stock s
                              JOIN supply_items i ON i.id = s.item_id JOIN depots d ON d.id = s.depot_id
                              WHERE s.{field} IS NOT NULL AND s.quantity > 0"""):
            day = date.fromisoformat(r.pop("day"))
            rows.append({**r, "kind": kind, "date": day, "days_left": (day - today).days})
    return sorted(rows, key=lambda r: (r["date"], r["kind"], r["item"], r["depot"]))


def alerts(db: Database, today: date) -> list[Alert]:
    """物资过期 and 物资轮换 within the alert window (or past), 库存不足 below minimum."""
    window = window_days(db)
    found = []
    for r in expiry_timeline(db, today):
        if r["days_left"] > window:
            continue
        kind = "物资过期" if r["kind"] == "有效期" else "物资轮换"
        subject = f"{r['depot']}：{r['item']}"
        what = "有效期至" if r["kind"] == "有效期" else "应轮换"
        when = (f"已过{'期' if r['kind'] == '有效期' else '轮换日期'} {-r['days_left']} 天"
                if r["days_left"] < 0 else f"还有 {r['days_left']} 天")
        message = (f"{subject} {r['quantity']}{r['unit']}{what} {r['date'].isoformat()}，{when}")
        found.append(Alert(kind, subject, r["date"], r["days_left"], message, ("stock", r["stock_id"])))
    for r in stock_list(db, StockQuery(below_minimum=True)):
        subject = f"{r['depot']}：{r['name']}"
        found.append(Alert("库存不足", subject, None, None,
                           f"{subject} 库存 {r['quantity']}{r['unit']}，低于最低库存 {r['minimum']}{r['unit']}",
                           ("stock", r["id"])))
    return found
