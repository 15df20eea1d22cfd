"""Every public function of nxcommand/ that writes checks the permission matrix first.

The modules are read with ``ast``, not run. A function writes when it opens a write transaction
(``writing(…)``, ``….atomic()``), holds an INSERT/UPDATE/DELETE/REPLACE statement, calls
``insert``/``update``/``upsert``/``delete`` on a table (``db["t"].insert``), ``executemany`` or
``executescript``, or calls (in its module or through an import) a function that writes. A public
one must call ``require`` (``session.require(db, action)``; in accounts ``permissions.require``;
on the command line ``cli_login.require``/``require_file``) before any of those writes, or be listed in EXEMPT with the reason. A write added without
either fails here.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from nxcommand import permissions

PACKAGE = Path(__file__).resolve().parents[1] / "nxcommand"

DEMO = "demo loader: runs as session.system('演示数据') (startup loads it before anyone signs in)"
HELPER = "writes inside the calling service's transaction; the calling service requires"

EXEMPT: dict[str, str] = {
    # signing in and one's own password
    "accounts.authenticate": "the login record (login_events) and lockout, before anyone is signed in",
    "accounts.change_password": "the owner's own password, proved by the old one (any role, even 只读)",
    "cli_login.require": "the command line's login record (authenticate), then it requires the action",
    "cli_login.require_file": "the command line's login record (authenticate), then it requires the action",
    # helpers that write inside another service's transaction
    "dutylog.record_trace": HELPER,
    "incidents.trace": HELPER,
    "orders.write": HELPER,
    "response_checklist.add_level_items": HELPER,
    "response_groups.instantiate": HELPER,
    "roster.insert_shift": HELPER,
    "roster.write_people": HELPER,
    "supplies.ensure_stock": HELPER,
    "store.writing": "the write transaction itself",
    "store.update_versioned": HELPER,
    "org.set_meta": "key/value settings for callers that require (set_backup_folder, set_outline_path …)",
    "audit.redact": HELPER + " (the personal-data purge)",
    "personal.purge_due": "the scheduled purge (第八十五条) runs as session.system('个人信息定期清除'); "
                          "personal.purge requires 清除个人信息",
    "audit.install": "audit triggers installed by open_db (schema, not a record)",
    "audit.verify_triggers": "reads only; builds the schema's expected triggers in a database in memory",
    "audit.verify": "reads only (through verify_triggers' database in memory)",
    # derived data, schema, files
    "dutylog.rebuild_search_index": "rebuilds the derived search index from the entries; no record changes",
    "startup.open_console_db": "opens the database; the demo it loads runs as 演示数据",
    "restore.restore": "file level (no connection; the target may be damaged): nxcommand restore "
                       "signs in for 备份恢复 when the current database has accounts; the console "
                       "asks backup_schedule.plan_restore (备份恢复) first; a damaged database at "
                       "start is restored without a login, as on the command line",
    "cli.main": "the command line signs in (cli_login.sign_in) before every writing command",
    # demo loaders
    "demo.load_demo": DEMO,
    "demo_desk.load_demo_desk": DEMO,
    "dutylog.load_demo_log": DEMO,
    "field_demo.load_demo_field": DEMO,
    "plan_demo.load_demo_plans": DEMO,
    "public_demo.load_demo_releases": DEMO,
    "public_demo.load_demo_warnings": DEMO,
    "resources_demo.load_demo_resources": DEMO,
    "response_demo.load_demo_responses": DEMO,
    "personal_demo.load_demo_people": DEMO,
    "roster_checks.load_demo_roster": DEMO,
    "supplies_demo.load_demo_supplies": DEMO,
}

# Functions whose write-looking text is not a write of records: they are not writers at all
# (their callers are not held to them).
NOT_WRITERS: dict[str, str] = {
    "store.open_db": "opening the file: migrations and audit triggers (schema, not records)",
    "audit.trigger_sql": "returns the triggers' SQL text",
    "audit._insert_record": "returns the triggers' SQL text",
}

# Writers the scan cannot see as such: their callers are held to them all the same.
FILE_WRITERS: dict[str, str] = {
    "restore.restore": "replaces the database file by a backup",
}

WRITE_SQL = re.compile(r"\s*(INSERT\s+(OR\s+\w+\s+)?INTO|REPLACE\s+INTO|DELETE\s+FROM|UPDATE\s+\S+\s+SET)\b",
                       re.IGNORECASE)
TRANSACTION_CALLS = {"writing", "atomic", "executemany", "executescript"}
TABLE_WRITES = {"insert", "insert_all", "upsert", "upsert_all", "update", "delete", "delete_where"}


@dataclass
class Function:
    module: str
    name: str
    node: ast.FunctionDef
    imports: dict
    direct: list[int] = field(default_factory=list)        # lines of its own writes
    calls: list[tuple[int, tuple[str, str]]] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.module}.{self.name}"

    @property
    def public(self) -> bool:
        return not any(part.startswith("_") for part in self.name.split("."))


def _module_name(path: Path, root: Path) -> str:
    return ".".join(path.relative_to(root).with_suffix("").parts)


def _imports(tree: ast.Module, module: str, known: set[str]) -> dict:
    """alias -> ("module", name) or ("function", module, name), from every import in the file
    (function-level imports included)."""
    package = module.rsplit(".", 1)[0] if "." in module else ""
    found: dict = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or node.level == 0:
            continue
        base = package.split(".") if package else []
        if node.level > 1:
            base = base[:len(base) - (node.level - 1)]
        origin = ".".join(base + ([node.module] if node.module else []))
        for alias in node.names:
            full = f"{origin}.{alias.name}".strip(".")
            if full in known:
                found[alias.asname or alias.name] = ("module", full)
            else:
                found[alias.asname or alias.name] = ("function", origin, alias.name)
    return found


def _is_write(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(WRITE_SQL.match(node.value))
    if isinstance(node, ast.JoinedStr):        # f"UPDATE {table} SET …": placeholders as x
        text = "".join(str(v.value) if isinstance(v, ast.Constant) else "x" for v in node.values)
        return bool(WRITE_SQL.match(text))
    if isinstance(node, ast.Call):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name in TRANSACTION_CALLS:
            return True
        if isinstance(func, ast.Attribute) and func.attr in TABLE_WRITES:
            target = func.value        # db["table"].insert(…) or db.table("t").insert(…)
            return isinstance(target, ast.Subscript) or (
                isinstance(target, ast.Call) and isinstance(target.func, ast.Attribute)
                and target.func.attr == "table")
    return False


def _callee(call: ast.Call, fn: Function, table: dict) -> tuple[str, str] | None:
    func = call.func
    if isinstance(func, ast.Name):
        if (fn.module, func.id) in table:
            return fn.module, func.id
        target = fn.imports.get(func.id)
        if target and target[0] == "function" and (target[1], target[2]) in table:
            return target[1], target[2]
    elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        target = fn.imports.get(func.value.id)
        if target and target[0] == "module" and (target[1], func.attr) in table:
            return target[1], func.attr
    return None


def _requires_at(node: ast.AST) -> list[int]:
    lines = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            func = sub.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name == "require" or (name or "").startswith("require_"):
                lines.append(sub.lineno)
    return lines


def _acts(node: ast.AST) -> bool:
    return any(isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute)
               and sub.func.attr == "acting" for sub in ast.walk(node))


def analyse(sources: dict[str, str]) -> dict[str, Function]:
    """module name -> source ⇒ every function (top-level, and methods as Class.method) with
    its own writes and its calls to other functions of the package."""
    known = set(sources)
    table: dict[tuple[str, str], Function] = {}
    for module, text in sources.items():
        tree = ast.parse(text)
        imports = _imports(tree, module, known)
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                table[(module, node.name)] = Function(module, node.name, node, imports)
            elif isinstance(node, ast.ClassDef):
                for sub in node.body:
                    if isinstance(sub, ast.FunctionDef):
                        name = f"{node.name}.{sub.name}"
                        table[(module, name)] = Function(module, name, sub, imports)
    for fn in table.values():
        for sub in ast.walk(fn.node):
            if _is_write(sub):
                fn.direct.append(sub.lineno)
            if isinstance(sub, ast.Call):
                target = _callee(sub, fn, table)
                if target is not None and target != (fn.module, fn.name):
                    fn.calls.append((sub.lineno, target))
    return {fn.key: fn for fn in table.values()}


def writers(functions: dict[str, Function]) -> dict[str, list[int]]:
    """Every function that writes (itself or through what it calls) -> the lines where it
    does (its own writes and its calls to writers)."""
    writes: dict[str, list[int]] = {k: list(f.direct) for k, f in functions.items()
                                    if f.direct and k not in NOT_WRITERS}
    writes.update({k: [functions[k].node.lineno] for k in FILE_WRITERS if k in functions})
    changed = True
    while changed:
        changed = False
        for key, fn in functions.items():
            if key in NOT_WRITERS:
                continue
            lines = [line for line, (m, n) in fn.calls if f"{m}.{n}" in writes]
            if lines and sorted(set(writes.get(key, []) + lines)) != sorted(set(writes.get(key, []))):
                writes[key] = sorted(set(writes.get(key, []) + lines))
                changed = True
    return writes


def unprotected(functions: dict[str, Function], exempt: dict[str, str]) -> list[str]:
    """Public writers that neither require before their first write nor are exempt."""
    found = []
    for key, lines in sorted(writers(functions).items()):
        fn = functions[key]
        if not fn.public or key in exempt:
            continue
        checks = _requires_at(fn.node)
        if not checks:
            found.append(f"{key}（第 {fn.node.lineno} 行）写入而不检查权限")
        elif min(checks) > min(lines):
            found.append(f"{key}：第 {min(lines)} 行写入在第 {min(checks)} 行检查权限之前")
    return found


def package_sources() -> dict[str, str]:
    return {_module_name(path, PACKAGE): path.read_text(encoding="utf-8")
            for path in sorted(PACKAGE.rglob("*.py"))}


@pytest.fixture(scope="module")
def functions() -> dict[str, Function]:
    return analyse(package_sources())


def test_every_public_write_checks_the_matrix(functions):
    assert unprotected(functions, EXEMPT) == []


def test_the_exemptions_are_still_writers(functions):
    """An exemption for a function that is gone or no longer writes is dropped, so the list
    stays the list of real exceptions."""
    writing = writers(functions)
    assert [key for key in EXEMPT if key not in writing] == []


def test_demo_loaders_act_as_the_system(functions):
    for key, reason in EXEMPT.items():
        if reason == DEMO:
            assert _acts(functions[key].node), key


def _names(arg: ast.AST) -> set[str]:
    """The action names an argument can be: a literal, either side of ``a if … else b``."""
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return {arg.value}
    if isinstance(arg, ast.IfExp):
        return _names(arg.body) | _names(arg.orelse)
    return set()


def test_every_required_action_is_in_the_matrix(functions):
    """A typo in an action name would raise KeyError only when the service runs."""
    used = set()
    for fn in functions.values():
        for sub in ast.walk(fn.node):
            if (isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute)
                    and sub.func.attr in ("require", "allowed") and len(sub.args) == 2):
                used.update(_names(sub.args[1]))
    assert used and used <= set(permissions.ACTIONS), used - set(permissions.ACTIONS)


# ---- the check itself catches what it is for -----------------------------------------------

FAKE = {
    "store": "def writing(db):\n    with db.atomic():\n        yield db\n",
    "session": "def require(db, action):\n    pass\n",
    "fake": '''
from . import session
from .store import writing


def _insert(db, row):
    db.execute("INSERT INTO t (a) VALUES (?)", [row])


def guarded(db, row):
    session.require(db, "值班记录")
    with writing(db):
        _insert(db, row)


def unguarded(db, row):
    with writing(db):
        _insert(db, row)


def through_a_helper(db, row):
    _insert(db, row)


def checks_too_late(db, row):
    db["t"].insert({"a": row})
    session.require(db, "值班记录")


def update_set(db, row):
    db.execute(f"UPDATE t SET a = ? WHERE id = {row}")


def reads(db):
    values = {}
    values.update(a=1)
    return db.execute("SELECT 'INSERT' FROM t").fetchall()
''',
    "other": '''
from . import fake


def elsewhere(db):
    fake.guarded(db, 1)
''',
}


def test_the_check_finds_unprotected_writes():
    found = unprotected(analyse(FAKE), {"store.writing": "the transaction"})
    names = sorted(line.split("（")[0].split("：")[0] for line in found)
    assert names == ["fake.checks_too_late", "fake.through_a_helper", "fake.unguarded",
                     "fake.update_set", "other.elsewhere"]
    assert unprotected(analyse(FAKE), {"store.writing": "", "fake.unguarded": "",
                                       "fake.through_a_helper": "", "fake.checks_too_late": "",
                                       "fake.update_set": "", "other.elsewhere": ""}) == []
