"""The nxcommand command line, run as a user would: a real process, real files."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from . import outside
from .conftest import file_digest


def nx(*args, env_db=None, display=True):
    env = {k: v for k, v in os.environ.items() if k not in ("NXCOMMAND_DB", "DISPLAY", "WAYLAND_DISPLAY",
                                                           "QT_QPA_PLATFORM")}
    if env_db:
        env["NXCOMMAND_DB"] = str(env_db)
    return subprocess.run([sys.executable, "-m", "nxcommand", *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=120)


def test_init_demo_then_check(tmp_path):
    path = tmp_path / "county.db"
    result = nx("init", "--db", path, "--demo")
    assert result.returncode == 0, result.stderr
    assert "已载入演示数据" in result.stdout and "18 个镇（街道）" in result.stdout
    result = nx("check", "--db", path)
    assert result.returncode == 0, result.stderr
    assert "结论：数据库完好" in result.stdout


def test_init_never_overwrites(demo_path):
    before = file_digest(demo_path)
    result = nx("init", "--db", demo_path)
    assert result.returncode == 1 and "已存在" in result.stderr
    assert file_digest(demo_path) == before


def test_environment_variable_picks_the_database(tmp_path):
    path = tmp_path / "env.db"
    assert nx("init", env_db=path).returncode == 0
    assert path.exists()
    assert nx("check", env_db=path).returncode == 0


def test_check_lists_problems_and_fails(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"PK\x03\x04 this is a zip, not a database" * 10)
    result = nx("check", "--db", bad)
    assert result.returncode == 1
    assert "不是 SQLite 数据库" in result.stderr and "1." in result.stderr


@pytest.mark.parametrize("args, message", [
    (["--frobnicate"], "无法识别的参数"),
    (["check", "--db"], "需要一个值"),
    (["backupz"], "无效的子命令"),
])
def test_bad_arguments_exit_2_with_chinese_message(args, message):
    result = nx(*args)
    assert result.returncode == 2
    assert message in result.stderr and "用法：" in result.stderr


def test_missing_files_are_named(tmp_path):
    result = nx("check", "--db", tmp_path / "none.db")
    assert result.returncode == 1 and "找不到数据库文件" in result.stderr
    result = nx("--db", tmp_path / "none.db")
    assert result.returncode == 1 and "找不到数据库文件" in result.stderr


def test_console_without_display_says_so(demo_path):
    result = nx("--db", demo_path)
    assert result.returncode == 1 and "图形显示" in result.stderr


def test_help_is_chinese():
    result = nx("--help")
    assert result.returncode == 0 and "用法：" in result.stdout and "新建数据库" in result.stdout


def test_check_replays_the_supplies_ledger(demo_path):
    """A stock balance changed outside the console (by hand in SQL) fails the check, which
    names the depot and the item."""
    assert "物资台账：每笔出入库记录与库存结存相符" in nx("check", "--db", demo_path).stdout
    conn = outside.connect(demo_path)
    depot, item = conn.execute(
        "SELECT d.name, i.name FROM depot_stock s JOIN depots d ON d.id = s.depot_id "
        "JOIN supply_items i ON i.id = s.item_id WHERE s.quantity > 0 ORDER BY s.id LIMIT 1").fetchone()
    conn.execute("UPDATE depot_stock SET quantity = quantity + 5 WHERE id = "
                 "(SELECT id FROM depot_stock WHERE quantity > 0 ORDER BY id LIMIT 1)")
    conn.commit()
    conn.close()
    result = nx("check", "--db", demo_path)
    assert result.returncode == 1
    assert depot in result.stderr and item in result.stderr
