"""Chinese phone numbers: validation and one canonical form.

Mobile: 11 digits, 1[3-9]xxxxxxxxx ("+86"/"86" prefix, spaces and dashes accepted).
Landline: area code (010, 02x or a 4-digit 0xxx) + 7–8 digit number, optional extension,
stored as 0751-5551234 or 0751-5551234-801. A local number without area code gets the
county's area code when one is configured. Full-width digits and dashes are normalised first.
"""

from __future__ import annotations

import re

from .errors import ValidationError
from .text import normalize

_MOBILE = re.compile(r"1[3-9]\d{9}")
_EXTENSION = re.compile(r"^(.*?)(?:\s*(?:转|分机|ext\.?|x|#)\s*|-)(\d{1,5})$", re.IGNORECASE)


def _split_area(digits: str) -> tuple[str, str] | None:
    width = 3 if digits[:2] in ("01", "02") else 4
    area, local = digits[:width], digits[width:]
    if len(local) in (7, 8) and local[0] != "0":
        return area, local
    return None


def normalize_phone(value: str | None, label: str = "电话", area_code: str | None = None) -> str | None:
    """The canonical form of a phone number, None for an empty one; ValidationError if bad."""
    text = normalize(value)
    if not text:
        return None
    compact = re.sub(r"[\s()（）]", "", text).replace("－", "-").replace("—", "-")
    if compact.startswith("+86"):
        compact = compact[3:]
    plain = compact.replace("-", "")
    if plain.isdigit() and plain.startswith("86") and len(plain) == 13:
        plain = plain[2:]
    if plain.isdigit() and _MOBILE.fullmatch(plain):
        return plain
    if plain.isdigit() and plain.startswith("1"):
        raise ValidationError(f"{label}“{text}”不是有效的手机号码（应为 11 位，以 13–19 开头）", label)

    extension = ""
    body = compact
    if not (plain.isdigit() and _split_area(plain)):
        m = _EXTENSION.match(compact)
        if m and re.sub(r"\D", "", m.group(1)):
            head = re.sub(r"\D", "", m.group(1))
            if _split_area(head) or (head[:1] != "0" and len(head) in (7, 8)):
                body, extension = m.group(1), m.group(2)
    if re.search(r"[^\d\-]", body):
        raise ValidationError(f"{label}“{text}”含有不是数字的字符", label)
    number = body.replace("-", "")
    if number[:1] != "0" and len(number) in (7, 8) and area_code:
        number = area_code + number
    split = _split_area(number) if number[:1] == "0" else None
    if not split:
        raise ValidationError(
            f"{label}“{text}”格式不对：手机号为 11 位；固定电话须含区号，例如 0751-5551234", label)
    area, local = split
    return f"{area}-{local}" + (f"-{extension}" if extension else "")
