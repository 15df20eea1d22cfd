"""The document kinds and the one way to build any of them.

API (every caller goes through here: the console, the CLI, the benchmark)::

    KINDS[key] -> (title, module name in nxcommand.reports, CLI option that picks an item)
    items(db, kind) -> list[Item]          newest first; drills excluded
    latest(db, kind, now) -> Item | None   the live response, today, the latest handover ...
    build(db, kind, out, *, item=None, serial=None, clock=SYSTEM_CLOCK, progress=None) -> Built

Each kind module exposes ``items(db)``, ``latest(db, now)`` and
``build(db, item_key, out, *, serial=None, clock, progress=None) -> Built``; this module
imports it lazily by name. ``build`` here resolves a missing item to the latest one, lets the
kind write to a temporary file beside ``out`` and renames it at the end, so a refused or
failed build leaves no file behind.
"""

from __future__ import annotations

import importlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..clock import SYSTEM_CLOCK, Clock
from ..errors import NotFound, ValidationError

KINDS: dict[str, tuple[str, str, str]] = {
    "event": ("突发事件信息报告", "event_report", "--event"),
    "duty-daily": ("值班日报", "duty_daily", "--date"),
    "handover": ("交接班记录", "handover_doc", "--handover"),
    "brief": ("会议情况汇报", "brief", "--response"),
    "meeting": ("会商纪要", "minutes", "--meeting"),
    "release": ("新闻通稿", "release_doc", "--release"),
    "roster": ("值班表", "roster_doc", "--month"),
}


@dataclass(frozen=True)
class Item:
    key: str    # the value for the CLI option: "12", "2026-07-01", "2026-07"
    label: str  # Chinese, for lists


@dataclass(frozen=True)
class Built:
    path: Path
    pages: int
    title: str


def module(kind: str):
    """The kind's module, imported on first use; NotFound for an unknown kind."""
    if kind not in KINDS:
        raise NotFound(f"没有这种文书：{kind}（可选：{'、'.join(KINDS)}）")
    name = KINDS[kind][1]
    try:
        return importlib.import_module(f"{__package__}.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"{__package__}.{name}":
            raise NotFound(f"“{KINDS[kind][0]}”尚未提供") from None
        raise


def items(db, kind: str) -> list[Item]:
    return module(kind).items(db)


def latest(db, kind: str, now: datetime) -> Item | None:
    return module(kind).latest(db, now)


def build(db, kind: str, out: Path, *, item: str | None = None, serial: int | None = None,
          clock: Clock = SYSTEM_CLOCK,
          progress: Callable[[int, int], None] | None = None) -> Built:
    """Build one document into ``out`` (PDF). A missing or wrong item raises NotFound /
    ValidationError in Chinese and writes nothing."""
    mod = module(kind)
    title = KINDS[kind][0]
    if item is None or str(item).strip() == "":
        found = mod.latest(db, clock.now())
        if found is None:
            raise NotFound(f"没有可生成“{title}”的记录")
        item = found.key
    if serial is not None and serial < 1:
        raise ValidationError("报告序号应为从 1 开始的整数", "serial")
    out = Path(out)
    if not out.parent.is_dir():
        raise ValidationError(f"输出目录不存在：{out.parent}", "out")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.stem}-", suffix=".pdf.part", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        built = mod.build(db, str(item).strip(), tmp, serial=serial, clock=clock, progress=progress)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return Built(path=out, pages=built.pages, title=built.title)
