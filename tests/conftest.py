"""Shared fixtures. Qt runs offscreen; each test gets its own copy of the demo database."""

from __future__ import annotations

import hashlib
import os
import shutil
from datetime import datetime
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from nxcommand.clock import FixedClock  # noqa: E402
from nxcommand.demo import load_demo  # noqa: E402
from nxcommand.store import open_db  # noqa: E402

NOW = datetime(2026, 7, 1, 14, 20)


def file_digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """The demo county built once per run; tests copy the closed file."""
    path = tmp_path_factory.mktemp("template") / "demo.db"
    db = open_db(path, create=True)
    load_demo(db, FixedClock(NOW))
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path


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
