#!/usr/bin/env python3
"""Build nxcommand as a one-folder program with PyInstaller, then smoke-test what was built.

    python build_installer.py             build dist/nxcommand/, then smoke-test it
    python build_installer.py --no-build  smoke-test the dist/nxcommand/ already there
    python build_installer.py --clean     empty PyInstaller's cache first (slower)

Run it in the environment that holds the program (``pip install -r requirements.lock`` and
``pip install -e .``) plus PyInstaller (``pip install -r requirements-build.lock``); it installs
nothing itself. The same script builds on Windows (nxcommand.exe for the command line,
nxcommand-gui.exe without a console window) and on Linux (nxcommand). The build recipe is
packaging/nxcommand.spec; the files the program reads at run time are listed in DATA below.

The smoke test runs the frozen program against a fresh temporary data folder (HOME,
XDG_*_HOME, LOCALAPPDATA/APPDATA pointed into it), offscreen:
  console   the console with NXCOMMAND_SMOKE=1 (ui/smoke.py: signs in the system actor
            "安装自检" instead of asking for a login) creates the default database with the
            demo county, shows the main window and reports once it has painted, with the
            files ui and nxcommand were loaded from (they must lie inside the bundle);
  check     ``nxcommand check`` on that database: exit 0;
  report    ``nxcommand report duty-daily --out …pdf``: a PDF of at least one page;
  probe     NXCOMMAND_BUILD_PROBE (packaging/nxcommand_probe.py): SQLite fts5, Argon2,
            the holiday calendar, pinyin, openpyxl, pypdfium2 rendering that PDF, pyqtgraph.
Exit code 0 when everything passed, 1 when a step failed, 2 when PyInstaller is missing.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent
SPEC = ROOT / "packaging" / "nxcommand.spec"
DIST = ROOT / "dist"
WORK = ROOT / "build" / "pyinstaller"
NAME = "nxcommand"
PACKAGES = ("nxcommand", "ui")

# Folders the program reads at run time through nxcommand.paths (project_root() is the bundle
# when frozen): (folder in the checkout, folder in the bundle). tests/test_packaging.py checks
# that every folder nxcommand.paths names is here.
DATA = [
    ("resources", "resources"),          # style.qss, fonts/ and their licences
    ("db/migrations", "db/migrations"),  # the schema, applied in order by store.open_db
    ("db/demo", "db/demo"),              # the demo county, outlines.geojson
]
# Files under DATA that only build or document the data (the fonts' generator).
NOT_SHIPPED = {"build_fonts.py"}

SMOKE_SHOWN = "nxcommand: main window shown"   # ui/smoke.SHOWN
SMOKE_ACTOR = "安装自检"                        # ui/smoke.ACTOR_NAME
TIMEOUT = 180


def datas() -> list[tuple[str, str]]:
    """PyInstaller's (source file, folder in the bundle) for DATA, and any file inside our
    packages that is not Python (package data, if one is ever added)."""
    found = []
    for source, target in DATA:
        for path in sorted((ROOT / source).rglob("*")):
            if path.is_file() and path.name not in NOT_SHIPPED and "__pycache__" not in path.parts:
                found.append((str(path), str(Path(target) / path.parent.relative_to(ROOT / source))))
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*")):
            if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts:
                found.append((str(path), str(path.parent.relative_to(ROOT))))
    return found


def executable(dist: Path) -> Path:
    return dist / NAME / (NAME + ".exe" if sys.platform == "win32" else NAME)


@dataclass
class Step:
    name: str
    ok: bool
    seconds: float
    detail: str


def folder_size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]
    return sum(p.stat().st_size for p in files), len(files)


def pinned_pyinstaller() -> str | None:
    lock = ROOT / "requirements-build.lock"
    match = re.search(r"^pyinstaller==(\S+)", lock.read_text(encoding="utf-8"), re.M | re.I)
    return match.group(1) if match else None


def build(clean: bool) -> Step:
    import PyInstaller

    pinned = pinned_pyinstaller()
    if pinned and PyInstaller.__version__ != pinned:
        print(f"注意：PyInstaller 为 {PyInstaller.__version__}，requirements-build.lock 固定为 {pinned}")
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
               "--distpath", str(DIST), "--workpath", str(WORK), str(SPEC)]
    if clean:
        command.insert(3, "--clean")
    print("构建中：" + " ".join(command[2:]), flush=True)
    started = time.monotonic()
    result = subprocess.run(command, cwd=ROOT)
    seconds = time.monotonic() - started
    if result.returncode != 0 or not executable(DIST).exists():
        return Step("build", False, seconds, f"PyInstaller 退出码 {result.returncode}")
    size, count = folder_size(DIST / NAME)
    return Step("build", True, seconds, f"{DIST / NAME}：{size / 2**20:.0f} MB，{count} 个文件")


def fresh_env(home: Path, smoke: bool = False) -> dict[str, str]:
    """The environment for the frozen program: every per-user folder inside ``home``."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("NXCOMMAND_", "PYTHON", "XDG_", "WIN_PD_OVERRIDE_"))}
    folders = {"HOME": "home", "USERPROFILE": "home", "XDG_DATA_HOME": "data",
               "XDG_CONFIG_HOME": "config", "XDG_CACHE_HOME": "cache", "XDG_STATE_HOME": "state",
               "LOCALAPPDATA": "localappdata", "APPDATA": "appdata",
               # platformdirs asks Windows itself for these folders unless overridden
               "WIN_PD_OVERRIDE_LOCAL_APPDATA": "localappdata", "WIN_PD_OVERRIDE_APPDATA": "appdata"}
    for variable, name in folders.items():
        (home / name).mkdir(parents=True, exist_ok=True)
        env[variable] = str(home / name)
    env["QT_QPA_PLATFORM"] = "offscreen"
    if smoke:
        env["NXCOMMAND_SMOKE"] = "1"
    return env


