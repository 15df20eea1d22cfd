"""The stock ledger (物资台账): stock moves only through movements.

- 入库 ``receive``: into a depot;
- 出库 ``issue``: out of a depot, optionally with a ``ref`` to the event or response it went to;
- 调拨 ``transfer``: from depot A to depot B, one movement moving both balances;
- 盘点 ``stocktake``: the counted quantity; the movement records the difference from the book
  and is itself the reconciliation record (book, counted, reason).

Every movement records who (``actor_name``, and the directory's ``actor_id`` when known),
when (to the minute; from the clock unless entered, never in the future), why (``reason``,
required) and the balance after it. A movement that would make a balance negative is
refused with a Chinese message naming the depot, the item, the book quantity and the
quantity asked for, and writes nothing. The balance (``depot_stock.quantity``) is updated in
the same transaction as the movement row; ``verify`` recomputes every balance from the
history.

Movements are append-only: there is no API to edit or delete one, and triggers refuse it.
A mistake is corrected by a counter-movement (an 入库 against a wrong 出库, or a 盘点).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from . import session, supplies
from .clock import SYSTEM_CLOCK, Clock, fmt_minute, parse_minute
from .errors import ValidationError
from .store import writing
from .text import clean

KINDS = ("入库", "出库", "调拨", "盘点")
REASON_MAX, REF_MAX, ACTOR_MAX = 200, 100, 32


@dataclass(frozen=True)
class Who:
    """Who records a movement: a name (always) and the directory's person id when known."""

    name: str = ""
    person_id: int | None = None


def _actor(db: Database, who: Who) -> tuple[int | None, str]:
    name = clean(who.name, "经办人", ACTOR_MAX)
    if who.person_id is not None:
        row = db.execute("SELECT name FROM people WHERE id = ?", [who.person_id]).fetchone()
        if row is None:
            raise ValidationError("所选经办人不在通讯录中", "经办人")
        name = name or row[0]
    if not name:
        raise ValidationError("请填写经办人", "经办人")
    return who.person_id, name


def _moment(at: str | datetime | None, clock: Clock) -> str:
    now = clock.now().replace(second=0, microsecond=0)
    if at is None or at == "":
        return fmt_minute(now)
    moment = parse_minute(at, "时间")
    if moment > now:
        raise ValidationError("时间不能晚于当前时间", "时间")
    return fmt_minute(moment)


