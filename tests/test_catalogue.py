"""The catalogues: every message the code marks (`_()` in Python and templates) is in the
Chinese catalogue, every page word also in the English one, and both files parse as Babel
reads them, as `pybabel extract -F babel.cfg` would find them."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import fangkong
from fangkong.core.i18n import LOCALE_DIR

PACKAGE = Path(fangkong.__file__).parent


def catalogue(lang: str) -> set[str]:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return {str(m.id) for m in read_po(po, locale=lang) if m.id and m.string}


def marked() -> set[str]:
    """The literal message ids marked in the code and the templates."""
    found = extract_from_dir(
        str(PACKAGE),
        method_map=[("**/node_modules/**", "ignore"), ("**.py", "python"),
                    ("web/templates/**.html", "jinja2")],
        options_map={"web/templates/**.html": {"extensions": "jinja2.ext.i18n"}},
        keywords={"_": None, "gettext": None, "ngettext": (1, 2)},
        callback=None,
    )  # fmt: skip
    ids: set[str] = set()
    for _file, _line, message, _comments, _context in found:
        ids.update([message] if isinstance(message, str) else [m for m in message if m])
    return ids


def test_every_marked_message_is_in_the_chinese_catalogue() -> None:
    ids = marked()
    assert len(ids) > 200 and "board" in ids and "no risk in force" in ids  # templates and code
    missing = ids - catalogue("zh")
    assert not missing, sorted(missing)


def test_page_words_are_in_both_catalogues_and_sentences_fall_back_to_english() -> None:
    zh, en = catalogue("zh"), catalogue("en")
    words = {m for m in zh if m.replace("_", "").isalnum() and m.islower() and " " not in m}
    assert words and words - en == set()
