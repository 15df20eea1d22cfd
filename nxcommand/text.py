"""Text normalisation and search keys: full-width forms, phone digits, pinyin initials."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


# Full-width digits, Latin letters and the hyphen become ASCII; Chinese punctuation such as
# （） stays.
_FULL_WIDTH = {cp: cp - 0xFEE0 for cp in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B),
                                          *range(0xFF41, 0xFF5B)]}
_FULL_WIDTH[0x3000] = 0x20  # ideographic space
_FULL_WIDTH[0xFF0D] = 0x2D  # full-width hyphen, typed inside phone numbers


# Zero-width characters and the BOM ride along with text pasted from Word, web pages and chat
# apps; they carry nothing, so they are dropped rather than refusing the officer's paste.
_ZERO_WIDTH = {cp: None for cp in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF)}
_FULL_WIDTH.update(_ZERO_WIDTH)


def drop_zero_width(text: str) -> str:
    """Text as pasted, without the zero-width characters and BOM it may carry."""
    return text.translate(_ZERO_WIDTH)


def normalize(text: str | None) -> str:
    """Full-width digits, letters and spaces as ASCII; zero-width characters dropped; single
    spaces; trimmed."""
    if text is None:
        return ""
    return _SPACES.sub(" ", str(text).translate(_FULL_WIDTH)).strip()


def digits(text: str | None) -> str:
    return "".join(ch for ch in normalize(text) if ch.isdigit())


# Control characters, lone surrogates (which SQLite cannot store as UTF-8) and invisible
# format characters such as bidi overrides that make text read differently from what it
# holds (U+202E). Zero-width spaces and the BOM are dropped by normalize() before this check.
_INVISIBLE = ("Cc", "Cs", "Cf")


def is_invisible(ch: str) -> bool:
    return unicodedata.category(ch) in _INVISIBLE


def has_control_chars(text: str, allowed: str = "\t\n") -> bool:
    return any(is_invisible(ch) and ch not in allowed for ch in text)


def check_text_type(value: object, label: str) -> None:
    """A form field arrives as text (or None for an empty one); anything else is refused,
    never stored as its Python repr (b'…', ['…'])."""
    from .errors import ValidationError

    if value is not None and not isinstance(value, str):
        raise ValidationError(f"{label}应为文字，收到的是{type(value).__name__}", label)


def record_id(value: object, label: str) -> int | None:
    """A chosen record's id (a town, a unit …): None, or an integer SQLite can hold;
    ValidationError naming ``label`` for anything else, never a raw sqlite3 error."""
    from .errors import ValidationError

    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2 ** 63:
        raise ValidationError(f"所选{label}无效", label)
    return value


def pinyin_keys(text: str) -> tuple[str, str]:
    """(full pinyin, initials) of a Chinese text, lower case, without spaces.

    For the first character (a surname in a person's name) every reading's initial is
    kept, so 单 in 单雄信 is found by "sxx" as well as "dxx": initials may hold
    alternatives separated by a space.
    """
    from pypinyin import Style, lazy_pinyin, pinyin

    text = normalize(text)
    if not text:
        return "", ""
    full = "".join(lazy_pinyin(text, errors="default")).lower()
    initials = "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")).lower()
    first_readings = pinyin(text[0], style=Style.FIRST_LETTER, heteronym=True)[0]
    variants = [initials] + [
        r.lower() + initials[1:] for r in first_readings if r.lower() != initials[:1]
    ]
    return full.replace(" ", ""), " ".join(dict.fromkeys(v.replace(" ", "") for v in variants))


def like_pattern(term: str) -> str:
    """A LIKE pattern matching ``term`` anywhere, with % and _ taken literally (ESCAPE '\\')."""
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def clean(value: str | None, label: str, limit: int, required: bool = False,
          multiline: bool = False) -> str:
    """A form field as stored: normalised (one line) or trimmed (``multiline``), within
    ``limit`` characters, free of control characters; ValidationError names ``label``."""
    from .errors import ValidationError

    check_text_type(value, label)
    if value and len(value) > 10 * limit:    # far too long whatever normalising removes
        raise ValidationError(f"{label}不能超过 {limit} 个字", label)
    value = drop_zero_width(value or "").strip() if multiline else normalize(value)
    if required and not value:
        raise ValidationError(f"请填写{label}", label)
    if len(value) > limit:
        raise ValidationError(f"{label}不能超过 {limit} 个字", label)
    if has_control_chars(value):
        raise ValidationError(f"{label}含有不可见的控制字符", label)
    return value
