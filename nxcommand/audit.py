"""The audit trail: who wrote what, when, before and after, in one hash chain.

Every table (but the audit log itself, SQLite's own and full-text index tables) has three
triggers, generated here from its current columns and installed by ``store.open_db``. Each
write appends one ``audit_log`` record with the actor (``session.who``), the wall-clock time,
the row's key and its JSON image before and after. Each record carries the hash of the
previous one: hash = sha256 over (prev, at, actor, table, row, op, payload_hash) joined by a unit separator.

``verify`` (run by ``nxcommand check``) finds what was done outside the console:
- a record changed, removed or reordered breaks the chain at that record;
- a row whose content differs from the image its last audit record holds was changed with
  the triggers bypassed (a raw SQL edit, a hex editor, another program): the row is named.
Password hashes are recorded as their sha256, never themselves. The personal tables'
images can be blanked by a purge (``redact``); their payload hash keeps the chain whole.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from sqlite_utils import Database

PERSONAL_TABLES = frozenset({"response_people"})
LOG = "audit_log"
OP_TITLES = {"INSERT": "新增", "UPDATE": "修改", "DELETE": "删除", "BASE": "基线"}
UPGRADE_ACTOR = "系统（数据库升级）"
_HASHED_COLUMNS = {("accounts", "password_hash")}   # recorded as sha256, never themselves

TABLE_TITLES = {
    "log_entries": "值班日志", "reports": "书面报告", "daily_reports": "值班日报",
    "events": "事件", "event_figures": "伤亡损失数字", "instructions": "领导批示",
    "handovers": "交接班", "handover_items": "交接事项", "rollcalls": "视频点名",
    "people": "通讯录人员", "organizations": "单位", "admin_units": "行政区划", "meta": "设置",
    "shifts": "班次", "shift_assignments": "排班", "roster_changes": "调班记录",
    "response_decisions": "响应决定", "responses": "应急响应", "orders": "指令",
    "order_recipients": "指令接收", "meetings": "会商", "releases": "信息发布",
    "release_versions": "发布稿版本", "release_reviews": "发布审核", "release_channels": "发布渠道",
    "release_submissions": "送审记录", "warnings": "预警", "teams": "救援队伍", "experts": "专家",
    "equipment": "装备", "shelters": "避难场所", "vulnerable_people": "特殊群体",
    "depots": "物资仓库", "supply_items": "物资品种", "depot_stock": "库存",
    "stock_movements": "出入库记录", "plans": "预案", "dispatches": "调派",
    "forward_hqs": "前方指挥部", "accounts": "账户", "account_roles": "账户角色",
    "login_events": "登录记录", "response_people": "人员信息", "personal_purges": "个人信息清除",
    "personal_holds": "个人信息延期保存",
    "report_deadline_rules": "报送时限规则", "event_subtypes": "事件类型",
    "holiday_overrides": "节假日调整",
}


# Chinese names of the commonest columns, for the audit view (others show as named in SQL).
FIELD_TITLES = {
    "id": "编号", "created_at": "创建时间", "updated_at": "修改时间", "version": "版本",
    "name": "名称", "note": "备注", "notes": "备注", "recorded_by": "记录人", "recorded_at": "记录时间",
    "sort_order": "排序", "kind": "类别", "response_id": "响应", "org_id": "单位", "town_id": "镇街",
    "status": "状态", "level": "级别", "active": "在用", "lon": "经度", "lat": "纬度",
    "person_id": "人员", "role": "角色", "village_id": "村（社区）", "event_id": "事件", "reason": "原因",
    "address": "地址", "category_id": "类别", "subtype_id": "子类", "at": "时间", "title": "标题",
    "place": "地点", "measures": "措施", "content": "内容", "done_at": "完成时间", "channel": "渠道",
    "due_at": "时限", "item_id": "物资", "quantity": "数量", "group_id": "工作组", "duties": "职责",
    "result": "结果", "shift_id": "班次", "source": "来源", "team_id": "队伍", "unit": "单位",
    "phone": "电话", "depot_id": "仓库", "plan_id": "预案", "summary": "摘要", "actions": "处置情况",
    "logged_at": "记录时间", "reported_to": "报告对象", "reported_at": "报告时间",
    "mobile": "手机", "office_phone": "办公电话", "post": "职务", "login": "用户名",
    "display_name": "姓名", "password_hash": "密码（摘要）", "failed_count": "连续失败次数",
    "locked_until": "锁定至", "must_change_password": "须改密码", "last_login_at": "最近登录",
    "password_changed_at": "改密时间", "created_by": "创建人", "account_id": "账户", "value": "值",
    "key": "设置项", "signed_by": "签发人", "sent_at": "报送时间", "body": "正文", "text": "内容",
    "issued_at": "发布时间", "lifted_at": "解除时间", "purged_at": "清除时间", "retired_at": "停用时间",
    "retired_reason": "停用原因", "deaths": "死亡", "injured": "受伤", "missing": "失联",
    "trapped": "被困", "evacuated": "转移", "is_drill": "演练", "id_number": "身份证号",
    "sex": "性别", "age": "年龄", "next_of_kin": "亲属联系人", "hospital": "救治医院",
    "shelter_id": "安置场所", "leader_id": "负责人", "code": "代码", "color_hex": "颜色",
    "sort_key": "排序键", "search_key": "检索键", "corrects_id": "更正", "ended_at": "结束时间",
    "started_at": "启动时间", "decided_by": "决定人", "from_level": "原级别", "to_level": "新级别",
}


def title(table: str) -> str:
    return TABLE_TITLES.get(table, table)


def field_title(column: str) -> str:
    """"手机" for mobile; a column without a Chinese name shows as named in SQL."""
    return FIELD_TITLES.get(column, column)


# ------------------------------------------------------------------- hashing, functions

def sha(text: str | None) -> str | None:
    return None if text is None else hashlib.sha256(text.encode("utf-8")).hexdigest()


def payload_hash(before: str | None, after: str | None) -> str:
    return sha(f"{before or ''}\x1e{after or ''}")


def link(prev: str, at: str, actor: str, table: str, row_id: str, op: str, payload: str) -> str:
    return sha("\x1f".join([prev or "", at, actor, table, str(row_id), op, payload]))


def register(conn: sqlite3.Connection, actor: Callable[[], str]) -> None:
    """The SQL functions the triggers call, on one connection."""
    conn.create_function("nx_actor", 0, actor)
    conn.create_function("nx_sha", 1, sha, deterministic=True)
    conn.create_function("nx_payload", 2, payload_hash, deterministic=True)
    conn.create_function("nx_link", 7, link, deterministic=True)


def actor_of(db_ref: Callable[[], Database | None]) -> Callable[[], str]:
    """``nx_actor`` for a connection whose Database object ``db_ref`` returns (a weakref)."""
    def actor() -> str:
        from . import session

        db = db_ref()
        return session.who(db) if db is not None else UPGRADE_ACTOR
    return actor


def connect_functions(db: Database) -> None:
    register(db.conn, actor_of(weakref.ref(db)))


# ------------------------------------------------------------------- triggers

@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]           # () for rowid tables

    def image(self, alias: str) -> str:
        """The SQL for the row's JSON image, columns in table order."""
        parts = []
        for column in self.columns:
            value = f'{alias}."{column}"'
            if (self.name, column) in _HASHED_COLUMNS:
                value = f"nx_sha({value})"
            parts.append(f"'{column}', {value}")
        return f"json_object({', '.join(parts)})"

    def row_key(self, alias: str) -> str:
        if not self.key:
            return f"CAST({alias}.rowid AS TEXT)"
        return "json_array(" + ", ".join(f'{alias}."{c}"' for c in self.key) + ")"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def audited_tables(conn: sqlite3.Connection) -> list[TableSpec]:
    rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' "
                        "ORDER BY name").fetchall()
    virtual = [name for name, sql in rows if (sql or "").upper().startswith("CREATE VIRTUAL")]
    specs = []
    for name, sql in rows:
        if name.startswith("sqlite_") or name == LOG or name in virtual \
                or any(name.startswith(v + "_") for v in virtual):
            continue
        info = conn.execute(f"PRAGMA table_info({_q(name)})").fetchall()
        columns = tuple(r[1] for r in info)
        without_rowid = "WITHOUT ROWID" in (sql or "").upper()
        key = tuple(r[1] for r in sorted(info, key=lambda r: r[5]) if r[5]) if without_rowid else ()
        specs.append(TableSpec(name, columns, key))
    return specs


