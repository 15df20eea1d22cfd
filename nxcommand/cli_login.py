"""Signing in on the command line, for the commands that write (import, backup, restore).

    nxcommand import teams teams.xlsx --user zhangsan         (password asked: 「密码：」)
    NXCOMMAND_PASSWORD=… nxcommand backup --user admin        (for a scheduled job)

A database with accounts: ``--user LOGIN`` is required and the password comes from the
environment variable NXCOMMAND_PASSWORD or, on a terminal, a prompt that does not echo. The
login is checked like the console's (``accounts.authenticate``: the attempt is recorded, failures
count towards the lockout); an account that must first change its password is sent to the
console. The account must be allowed the command's action (permission matrix). Anything refused
is a Chinese UserError, exit 1, and the command writes nothing.

A database without accounts yet (a fresh or demo database before the console's first start)
acts as the system actor 命令行（尚未设立账户）: there is nobody to sign in as.

``restore`` works on files and its target may be damaged: it signs in only when the current
database opens and has accounts (a database that does not open has nobody to ask; the restore
keeps a copy of it first).
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable

from sqlite_utils import Database

from . import accounts, permissions, session
from .clock import SYSTEM_CLOCK, Clock
from .errors import UserError
from .store import open_db

PASSWORD_ENV = "NXCOMMAND_PASSWORD"
FIRST_START = "命令行（尚未设立账户）"
USER_HELP = (f"以此用户名登录（数据库已设立账户时必填）；密码取自环境变量 {PASSWORD_ENV}，"
             "未设置时在终端输入")


def add_user_option(parser) -> None:
    parser.add_argument("--user", metavar="LOGIN", help=USER_HELP)


def _password(prompt: Callable[[str], str] | None) -> str:
    typed = os.environ.get(PASSWORD_ENV)
    if typed is not None:
        return typed
    if not sys.stdin.isatty():
        raise UserError(f"未提供密码：请设置环境变量 {PASSWORD_ENV}，或在终端中运行以输入密码。未做任何改动")
    try:
        return (prompt or getpass.getpass)("密码：")
    except (EOFError, KeyboardInterrupt):
        raise UserError("未输入密码，已取消。未做任何改动") from None


def require(db: Database, login: str | None, action: str, clock: Clock = SYSTEM_CLOCK,
            prompt: Callable[[str], str] | None = None) -> session.Actor:
    """Sign ``login`` in on ``db`` for ``action`` and return the actor (also signed in on
    ``db``, so the services and the audit trail see it). Without accounts: the system actor."""
    if accounts.needs_bootstrap(db):
        actor = session.system(FIRST_START)
    else:
        if not login:
            raise UserError(f"该数据库已设立账户，{action}须登录：请加 --user 用户名"
                            f"（密码取自环境变量 {PASSWORD_ENV}，未设置时在终端输入）。未做任何改动")
        try:
            account = accounts.authenticate(db, login, _password(prompt), clock)
        except accounts.AuthError as exc:
            raise UserError(f"登录失败：{exc}。未做任何改动") from None
        if account.must_change_password:
            raise UserError(f"账户 {account.login} 须先在控制台登录并修改初始密码，然后才能在命令行{action}。"
                            "未做任何改动")
        actor = session.of_account(account)
    permissions.require(actor, action)
    session.sign_in(db, actor)
    return actor


def has_accounts(db: Database) -> bool:
    """True when the database holds accounts (an older schema without the table holds none)."""
    if not db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'accounts'").fetchone():
        return False
    return not accounts.needs_bootstrap(db)


def require_file(path, login: str | None, action: str, clock: Clock = SYSTEM_CLOCK,
                 prompt: Callable[[str], str] | None = None) -> session.Actor | None:
    """``require`` for a command on the database file (backup, restore); the connection is
    closed again. None when the file does not open (restore of a damaged database). Without
    accounts nothing is written (the file is only read)."""
    try:
        db = open_db(path, readonly=True)
    except UserError:
        return None
    try:
        if not has_accounts(db):
            actor = session.system(FIRST_START)
            permissions.require(actor, action)
            return actor
    finally:
        db.close()
    db = open_db(path)                  # the login record is written
    try:
        return require(db, login, action, clock, prompt)
    finally:
        db.close()
