"""Packaging: ``ui`` and ``nxcommand`` are this project's packages, installed and frozen, and the
frozen build (build_installer.py) carries every folder the program reads at run time."""

from __future__ import annotations

import importlib.util
import inspect
import os
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import pytest

from nxcommand import paths

ROOT = Path(__file__).resolve().parent.parent


def _build_installer():
    spec = importlib.util.spec_from_file_location("build_installer", ROOT / "build_installer.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("build_installer", module)   # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


BUILD = _build_installer()


def test_installed_ui_and_nxcommand_are_this_checkout_from_any_folder():
    code = ("import importlib.util, sys, nxcommand, ui\n"
            "print(ui.__file__)\nprint(nxcommand.__file__)\n"
            "print(importlib.util.find_spec('ui.main_window').origin)\n"
            "print(importlib.util.find_spec('nxcommand.reports.registry').origin)\n"
            "print('qt' if 'PySide6' in sys.modules else 'no qt')")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=tempfile.gettempdir(), env=env).stdout.splitlines()
    assert [Path(p) for p in out[:4]] == [ROOT / "ui" / "__init__.py", ROOT / "nxcommand" / "__init__.py",
                                          ROOT / "ui" / "main_window.py",
                                          ROOT / "nxcommand" / "reports" / "registry.py"]
    assert out[4] == "no qt"    # finding ui.main_window did not import it (nor Qt)


def _package_folders() -> list[str]:
    return sorted(".".join(init.parent.relative_to(ROOT).parts)
                  for top in BUILD.PACKAGES for init in (ROOT / top).rglob("__init__.py"))


def test_pyproject_lists_every_package_explicitly():
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    packages = setuptools["packages"]
    assert isinstance(packages, list), "packages must be an explicit list, not a find: directive"
    assert sorted(packages) == _package_folders()
    assert {name.split(".")[0] for name in packages} == set(BUILD.PACKAGES)


def _data_folders() -> dict[str, Path]:
    """Every folder nxcommand.paths hands out beneath the project root (the bundle when frozen)."""
    found = {}
    for name, function in vars(paths).items():
        if (name.endswith("_dir") and inspect.isfunction(function)
                and not inspect.signature(function).parameters):
            folder = function()
            if folder.is_relative_to(paths.project_root()):
                found[name] = folder
    return found


def test_every_folder_the_program_reads_is_in_the_build():
    folders = _data_folders()
    assert {"migrations_dir", "demo_dir", "resources_dir", "fonts_dir"} <= set(folders)
    shipped = {(BUILD.ROOT / dest) for _, dest in BUILD.datas()}
    for source, dest in BUILD.DATA:
        assert source == dest, "the bundle mirrors the checkout: paths.project_root() is either"
    for name, folder in folders.items():
        files = [p for p in folder.rglob("*") if p.is_file() and p.name not in BUILD.NOT_SHIPPED
                 and "__pycache__" not in p.parts]
        assert files, f"{name}() is empty: {folder}"
        assert any(folder.is_relative_to(ROOT / source) for source, _ in BUILD.DATA), \
            f"{name}() = {folder} is not in build_installer.DATA"
        missing = [p for p in files if p.parent not in shipped]
        assert not missing, f"not packaged: {missing[:3]}"
    sources = {Path(src) for src, _ in BUILD.datas()}
    for migration in paths.migrations_dir().glob("*.sql"):
        assert migration in sources
    assert (paths.fonts_dir() / "OFL.txt") in sources      # the fonts' licence goes with them
    assert paths.fonts_dir() / "build_fonts.py" not in sources


def test_every_data_folder_under_db_and_resources_is_packaged():
    """A new folder beside db/migrations or in resources/ fails here until DATA ships it."""
    for top in ("db", "resources"):
        for folder in (ROOT / top).rglob("*"):
            if folder.is_dir() and folder.name != "__pycache__":
                assert any(folder.is_relative_to(ROOT / source) for source, _ in BUILD.DATA), \
                    f"{folder.relative_to(ROOT)} is not in build_installer.DATA"