def _insert_record(spec: TableSpec, op: str, before: str, after: str, key_alias: str) -> str:
    return (
        f"INSERT INTO {LOG}(at, actor, tbl, row_id, op, before, after, payload_hash, prev_hash, hash) "
        f"SELECT at, actor, '{spec.name}', rid, '{op}', bef, aft, ph, prev, "
        f"nx_link(prev, at, actor, '{spec.name}', rid, '{op}', ph) FROM ("
        f"SELECT at, actor, rid, bef, aft, nx_payload(bef, aft) AS ph, prev FROM ("
        f"SELECT strftime('%Y-%m-%d %H:%M:%S', 'now', 'localtime') AS at, nx_actor() AS actor, "
        f"{spec.row_key(key_alias)} AS rid, {before} AS bef, {after} AS aft, "
        f"coalesce((SELECT hash FROM {LOG} ORDER BY seq DESC LIMIT 1), '') AS prev))"
    )


def trigger_sql(spec: TableSpec) -> dict[str, str]:
    """The three triggers of one table, by trigger name."""
    base = f"audit_{spec.name}"
    table = _q(spec.name)
    old, new = spec.image("OLD"), spec.image("NEW")
    return {
        f"{base}_i": (f"CREATE TRIGGER {_q(base + '_i')} AFTER INSERT ON {table} BEGIN "
                      f"{_insert_record(spec, 'INSERT', 'NULL', new, 'NEW')}; END"),
        f"{base}_u": (f"CREATE TRIGGER {_q(base + '_u')} AFTER UPDATE ON {table} "
                      f"WHEN {old} IS NOT {new} BEGIN "
                      f"{_insert_record(spec, 'UPDATE', old, new, 'NEW')}; END"),
        f"{base}_d": (f"CREATE TRIGGER {_q(base + '_d')} AFTER DELETE ON {table} BEGIN "
                      f"{_insert_record(spec, 'DELETE', old, 'NULL', 'OLD')}; END"),
    }


