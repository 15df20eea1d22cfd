"""The stock ledger: 入库, 出库, 调拨, 盘点; refusals; append-only history; verify; and a
property test over random sequences of movements (no Qt)."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nxcommand import ledger, supplies
from nxcommand.clock import FixedClock
from nxcommand.errors import UserError, ValidationError
from nxcommand.ledger import Who
from nxcommand.store import open_db
from nxcommand.supplies import DepotInput, ItemInput

NOW = datetime(2026, 7, 1, 14, 20)
KEEPER = Who("谢惠珍")


def build(db, clock):
    """Three county-level depots and two items, no stock."""
    depots = [supplies.add_depot(db, DepotInput(name, "县级"), clock) for name in ("甲库", "乙库", "丙库")]
    items = [supplies.add_item(db, ItemInput("1010101", "救灾帐篷", "顶"), clock),
             supplies.add_item(db, ItemInput("3010101", "编织袋", "条"), clock)]
    return depots, items


@pytest.fixture
def stocked(empty_db, clock):
    depots, items = build(empty_db, clock)
    return empty_db, depots, items


def snapshot(db) -> tuple:
    return (db.execute("SELECT * FROM stock_movements ORDER BY id").fetchall(),
            db.execute("SELECT * FROM depot_stock ORDER BY id").fetchall())


def balance(db, depot, item) -> int:
    return ledger.stock_balance(db, depot, item)


# ------------------------------------------------------------------------ each movement

def test_receive_issue_transfer_stocktake(stocked, clock):
    db, (a, b, _c), (tent, _bag) = stocked
    first = ledger.receive(db, a, tent, 50, reason="省厅下拨", who=KEEPER, clock=clock)
    ledger.issue(db, a, tent, 12, reason="安置点", who=KEEPER, ref="珠玑镇强降雨转移", clock=clock)
    move = ledger.transfer(db, a, b, tent, 8, reason="前置", who=KEEPER, clock=clock)
    take = ledger.stocktake(db, b, tent, 7, reason="盘亏：1顶破损", who=KEEPER, clock=clock)
    assert (balance(db, a, tent), balance(db, b, tent)) == (30, 7)
    rows = ledger.movement_rows(db, ledger.history_ids(db, item_id=tent))
    assert [rows[i]["kind"] for i in ledger.history_ids(db, depot_id=a)] == ["调拨", "出库", "入库"]
    assert (rows[move]["balance_after"], rows[move]["to_balance_after"], rows[move]["to_depot"]) == (
        30, 8, "乙库")
    assert (rows[take]["book_quantity"], rows[take]["counted_quantity"], rows[take]["quantity"],
            rows[take]["reason"]) == (8, 7, -1, "盘亏：1顶破损")
    assert rows[first]["moved_at"] == "2026-07-01 14:20" and rows[first]["actor_name"] == "谢惠珍"
    sid = supplies.stock_id(db, b, tent)
    assert ledger.history_ids(db, stock_id=sid) == [take, move]
    assert ledger.verify(db) == []


def test_a_stocktake_may_find_stock_the_book_does_not_know(stocked, clock):
    db, (a, *_), (tent, _bag) = stocked
    mid = ledger.stocktake(db, a, tent, 3, reason="盘盈：发现未登记帐篷", who=KEEPER, clock=clock)
    row = ledger.movement_rows(db, [mid])[mid]
    assert (row["book_quantity"], row["quantity"], balance(db, a, tent)) == (0, 3, 3)


@pytest.mark.parametrize("kind", ["出库", "调拨"])
def test_more_than_the_balance_is_refused_and_writes_nothing(stocked, clock, kind):
    db, (a, b, _c), (tent, _bag) = stocked
    ledger.receive(db, a, tent, 20, reason="采购", who=KEEPER, clock=clock)
    before = snapshot(db)
    with pytest.raises(ValidationError) as err:
        if kind == "出库":
            ledger.issue(db, a, tent, 30, reason="安置点", who=KEEPER, clock=clock)
        else:
            ledger.transfer(db, a, b, tent, 30, reason="前置", who=KEEPER, clock=clock)
    assert str(err.value) == (f"{kind}被拒绝：甲库的“救灾帐篷”账面库存 20顶，本次{kind} 30顶，库存不能为负数")
    assert err.value.field == "数量"
    assert snapshot(db) == before


def test_issuing_from_a_depot_that_never_held_the_item(stocked, clock):
    db, (a, *_), (_tent, bag) = stocked
    with pytest.raises(ValidationError, match="甲库的“编织袋”账面库存 0条，本次出库 1条"):
        ledger.issue(db, a, bag, 1, reason="抢险", who=KEEPER, clock=clock)
    assert snapshot(db) == ([], [])


@pytest.mark.parametrize("call, message", [
    (lambda db, a, b, t, c: ledger.receive(db, a, t, 0, reason="x", who=KEEPER, clock=c), "入库数量须大于0"),
    (lambda db, a, b, t, c: ledger.receive(db, a, t, -5, reason="x", who=KEEPER, clock=c), "入库数量须大于0"),
    (lambda db, a, b, t, c: ledger.receive(db, a, t, 1.5, reason="x", who=KEEPER, clock=c), "入库数量须为整数"),
    (lambda db, a, b, t, c: ledger.receive(db, a, t, 5, reason=" ", who=KEEPER, clock=c), "请填写事由"),
    (lambda db, a, b, t, c: ledger.receive(db, a, t, 5, reason="x", who=Who(), clock=c), "请填写经办人"),
    (lambda db, a, b, t, c: ledger.receive(db, a, t, 5, reason="x", who=Who("", 999), clock=c), "不在通讯录中"),
    (lambda db, a, b, t, c: ledger.receive(db, a, t, 5, reason="x", who=KEEPER, at="2026-07-01 14:21", clock=c),
     "时间不能晚于当前时间"),
    (lambda db, a, b, t, c: ledger.receive(db, a, t, 5, reason="x", who=KEEPER, at="昨天", clock=c), "时间应为"),
    (lambda db, a, b, t, c: ledger.transfer(db, a, a, t, 5, reason="x", who=KEEPER, clock=c), "调出和调入的储备库不能相同"),
    (lambda db, a, b, t, c: ledger.stocktake(db, a, t, -1, reason="x", who=KEEPER, clock=c), "实盘数量不能为负数"),
    (lambda db, a, b, t, c: ledger.issue(db, 999, t, 1, reason="x", who=KEEPER, clock=c), "该储备库不存在"),
])
def test_bad_input_is_refused_in_chinese(stocked, clock, call, message):
    db, (a, b, _c), (tent, _bag) = stocked
    ledger.receive(db, a, tent, 10, reason="采购", who=KEEPER, clock=clock)
    before = snapshot(db)
    with pytest.raises(UserError, match=message):
        call(db, a, b, tent, clock)
    assert snapshot(db) == before


def test_who_and_when(stocked, clock, empty_db):
    db, (a, *_), (tent, _bag) = stocked
    db.execute("INSERT INTO people (name, created_at, updated_at) VALUES ('王保管', 'x', 'x')")
    pid = db.execute("SELECT id FROM people WHERE name = '王保管'").fetchone()[0]
    mid = ledger.receive(db, a, tent, 5, reason="采购", who=Who(person_id=pid),
                         at="２０２６-06-30 08:05", clock=clock)
    row = ledger.movement_rows(db, [mid])[mid]
    assert (row["actor_id"], row["actor_name"], row["moved_at"]) == (pid, "王保管", "2026-06-30 08:05")


def test_movements_are_append_only(stocked, clock):
    db, (a, *_), (tent, _bag) = stocked
    mid = ledger.receive(db, a, tent, 5, reason="采购", who=KEEPER, clock=clock)
    with pytest.raises(sqlite3.DatabaseError, match="不能修改"):
        db.execute("UPDATE stock_movements SET quantity = 50 WHERE id = ?", [mid])
    with pytest.raises(sqlite3.DatabaseError, match="不能删除"):
        db.execute("DELETE FROM stock_movements WHERE id = ?", [mid])
    assert not any(hasattr(ledger, name) for name in ("update", "delete", "remove", "edit"))


def test_the_database_refuses_a_negative_balance(stocked, clock):
    db, (a, *_), (tent, _bag) = stocked
    ledger.receive(db, a, tent, 5, reason="采购", who=KEEPER, clock=clock)
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("UPDATE depot_stock SET quantity = -1")


def test_verify_reports_a_balance_changed_outside_the_ledger(stocked, clock):
    db, (a, b, _c), (tent, _bag) = stocked
    ledger.receive(db, a, tent, 5, reason="采购", who=KEEPER, clock=clock)
    ledger.transfer(db, a, b, tent, 2, reason="前置", who=KEEPER, clock=clock)
    db.execute("UPDATE depot_stock SET quantity = 9 WHERE depot_id = ?", [b])
    assert ledger.verify(db) == ["乙库“救灾帐篷”库存 9 与台账重算的 2 不符"]


# ------------------------------------------------------------------------ property test

OPS = st.one_of(
    st.tuples(st.just("入库"), st.integers(0, 2), st.integers(0, 2), st.integers(0, 1), st.integers(-2, 40)),
    st.tuples(st.just("出库"), st.integers(0, 2), st.integers(0, 2), st.integers(0, 1), st.integers(-2, 40)),
    st.tuples(st.just("调拨"), st.integers(0, 2), st.integers(0, 2), st.integers(0, 1), st.integers(-2, 40)),
    st.tuples(st.just("盘点"), st.integers(0, 2), st.integers(0, 2), st.integers(0, 1), st.integers(-2, 40)),
)


@pytest.fixture(scope="module")
def ledger_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("ledger") / "template.db"
    db = open_db(path, create=True)
    depots, items = build(db, FixedClock(NOW))
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path, depots, items


def totals(db) -> dict[int, int]:
    return dict(db.execute("SELECT item_id, sum(quantity) FROM depot_stock GROUP BY item_id").fetchall())


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(OPS, max_size=25))
def test_no_sequence_of_movements_breaks_the_ledger(ledger_template, tmp_path_factory, ops):
    template, depots, items = ledger_template
    path = tmp_path_factory.mktemp("example") / "ledger.db"
    shutil.copy(template, path)
    db = open_db(path)
    clock = FixedClock(NOW)
    try:
        for kind, src, dst, item_no, qty in ops:
            depot, other, item = depots[src], depots[dst], items[item_no]
            before = snapshot(db)
            total = totals(db).get(item, 0)
            book = balance(db, depot, item)
            try:
                if kind == "入库":
                    ledger.receive(db, depot, item, qty, reason="采购", who=KEEPER, clock=clock)
                    expected = total + qty
                elif kind == "出库":
                    ledger.issue(db, depot, item, qty, reason="抢险", who=KEEPER, clock=clock)
                    expected = total - qty
                elif kind == "调拨":
                    ledger.transfer(db, depot, other, item, qty, reason="前置", who=KEEPER, clock=clock)
                    expected = total
                else:
                    ledger.stocktake(db, depot, item, qty, reason="盘点", who=KEEPER, clock=clock)
                    expected = total + (qty - book)
                refused = False
            except ValidationError:
                refused = True
            # refused exactly when the movement is invalid
            invalid = (qty < 0 or (qty == 0 and kind != "盘点")
                       or (kind in ("出库", "调拨") and qty > book)
                       or (kind == "调拨" and depot == other))
            assert refused == invalid, (kind, qty, book)
            if refused:
                assert snapshot(db) == before
                expected = total
            assert totals(db).get(item, 0) == expected
            assert db.execute("SELECT count(*) FROM depot_stock WHERE quantity < 0").fetchone()[0] == 0
            assert ledger.verify(db) == []
    finally:
        db.close()
