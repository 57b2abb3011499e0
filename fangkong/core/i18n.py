"""Every string a person reads, in Chinese first and English on request, from one pair of
gettext catalogues (fangkong/locale/{zh,en}/LC_MESSAGES/messages.po) kept with Babel.

Two kinds of message id live in them. A page's words are short ids (`board`, `red`,
`role_tracer`) with both languages in the catalogues, so a template can look one up from data
(`_(verdict.colour)`). Sentences from services, the API and the CLI are ids in English with
`%(name)s` places; the Chinese catalogue translates them and English falls back to the id.

The language is a context variable: the web app sets it per request (the `lang` cookie, else
Chinese); the CLI takes FANGKONG_LANG. Catalogues are compiled in memory
when first used, so no generated .mo file is kept in the tree."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
LOCALE_DIR = Path(__file__).parent.parent / "locale"

# The process's language (a CLI's), read once: FANGKONG_LANG, else Chinese.
PROCESS_LANG = os.environ.get("FANGKONG_LANG", DEFAULT_LANG)
current_lang: ContextVar[str] = ContextVar("current_lang", default=PROCESS_LANG)  # noqa: B039


def known_lang(lang: str | None) -> str:
    return lang if lang in LANGS else DEFAULT_LANG


@cache
def translations(lang: str) -> Translations:
    """The catalogue of `lang`, read from its .po file and compiled once per process."""
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=lang)
    mo = io.BytesIO()
    write_mo(mo, catalog)
    mo.seek(0)
    return Translations(mo)


def lookup(message: str) -> str:
    """`message` in the current language, as the catalogue has it (places unfilled)."""
    return str(translations(known_lang(current_lang.get())).gettext(message))


def gettext(message: str, **values: object) -> str:
    """`message` in the current language, its `%(name)s` places filled from `values` (a
    literal per cent sign is written %%, as Jinja2's gettext also expects)."""
    return lookup(message) % values


def lookup_plural(singular: str, plural: str, n: int) -> str:
    return str(translations(known_lang(current_lang.get())).ngettext(singular, plural, n))


def ngettext(singular: str, plural: str, n: int, **values: object) -> str:
    return lookup_plural(singular, plural, n) % {"num": n, **values}


_ = gettext


def lang_of_request(headers: list[tuple[bytes, bytes]]) -> str:
    """An HTTP request's language: its `lang` cookie (the pages' switch, which an API client
    may send too), else Chinese. A browser's Accept-Language does not decide: command
    centres' machines often say en-US, and the platform speaks Chinese until asked not to."""
    for name, value in headers:
        if name == b"cookie":
            for part in value.decode("latin-1").split(";"):
                key, _, lang = part.strip().partition("=")
                if key == "lang":
                    return known_lang(lang)
    return DEFAULT_LANG


@contextmanager
def in_language(lang: str) -> Iterator[None]:
    """Messages made inside the block in `lang` (a job for one user, a test of both)."""
    token = current_lang.set(known_lang(lang))
    try:
        yield
    finally:
        current_lang.reset(token)


def validation_message(error: Mapping[str, Any]) -> str:
    """A pydantic error in the current language: our validators' own messages are catalogue
    ids ("invalid ID number check digit"); pydantic's are looked up by their type
    (`pydantic:missing`) with their numbers filled in; anything else as pydantic said it."""
    context = error.get("ctx") or {}
    if error.get("type") == "value_error" and "error" in context:
        return gettext(str(context["error"]))
    key = f"pydantic:{error.get('type', '')}"
    found = lookup(key)
    if found == key:
        return str(error.get("msg", ""))
    return found % {k: v for k, v in context.items() if isinstance(v, str | int | float)}
