"""Depots and depot stock as Excel registers (kinds ``depots`` and ``supplies``) through the
engine in ``xlsx``.

``depots``: a row updates the depot of the same name or adds one; towns, villages and
keepers are found by name (a keeper must be an active person in the directory).

``supplies``: one row per item in a depot (储备库, 物资编码, 物资名称, 规格型号, 单位, 数量, 最低库存,
有效期至, 轮换日期, 货位). The depot must exist; the code must be a level-4 code of the
catalogue; an item not yet registered (same code, name and spec) is added. Stock never
changes outside the ledger: the file's quantity becomes a 盘点 (counted = the file's
quantity, reason "Excel导入") for an existing stock line whose quantity differs, or an 入库
for a new line. Empty 最低库存 / 有效期至 / 轮换日期 / 货位 cells leave an existing line's
values as they are (a bureau's sheet often lacks those columns). Importing the file you
exported changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlite_utils import Database

from . import ledger, supplies
from .clock import Clock
from .supplies import DepotInput, ItemInput
from .text import normalize
from .xlsx import Column, Kind, as_choice, as_date, as_float, as_int

IMPORT_REASON = "Excel导入"
IMPORT_ACTOR = ledger.Who("Excel导入")

# ------------------------------------------------------------------------------ depots

DEPOT_COLUMNS = (
    Column("name", "储备库名称", ("名称", "储备库", "储备点名称", "库点名称", "仓库名称", "库点", "仓库"),
           required=True, width=26),
    Column("level", "级别", ("层级", "储备库级别", "库点级别"), required=True, width=8,
           note="县级、乡镇级或村级"),
    Column("ownership", "储备方式", ("储备类型", "性质", "储备性质", "类型"), width=10,
           note="政府储备、企业代储或社会储备；空白视为政府储备"),
    Column("holder", "代储企业", ("代储单位", "承储企业", "承储单位"), width=22),
    Column("town", "所在镇（街道）", ("镇（街道）", "所在镇街", "镇街", "乡镇", "所在乡镇", "所属镇街"), width=12),
    Column("village", "所在村（社区）", ("村（社区）", "村居", "所在村", "村"), width=12),
    Column("address", "地址", ("详细地址", "存放地址", "地点"), width=26),
    Column("keeper", "保管员", ("管理员", "负责人", "库管员"), width=10,
           note="须为通讯录中的在用联系人"),
    Column("phone", "联系电话", ("电话", "值班电话", "手机"), width=14),
    Column("lon", "经度", (), width=10),
    Column("lat", "纬度", (), width=10),
    Column("area", "面积（平方米）", ("面积", "仓储面积", "库房面积"), width=10),
    Column("capacity", "库容（立方米）", ("库容", "容积"), width=10),
    Column("note", "备注", ("说明",), width=20),
)
LEVEL_ALIASES = {"县": "县级", "市级": "县级", "县（市）级": "县级", "市": "县级", "乡镇": "乡镇级",
                 "镇级": "乡镇级", "镇": "乡镇级", "乡级": "乡镇级", "街道": "乡镇级", "村": "村级",
                 "村（社区）级": "村级", "社区": "村级"}
OWNERSHIP_ALIASES = {"政府": "政府储备", "实物储备": "政府储备", "代储": "企业代储", "协议代储": "企业代储",
                     "企业储备": "企业代储", "协议储备": "企业代储", "社会": "社会储备"}


@dataclass(frozen=True)
class DepotRow:
    depot_id: int | None
    version: int | None
    data: DepotInput
    changed: bool

    def describe(self) -> str:
        what = "新增" if self.depot_id is None else "更新" if self.changed else "不变"
        return f"{self.data.name}（{what}）"


def _depot_rows(db: Database):
    for d in supplies.depots(db):
        yield [d["name"], d["level"], d["ownership"], d["holder"], d["town"], d["village"],
               d["address"], d["keeper"], d["phone"] or "", d["lon"], d["lat"], d["area_m2"],
               d["capacity_m3"], d["note"]]


def _town(db: Database, name: str) -> int | None:
    if not name:
        return None
    for candidate in (name, name + "镇", name + "街道"):
        row = db.execute("SELECT id FROM admin_units WHERE level = 'town' AND name = ?",
                         [candidate]).fetchone()
        if row:
            return row[0]
    raise ValueError(f"找不到镇（街道）“{name}”")


def _village(db: Database, town_id: int | None, name: str) -> int | None:
    if not name:
        return None
    if town_id is None:
        raise ValueError("填写了所在村（社区），但没有填写所在镇（街道）")
    for candidate in (name, name + "村", name + "社区"):
        row = db.execute("SELECT id FROM admin_units WHERE level = 'village' AND parent_id = ? "
                         "AND name = ?", [town_id, candidate]).fetchone()
        if row:
            return row[0]
    raise ValueError(f"所在镇（街道）下找不到村（社区）“{name}”")


def _keeper(db: Database, name: str) -> int | None:
    name = name.replace(" ", "")
    if not name:
        return None
    rows = db.execute("SELECT id FROM people WHERE active = 1 AND name = ?", [name]).fetchall()
    if not rows:
        raise ValueError(f"保管员“{name}”不在通讯录中（请先登记该联系人）")
    if len(rows) > 1:
        raise ValueError(f"通讯录中有 {len(rows)} 位“{name}”，无法确定是哪一位保管员")
    return rows[0][0]


def _check_depot(db: Database, cells: dict[str, str], scratch: dict) -> DepotRow:
    name = normalize(cells["name"])
    seen = scratch.setdefault("seen", {})
    if name in seen:
        raise ValueError(f"与第 {seen[name]} 行是同一储备库（{name}）")
    seen[name] = scratch["row"]
    town_id = _town(db, cells["town"])
    data = DepotInput(
        name=name, level=as_choice(cells["level"], "级别", supplies.DEPOT_LEVELS, LEVEL_ALIASES),
        ownership=as_choice(cells["ownership"], "储备方式", supplies.OWNERSHIPS, OWNERSHIP_ALIASES)
        or "政府储备", holder=cells["holder"], town_id=town_id,
        village_id=_village(db, town_id, cells["village"]), address=cells["address"],
        keeper_id=_keeper(db, cells["keeper"]), phone=cells["phone"],
        lon=as_float(cells["lon"], "经度", -180, 180), lat=as_float(cells["lat"], "纬度", -90, 90),
        area_m2=as_float(cells["area"], "面积（平方米）", 0), capacity_m3=as_float(cells["capacity"], "库容（立方米）", 0),
        note=cells["note"])
    depot_id = supplies.find_depot(db, name)
    record = supplies.validate_depot(db, data, depot_id)     # ValidationError names the fault
    if depot_id is None:
        return DepotRow(None, None, data, True)
    old = supplies.get_depot(db, depot_id)
    changed = any(old[k] != v for k, v in record.items())
    return DepotRow(depot_id, old["version"], data, changed)


def _apply_depots(db: Database, rows: list[DepotRow], clock: Clock) -> tuple[int, int]:
    added = updated = 0
    for row in rows:
        if row.depot_id is None:
            supplies.add_depot(db, row.data, clock)
            added += 1
        elif row.changed:
            supplies.update_depot(db, row.depot_id, row.data, expected_version=row.version, clock=clock)
            updated += 1
    return added, updated


DEPOTS = Kind("depots", "储备库", DEPOT_COLUMNS, _depot_rows, _check_depot, _apply_depots, "个储备库")

# ------------------------------------------------------------------------------ stock

SUPPLY_COLUMNS = (
    Column("depot", "储备库", ("储备库名称", "库点", "库点名称", "仓库", "仓库名称", "储备点", "存放库点"),
           required=True, width=24, note="须为已登记的储备库"),
    Column("code", "物资编码", ("编码", "分类编码", "物资代码", "物资分类编码", "代码"), required=True, width=10,
           note="GB/T 38565-2020 的7位第4级编码，须在分类目录中"),
    Column("name", "物资名称", ("名称", "品名", "物资品名"), required=True, width=16),
    Column("spec", "规格型号", ("规格", "型号", "规格型号（参数）"), width=16),
    Column("unit", "单位", ("计量单位",), required=True, width=6),
    Column("quantity", "数量", ("库存数量", "实有数量", "现有数量", "储备数量", "实存数量", "库存"),
           required=True, width=8, note="整数；与现有库存不同时登记为一次盘点（Excel导入）"),
    Column("minimum", "最低库存", ("最低储备", "最低储备量", "最低库存量", "储备定额"), width=8),
    Column("expiry", "有效期至", ("有效期", "保质期至", "失效日期", "有效日期"), width=12),
    Column("rotation", "轮换日期", ("轮换时间", "计划轮换日期", "轮换期"), width=12),
    Column("location", "货位", ("存放位置", "库位"), width=10),
)


@dataclass(frozen=True)
class StockRow:
    depot_id: int
    item_id: int | None          # None: the item is added
    item: ItemInput
    quantity: int
    book: int | None             # None: a new stock line
    terms: dict                  # minimum / expiry_date / rotation_date / location to set
    changed: bool
    depot: str = ""

    def describe(self) -> str:
        name = normalize(self.item.name)
        if self.book is None:
            return f"{self.depot} {name}：新增，入库 {self.quantity}{self.item.unit}"
        if self.book != self.quantity:
            return f"{self.depot} {name}：盘点 {self.book} → {self.quantity}{self.item.unit}"
        return f"{self.depot} {name}：{'更新库存设置' if self.changed else '不变'}"


def _stock_rows(db: Database):
    for r in supplies.stock_list(db):
        yield [r["depot"], r["code"], r["name"], r["spec"], r["unit"], r["quantity"], r["minimum"],
               date.fromisoformat(r["expiry_date"]) if r["expiry_date"] else None,
               date.fromisoformat(r["rotation_date"]) if r["rotation_date"] else None, r["location"]]


def _check_stock(db: Database, cells: dict[str, str], scratch: dict) -> StockRow:
    depot_name = normalize(cells["depot"])
    depot_id = supplies.find_depot(db, depot_name)
    if depot_id is None:
        raise ValueError(f"找不到储备库“{depot_name}”（请先登记或导入该储备库）")
    code = supplies.validate_code(cells["code"], db)
    quantity = as_int(cells["quantity"], "数量", 0)
    item = ItemInput(code=code, name=cells["name"], unit=cells["unit"].replace(" ", ""), spec=cells["spec"])
    item_id = supplies.find_item(db, code, item.name, item.spec)
    if item_id is None:
        supplies.validate_item(db, item)
    else:
        unit = supplies.get_item(db, item_id)["unit"]
        if unit != item.unit:
            raise ValueError(f"单位“{item.unit}”与已登记的“{normalize(item.name)}”不一致（已登记为“{unit}”）")
    key = (depot_id, code, normalize(item.name), normalize(item.spec))
    seen = scratch.setdefault("seen", {})
    if key in seen:
        raise ValueError(f"与第 {seen[key]} 行是同一储备库的同一物资")
    seen[key] = scratch["row"]
    terms: dict = {}
    minimum = as_int(cells["minimum"], "最低库存", 0)
    if minimum is not None:
        terms["minimum"] = minimum
    for field, label in (("expiry", "有效期至"), ("rotation", "轮换日期")):
        day = as_date(cells[field], label)
        if day is not None:
            terms[f"{field}_date"] = day.isoformat()
    if cells["location"]:
        terms["location"] = normalize(cells["location"])
    sid = supplies.stock_id(db, depot_id, item_id) if item_id is not None else None
    if sid is None:
        return StockRow(depot_id, item_id, item, quantity, None, terms, True, depot_name)
    old = supplies.get_stock(db, sid)
    changed = old["quantity"] != quantity or any(old[k] != v for k, v in terms.items())
    return StockRow(depot_id, item_id, item, quantity, old["quantity"], terms, changed, depot_name)


def _apply_stock(db: Database, rows: list[StockRow], clock: Clock) -> tuple[int, int]:
    added = updated = 0
    new_items: dict[tuple, int] = {}
    for row in rows:
        if not row.changed:
            continue
        item_id = row.item_id
        if item_id is None:
            key = (row.item.code, normalize(row.item.name), normalize(row.item.spec))
            if key not in new_items:
                new_items[key] = supplies.add_item(db, row.item, clock)
            item_id = new_items[key]
        if supplies.stock_id(db, row.depot_id, item_id) is None:
            if row.quantity > 0:
                ledger.receive(db, row.depot_id, item_id, row.quantity, reason=IMPORT_REASON,
                               who=IMPORT_ACTOR, clock=clock)
            added += 1
        else:
            if ledger.stock_balance(db, row.depot_id, item_id) != row.quantity:
                ledger.stocktake(db, row.depot_id, item_id, row.quantity, reason=IMPORT_REASON,
                                 who=IMPORT_ACTOR, clock=clock)
            updated += 1
        if row.terms:
            supplies.set_stock_terms(db, row.depot_id, item_id, clock=clock, **row.terms)
    return added, updated


SUPPLIES = Kind("supplies", "储备物资", SUPPLY_COLUMNS, _stock_rows, _check_stock, _apply_stock, "条库存记录")
