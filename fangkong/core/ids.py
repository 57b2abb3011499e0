"""Identity numbers: 居民身份证号 (GB 11643), GB/T 2260 division codes, mobiles, masking.

The division codes come from python-stdnum's `cn/loc` database, which keeps every code ever
issued with the years it was in use. An ID number keeps the code of the place that issued
it, which may be newer than the birth date (many 18-digit numbers were issued after 2000),
so a prefix is valid if the code ever existed, whatever the birth year.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from stdnum import numdb

from fangkong.core.i18n import _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")


class InvalidIdNumber(ValueError):
    """Raised with a reason a person can act on."""


@dataclass(frozen=True)
class Division:
    code: str
    province: str
    name: str
    current: bool


def _ascii_digits(value: str) -> str:
    """Every decimal digit of any script (Arabic-Indic ٣, Devanagari ३ …) as its ASCII digit:
    str.isdigit and int() accept them, so one ID number written two ways would be two people."""
    if value.isascii():
        return value
    return "".join(str(unicodedata.decimal(c)) if unicodedata.decimal(c, None) is not None
                   else c for c in value)  # fmt: skip


def normalize_text(value: str) -> str:
    """Full-width digits and letters to ASCII, digits of every script to ASCII digits,
    surrounding white space stripped."""
    return _ascii_digits(unicodedata.normalize("NFKC", value)).strip()


def check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def _strip_years(name: str) -> tuple[str, bool]:
    """'[2000-]临猗县' -> ('临猗县', True); '[-2010]崇文区' -> ('崇文区', False)."""
    if not name.startswith("["):
        return name, True
    span, rest = name[1:].split("]", 1)
    return rest, span.endswith("-")


@lru_cache(maxsize=8192)
def division(code: str) -> Division | None:
    """The GB/T 2260 county-level division for a 6-digit code, or None if it never existed."""
    if len(code) != 6 or not code.isdigit():
        return None
    found = {k: v for _, props in numdb.get("cn/loc").info(code) for k, v in props.items()}
    if "county" not in found:
        return None
    # A code reused over time lists several names; the last one is the newest.
    name, current = _strip_years(found["county"].split(",")[-1])
    return Division(code=code, province=found.get("province", ""), name=name, current=current)


@lru_cache(maxsize=64)
def divisions_in(prefecture: str) -> tuple[Division, ...]:
    """Current county-level divisions inside a 4-digit prefecture (e.g. 1408 运城市)."""
    out = []
    for suffix in range(1, 100):
        d = division(f"{prefecture}{suffix:02d}")
        # 01 is the summary code 市辖区, not a county of its own.
        if d is not None and d.current and suffix != 1:
            out.append(d)
    return tuple(out)


def normalize_id_number(raw: str) -> str:
    return normalize_text(raw).replace(" ", "").upper()


def validate_id_number(raw: str, *, today: date) -> str:
    """Return the canonical ID number or raise InvalidIdNumber saying what is wrong."""
    number = normalize_id_number(raw)
    if len(number) != 18:
        raise InvalidIdNumber(_("must be 18 characters, got %(n)s", n=len(number)))
    if (
        not number.isascii()
        or not number[:17].isdigit()
        or not (number[17].isdigit() or number[17] == "X")
    ):
        raise InvalidIdNumber(_("must be 17 digits followed by a digit or X"))
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber(_("birth date %(d)s is not a real date", d=number[6:14])) from None
    if born > today:
        raise InvalidIdNumber(_("birth date %(d)s is in the future", d=born.isoformat()))
    if born.year < 1880:
        raise InvalidIdNumber(_("birth date %(d)s is implausibly early", d=born.isoformat()))
    if division(number[:6]) is None:
        raise InvalidIdNumber(
            _("region code %(code)s is not a GB/T 2260 division code", code=number[:6])
        )
    expected = check_char(number[:17])
    if number[17] != expected:
        raise InvalidIdNumber(
            _(
                "check character is %(found)s, expected %(expected)s",
                found=number[17],
                expected=expected,
            )
        )
    return number


def birth_date_of(id_number: str) -> date:
    return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def sex_of(id_number: str) -> str:
    return "male" if int(id_number[16]) % 2 else "female"


def make_id_number(region: str, born: date, sequence: int) -> str:
    """A well-formed ID number, for synthetic data (the demo, tests, benchmarks)."""
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)


def validate_mobile(raw: str) -> str:
    """Mainland mobile, 11 digits; spaces, dashes, full-width digits and +86 are tolerated."""
    number = re.sub(r"[\s\-()]", "", normalize_text(raw))
    if number.startswith("+86"):
        number = number[3:]
    elif number.startswith("0086"):
        number = number[4:]
    if not MOBILE_RE.match(number):
        raise ValueError(f"{raw!r} is not a mainland mobile number (11 digits starting 13-19)")
    return number


def validate_passport(raw: str) -> str:
    number = normalize_text(raw).replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z0-9]{5,20}", number):
        raise ValueError("passport number must be 5 to 20 letters or digits")
    return number


def generated_key(*parts: str) -> str:
    """A stable key for someone with no document yet: the same details give the same key."""
    digest = hashlib.sha256("|".join(normalize_text(p) for p in parts).encode()).hexdigest()
    return f"G{digest[:15].upper()}"


def mask_name(name: str) -> str:
    """张三丰 -> 张**; keeps the family name only."""
    if not name:
        return name
    return name[0] + "*" * max(1, len(name) - 1)


def mask_id_number(number: str | None) -> str | None:
    if not number:
        return number
    if len(number) <= 8:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_mobile(number: str | None) -> str | None:
    if not number:
        return number
    return number[:3] + "****" + number[-4:]


_NUMBERS = re.compile(r"[0-9]{17}[0-9Xx]|[0-9]{6,}")


def mask_numbers(text: str) -> str:
    """Free text (a search typed, an audit's query) with the identity and phone numbers in it
    masked as they are shown: an ID number as `mask_id_number`, a mobile as `mask_mobile`."""

    def masked(found: re.Match[str]) -> str:
        number = found.group()
        return (mask_mobile(number) if len(number) == 11 else mask_id_number(number)) or ""

    return _NUMBERS.sub(masked, text)
