"""Who is acting on a database connection: the signed-in account, or a named system actor.

The console signs its account in on the connection it opened (``sign_in``); every protected
service calls ``require(db, action)`` first, so the permission matrix holds whatever the UI
does, and the audit trail (``nxcommand.audit``) records ``who(db)`` for every write made on
that connection. Work the program does by itself (loading the demo county, a purge on
schedule, the command line before any account exists) runs under ``acting(db, system(…))``.

With nobody signed in, ``current`` is None and every protected service refuses with
"请先登录后再…". Tests set a fallback actor for connections nobody signed in on.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlite_utils import Database

from . import permissions
from .permissions import READ_ONLY, ROLES

NOBODY = "未登录"


@dataclass(frozen=True)
class Actor:
    login: str
    display_name: str
    roles: frozenset[str]
    active: bool = True
    account_id: int | None = None
    person_id: int | None = None

    @property
    def label(self) -> str:
        """How the audit trail and messages name this actor, e.g. "李明（liming）"."""
        if self.account_id is None:
            return self.display_name
        return f"{self.display_name}（{self.login}）"


def system(name: str = "系统") -> Actor:
    """The program acting by itself (demo load, scheduled purge, first-start command line):
    every role but 只读, no account."""
    return Actor("system", name, frozenset(r for r in ROLES if r != READ_ONLY))


def of_account(account) -> Actor:
    """The actor for an ``accounts.Account``."""
    return Actor(account.login, account.display_name or account.login, frozenset(account.roles),
                 bool(account.active), account.id, account.person_id)


_fallback: Actor | None = None
_ATTR = "_nxcommand_actor"


def set_fallback(actor: Actor | None) -> None:
    """The actor for connections nobody signed in on (tests only; None in the program)."""
    global _fallback
    _fallback = actor


def sign_in(db: Database, actor: Actor | None) -> None:
    setattr(db, _ATTR, actor)


def sign_out(db: Database) -> None:
    setattr(db, _ATTR, None)


def current(db: Database) -> Actor | None:
    actor = getattr(db, _ATTR, None)
    return actor if actor is not None else _fallback


def who(db: Database) -> str:
    """The name the audit trail records for a write on ``db``."""
    actor = current(db)
    return actor.label if actor is not None else NOBODY


@contextmanager
def acting(db: Database, actor: Actor) -> Iterator[Actor]:
    """Run a block as ``actor`` and put back whoever acted before."""
    before = getattr(db, _ATTR, None)
    setattr(db, _ATTR, actor)
    try:
        yield actor
    finally:
        setattr(db, _ATTR, before)


def require(db: Database, action: str) -> Actor:
    """Refuse ``action`` (PermissionDenied, in Chinese) unless the actor on ``db`` may do it;
    returns the actor."""
    actor = current(db)
    permissions.require(actor, action)
    return actor  # type: ignore[return-value]  # require refused None


def allowed(db: Database, action: str) -> bool:
    return permissions.allowed(current(db), action)