def expected_triggers(conn: sqlite3.Connection) -> dict[str, tuple[TableSpec, str]]:
    return {name: (spec, sql) for spec in audited_tables(conn)
            for name, sql in trigger_sql(spec).items()}


def _installed(conn: sqlite3.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                             "AND name LIKE 'audit\\_%' ESCAPE '\\' "
                             "AND name NOT IN ('audit_log_no_delete', 'audit_log_no_update')"))


def install(conn: sqlite3.Connection) -> bool:
    """Create or renew the audit triggers so that they match the tables' columns. Tables
    that had none (new, or changed) get a BASE record for each existing row, so that
    every row is bound to the chain. Returns whether anything changed."""
    if not _has_log(conn):
        return False
    if _installed(conn) == {n: s for n, (_, s) in expected_triggers(conn).items()}:
        return False
    conn.execute("BEGIN IMMEDIATE")
    try:
        installed, expected = _installed(conn), expected_triggers(conn)
        renewed = set()
        for name, sql in installed.items():
            if expected.get(name, (None, None))[1] != sql:
                conn.execute(f"DROP TRIGGER {_q(name)}")
        for name, (spec, sql) in expected.items():
            if installed.get(name) != sql:
                conn.execute(sql)
                renewed.add(spec)
        for spec in sorted(renewed, key=lambda s: s.name):
            _baseline(conn, spec)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return True


def _has_log(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                        [LOG]).fetchone() is not None


def _baseline(conn: sqlite3.Connection, spec: TableSpec) -> None:
    """BASE records binding the rows of ``spec`` to the chain after its triggers were made:
    every row of a table new to the trail (created by a migration); for a table the trail
    knows (its columns changed, or its triggers had been dropped), only the rows that still
    agree with their last image on the columns it holds. A row changed or added while the
    triggers were gone is left unbound, so ``verify`` goes on naming it: reopening the
    console does not make an edit made behind its back legitimate."""
    prev = conn.execute(f"SELECT hash FROM {LOG} ORDER BY seq DESC LIMIT 1").fetchone()
    prev = prev[0] if prev else ""
    at = conn.execute("SELECT strftime('%Y-%m-%d %H:%M:%S', 'now', 'localtime')").fetchone()[0]
    actor = conn.execute("SELECT nx_actor()").fetchone()[0]
    known = conn.execute(f"SELECT 1 FROM {LOG} WHERE tbl = ? LIMIT 1", [spec.name]).fetchone()
    rows = conn.execute(f"SELECT {spec.row_key('t')}, {spec.image('t')} FROM {_q(spec.name)} t "
                        f"ORDER BY 1").fetchall()
    for row_id, image in rows:
        if known and not _still_agrees(conn, spec.name, row_id, image):
            continue
        ph = payload_hash(None, image)
        digest = link(prev, at, actor, spec.name, row_id, "BASE", ph)
        conn.execute(f"INSERT INTO {LOG}(at, actor, tbl, row_id, op, before, after, payload_hash, "
                     "prev_hash, hash) VALUES (?, ?, ?, ?, 'BASE', NULL, ?, ?, ?, ?)",
                     [at, actor, spec.name, row_id, image, ph, prev, digest])
        prev = digest


