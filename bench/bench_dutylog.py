"""The duty log with 1,000,000 entries: each interaction of the 值班日志 panel against the
store's raw SQL for the same query, measured in the same run.

    .venv/bin/python -m bench --only dutylog [--entries 1000000]

The database (cached in bench/.cache, built once, ~3 minutes for 1,000,000 entries): the
demo county and a year of its demo log written through the service, then the rest of the
entries sampled from that log's texts, spread over the years before, bulk-inserted in one
transaction on a connection from ``store.open_db``, so the audit triggers write one audit
record per entry as the console would, and their search-index rows built the way
``dutylog`` builds them (a sample is compared with ``dutylog._document``; a week's search is
compared with a plain LIKE scan).

Each interaction is what the panel does and paints (``DutyLogPanel.run_query`` then a
repaint of the table: count, first page, selection, the detail pane, the visible cells);
the floor is the raw SQL for the same filter: ``count(*)`` (stopping at the panel's limit,
ui.log_model.COUNT_LIMIT, as the panel's count does) plus the first page of rowids from the
FTS MATCH, or from the indexed SELECT on sort_key when only dates filter. For searches, p50
and p95 are over several words of that length (each measured a few times); the target holds
the p95.
"""

from __future__ import annotations

import random
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from .common import CACHE, Result, demo_copy, median, p95, paired_ms

NOW = datetime(2026, 7, 1, 14, 20)
TARGET_MS = 50.0
COLUMNS = ("logged_at", "kind_id", "source", "summary", "actions", "reported_to", "reported_at",
           "town_id", "event_id", "recorded_by", "recorded_at", "sort_key")
WORDS = {   # search words by length: in the demo texts, or (the last ones) rare or absent
    1: ["火", "山", "镇", "电", "水", "路", "报", "雨"],
    2: ["山火", "滑坡", "内涝", "交通", "预警", "暴雨", "转移", "冰雹"],
    3: ["森林火", "交接班", "应急办", "气象局", "带班领", "伤员送", "人民医", "泥石流"],
    4: ["森林火灾", "山体滑坡", "交通事故", "人员伤亡", "值班秩序", "预警信号", "视频点名", "地震烈度"],
}
KINDS = ["来电", "预警", "交接班", "处置", "更正"]
DATES = [(date(2025, 3, 3), date(2025, 3, 9)), (date(2024, 1, 1), date(2024, 12, 31)),
         (date(2026, 6, 1), date(2026, 6, 30)), (date(2023, 7, 1), date(2023, 7, 1)),
         (date(2022, 1, 1), date(2026, 7, 1))]


def cache_path(entries: int) -> Path:
    from nxcommand.store import latest_version

    return CACHE / f"log-{entries}-s{latest_version()}.db"


