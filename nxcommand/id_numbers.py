"""身份证号 (GB 11643-1999): the check digit (ISO 7064 MOD 11-2), the birth date and sex
they carry, and a check that says in Chinese what is wrong with a number as typed."""

from __future__ import annotations

import re
from datetime import date

from .errors import ValidationError
from .text import clean

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")


def check_char(first17: str) -> str:
    """The 18th character of a 身份证号 from its first 17 digits (ISO 7064 MOD 11-2)."""
    return _CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, _WEIGHTS)) % 11]


def id_birth(number: str) -> date:
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def id_sex(number: str) -> str:
    return "男" if int(number[16]) % 2 else "女"


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def check_id_number(value: str | None, today: date, label: str = "身份证号") -> str | None:
    """A 身份证号 as stored (upper-case X, no spaces), None when empty; ValidationError saying
    what is wrong: length, characters, the area code, the birth date, or the check digit."""
    text = clean(value, label, 40).replace(" ", "").upper()
    if not text:
        return None
    if len(text) != 18:
        raise ValidationError(f"{label}应为 18 位，填写的是 {len(text)} 位", label)
    if not _ID_SHAPE.fullmatch(text):
        raise ValidationError(f"{label}前 17 位应为数字，第 18 位为数字或 X", label)
    if text[0] not in "12345678" or text[:2] == "10":
        raise ValidationError(f"{label}前 6 位应为行政区划代码，“{text[:6]}”无效", label)
    try:
        birth = id_birth(text)
    except ValueError:
        raise ValidationError(f"{label}第 7–14 位应为出生日期，“{text[6:14]}”不是有效日期", label) from None
    if birth > today or birth.year < today.year - 130:
        raise ValidationError(f"{label}中的出生日期 {birth:%Y-%m-%d} 不合理", label)
    expected = check_char(text[:17])
    if text[17] != expected:
        raise ValidationError(f"{label}校验位不对：按前 17 位算得第 18 位应为 {expected}，填写的是 {text[17]}"
                              "（末位或前 17 位中有数字抄错），请核对", label)
    return text