def test_package_data_files_go_into_the_build():
    sources = {Path(src) for src, _ in BUILD.datas()}
    for top in BUILD.PACKAGES:
        for path in (ROOT / top).rglob("*"):
            if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts:
                assert path in sources, f"package data not packaged: {path}"


def test_data_is_found_only_through_nxcommand_paths():
    """Frozen, the program's files lie in the bundle: modules must ask nxcommand.paths, never
    look beside their own __file__."""
    offenders = []
    for top in BUILD.PACKAGES:
        for module in (ROOT / top).rglob("*.py"):
            if module == ROOT / "nxcommand" / "paths.py":
                continue
            text = module.read_text(encoding="utf-8")
            if re.search(r"(?<!\.)\b__file__\b|project_root\(\)", text):   # a module's own __file__
                offenders.append(str(module.relative_to(ROOT)))
    assert offenders == []


def test_smoke_environment_keeps_the_builders_own_data_out(tmp_path, monkeypatch):
    monkeypatch.setenv("NXCOMMAND_DB", "/srv/real/nxcommand.db")
    monkeypatch.setenv("XDG_DATA_HOME", "/home/duty/.local/share")
    env = BUILD.fresh_env(tmp_path, smoke=True)
    assert "NXCOMMAND_DB" not in env
    for variable in ("HOME", "USERPROFILE", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "LOCALAPPDATA",
                     "APPDATA", "WIN_PD_OVERRIDE_LOCAL_APPDATA"):
        assert Path(env[variable]).is_relative_to(tmp_path), variable
    assert env["QT_QPA_PLATFORM"] == "offscreen" and env["NXCOMMAND_SMOKE"] == "1"
    assert "NXCOMMAND_SMOKE" not in BUILD.fresh_env(tmp_path)


def test_pdf_check_refuses_what_is_not_a_pdf(tmp_path):
    fake = tmp_path / "x.pdf"
    fake.write_bytes(b"not a pdf")
    assert BUILD.pdf_pages(fake) == 0
    truncated = tmp_path / "t.pdf"
    truncated.write_bytes(b"%PDF-1.4\n1 0 obj\n")
    assert BUILD.pdf_pages(truncated) == 0


def test_console_smoke_mode_shows_the_window_on_a_fresh_default_database(tmp_path):
    """What the installer runs frozen, run from the checkout: no login, the demo county
    created in the temporary data folder, the report after the first paint, exit 0."""
    env = BUILD.fresh_env(tmp_path, smoke=True)
    result = subprocess.run([sys.executable, "-m", "nxcommand"], env=env, cwd=tmp_path,
                            capture_output=True, timeout=120)
    out = result.stdout.decode("utf-8")
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")[-2000:]
    assert BUILD.SMOKE_SHOWN in out
    assert f"nxcommand: actor {BUILD.SMOKE_ACTOR}" in out
    assert "南雄市（演示数据）" in out
    assert f"nxcommand: ui {ROOT / 'ui' / '__init__.py'}" in out
    databases = [p.relative_to(tmp_path) for p in tmp_path.rglob("nxcommand.db")]
    assert len(databases) == 1
    if sys.platform.startswith("linux"):
        assert databases == [Path("data") / "nxcommand" / "nxcommand.db"]


@pytest.mark.installer
@pytest.mark.skipif(os.environ.get("NXCOMMAND_INSTALLER_TEST") != "1",
                    reason="builds the frozen program (about a minute, 300 MB): NXCOMMAND_INSTALLER_TEST=1")
@pytest.mark.skipif(importlib.util.find_spec("PyInstaller") is None,
                    reason="PyInstaller missing: pip install -r requirements-build.lock")
def test_installer_builds_and_passes_its_smoke_test():
    result = subprocess.run([sys.executable, str(ROOT / "build_installer.py")], cwd=ROOT,
                            capture_output=True, timeout=1200)
    out = result.stdout.decode("utf-8", "replace")
    assert result.returncode == 0, out[-3000:] + result.stderr.decode("utf-8", "replace")[-3000:]
    assert "结论：安装目录可用" in out
    for step in ("build", "console", "check", "report", "probe"):
        assert re.search(rf"^{step}\s+通过", out, re.M), step
