"""The stock ledger and dispatch with 100,000 movements, against the raw SQL for the same work.

    .venv/bin/python -m bench --only ledger [--movements 100000]

The database (cached in bench/.cache): the demo county, then ``movements`` movements over
its stock lines spread over three years (入库 40 %, 出库 40 %, 调拨 15 %, 盘点 5 %, every
balance kept non-negative, one line much busier than the rest), bulk-inserted in one
transaction through ``store.open_db`` (one audit record each) with the stock balances set
to where the history leaves them; ``ledger.verify`` must find it sound.

Measures (median of runs; floors are the raw SQL statements reading or writing the same rows):
- the 储备 tab's stock list (all lines) and one depot's list (``supplies.stock_list``);
- the busiest line's history as its panel opens it (ids, then the first 200 rows);
- ``ledger.verify`` (the whole history replayed) against reading the history;
- one 入库 and one 出库 (``ledger.receive``/``issue``) against the raw INSERT and UPDATE;
- one supply dispatch to the live demo response (``dispatch.dispatch_supply``: the
  出库, the dispatch and its duty-log entry with its index row) against the raw statements.
Interactive measures have the duty log's target, 50 ms; verify (a check, run by
``nxcommand check``) is held to 3× reading the history.
"""

from __future__ import annotations

import random
import time
from datetime import datetime, timedelta
from pathlib import Path

from .common import CACHE, Result, demo_copy, median, paired_ms

NOW = datetime(2026, 7, 1, 14, 20)
TARGET_MS = 50.0
VERIFY_RATIO = 3.0
REASONS = {"入库": "年度储备采购入库", "出库": "应急救灾调用", "调拨": "按储备计划调拨", "盘点": "季度盘点"}


def cache_path(movements: int) -> Path:
    from nxcommand.store import latest_version

    return CACHE / f"ledger-{movements}-s{latest_version()}.db"


