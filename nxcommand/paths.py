"""Where the project's files live: migrations, demo data, fonts, the default database."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "nxcommand"
DB_ENV = "NXCOMMAND_DB"


def project_root() -> Path:
    """The folder holding db/ and resources/ (the checkout, or the frozen bundle)."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    return Path(__file__).resolve().parent.parent


def migrations_dir() -> Path:
    return project_root() / "db" / "migrations"


def demo_dir() -> Path:
    return project_root() / "db" / "demo"


def resources_dir() -> Path:
    return project_root() / "resources"


def fonts_dir() -> Path:
    return resources_dir() / "fonts"


def default_db_path() -> Path:
    """The embedded default database in the user's data directory."""
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False) / "nxcommand.db"


def chosen_db_path(cli_value: str | None) -> tuple[Path, bool]:
    """The database to use: --db, else $NXCOMMAND_DB, else the default.

    Returns (path, is_default). Only the default database is created and filled with the
    demo county on first start; a path the user names must already exist.
    """
    if cli_value:
        return Path(cli_value).expanduser(), False
    env = os.environ.get(DB_ENV, "").strip()
    if env:
        return Path(env).expanduser(), False
    return default_db_path(), True
