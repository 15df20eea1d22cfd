"""Local accounts: Argon2id password hashes, roles, lockout, the login record.

- Passwords are hashed with Argon2id (argon2-cffi) at HASH_PARAMS; a hash made with other
  parameters is replaced at the next successful login. No password is ever stored or logged.
- ``authenticate`` answers "用户名或密码不正确" alike for an unknown login and a wrong
  password. After LOCKOUT["max_failures"] consecutive failures the account is locked for
  LOCKOUT["minutes"] minutes (meta ``lockout_max_failures`` / ``lockout_minutes`` override
  them); a locked account refuses even the right password until the time has passed.
- The administrator (permission 管理账户) creates accounts, resets passwords (the user must
  then change it), sets roles and deactivates accounts. While no account exists, the first
  one may be created without a signed-in administrator and must itself be an administrator
  (the console asks for it at first start). The last active administrator cannot lose the
  role or be deactivated.
- The administration functions take the acting account (``actor``); None means whoever is
  signed in on the connection (``session.current``), except for ``create_account``, where None
  means nobody and is allowed only for the first account.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from sqlite_utils import Database

from .clock import SYSTEM_CLOCK, TIMESTAMP_FORMAT, Clock
from .errors import NotFound, UserError, ValidationError
from . import session
from .org import meta
from .permissions import ADMIN, READ_ONLY, ROLES, require
from .store import update_versioned, writing
from .text import clean, has_control_chars, normalize, record_id

# Argon2id for a desk PC: about 0.1 s and 64 MiB per hash (measured 91–94 ms on the build
# machine). Changing these makes every older hash be redone at its owner's next login.
HASH_PARAMS = {"time_cost": 3, "memory_cost": 64 * 1024, "parallelism": 2,
               "hash_len": 32, "salt_len": 16}

# Lockout: this many consecutive failures lock the account for this many minutes.
LOCKOUT = {"max_failures": 5, "minutes": 15}

PASSWORD_MIN = 10
PASSWORD_MAX = 128
LOGIN_RE = re.compile(r"[A-Za-z0-9._-]{3,32}")

BAD_CREDENTIALS = "用户名或密码不正确"


class AuthError(UserError):
    """A refused login or password check, worded for the user."""


@dataclass(frozen=True)
class Account:
    id: int
    login: str
    display_name: str
    person_id: int | None
    roles: frozenset[str]
    active: bool
    must_change_password: bool
    version: int
    locked_until: str | None = None     # 'YYYY-MM-DD HH:MM:SS'; may lie in the past
    last_login_at: str | None = None

    def locked(self, now: datetime) -> bool:
        """Whether a login now is refused because of the lockout."""
        return bool(self.locked_until) and self.locked_until > now.strftime(TIMESTAMP_FORMAT)


def hasher() -> PasswordHasher:
    return PasswordHasher(type=Type.ID, **HASH_PARAMS)


# Verified against when the login is unknown, so that the answer takes as long as for a
# wrong password.
_dummy_hash: dict[tuple, str] = {}


def _dummy() -> str:
    key = tuple(sorted(HASH_PARAMS.items()))
    if key not in _dummy_hash:
        _dummy_hash[key] = hasher().hash("nxcommand-no-such-account")
    return _dummy_hash[key]


def lockout_settings(db: Database) -> tuple[int, int]:
    """(max consecutive failures, lock minutes): LOCKOUT, unless meta overrides them."""
    failures = meta(db, "lockout_max_failures")
    minutes = meta(db, "lockout_minutes")
    return (int(failures) if failures else LOCKOUT["max_failures"],
            int(minutes) if minutes else LOCKOUT["minutes"])


# ---- validation ---------------------------------------------------------------------------

def check_login(login: object) -> str:
    if login is not None and not isinstance(login, str):
        raise ValidationError("用户名应为文字", "用户名")
    value = normalize(login)
    if not value:
        raise ValidationError("请填写用户名", "用户名")
    if not LOGIN_RE.fullmatch(value):
        raise ValidationError("用户名只能由英文字母、数字和 . _ - 组成，长度 3–32 个字符", "用户名")
    return value


def check_password(password: object, login: str, field: str = "密码") -> str:
    """The password policy: at least PASSWORD_MIN characters, not only digits, not the login.
    The password is taken exactly as typed (never normalised or trimmed)."""
    if not isinstance(password, str) or not password:
        raise ValidationError(f"请填写{field}", field)
    if len(password) < PASSWORD_MIN:
        raise ValidationError(f"{field}至少需要 {PASSWORD_MIN} 个字符", field)
    if len(password) > PASSWORD_MAX:
        raise ValidationError(f"{field}不能超过 {PASSWORD_MAX} 个字符", field)
    if password.isdigit():
        raise ValidationError(f"{field}不能全是数字，请加入字母或符号", field)
    if password.strip().casefold() == login.casefold():
        raise ValidationError(f"{field}不能与用户名相同", field)
    if has_control_chars(password, allowed=""):
        raise ValidationError(f"{field}含有不可见的控制字符", field)
    return password


def check_roles(roles: object) -> list[str]:
    if isinstance(roles, str) or not isinstance(roles, (list, tuple, set, frozenset)):
        raise ValidationError("角色应为一组角色名称", "角色")
    chosen = []
    for role in roles:
        if role not in ROLES:
            raise ValidationError(f"未知的角色：{role}（可选：{'、'.join(ROLES)}）", "角色")
        if role not in chosen:
            chosen.append(role)
    if not chosen:
        raise ValidationError("请至少选择一个角色", "角色")
    if READ_ONLY in chosen and len(chosen) > 1:
        raise ValidationError("“只读”不能与其他角色同时授予", "角色")
    return [r for r in ROLES if r in chosen]


# ---- reading ------------------------------------------------------------------------------

def _account(db: Database, row: dict) -> Account:
    roles = frozenset(r for (r,) in db.execute(
        "SELECT role FROM account_roles WHERE account_id = ?", [row["id"]]).fetchall())
    return Account(row["id"], row["login"], row["display_name"], row["person_id"], roles,
                   bool(row["active"]), bool(row["must_change_password"]), row["version"],
                   row["locked_until"], row["last_login_at"])


def _row(db: Database, where: str, value: object) -> dict | None:
    rows = list(db.query(f"SELECT * FROM accounts WHERE {where}", [value]))
    return rows[0] if rows else None


def get(db: Database, account_id: int) -> Account:
    row = _row(db, "id = ?", account_id)
    if row is None:
        raise NotFound("账户不存在")
    return _account(db, row)


def by_login(db: Database, login: str) -> Account | None:
    row = _row(db, "login = ?", normalize(login))     # the column is COLLATE NOCASE
    return _account(db, row) if row else None


def all_accounts(db: Database) -> list[Account]:
    return [_account(db, row) for row in db.query("SELECT * FROM accounts ORDER BY login")]


def needs_bootstrap(db: Database) -> bool:
    """True while no account exists: the console must first create an administrator."""
    return db.execute("SELECT count(*) FROM accounts").fetchone()[0] == 0


def login_events(db: Database, account_id: int | None = None, limit: int = 200) -> list[dict]:
    if account_id is None:
        return list(db.query("SELECT * FROM login_events ORDER BY id DESC LIMIT ?", [limit]))
    return list(db.query("SELECT * FROM login_events WHERE account_id = ? ORDER BY id DESC LIMIT ?",
                         [account_id, limit]))


# ---- administration -----------------------------------------------------------------------

def _active_admins(db: Database, excluding: int | None = None) -> int:
    return db.execute(
        "SELECT count(*) FROM accounts a JOIN account_roles r ON r.account_id = a.id "
        "WHERE r.role = ? AND a.active = 1 AND a.id IS NOT ?", [ADMIN, excluding]).fetchone()[0]


def create_account(db: Database, actor: Account | None, login: str, display_name: str | None,
                   password: str, roles: list[str], person_id: int | None = None,
                   clock: Clock = SYSTEM_CLOCK) -> int:
    """A new account (管理账户). ``actor`` may be None only for the first account, which must
    be an administrator and is not asked to change the password it has just chosen; any other
    new account must change its initial password at first login."""
    bootstrap = needs_bootstrap(db)
    if not bootstrap or actor is not None:
        require(actor, "管理账户")
    login = check_login(login)
    chosen = check_roles(roles)
    if bootstrap and ADMIN not in chosen:
        raise ValidationError("第一个账户必须是管理员", "角色")
    person_id = record_id(person_id, "人员")
    person_name = None
    if person_id is not None:
        found = db.execute("SELECT name FROM people WHERE id = ?", [person_id]).fetchone()
        if found is None:
            raise ValidationError("所选人员不存在", "人员")
        person_name = found[0]
    name = clean(display_name, "姓名", 40) or person_name
    if not name:
        raise ValidationError("请填写姓名", "姓名")
    check_password(password, login)
    if _row(db, "login = ?", login) is not None:
        raise ValidationError(f"用户名 {login} 已被使用", "用户名")
    digest = hasher().hash(password)
    stamp = clock.stamp()
    with writing(db):
        cur = db.execute(
            "INSERT INTO accounts (login, display_name, person_id, password_hash, "
            "must_change_password, password_changed_at, created_by, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [login, name, person_id, digest, 0 if bootstrap else 1, stamp,
             actor.login if actor else "", stamp, stamp])
        account_id = cur.lastrowid
        db.conn.executemany("INSERT INTO account_roles (account_id, role) VALUES (?, ?)",
                            [(account_id, r) for r in chosen])
    return account_id


def set_roles(db: Database, actor: Account | None, account_id: int, roles: list[str],
              expected_version: int | None = None, clock: Clock = SYSTEM_CLOCK) -> None:
    require(actor or session.current(db), "管理账户")
    target = get(db, account_id)
    chosen = check_roles(roles)
    if ADMIN in target.roles and ADMIN not in chosen and target.active \
            and _active_admins(db, excluding=account_id) == 0:
        raise ValidationError("至少要保留一个在用的管理员账户", "角色")
    with writing(db):
        update_versioned(db, "accounts", account_id, {}, expected_version, clock.stamp(), "账户")
        db.execute("DELETE FROM account_roles WHERE account_id = ?", [account_id])
        db.conn.executemany("INSERT INTO account_roles (account_id, role) VALUES (?, ?)",
                            [(account_id, r) for r in chosen])


def deactivate(db: Database, actor: Account | None, account_id: int,
               expected_version: int | None = None, clock: Clock = SYSTEM_CLOCK) -> None:
    """Stop an account (it is kept, with its login record); it can no longer sign in."""
    require(actor or session.current(db), "管理账户")
    target = get(db, account_id)
    if ADMIN in target.roles and target.active and _active_admins(db, excluding=account_id) == 0:
        raise ValidationError("不能停用最后一个在用的管理员账户")
    with writing(db):
        update_versioned(db, "accounts", account_id, {"active": 0}, expected_version,
                         clock.stamp(), "账户")


def reactivate(db: Database, actor: Account | None, account_id: int,
               expected_version: int | None = None, clock: Clock = SYSTEM_CLOCK) -> None:
    require(actor or session.current(db), "管理账户")
    get(db, account_id)
    with writing(db):
        update_versioned(db, "accounts", account_id,
                         {"active": 1, "failed_count": 0, "locked_until": None},
                         expected_version, clock.stamp(), "账户")


def reset_password(db: Database, actor: Account | None, account_id: int, new_password: str,
                   clock: Clock = SYSTEM_CLOCK) -> None:
    """The administrator sets a temporary password; it also unlocks the account, and its
    owner must change it at the next login."""
    require(actor or session.current(db), "管理账户")
    target = get(db, account_id)
    check_password(new_password, target.login, "新密码")
    digest = hasher().hash(new_password)
    stamp = clock.stamp()
    with writing(db):
        update_versioned(db, "accounts", account_id,
                         {"password_hash": digest, "must_change_password": 1, "failed_count": 0,
                          "locked_until": None, "password_changed_at": stamp},
                         None, stamp, "账户")


# ---- signing in ---------------------------------------------------------------------------

def _record(db: Database, account_id: int | None, login: str, result: str, stamp: str) -> None:
    db.execute("INSERT INTO login_events (account_id, login, at, result) VALUES (?, ?, ?, ?)",
               [account_id, login, stamp, result])


def _verify(digest: str, password: str) -> bool:
    try:
        return hasher().verify(digest, password)
    except (VerificationError, InvalidHashError):
        return False


def _locked_until(row: dict, now: datetime) -> datetime | None:
    if not row["locked_until"]:
        return None
    until = datetime.strptime(row["locked_until"], TIMESTAMP_FORMAT)
    return until if until > now else None


def _fail(db: Database, row: dict, now: datetime, stamp: str) -> None:
    """Count one failure (inside the caller's transaction); lock at the limit."""
    max_failures, minutes = lockout_settings(db)
    failures = row["failed_count"] + 1
    if failures >= max_failures:
        until = (now + timedelta(minutes=minutes)).strftime(TIMESTAMP_FORMAT)
        db.execute("UPDATE accounts SET failed_count = 0, locked_until = ? WHERE id = ?",
                   [until, row["id"]])
    else:
        db.execute("UPDATE accounts SET failed_count = ? WHERE id = ?", [failures, row["id"]])


def _lock_message(until: datetime) -> str:
    return f"密码连续输错次数过多，账户已锁定至 {until:%H:%M}，请稍后再试或请管理员重置密码"


def authenticate(db: Database, login: str, password: str, clock: Clock = SYSTEM_CLOCK) -> Account:
    """The account for ``login`` and ``password``, or AuthError in Chinese. Every attempt is
    recorded in login_events (never the password)."""
    typed = normalize(login if isinstance(login, str) else "")[:64]
    password = password if isinstance(password, str) else ""
    now = clock.now()
    stamp = now.strftime(TIMESTAMP_FORMAT)
    row = _row(db, "login = ?", typed) if typed else None
    if row is None:
        _verify(_dummy(), password)                 # same time as a wrong password
        with writing(db):
            _record(db, None, typed, "密码错误", stamp)
        raise AuthError(BAD_CREDENTIALS)
    until = _locked_until(row, now)
    if until is not None:                           # not even checked while locked
        with writing(db):
            _record(db, row["id"], typed, "已锁定", stamp)
        raise AuthError(_lock_message(until))
    if not _verify(row["password_hash"], password):
        with writing(db):
            _fail(db, row, now, stamp)
            _record(db, row["id"], typed, "密码错误", stamp)
        raise AuthError(BAD_CREDENTIALS)
    if not row["active"]:
        with writing(db):
            _record(db, row["id"], typed, "已停用", stamp)
        raise AuthError("该账户已停用，请联系管理员")
    h = hasher()
    new_hash = h.hash(password) if h.check_needs_rehash(row["password_hash"]) else None
    with writing(db):
        db.execute("UPDATE accounts SET failed_count = 0, locked_until = NULL, last_login_at = ?, "
                   "password_hash = coalesce(?, password_hash) WHERE id = ?",
                   [stamp, new_hash, row["id"]])
        _record(db, row["id"], typed, "成功", stamp)
    return get(db, row["id"])


def change_password(db: Database, account_id: int, old_password: str, new_password: str,
                    clock: Clock = SYSTEM_CLOCK) -> None:
    """The signed-in user changes their own password; the old one is required. A wrong old
    password counts towards the lockout like a failed login."""
    row = _row(db, "id = ?", account_id)
    if row is None:
        raise NotFound("账户不存在")
    now = clock.now()
    stamp = now.strftime(TIMESTAMP_FORMAT)
    until = _locked_until(row, now)
    if until is not None:
        raise AuthError(_lock_message(until))
    if not _verify(row["password_hash"], old_password if isinstance(old_password, str) else ""):
        with writing(db):
            _fail(db, row, now, stamp)
        raise AuthError("原密码不正确")
    check_password(new_password, row["login"], "新密码")
    if new_password == old_password:
        raise ValidationError("新密码不能与原密码相同", "新密码")
    digest = hasher().hash(new_password)
    with writing(db):
        update_versioned(db, "accounts", account_id,
                         {"password_hash": digest, "must_change_password": 0, "failed_count": 0,
                          "password_changed_at": stamp},
                         None, stamp, "账户")
