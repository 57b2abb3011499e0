"""The names people write for a protocol's categories and settings, matched as a person would
read them: 密切接触, 密接人员, ＫＴＶ and "密 接" all name something the protocol knows."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping

# Endings a sheet adds to a name without changing it: 密接者, 密接人员, 次密接人群.
SUFFIXES = ("人员", "人群", "者")
SPACE_AND_MARKS = re.compile(r"[\s·・．.、,，;；:：()（）\[\]【】\"'“”‘’]+")


def normalise(text: str) -> str:
    """Full-width forms folded (NFKC), spaces and punctuation dropped, case ignored, one of
    the endings 者/人员/人群 taken off."""
    folded = SPACE_AND_MARKS.sub("", unicodedata.normalize("NFKC", text)).lower()
    for suffix in SUFFIXES:
        if folded.endswith(suffix) and len(folded) > len(suffix) + 1:
            return folded[: -len(suffix)]
    return folded


def match_name(text: str, names: Mapping[str, Iterable[str]]) -> str | None:
    """The key whose names (label, English label, aliases, the key itself) include `text`."""
    wanted = normalise(text)
    for key, written in names.items():
        if any(normalise(n) == wanted for n in (key, *written)):
            return key
    return None


def suggestion(text: str, labels: Mapping[str, str]) -> str | None:
    """The label of the key a mistyped name most likely meant, if any is close enough."""
    by_name = {normalise(label): label for label in labels.values()}
    close = difflib.get_close_matches(normalise(text), list(by_name), n=1, cutoff=0.5)
    return by_name[close[0]] if close else None