def build(path: Path, entries: int, years: int = 5, say=print, days: int = 366) -> dict[str, float]:
    """Write the database; returns the seconds each step took."""
    from nxcommand import cjksearch, dutylog, session
    from nxcommand.clock import FixedClock
    from nxcommand.store import open_db

    steps: dict[str, float] = {}
    started = time.perf_counter()
    demo_copy(path)
    db = open_db(path)
    session.sign_in(db, session.system("性能测试"))
    clock = FixedClock(NOW)
    first_day = NOW.date() - timedelta(days=days - 1)
    dutylog.load_demo_log(db, first_day, days, clock)
    steps[f"demo county and {days} days of log through the services"] = time.perf_counter() - started
    pool = list(db.query("SELECT * FROM log_entries WHERE corrects_id IS NULL"))
    correction_kind = dutylog._correction_kind_id(db)
    start_id = db.execute("SELECT max(id) FROM log_entries").fetchone()[0] + 1
    extra = max(0, entries - (start_id - 1))
    rng = random.Random(7)
    span = int((datetime.combine(first_day, datetime.min.time()) - NOW.replace(year=NOW.year - years))
               .total_seconds() // 60)
    base = datetime.combine(first_day, datetime.min.time()) - timedelta(minutes=span)
    minutes = sorted(rng.randrange(span) for _ in range(extra))
    index_cache: dict[str, str] = {}

    def index(text: str) -> str:
        if text not in index_cache:
            index_cache[text] = cjksearch.index_text(text)
        return index_cache[text]

    t = time.perf_counter()
    rows, bodies, samples = [], [], []
    place = 0
    for n, minute in enumerate(minutes):
        entry_id, moment = start_id + n, base + timedelta(minutes=minute)
        place = place + 1 if n and minute == minutes[n - 1] else 0
        sort_key = dutylog.sort_key_of(moment, place)
        src = rng.choice(pool)
        logged = moment.strftime(dutylog.MINUTE_FORMAT)
        reported = src["reported_at"] and (moment + timedelta(minutes=10)).strftime(dutylog.MINUTE_FORMAT)
        rows.append((entry_id, logged, src["kind_id"], src["source"], src["summary"], src["actions"],
                     src["reported_to"], reported, src["town_id"], None, src["recorded_by"],
                     logged + ":00", sort_key))
        tags = [cjksearch.tag("k", src["kind_id"])]
        if src["town_id"]:
            tags.append(cjksearch.tag("t", src["town_id"]))
        parts = (src["source"], src["summary"], src["actions"], src["reported_to"], src["recorded_by"])
        body = " ".join(x for x in (*(index(p) for p in parts), *tags) if x)
        bodies.append((sort_key, body))
        if n % 50_000 == 0:
            samples.append((src, body))
    for src, body in samples:          # the fast path builds what the service builds
        assert body == dutylog._document({**src, "event_id": None, "reason": ""}, correction_kind), src
    steps["entries and index text made in Python"] = time.perf_counter() - t
    t = time.perf_counter()
    with db.atomic():
        db.conn.executemany(f"INSERT INTO log_entries (id, {', '.join(COLUMNS)}) "
                            f"VALUES ({', '.join('?' * (len(COLUMNS) + 1))})", rows)
    steps[f"{extra:,} entries inserted, one audit record each (one transaction)"] = time.perf_counter() - t
    del rows
    t = time.perf_counter()
    with db.atomic():
        db.conn.executemany("INSERT INTO log_fts (rowid, body) VALUES (?, ?)", bodies)
    db.execute("INSERT INTO log_fts (log_fts) VALUES ('optimize')")
    steps["search index inserted and optimised"] = time.perf_counter() - t
    del bodies
    t = time.perf_counter()
    week = (dutylog.sort_key_of(datetime(2025, 3, 3)), dutylog.sort_key_of(datetime(2025, 3, 10)) - 1)
    fts = dutylog.count(db, dutylog.LogQuery(text="火", date_from=date(2025, 3, 3), date_to=date(2025, 3, 9)))
    like = db.execute("SELECT count(*) FROM log_entries WHERE sort_key BETWEEN ? AND ? AND "
                      "(source || summary || actions || reported_to || recorded_by) LIKE '%火%'",
                      week).fetchone()[0]
    assert fts == like, (fts, like)
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    audit = db.execute("SELECT count(*) FROM audit_log WHERE tbl = 'log_entries'").fetchone()[0]
    db.close()
    steps["checked and checkpointed"] = time.perf_counter() - t
    steps["total"] = time.perf_counter() - started
    say(f"  built {entries:,} entries ({audit:,} audit records) in {steps['total']:.0f} s, "
        f"{path.stat().st_size / 1e6:.0f} MB")
    return steps


def ensure(entries: int, say=print) -> tuple[Path, dict[str, float] | None]:
    """The cached database of ``entries`` entries (built when missing; below 10,000 entries,
    a month of demo log rather than a year)."""
    path = cache_path(entries)
    if path.exists():
        return path, None
    part = path.with_name(path.name + ".part")
    say(f"  building the duty-log database with {entries:,} entries (kept in {path.parent}) …")
    steps = build(part, entries, say=say, days=366 if entries >= 10_000 else 31)
    part.rename(path)
    return path, steps


def floor_sql(db, query) -> tuple[tuple[str, list], tuple[str, list]]:
    """(count SQL, params), (first-page SQL, params): the raw store query for the same filter.
    The count stops where the panel's does (ui.log_model.COUNT_LIMIT, when the model has one:
    above it the panel says 超过 N 条)."""
    from nxcommand import dutylog
    from ui import log_model

    limit = getattr(log_model, "COUNT_LIMIT", None)
    cap = f" LIMIT {limit + 1}" if limit else ""
    low, high = dutylog._bounds(query)
    match = dutylog._match(db, query)
    if match is not None:
        where, params = "log_fts MATCH ? AND rowid BETWEEN ? AND ?", [match, low, high]
        return ((f"SELECT count(*) FROM (SELECT 1 FROM log_fts WHERE {where}{cap})", params),
                (f"SELECT rowid FROM log_fts WHERE {where} ORDER BY rowid DESC LIMIT {dutylog.PAGE_SIZE}",
                 params))
    page = (f"SELECT id FROM log_entries WHERE sort_key BETWEEN ? AND ? ORDER BY sort_key DESC "
            f"LIMIT {dutylog.PAGE_SIZE}", [low, high])
    if query.date_from or query.date_to:
        return (f"SELECT count(*) FROM (SELECT 1 FROM log_entries WHERE sort_key BETWEEN ? AND ?{cap})",
                [low, high]), page
    return ("SELECT count(*) FROM log_entries", []), page


class PanelDriver:
    """The 值班日志 panel shown offscreen at the console's size, driven like an officer."""

    def __init__(self, db):
        from PySide6.QtWidgets import QApplication

        from nxcommand.clock import FixedClock
        from ui.app import make_app
        from ui.log_panel import DutyLogPanel

        make_app() if QApplication.instance() is None else None
        self.db = db
        self.panel = DutyLogPanel(db, FixedClock(NOW))
        self.panel.resize(1160, 760)
        self.panel.show()
        QApplication.processEvents()

    def set(self, text: str = "", kind: str | None = None, town_id: int | None = None,
            dates: tuple[date, date] | None = None) -> None:
        """Put the filters in the widgets without running the query (signals blocked)."""
        from PySide6.QtCore import QDate

        p = self.panel
        widgets = (p.range, p.kind, p.town, p.search, p.date_from, p.date_to)
        for w in widgets:
            w.blockSignals(True)
        p.search.setText(text)
        p.kind.setCurrentIndex(max(0, p.kind.findData(kind)) if kind else 0)
        p.town.setCurrentIndex(max(0, p.town.findData(town_id)) if town_id is not None else 0)
        if dates:
            p.range.setCurrentIndex(p.range.findData(-1))
            p.date_from.setDate(QDate(dates[0].year, dates[0].month, dates[0].day))
            p.date_to.setDate(QDate(dates[1].year, dates[1].month, dates[1].day))
        else:
            p.range.setCurrentIndex(0)
        for w in widgets:
            w.blockSignals(False)

    def interact(self) -> None:
        """What the panel does when a filter changes, up to the painted table."""
        self.panel.run_query()
        self.panel.table.viewport().repaint()

    def scroll(self) -> None:
        """The officer scrolls past the loaded rows: the next page is read and painted."""
        self.panel.model.fetchMore()
        self.panel.table.viewport().repaint()


def measure(db, driver: PanelDriver, setups: list[dict], runs: int) -> tuple[list[float], list[float], int]:
    """UI and floor timings over every setup (runs each); and the largest hit count."""
    from nxcommand import dutylog

    ui, floor, hits = [], [], 0
    for setup in setups:
        driver.set(**setup)
        query = driver.panel.current_query()
        (count_sql, count_params), (page_sql, page_params) = floor_sql(db, query)
        a, b = paired_ms(driver.interact,
                         lambda: (db.execute(count_sql, count_params).fetchone(),
                                  db.execute(page_sql, page_params).fetchall()), runs)
        ui += a
        floor += b
        hits = max(hits, dutylog.count(db, query))        # exact, for the table
    return ui, floor, hits


def run(entries: int = 1_000_000, runs: int = 3, quick: bool = False, say=print) -> list[Result]:
    from nxcommand import session
    from nxcommand.store import open_db

    path, steps = ensure(entries, say=say)
    db = open_db(path)
    session.sign_in(db, session.system("性能测试"))
    driver = PanelDriver(db)
    towns = {r[1]: r[0] for r in db.execute("SELECT id, name FROM admin_units WHERE level = 'town'")}
    words = {n: w[:1] for n, w in WORDS.items()} if quick else WORDS
    cases: list[tuple[str, list[dict]]] = [
        ("open the log (count + first page)", [{}]),
        ("filter by kind", [{"kind": k} for k in KINDS]),
        ("filter by town", [{"town_id": towns[t]} for t in list(towns)[:5]]),
        ("filter by dates", [{"dates": d} for d in DATES]),
        *[(f"search {n}-character words", [{"text": w} for w in ws]) for n, ws in words.items()],
        ("search + kind + town + dates", [
            {"text": "火", "kind": "来电", "town_id": towns["帽子峰镇"], "dates": DATES[1]},
            {"text": "滑坡", "kind": "来电", "dates": DATES[4]},
            {"text": "交通事故", "town_id": towns["乌迳镇"]}]),
    ]
    results = []
    for label, setups in cases:
        setups = setups[:1] if quick else setups
        reps = runs * (5 if len(setups) == 1 and not quick else 1)
        ui, floor, hits = measure(db, driver, setups, reps)
        results.append(Result(
            "duty log", f"{label}, {entries:,} entries", median(ui), median(floor), "ms", TARGET_MS, "abs",
            detail=f"p50; p95 {p95(ui):.1f} ms (floor p95 {p95(floor):.1f} ms); "
                   f"{len(setups)} × {reps} runs; up to {hits:,} hits", p95=p95(ui)))
    # scrolling: the next page of a large result
    driver.set(text="火")
    driver.interact()
    scroll = []
    for _ in range(runs * 3):
        start = time.perf_counter()
        driver.scroll()
        scroll.append((time.perf_counter() - start) * 1000)
    from nxcommand import dutylog
    query = driver.panel.current_query()
    after = driver.panel.model.record(driver.panel.model.rowCount() - 1)["sort_key"]
    low, high = dutylog._bounds(query)
    match = dutylog._match(db, query)
    sql = ("SELECT rowid FROM log_fts WHERE log_fts MATCH ? AND rowid BETWEEN ? AND ? "
           f"ORDER BY rowid DESC LIMIT {dutylog.PAGE_SIZE}")
    _a, floor = paired_ms(lambda: None, lambda: db.execute(sql, [match, low, after - 1]).fetchall(), runs * 3)
    results.append(Result("duty log", f"scroll to the next page (search 火), {entries:,} entries",
                          median(scroll), median(floor), "ms", TARGET_MS, "abs",
                          detail=f"p50; p95 {p95(scroll):.1f} ms", p95=p95(scroll)))
    driver.panel.close()
    db.close()
    if steps:
        for step, seconds in steps.items():
            say(f"    {step}: {seconds:.1f} s")
    return results
