"""Shared fixtures. Qt runs offscreen; each test gets its own copy of the demo database."""

from __future__ import annotations

import hashlib
import os
import shutil
from datetime import datetime
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from nxcommand import session  # noqa: E402
from nxcommand.clock import FixedClock  # noqa: E402
from nxcommand.demo import load_demo  # noqa: E402
from nxcommand.store import open_db  # noqa: E402

NOW = datetime(2026, 7, 1, 14, 20)


def file_digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


TESTER = session.Actor("tester", "测试员", frozenset(r for r in session.ROLES if r != "只读"))


@pytest.fixture(autouse=True, scope="session")
def _acting_as_tester_for_templates():
    session.set_fallback(TESTER)


@pytest.fixture(autouse=True)
def _acting_as_tester():
    """Connections nobody signed in on act as a tester holding every role but 只读; tests of
    the permission matrix sign in their own actors (session.acting)."""
    session.set_fallback(TESTER)
    yield
    session.set_fallback(TESTER)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


def _template(factory, name: str, activity: bool) -> Path:
    path = factory.mktemp("template") / name
    db = open_db(path, create=True)
    load_demo(db, FixedClock(NOW), activity=activity)
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """The demo county's master data (places, units, directory) built once per run, with no
    events or duty records, so tests start from a quiet desk; tests copy the closed file."""
    return _template(tmp_path_factory, "demo.db", activity=False)


@pytest.fixture(scope="session")
def full_demo_template(tmp_path_factory) -> Path:
    """The whole demo county as a new user gets it, loaded at NOW."""
    return _template(tmp_path_factory, "full.db", activity=True)


@pytest.fixture
def full_demo_db(full_demo_template, tmp_path):
    path = tmp_path / "full.db"
    shutil.copy(full_demo_template, path)
    db = open_db(path)
    yield db
    db.close()


@pytest.fixture
def demo_path(demo_template, tmp_path) -> Path:
    path = tmp_path / "demo.db"
    shutil.copy(demo_template, path)
    return path


@pytest.fixture
def demo_db(demo_path):
    db = open_db(demo_path)
    yield db
    db.close()


@pytest.fixture
def empty_db(tmp_path):
    db = open_db(tmp_path / "empty.db", create=True)
    yield db
    db.close()