def _quantity(value, label: str, allow_zero: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{label}须为整数", label)
    if value < 0 or (value == 0 and not allow_zero):
        raise ValidationError(f"{label}须大于0" if not allow_zero else f"{label}不能为负数", label)
    return value


def _names(db: Database, depot_id: int, item_id: int) -> tuple[str, str, str]:
    depot = supplies.get_depot(db, depot_id)["name"]
    item = supplies.get_item(db, item_id)
    label = item["name"] + (f"（{item['spec']}）" if item["spec"] else "")
    return depot, label, item["unit"]


def stock_balance(db: Database, depot_id: int, item_id: int) -> int:
    """The book quantity of an item in a depot (0 if it never held it)."""
    row = db.execute("SELECT quantity FROM depot_stock WHERE depot_id = ? AND item_id = ?",
                     [depot_id, item_id]).fetchone()
    return row[0] if row else 0


def _set_balance(db: Database, depot_id: int, item_id: int, quantity: int, clock: Clock) -> None:
    sid = supplies.ensure_stock(db, depot_id, item_id, clock)
    db.execute("UPDATE depot_stock SET quantity = ?, updated_at = ?, version = version + 1 "
               "WHERE id = ?", [quantity, clock.stamp(), sid])


def _insert(db: Database, row: dict, clock: Clock) -> int:
    row = {"to_depot_id": None, "to_balance_after": None, "book_quantity": None,
           "counted_quantity": None, "ref": "", **row, "recorded_at": clock.stamp()}
    cols = ", ".join(row)
    marks = ", ".join(f":{k}" for k in row)
    return db.execute(f"INSERT INTO stock_movements ({cols}) VALUES ({marks})", row).lastrowid


def _common(db: Database, item_id: int, depot_ids: list[int], reason: str, who: Who,
            at, clock: Clock) -> dict:
    supplies.get_item(db, item_id)
    for depot_id in depot_ids:
        supplies.get_depot(db, depot_id)
    actor_id, actor_name = _actor(db, who)
    return {"item_id": item_id, "reason": clean(reason, "事由", REASON_MAX, required=True),
            "actor_id": actor_id, "actor_name": actor_name, "moved_at": _moment(at, clock)}


def _refuse_negative(db: Database, kind: str, depot_id: int, item_id: int, book: int, asked: int):
    depot, item, unit = _names(db, depot_id, item_id)
    raise ValidationError(f"{kind}被拒绝：{depot}的“{item}”账面库存 {book}{unit}，"
                          f"本次{kind} {asked}{unit}，库存不能为负数", "数量")


def receive(db: Database, depot_id: int, item_id: int, quantity: int, *, reason: str, who: Who,
            at: str | datetime | None = None, ref: str = "",
            clock: Clock = SYSTEM_CLOCK) -> int:
    """入库: ``quantity`` (> 0) into a depot. Returns the movement id."""
    session.require(db, "物资出入库")
    quantity = _quantity(quantity, "入库数量")
    row = _common(db, item_id, [depot_id], reason, who, at, clock)
    with writing(db):
        balance = stock_balance(db, depot_id, item_id) + quantity
        _set_balance(db, depot_id, item_id, balance, clock)
        return _insert(db, {**row, "kind": "入库", "depot_id": depot_id, "quantity": quantity,
                            "balance_after": balance, "ref": clean(ref, "来源", REF_MAX)}, clock)


def issue(db: Database, depot_id: int, item_id: int, quantity: int, *, reason: str, who: Who,
          at: str | datetime | None = None, ref: str = "", clock: Clock = SYSTEM_CLOCK) -> int:
    """出库: ``quantity`` (> 0) out of a depot; refused if more than the balance. ``ref``
    names the event or response it goes to (free text until dispatch links them)."""
    session.require(db, "物资出入库")
    quantity = _quantity(quantity, "出库数量")
    row = _common(db, item_id, [depot_id], reason, who, at, clock)
    ref = clean(ref, "去向", REF_MAX)
    with writing(db):
        book = stock_balance(db, depot_id, item_id)
        if quantity > book:
            _refuse_negative(db, "出库", depot_id, item_id, book, quantity)
        _set_balance(db, depot_id, item_id, book - quantity, clock)
        return _insert(db, {**row, "kind": "出库", "depot_id": depot_id, "quantity": quantity,
                            "balance_after": book - quantity, "ref": ref}, clock)


def transfer(db: Database, from_depot_id: int, to_depot_id: int, item_id: int, quantity: int, *,
             reason: str, who: Who, at: str | datetime | None = None,
             clock: Clock = SYSTEM_CLOCK) -> int:
    """调拨: ``quantity`` from one depot to another, as one movement moving both balances."""
    session.require(db, "物资出入库")
    quantity = _quantity(quantity, "调拨数量")
    if from_depot_id == to_depot_id:
        raise ValidationError("调出和调入的储备库不能相同", "调入储备库")
    row = _common(db, item_id, [from_depot_id, to_depot_id], reason, who, at, clock)
    with writing(db):
        book = stock_balance(db, from_depot_id, item_id)
        if quantity > book:
            _refuse_negative(db, "调拨", from_depot_id, item_id, book, quantity)
        into = stock_balance(db, to_depot_id, item_id) + quantity
        _set_balance(db, from_depot_id, item_id, book - quantity, clock)
        _set_balance(db, to_depot_id, item_id, into, clock)
        return _insert(db, {**row, "kind": "调拨", "depot_id": from_depot_id,
                            "to_depot_id": to_depot_id, "quantity": quantity,
                            "balance_after": book - quantity, "to_balance_after": into}, clock)


def stocktake(db: Database, depot_id: int, item_id: int, counted: int, *, reason: str, who: Who,
              at: str | datetime | None = None, clock: Clock = SYSTEM_CLOCK) -> int:
    """盘点: the counted quantity (>= 0) becomes the balance; the movement records book,
    counted and their difference with the reason (盘盈/盘亏, 损耗, 过期报废…)."""
    session.require(db, "物资出入库")
    counted = _quantity(counted, "实盘数量", allow_zero=True)
    row = _common(db, item_id, [depot_id], reason, who, at, clock)
    with writing(db):
        book = stock_balance(db, depot_id, item_id)
        _set_balance(db, depot_id, item_id, counted, clock)
        return _insert(db, {**row, "kind": "盘点", "depot_id": depot_id, "quantity": counted - book,
                            "book_quantity": book, "counted_quantity": counted,
                            "balance_after": counted}, clock)


# ------------------------------------------------------------------------------ reading

def delta(kind: str, quantity: int, depot_side: bool = True) -> int:
    """How a movement changes the balance of its depot (or, ``depot_side`` False, of the
    destination of a 调拨)."""
    if not depot_side:
        return quantity
    return -quantity if kind in ("出库", "调拨") else quantity


def history_ids(db: Database, *, depot_id: int | None = None, item_id: int | None = None,
                stock_id: int | None = None) -> list[int]:
    """Ids of movements touching a depot, an item, or one stock line, newest first (in the
    order they were applied, which is the order of their balances)."""
    if stock_id is not None:
        stock = supplies.get_stock(db, stock_id)
        depot_id, item_id = stock["depot_id"], stock["item_id"]
    where, params = ["1 = 1"], []
    if depot_id is not None:
        where.append("(depot_id = ? OR to_depot_id = ?)")
        params += [depot_id, depot_id]
    if item_id is not None:
        where.append("item_id = ?")
        params.append(item_id)
    return [r[0] for r in db.execute(
        f"SELECT id FROM stock_movements WHERE {' AND '.join(where)} ORDER BY id DESC", params)]


def movement_rows(db: Database, ids: list[int]) -> dict[int, dict]:
    """Display rows by id (a page at a time)."""
    found: dict[int, dict] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for row in db.query(f"""
                SELECT m.*, i.name AS item, i.spec, i.unit, i.code, d.name AS depot,
                       coalesce(t.name, '') AS to_depot
                FROM stock_movements m JOIN supply_items i ON i.id = m.item_id
                JOIN depots d ON d.id = m.depot_id LEFT JOIN depots t ON t.id = m.to_depot_id
                WHERE m.id IN ({','.join('?' * len(chunk))})""", chunk):
            found[row["id"]] = row
    return found


def verify(db: Database) -> list[str]:
    """Replays the whole ledger: every movement's recorded balance (and a 盘点's book
    quantity) must match the running balance, no balance may go negative, and every cached
    stock balance must equal the history's. Returns the mismatches in Chinese; empty when
    the ledger is sound."""
    problems: list[str] = []
    running: dict[tuple[int, int], int] = {}

    def label(depot_id: int, item_id: int) -> str:
        depot, item, _unit = _names(db, depot_id, item_id)
        return f"{depot}“{item}”"

    for (mid, kind, item_id, depot_id, to_depot_id, quantity, book, balance_after,
         to_after) in db.execute(
            "SELECT id, kind, item_id, depot_id, to_depot_id, quantity, book_quantity, "
            "balance_after, to_balance_after FROM stock_movements ORDER BY id"):
        key = (depot_id, item_id)
        before = running.get(key, 0)
        if kind == "盘点" and book != before:
            problems.append(f"第 {mid} 笔盘点：账面数 {book} 与此前结存 {before} 不符（{label(*key)}）")
        running[key] = before + delta(kind, quantity)
        if running[key] != balance_after:
            problems.append(f"第 {mid} 笔{kind}：记录的结存 {balance_after} 与重算的 {running[key]} 不符"
                            f"（{label(*key)}）")
        if running[key] < 0:
            problems.append(f"第 {mid} 笔{kind}后结存为负数 {running[key]}（{label(*key)}）")
        if to_depot_id is not None:
            key = (to_depot_id, item_id)
            running[key] = running.get(key, 0) + quantity
            if running[key] != to_after:
                problems.append(f"第 {mid} 笔调拨：调入方记录的结存 {to_after} 与重算的 {running[key]} 不符"
                                f"（{label(*key)}）")
    for depot_id, item_id, quantity in db.execute(
            "SELECT depot_id, item_id, quantity FROM depot_stock ORDER BY id"):
        expected = running.pop((depot_id, item_id), 0)
        if quantity != expected:
            problems.append(f"{label(depot_id, item_id)}库存 {quantity} 与台账重算的 {expected} 不符")
    for (depot_id, item_id), expected in running.items():
        problems.append(f"{label(depot_id, item_id)}有台账记录（结存 {expected}）但没有库存记录")
    return problems
