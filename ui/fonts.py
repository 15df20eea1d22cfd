"""The app's own CJK fonts, registered at start so nothing depends on system fonts."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QFont, QFontDatabase

from nxcommand.paths import fonts_dir

SANS_FILE = "NotoSansSC-Regular.ttf"
SERIF_FILE = "NotoSerifSC-Regular.ttf"


@dataclass(frozen=True)
class Families:
    sans: str   # 黑体 stand-in: UI text and headings
    serif: str  # 宋/仿宋 stand-in: document previews


_registered: Families | None = None


def register_fonts() -> Families:
    """Register the shipped Noto faces once (the 楷体 face is for printed documents only and
    stays out of the console's memory); RuntimeError names a missing or unreadable file."""
    global _registered
    if _registered is not None:
        return _registered
    families: dict[str, str] = {}
    files = sorted(fonts_dir().glob("Noto*.ttf"))
    for path in files:
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id < 0:
            raise RuntimeError(f"无法载入字体文件：{path}")
        families[path.name] = QFontDatabase.applicationFontFamilies(font_id)[0]
    missing = [f for f in (SANS_FILE, SERIF_FILE) if f not in families]
    if missing:
        raise RuntimeError(f"缺少字体文件：{', '.join(missing)}（应位于 {fonts_dir()}）")
    _registered = Families(sans=families[SANS_FILE], serif=families[SERIF_FILE])
    return _registered


def ui_font(point_size: float = 10.5) -> QFont:
    font = QFont(register_fonts().sans)
    font.setPointSizeF(point_size)
    return font