def _still_agrees(conn: sqlite3.Connection, table: str, row_id: str, image: str) -> bool:
    """Whether a row needs and deserves a new BASE record: it has a last image, differs from
    it (new columns), and agrees with it on every column that image holds."""
    last = conn.execute(f"SELECT op, after, redacted FROM {LOG} WHERE tbl = ? AND row_id = ? "
                        "ORDER BY seq DESC LIMIT 1", [table, row_id]).fetchone()
    if last is None or last[0] == "DELETE" or last[2] or last[1] == image:
        return False
    old, new = json.loads(last[1]), json.loads(image)
    return all(new[column] == value for column, value in old.items() if column in new)


# ------------------------------------------------------------------- reading

def head(db: Database) -> tuple[int, str]:
    row = db.execute(f"SELECT seq, hash FROM {LOG} ORDER BY seq DESC LIMIT 1").fetchone()
    return (row[0], row[1]) if row else (0, "")


def _changes(before: str | None, after: str | None) -> list[tuple[str, object, object]]:
    old = json.loads(before) if before else {}
    new = json.loads(after) if after else {}
    return [(column, old.get(column), new.get(column)) for column in dict.fromkeys([*old, *new])
            if old.get(column) != new.get(column) or not (old and new)]


def entries(db: Database, table: str | None = None, actor: str | None = None,
            since: str | None = None, until: str | None = None, limit: int = 500) -> list[dict]:
    """Audit records, newest first. ``actor`` matches part of the actor's name; ``since`` and
    ``until`` are 'YYYY-MM-DD[ HH:MM[:SS]]' bounds on the time written (inclusive)."""
    where, params = [], []
    if table:
        where.append("tbl = ?")
        params.append(table)
    if actor:
        where.append("instr(actor, ?) > 0")
        params.append(actor)
    if since:
        where.append("at >= ?")
        params.append(since)
    if until:
        where.append("at <= ?")
        params.append(until if len(until) > 10 else until + " 23:59:59")
    sql = (f"SELECT seq, at, actor, tbl, row_id, op, before, after, redacted FROM {LOG}"
           + (" WHERE " + " AND ".join(where) if where else "")
           + " ORDER BY seq DESC LIMIT ?")
    out = []
    for seq, at, who, tbl, row_id, op, before, after, redacted in db.execute(sql, [*params, int(limit)]):
        out.append({"seq": seq, "at": at, "actor": who, "tbl": tbl, "table_title": title(tbl),
                    "row_id": row_id, "op": op, "op_title": OP_TITLES[op],
                    "redacted": bool(redacted),
                    "changes": [] if redacted else _changes(before, after)})
    return out


def history(db: Database, table: str, row_id: int | str) -> list[dict]:
    """Every record of one row, oldest first."""
    rows = db.execute(f"SELECT seq FROM {LOG} WHERE tbl = ? AND row_id = ? ORDER BY seq",
                      [table, str(row_id)]).fetchall()
    wanted = {r[0] for r in rows}
    return [e for e in reversed(entries(db, table=table, limit=10**9)) if e["seq"] in wanted]


def tables(db: Database) -> list[tuple[str, str]]:
    """(table, Chinese title) of every table with audit records, for a filter."""
    return [(t, title(t)) for (t,) in db.execute(f"SELECT DISTINCT tbl FROM {LOG} ORDER BY tbl")]


# ------------------------------------------------------------------- writing

def redact(db: Database, table: str, row_ids: list[int] | list[str]) -> int:
    """Blank the before/after images of the audit records of these rows of a personal table
    (inside the caller's transaction). The records, their payload hashes and the chain stay."""
    if table not in PERSONAL_TABLES:
        raise ValueError(f"{table} is not a personal table")
    done = 0
    for row_id in row_ids:
        done += db.execute(f"UPDATE {LOG} SET before = NULL, after = NULL, redacted = 1 "
                           "WHERE tbl = ? AND row_id = ? AND redacted = 0",
                           [table, str(row_id)]).rowcount
    return done


# ------------------------------------------------------------------- verifying

def _describe(seq: int, at: str, actor: str, tbl: str, row_id: str, op: str) -> str:
    return f"第 {seq} 条审计记录（{at}，{actor}{OP_TITLES.get(op, op)}{title(tbl)} #{row_id}）"