def run_frozen(exe: Path, args: list[str], env: dict[str, str], cwd: Path):
    started = time.monotonic()
    try:
        result = subprocess.run([str(exe), *args], env=env, cwd=cwd, capture_output=True,
                                timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, "", f"{TIMEOUT} 秒内未结束", time.monotonic() - started
    out = result.stdout.decode("utf-8", "replace")
    err = result.stderr.decode("utf-8", "replace")
    return result.returncode, out, err, time.monotonic() - started


def _failed(name: str, seconds: float, code, out: str, err: str, why: str) -> Step:
    print(f"--- {name} 失败：{why}（退出码 {code}）\n--- 标准输出：\n{out}\n--- 标准错误：\n{err}")
    return Step(name, False, seconds, why)


def _inside(path: str, folder: Path) -> bool:
    return Path(path).resolve().is_relative_to(folder.resolve())


def smoke_console(exe: Path, home: Path) -> Step:
    code, out, err, seconds = run_frozen(exe, [], fresh_env(home, smoke=True), home)
    print(out, end="")
    lines = dict(line.split(" ", 2)[1:] for line in out.splitlines()
                 if line.startswith("nxcommand: ") and line.count(" ") >= 2)
    if code != 0 or SMOKE_SHOWN not in out:
        return _failed("console", seconds, code, out, err, "主窗口未显示")
    bundle = exe.parent
    outside = [name for name in ("ui", "ui.main_window", "nxcommand")
               if not _inside(lines.get(name, "/nowhere"), bundle)]
    if outside:
        return _failed("console", seconds, code, out, err, f"{'、'.join(outside)} 不是从安装目录载入的")
    if lines.get("actor") != SMOKE_ACTOR or lines.get("frozen") != "True":
        return _failed("console", seconds, code, out, err, "登录身份或冻结标记不对")
    databases = list(home.rglob("nxcommand.db"))
    if len(databases) != 1:
        return _failed("console", seconds, code, out, err, f"临时数据目录中应有一个新数据库，找到 {len(databases)} 个")
    return Step("console", True, seconds, f"主窗口已显示（{lines.get('title', '')}），"
                                          f"数据库 {databases[0].relative_to(home)}")


def smoke_check(exe: Path, home: Path) -> Step:
    code, out, err, seconds = run_frozen(exe, ["check"], fresh_env(home), home)
    if code != 0 or "结论：数据库完好" not in out:
        return _failed("check", seconds, code, out, err, "nxcommand check 未通过")
    version = re.search(r"架构版本：(\S+)", out)
    return Step("check", True, seconds, "数据库完好，架构版本 " + (version.group(1) if version else "?"))


def pdf_pages(pdf: Path) -> int:
    """Pages of ``pdf`` as the build environment's pypdfium2 (or pdfinfo) counts them."""
    data = pdf.read_bytes()
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
        return 0
    if importlib.util.find_spec("pypdfium2"):
        import pypdfium2

        doc = pypdfium2.PdfDocument(data)
        try:
            return len(doc)
        finally:
            doc.close()
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        match = re.search(r"^Pages:\s+(\d+)", info, re.M)
        return int(match.group(1)) if match else 0
    return 1   # header and trailer present; nothing here can count pages


def smoke_report(exe: Path, home: Path, pdf: Path) -> Step:
    code, out, err, seconds = run_frozen(exe, ["report", "duty-daily", "--out", str(pdf)],
                                         fresh_env(home), home)
    if code != 0 or not pdf.exists():
        return _failed("report", seconds, code, out, err, "未生成 PDF")
    pages = pdf_pages(pdf)
    if pages < 1:
        return _failed("report", seconds, code, out, err, f"{pdf.name} 不是有效的 PDF")
    return Step("report", True, seconds, f"值班日报 {pages} 页，{pdf.stat().st_size / 1024:.0f} KB")


def smoke_probe(exe: Path, home: Path, pdf: Path) -> Step:
    env = fresh_env(home)
    env["NXCOMMAND_BUILD_PROBE"] = str(pdf)
    code, out, err, seconds = run_frozen(exe, [], env, home)
    print(out, end="")
    checks = [line for line in out.splitlines() if line.startswith("probe ")]
    failed = [line.split(":")[0].removeprefix("probe ") for line in checks if ": ok |" not in line]
    if code != 0 or failed or len(checks) < 8:
        return _failed("probe", seconds, code, out, err, "未通过：" + "、".join(failed or ["?"]))
    return Step("probe", True, seconds, f"{len(checks)} 项库检查通过")


def smoke(exe: Path) -> list[Step]:
    with tempfile.TemporaryDirectory(prefix="nxcommand-smoke-") as folder:
        home = Path(folder)
        pdf = home / "值班日报.pdf"
        steps = [smoke_console(exe, home)]
        if steps[0].ok:
            steps.append(smoke_check(exe, home))
            steps.append(smoke_report(exe, home, pdf))
            if steps[-1].ok:
                steps.append(smoke_probe(exe, home, pdf))
    return steps


def print_table(steps: list[Step]) -> None:
    print("\n步骤      结果   用时      说明")
    for step in steps:
        print(f"{step.name:<9} {'通过' if step.ok else '失败'}   {step.seconds:6.1f} 秒  {step.detail}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="用 PyInstaller 构建 nxcommand 安装目录并自检。")
    parser.add_argument("--no-build", action="store_true", help="不构建，只自检已有的 dist/nxcommand")
    parser.add_argument("--clean", action="store_true", help="构建前清空 PyInstaller 缓存")
    args = parser.parse_args(argv)
    steps: list[Step] = []
    if not args.no_build:
        if importlib.util.find_spec("PyInstaller") is None:
            print("未安装 PyInstaller。请先运行：pip install -r requirements-build.lock", file=sys.stderr)
            return 2
        steps.append(build(args.clean))
    exe = executable(DIST)
    if not exe.exists():
        steps.append(Step("build", False, 0.0, f"找不到 {exe}"))
    elif not steps or steps[-1].ok:
        steps += smoke(exe)
    print_table(steps)
    ok = all(step.ok for step in steps)
    print("结论：安装目录可用" if ok else "结论：构建或自检失败")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