def build(path: Path, movements: int, say=print) -> float:
    from nxcommand import ledger, session
    from nxcommand.store import open_db

    started = time.perf_counter()
    db = open_db(demo_copy(path))
    session.sign_in(db, session.system("性能测试"))
    lines = [tuple(r) for r in db.execute("SELECT depot_id, item_id, quantity FROM depot_stock ORDER BY id")]
    depots = [r[0] for r in db.execute("SELECT id FROM depots ORDER BY id")]
    balance = {(d, i): q for d, i, q in lines}
    busy = lines[0][:2]
    rng = random.Random(11)
    first = NOW - timedelta(days=3 * 365)
    step = (NOW - first) / (movements + 1)
    start_id = (db.execute("SELECT max(id) FROM stock_movements").fetchone()[0] or 0) + 1
    last = db.execute("SELECT max(moved_at) FROM stock_movements").fetchone()[0] or ""
    rows = []
    for n in range(movements):
        depot, item = busy if rng.random() < 0.1 else rng.choice(lines)[:2]
        at = max((first + step * (n + 1)).strftime("%Y-%m-%d %H:%M"), last)
        kind = rng.choices(("入库", "出库", "调拨", "盘点"), (40, 40, 15, 5))[0]
        book = balance.get((depot, item), 0)
        to_depot = to_after = book_q = counted = None
        if kind == "出库" and book == 0 or kind == "调拨" and (book == 0 or len(depots) < 2):
            kind = "入库"
        if kind == "入库":
            quantity = rng.randint(1, 500)
            after = book + quantity
        elif kind == "出库":
            quantity = rng.randint(1, max(1, book // 3))
            after = book - quantity
        elif kind == "调拨":
            quantity = rng.randint(1, max(1, book // 4))
            after = book - quantity
            to_depot = rng.choice([d for d in depots if d != depot])
            to_after = balance.get((to_depot, item), 0) + quantity
            balance[(to_depot, item)] = to_after
        else:
            counted = max(0, book + rng.randint(-5, 3))
            book_q, quantity, after = book, counted - book, counted
        balance[(depot, item)] = after
        rows.append((start_id + n, kind, item, depot, to_depot, quantity, book_q, counted, after, to_after,
                     at, "库管员", REASONS[kind], "", at + ":00"))
    with db.atomic():
        db.conn.executemany(
            "INSERT INTO stock_movements (id, kind, item_id, depot_id, to_depot_id, quantity, book_quantity, "
            "counted_quantity, balance_after, to_balance_after, moved_at, actor_name, reason, ref, recorded_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        for (depot, item), quantity in balance.items():
            cur = db.execute("UPDATE depot_stock SET quantity = ? WHERE depot_id = ? AND item_id = ?",
                             [quantity, depot, item])
            if cur.rowcount == 0:
                db.execute("INSERT INTO depot_stock (depot_id, item_id, quantity, created_at, updated_at) "
                           "VALUES (?, ?, ?, ?, ?)", [depot, item, quantity, "2023-07-01 00:00:00",
                                                      "2023-07-01 00:00:00"])
    problems = ledger.verify(db)
    assert not problems, problems[:3]
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    seconds = time.perf_counter() - started
    say(f"  built {movements:,} movements in {seconds:.0f} s")
    return seconds


def ensure(movements: int, say=print) -> Path:
    path = cache_path(movements)
    if not path.exists():
        part = path.with_name(path.name + ".part")
        say(f"  building the ledger database with {movements:,} movements …")
        build(part, movements, say=say)
        part.rename(path)
    return path


def run(movements: int = 100_000, runs: int = 7, say=print) -> list[Result]:
    from nxcommand import dispatch, ledger, response, session, supplies
    from nxcommand.clock import FixedClock
    from nxcommand.store import open_db

    path = ensure(movements, say=say)
    # writes change the database: measure on a copy, the cache stays as built
    work = path.with_name("ledger-work.db")
    for stale in path.parent.glob("ledger-work.db*"):
        stale.unlink()
    work.write_bytes(path.read_bytes())
    db = open_db(work)
    session.sign_in(db, session.system("性能测试"))
    clock = FixedClock(NOW)
    results = []
    total = db.execute("SELECT count(*) FROM stock_movements").fetchone()[0]
    size = f"{total:,} movements"

    def add(label, subject, floor, detail="", target=TARGET_MS, kind="abs", reps=runs):
        a, b = paired_ms(subject, floor, reps)
        results.append(Result("ledger", f"{label}, {size}", median(a), median(b), "ms", target, kind,
                              detail=detail or f"median of {reps}"))

    stock_sql = supplies._STOCK_SQL + " ORDER BY i.code, i.name, i.spec, d.level = '村级', d.level = '乡镇级', d.id"
    lines = db.execute("SELECT count(*) FROM depot_stock").fetchone()[0]
    add("stock list (储备 tab, all lines)", lambda: supplies.stock_list(db),
        lambda: db.execute(stock_sql).fetchall(), f"{lines} lines; median of {runs}")
    depot = db.execute("SELECT depot_id FROM depot_stock GROUP BY depot_id ORDER BY count(*) DESC").fetchone()[0]
    depot_sql = supplies._STOCK_SQL + " WHERE s.depot_id = ? ORDER BY i.code, i.name, i.spec, d.id"
    add("stock list of one depot", lambda: supplies.stock_list(db, supplies.StockQuery(depot_id=depot)),
        lambda: db.execute(depot_sql, [depot]).fetchall())
    sid, depot_id, item_id = db.execute(
        "SELECT s.id, s.depot_id, s.item_id FROM depot_stock s JOIN stock_movements m "
        "ON m.depot_id = s.depot_id AND m.item_id = s.item_id GROUP BY s.id ORDER BY count(*) DESC").fetchone()
    count = len(ledger.history_ids(db, stock_id=sid))

    def history():
        ids = ledger.history_ids(db, stock_id=sid)
        return ledger.movement_rows(db, ids[:200])

    add("history of the busiest line (ids + first 200 rows)", history,
        lambda: (db.execute("SELECT count(*) FROM stock_movements WHERE item_id = ? AND "
                            "(depot_id = ? OR to_depot_id = ?)", [item_id, depot_id, depot_id]).fetchone(),
                 db.execute("SELECT * FROM stock_movements WHERE item_id = ? AND (depot_id = ? OR to_depot_id = ?) "
                            "ORDER BY id DESC LIMIT 200", [item_id, depot_id, depot_id]).fetchall()),
        f"{count:,} movements on the line; median of {runs}")
    add("verify() (the whole ledger replayed)", lambda: ledger.verify(db),
        lambda: db.execute("SELECT id, kind, item_id, depot_id, to_depot_id, quantity, book_quantity, "
                           "balance_after, to_balance_after FROM stock_movements ORDER BY id").fetchall(),
        target=VERIFY_RATIO, kind="ratio", reps=max(3, runs // 2))
    who = ledger.Who("库管员")

    def raw_move(kind: str, sign: int):
        with db.atomic():
            book = db.execute("SELECT quantity FROM depot_stock WHERE depot_id = ? AND item_id = ?",
                              [depot_id, item_id]).fetchone()[0]
            db.execute("UPDATE depot_stock SET quantity = ?, updated_at = ?, version = version + 1 "
                       "WHERE depot_id = ? AND item_id = ?", [book + sign, clock.stamp(), depot_id, item_id])
            db.execute("INSERT INTO stock_movements (kind, item_id, depot_id, quantity, balance_after, moved_at, "
                       "actor_name, reason, ref, recorded_at) VALUES (?, ?, ?, 1, ?, ?, '库管员', ?, '', ?)",
                       [kind, item_id, depot_id, book + sign, NOW.strftime("%Y-%m-%d %H:%M"), REASONS[kind],
                        clock.stamp()])

    add("one 入库 (ledger.receive)", lambda: ledger.receive(db, depot_id, item_id, 1, reason=REASONS["入库"],
                                                          who=who, clock=clock),
        lambda: raw_move("入库", +1))
    add("one 出库 (ledger.issue)", lambda: ledger.issue(db, depot_id, item_id, 1, reason=REASONS["出库"],
                                                       who=who, clock=clock),
        lambda: raw_move("出库", -1))
    live = response.live_responses(db)[0]
    r = response.get_response(db, live["id"])
    town = db.execute("SELECT id FROM admin_units WHERE level = 'town' ORDER BY id").fetchone()[0]
    data = dispatch.DispatchInput(town, r["started_by"], "值班员", place="安置点", task="转移群众生活保障")

    def raw_dispatch():
        from nxcommand import cjksearch, dutylog
        with db.atomic():
            raw_move("出库", -1)
            mid = db.execute("SELECT max(id) FROM stock_movements").fetchone()[0]
            stamp = clock.stamp()
            db.execute("INSERT INTO dispatches (response_id, kind, depot_id, item_id, quantity, movement_id, town_id, "
                       "place, task, ordered_by, dispatched_at, recorded_by, created_at, updated_at) "
                       "VALUES (?, '物资', ?, ?, 1, ?, ?, '安置点', '转移群众生活保障', ?, ?, '值班员', ?, ?)",
                       [live["id"], depot_id, item_id, mid, town, r["started_by"], NOW.strftime("%Y-%m-%d %H:%M"),
                        stamp, stamp])
            key = db.execute("SELECT coalesce(max(sort_key), 0) + 1 FROM log_entries").fetchone()[0]
            db.execute("INSERT INTO log_entries (logged_at, kind_id, summary, recorded_by, recorded_at, sort_key) "
                       "VALUES (?, 1, '调拨物资出库', '值班员', ?, ?)", [NOW.strftime("%Y-%m-%d %H:%M"), stamp, key])
            db.execute("INSERT INTO log_fts (rowid, body) VALUES (?, ?)", [key, cjksearch.index_text("调拨物资出库")])
        _ = dutylog

    add("one supply dispatch (dispatch.dispatch_supply)",
        lambda: dispatch.dispatch_supply(db, live["id"], depot_id, item_id, 1, data, clock), raw_dispatch)
    problems = ledger.verify(db)
    assert not problems, problems[:3]
    db.close()
    for stale in path.parent.glob("ledger-work.db*"):
        stale.unlink()
    return results
