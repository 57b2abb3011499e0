from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from fangkong.core.cli_support import command_session
from fangkong.core.i18n import _
from fangkong.core.platform_clock import platform_now
from fangkong.tracing.linelists import export_contacts, import_contacts
from fangkong.users.service import acting_as

app = typer.Typer(help="Contacts: line lists in and out.", no_args_is_help=True)
console = Console()


UserOption = Annotated[str, typer.Option("--user", help="act as this user (their jurisdiction)")]


@app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    infection: Annotated[
        int, typer.Option("--infection", help="the infection these are contacts of")
    ],
    user: UserOption = "admin",
) -> None:
    """Import a contact line list (.xlsx or .csv): every row, or nothing and the row errors."""
    with (
        command_session(_("%(file)s: nothing imported", file=file.name)) as session,
        Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar,
    ):
        # Two long stages: reading and checking every row, then writing them all.
        task = bar.add_task(f"checking {file.name}", total=2)

        def stage(done: str) -> None:
            bar.update(task, advance=1, description=f"{done}; writing" if "read" in done else done)

        result = import_contacts(
            session,
            actor=acting_as(session, user),
            infection_id=infection,
            filename=file.name,
            content=file.read_bytes(),
            now=platform_now(),
            progress=stage,
        )
    if result.already_imported:
        console.print(
            _("%(file)s was already imported for infection %(id)s; nothing changed",
              file=file.name, id=infection)
        )  # fmt: skip
    else:
        console.print(
            _("imported %(rows)s rows: %(contacts)s new contacts, %(people)s new people",
              rows=result.rows, contacts=result.contacts_created, people=result.people_created)
        )  # fmt: skip


@app.command("export")
def export_file(
    infection: Annotated[int, typer.Option("--infection")],
    out: Annotated[Path, typer.Option("--out", dir_okay=False)],
    user: UserOption = "admin",
) -> None:
    """Write an infection's contacts to .xlsx, masked as the user's role requires."""
    with command_session() as session:
        actor = acting_as(session, user)
        out.write_bytes(
            export_contacts(session, actor=actor, infection_id=infection, now=platform_now())
        )
    console.print(_("wrote %(file)s", file=out))