def verify_chain(conn: sqlite3.Connection) -> list[str]:
    """The chain, record by record; names the first broken record."""
    prev_hash, expected_seq = "", None
    for seq, at, actor, tbl, row_id, op, before, after, ph, prev, digest, redacted in conn.execute(
            f"SELECT seq, at, actor, tbl, row_id, op, before, after, payload_hash, prev_hash, hash, "
            f"redacted FROM {LOG} ORDER BY seq"):
        what = _describe(seq, at, actor, tbl, row_id, op)
        if expected_seq is not None and seq != expected_seq:
            return [f"审计链断开：第 {expected_seq} 至 {seq - 1} 条审计记录被删除（其后一条为{what}）"]
        expected_seq = seq + 1
        if redacted and tbl not in PERSONAL_TABLES:
            return [f"审计链断开：{what}的内容被清空，但该表不含个人信息"]
        if not redacted and payload_hash(before, after) != ph:
            return [f"审计链断开：{what}的内容在控制台之外被改动"]
        if prev != prev_hash or link(prev, at, actor, tbl, row_id, op, ph) != digest:
            return [f"审计链断开：{what}被改动、插入或与前一条不相连"]
        prev_hash = digest
    return []


def verify_rows(conn: sqlite3.Connection) -> list[str]:
    """Each row against the image of its last audit record; names the first mismatches."""
    problems = []
    for spec in audited_tables(conn):
        key, image = spec.row_key("t"), spec.image("t")
        latest = (f"(SELECT {{col}} FROM {LOG} a WHERE a.tbl = '{spec.name}' AND a.row_id = {key} "
                  f"ORDER BY a.seq DESC LIMIT 1)")
        rows = conn.execute(
            f"SELECT {key}, {latest.format(col='op')} FROM {_q(spec.name)} t "
            f"WHERE {latest.format(col='after')} IS NOT {image} "
            f"AND coalesce({latest.format(col='redacted')}, 0) = 0 LIMIT 3"
        ).fetchall()
        for row_id, op in rows:
            if op is None or op == "DELETE":
                problems.append(f"{title(spec.name)} #{row_id} 没有审计记录：在控制台之外新增")
            else:
                problems.append(f"{title(spec.name)} #{row_id} 与其最后一条审计记录不符：在控制台之外被修改")
        # Looked up by rowid (or, for the few WITHOUT ROWID tables, by their key's JSON).
        match = "t.rowid = CAST(a.row_id AS INTEGER)" if not spec.key else f"{key} = a.row_id"
        gone = conn.execute(
            f"SELECT a.row_id FROM {LOG} a WHERE a.tbl = '{spec.name}' AND a.op != 'DELETE' "
            f"AND a.seq = (SELECT max(b.seq) FROM {LOG} b WHERE b.tbl = a.tbl AND b.row_id = a.row_id) "
            f"AND NOT EXISTS (SELECT 1 FROM {_q(spec.name)} t WHERE {match}) LIMIT 3"
        ).fetchall()
        problems += [f"{title(spec.name)} #{r[0]} 在控制台之外被删除（审计记录中它仍存在）" for r in gone]
    return problems


def verify_triggers(conn: sqlite3.Connection) -> list[str]:
    installed = _installed(conn)
    missing = sorted({spec.name for name, (spec, sql) in expected_triggers(conn).items()
                      if installed.get(name) != sql})
    problems = []
    if missing:
        problems.append(f"审计触发器缺失或被改动（表：{'、'.join(title(t) for t in missing[:10])}"
                        f"{' 等' if len(missing) > 10 else ''}）：写入可能未被记录")
    guards = _guard_triggers(conn)
    wanted = _migrated_guards(conn.execute("PRAGMA user_version").fetchone()[0])
    changed = sorted(name for name, sql in wanted.items() if guards.get(name) != sql)
    if changed:
        problems.append(f"防篡改触发器缺失或被改动（{'、'.join(changed[:10])}{' 等' if len(changed) > 10 else ''}）："
                        "只可追加的记录可能已被修改或删除")
    return problems


def _guard_triggers(conn: sqlite3.Connection) -> dict[str, str]:
    """The schema's own triggers (append-only guards …), not the generated audit ones."""
    return {name: sql for name, sql in conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        if not (name.startswith("audit_") and name not in ("audit_log_no_delete", "audit_log_no_update"))}


def _migrated_guards(version: int) -> dict[str, str]:
    """The triggers the migrations up to ``version`` create, from a database made in memory."""
    from .store import migrations

    memory = sqlite3.connect(":memory:")
    try:
        for step in migrations():
            if step.version <= version:
                memory.executescript(step.path.read_text(encoding="utf-8"))
        return _guard_triggers(memory)
    finally:
        memory.close()


def verify(db: Database | sqlite3.Connection) -> list[str]:
    """Everything wrong with the audit trail, in Chinese; empty when whole."""
    conn = db.conn if isinstance(db, Database) else db
    if not _has_log(conn):
        return []
    return verify_chain(conn) + verify_triggers(conn) + verify_rows(conn)
