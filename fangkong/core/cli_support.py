"""What every command shares: a unit of work, and errors told the way users read them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from sqlalchemy import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from fangkong.core.db import default_session_factory, transaction
from fangkong.core.errors import FangkongError, InvalidInput
from fangkong.core.i18n import _
from fangkong.core.platform_clock import platform_now
from fangkong.core.settings import get_settings
from fangkong.core.sheets import ROW_LOC
from fangkong.core.timeutil import parse_local_datetime

err = Console(stderr=True)


@contextmanager
def command_session(refused: str | None = None) -> Iterator[Session]:
    """One transaction for the command. On a refused input, every problem is printed with its
    row or field, nothing is written, and the command exits 1."""
    try:
        with transaction(default_session_factory()) as session:
            yield session
    except InvalidInput as exc:
        refuse(exc, refused or _("nothing written"))
    except FangkongError as exc:
        err.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from None


@contextmanager
def command_errors(refused: str | None = None) -> Iterator[None]:
    """Our errors as one red line (or the problems of a refused input), exit 1."""
    try:
        yield
    except InvalidInput as exc:
        refuse(exc, refused or _("nothing written"))
    except FangkongError as exc:
        err.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from None


def tell_database_unreachable(exc: OperationalError) -> None:
    """One line, and where to look, instead of the driver's traceback."""
    url = make_url(get_settings().resolved_database_url).render_as_string(hide_password=True)
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc).splitlines()[0]
    err.print("[red]" + _("cannot open the database %(url)s: %(reason)s", url=url,
                            reason=reason) + "[/]")  # fmt: skip
    err.print(_("  run from the folder that holds var/ (where `make demo` built it), or set "
                "FANGKONG_DATA_DIR or FANGKONG_DATABASE_URL"))  # fmt: skip


def _row(part: str) -> str:
    """A sheet's "row 12" as the reader's language says it (第12行)."""
    found = ROW_LOC.match(part)
    return _("row_n").replace("{n}", found.group(1)) if found else part


def refuse(exc: InvalidInput, refused: str) -> NoReturn:
    """Print every problem with its row or field, and exit 1."""
    err.print(f"[red]{refused}[/]")
    for problem in exc.problems or []:
        where = ", ".join(_row(str(part)) for part in problem.loc)
        err.print(f"  {where}: {problem.msg}")
    if not exc.problems:
        err.print(f"  {exc.message}")
    raise typer.Exit(1) from None


@contextmanager
def stage_bar(console: Console, what: str, total: int) -> Iterator[Callable[[str], None]]:
    """A progress bar for a long command of `total` stages: call what it yields with each
    stage's description as it starts."""
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(what, total=total)
        started = [False]

        def stage(description: str) -> None:
            bar.update(task, advance=1 if started[0] else 0, description=description)
            started[0] = True

        yield stage
        bar.update(task, completed=total)


def moment_of(text: str | None, *, hint: str = "--as-of") -> datetime:
    """A command's moment: the text given (city time), else the platform's now."""
    if not text:
        return platform_now()
    try:
        return parse_local_datetime(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint=hint) from None
